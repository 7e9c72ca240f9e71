"""The demo: both standards, MFU's 2019 category-7 assessment true to the seed, figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.greenlib import demo, queries
from libcoop.greenlib.models import Assessment, EnvFigure, Score, Standard
from libcoop.network.models import Institution

# shared/ lies beside the repository (on developers' machines and in CI)
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_84bbb22a98b47916.txt"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def demo_loaded(demo_registry: None) -> None:
    from libcoop.events.demo import load_demo as events_demo
    from libcoop.outreach.demo import load_demo as outreach_demo

    events_demo()
    outreach_demo()
    demo.load_demo()


@pytest.mark.django_db
def test_demo_is_true_to_the_seed_and_marks_what_is_illustrative(demo_loaded: None) -> None:
    assert set(Standard.objects.values_list("code", flat=True)) == {"TLA-2558", "GL-2566"}
    mfu = Institution.objects.get(code="MFU-LIB")
    summary = queries.assessment_for(mfu, 2019)
    assert summary is not None and (summary.standard_code, summary.status) == (
        "TLA-2558",
        "published",
    )
    (result,) = queries.criterion_results(mfu, 2019, lang="th")
    assert (result.category_number, result.code, result.self_status) == ("7", "7.1", "met")
    kinds = {kind for kind, _label, _url in result.linked}
    assert kinds == {"membership", "seat", "event", "outreach"}
    labels = " ".join(label for _k, label, _u in result.linked)
    assert "MFU Green Corner" in labels
    assert all(s.illustrative for s in Score.objects.all())
    assessment = Assessment.objects.get(institution=mfu, year=2019)
    assert "illustrative" in assessment.note_en
    # The note was written through the service, so the audit log has it.
    opened = AuditEvent.objects.get(verb=AuditVerb.ASSESSMENT_OPENED, object_id=str(assessment.pk))
    assert opened.data["note_en"] == assessment.note_en != ""
    draft = queries.assessment_for(mfu, 2024)
    assert draft is not None and (draft.standard_code, draft.status) == ("GL-2566", "draft")
    figures = EnvFigure.objects.filter(institution=mfu)
    assert set(figures.values_list("year", flat=True)) == {2018, 2019}
    assert figures.count() == 2 * 12 * 7 and all(f.illustrative for f in figures)


@pytest.mark.django_db
def test_demo_loads_twice_without_changes(demo_loaded: None) -> None:
    events = AuditEvent.objects.count()
    summary = demo.load_demo()
    assert "0 assessments created, 0 environmental figures changed" in summary
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_demo_narrative_is_the_seed_word_for_word(demo_loaded: None) -> None:
    if not SEED.exists():
        pytest.skip(f"seed not found at {SEED}")
    seed = _squash(SEED.read_text(encoding="utf-8"))
    (result,) = queries.criterion_results(Institution.objects.get(code="MFU-LIB"), 2019)
    paragraphs = result.narrative.split("\n\n")
    assert len(paragraphs) == 2
    for paragraph in paragraphs:
        assert _squash(paragraph) in seed
