"""Who sees the unpublished self-assessment in a report, through the page, downloads and CLI.

The records (memberships, events, outreach …) are public; the year's self-assessment appears
for everyone once published, before that only for the library's staff and — once handed in —
the issuing network's coordinators and assessors (``greenlib.view_assessment``).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from libcoop.core.demo import ensure_demo_accounts
from libcoop.greenlib import services, workflow
from libcoop.greenlib.models import Assessment, Criterion, CriterionResponse
from libcoop.greenlib.standard import STANDARDS_DIR
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Membership

DRAFT_TEXT = "ข้อความร่างที่ยังไม่เผยแพร่ของห้องสมุด"
COMMENT = "ความเห็นของผู้ตรวจประเมิน"
YEAR = 2021
URL = f"/greenlib/reports/MFU-LIB/{YEAR}/"


@pytest.fixture
def draft(demo_registry: None) -> Assessment:
    """MFU library's 2021 self-assessment (TLA-2558), a draft with one narrative and a link."""
    ensure_demo_accounts()
    standard = services.load_standard(STANDARDS_DIR / "tla-2558.yaml", acting_user=SYSTEM)
    mfu = Institution.objects.get(code="MFU-LIB")
    assessment = services.open_assessment(mfu, YEAR, standard, acting_user=SYSTEM)
    criterion = Criterion.objects.get(standard=standard, code="7.1")
    services.save_response(
        assessment, criterion, acting_user=SYSTEM, narrative_th=DRAFT_TEXT, self_status="met"
    )
    gln = Membership.objects.get(institution=mfu, network__code="GLN")
    services.add_evidence_link(assessment, criterion, "membership", gln.pk, acting_user=SYSTEM)
    return assessment


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def shows_draft(username: str | None) -> bool:
    response = client_for(username).get(URL, {"lang": "th"})
    assert response.status_code == 200
    return DRAFT_TEXT in response.content.decode()


def act(assessment: Assessment, action: str, username: str) -> None:
    user = get_user_model().objects.get(username=username)
    workflow.perform(assessment, action, acting_user=user)


def test_a_draft_is_seen_by_the_librarys_staff_only(draft: Assessment) -> None:
    assert shows_draft("mfu.librarian")
    assert shows_draft("mfu.admin")
    for outsider in (None, "mfu.patron", "cmu.admin", "gln.assessor", "gln.coordinator"):
        assert not shows_draft(outsider), outsider
    # The public page still has the records, and says what it leaves out.
    page = client_for(None).get(URL, {"lang": "en"}).content.decode()
    assert "Green Library Network" in page
    assert "not published yet" in page


def test_handed_in_it_is_seen_by_the_networks_officers(draft: Assessment) -> None:
    act(draft, "submit", "mfu.librarian")
    assert shows_draft("gln.assessor")
    assert shows_draft("gln.coordinator")
    assert shows_draft("mfu.librarian")
    assert not shows_draft(None)
    assert not shows_draft("cmu.admin")
    assert not shows_draft("pulinet.coordinator")


def test_published_it_is_public_with_its_score(draft: Assessment) -> None:
    act(draft, "submit", "mfu.librarian")
    act(draft, "start_review", "gln.assessor")
    assessor = get_user_model().objects.get(username="gln.assessor")
    response = CriterionResponse.objects.get(assessment=draft, criterion__code="7.1")
    services.score_response(response, Decimal("8"), comment=COMMENT, acting_user=assessor)
    # In review the score is not in the report, even for the library.
    assert COMMENT not in client_for("mfu.librarian").get(URL).content.decode()
    act(draft, "publish", "gln.assessor")
    page = client_for(None).get(URL, {"lang": "th"}).content.decode()
    assert DRAFT_TEXT in page
    assert COMMENT in page
    assert "8 / " in page


def test_the_public_sees_evidence_files_named_not_linked(draft: Assessment) -> None:
    """A published report is public; its evidence files stay with those who may see the
    assessment: the public gets their names without a link (no link that leads to a login),
    the library's staff a link that opens the file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    criterion = Criterion.objects.get(standard=draft.standard, code="7.1")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("energy-audit-2564.pdf", pdf, content_type="application/pdf")
    evidence = services.add_evidence_file(
        draft, criterion, upload, name=upload.name, acting_user=SYSTEM
    )
    act(draft, "submit", "mfu.librarian")
    act(draft, "start_review", "gln.assessor")
    assessor = get_user_model().objects.get(username="gln.assessor")
    response = CriterionResponse.objects.get(assessment=draft, criterion=criterion)
    services.score_response(response, Decimal("8"), acting_user=assessor)
    act(draft, "publish", "gln.assessor")
    link = f"/greenlib/evidence/{evidence.pk}/file/"
    public = client_for(None).get(URL, {"lang": "en"}).content.decode()
    assert "energy-audit-2564.pdf" in public and link not in public
    staff = client_for("mfu.librarian")
    page = staff.get(URL, {"lang": "en"}).content.decode()
    assert f'href="{link}"' in page
    assert staff.get(link).status_code == 200
    assert client_for("cmu.admin").get(link).status_code == 404


def test_downloads_follow_the_same_rule(draft: Assessment) -> None:
    from docx import Document

    def docx_text(username: str | None) -> str:
        response = client_for(username).get(f"/greenlib/reports/MFU-LIB/{YEAR}.docx")
        assert response.status_code == 200
        document = Document(io.BytesIO(response.content))
        return "\n".join(p.text for p in document.paragraphs)

    assert DRAFT_TEXT in docx_text("mfu.librarian")
    assert DRAFT_TEXT not in docx_text(None)
    private = client_for("mfu.librarian").get(f"/greenlib/reports/MFU-LIB/{YEAR}.docx")
    assert "no-store" in private["Cache-Control"]


def test_the_command_line_includes_drafts_unless_public(draft: Assessment, tmp_path: Path) -> None:
    full, public = tmp_path / "full.html", tmp_path / "public.html"
    out = io.StringIO()
    args = ["greenlib", "report", "--institution", "MFU-LIB", "--year", str(YEAR)]
    call_command(*args, "--format", "html", "-o", str(full), stdout=out)
    call_command(*args, "--format", "html", "-o", str(public), "--public", stdout=out)
    assert DRAFT_TEXT in full.read_text(encoding="utf-8")
    assert DRAFT_TEXT not in public.read_text(encoding="utf-8")


def test_report_page_makes_no_change(draft: Assessment, django_assert_max_num_queries: Any) -> None:
    """Reading a report writes nothing (no audit event, no state change)."""
    from libcoop.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    with django_assert_max_num_queries(150):
        client_for("mfu.librarian").get(URL)
    assert AuditEvent.objects.count() == before
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- knowledge articles: a report names only the articles its reader may read ------------------


def test_report_names_only_the_knowledge_articles_the_reader_may_read(
    world: Any, tmp_path: Path
) -> None:
    """An article shared within a network, or kept within the library, is not named on the
    public report page (its title is not public); the library's staff see all of them."""
    import datetime

    from libcoop.greenlib.report import build_report, report_institution
    from tests.knowledge.factories import article

    year = datetime.date.today().year
    on = datetime.date(year, 1, 1)
    article(world.own, title_en="Public practice", on=on)
    article(world.own, visibility="network", network=world.network, title_en="Network note", on=on)
    article(world.own, visibility="institution", title_en="Internal plan", on=on)
    url = f"/greenlib/reports/{world.own.code}/{year}/"

    def titles(client: Client) -> set[str]:
        html = client.get(url, {"lang": "en"}).content.decode()
        return {t for t in ("Public practice", "Network note", "Internal plan") if t in html}

    def as_user(role: str) -> Client:
        client = Client()
        client.force_login(world.users[role])
        return client

    assert titles(Client()) == {"Public practice"}
    assert titles(as_user("patron")) == {"Public practice"}
    assert titles(as_user("librarian_other")) == {"Public practice", "Network note"}
    assert titles(as_user("librarian_own")) == {"Public practice", "Network note", "Internal plan"}
    # the operator's command names them all, unless asked for the public page
    full = build_report(report_institution(world.own.code), year, lang="en")
    assert "Internal plan" in str(full.sections[0])
    out = tmp_path / "public.html"
    call_command(
        "greenlib",
        "report",
        f"--institution={world.own.code}",
        f"--year={year}",
        "--lang=en",
        "--format=html",
        f"-o{out}",
        "--public",
        stdout=io.StringIO(),
    )
    public = out.read_text(encoding="utf-8")
    assert "Public practice" in public and "Network note" not in public
    assert "Internal plan" not in public


def test_published_report_names_linked_articles_only_to_who_may_read_them(world: Any) -> None:
    """A knowledge article the library linked as evidence is named on the published report
    only to readers who may read it; others see that an article is linked, not its title."""
    import datetime

    from tests.knowledge.factories import article

    internal = article(
        world.own,
        visibility="institution",
        title_en="Internal plan",
        on=datetime.date.today().replace(month=1, day=1),  # after 2024: not in the 2024 table
    )
    assessment = world.assessment  # 2024, a draft
    services.save_response(assessment, world.item, narrative_en="We did it.", acting_user=SYSTEM)
    services.add_evidence_link(assessment, world.item, "article", internal.pk, acting_user=SYSTEM)
    for action in ("submit", "start_review"):
        workflow.perform(assessment, action, acting_user=SYSTEM)
    response = CriterionResponse.objects.get(assessment=assessment, criterion=world.item)
    services.score_response(response, Decimal(4), acting_user=SYSTEM)
    workflow.perform(assessment, "publish", acting_user=SYSTEM)
    url = f"/greenlib/reports/{world.own.code}/2024/"

    public = Client().get(url, {"lang": "en"}).content.decode()
    assert "We did it." in public and "Internal plan" not in public
    assert f"#{internal.pk}" in public  # the link is there, by number
    own = Client()
    own.force_login(world.users["librarian_own"])
    assert "Internal plan" in own.get(url, {"lang": "en"}).content.decode()


def test_environmental_figures_follow_the_figures_rule_until_published(draft: Assessment) -> None:
    """The figures pages are for the library's staff and its networks' officers; the report
    shows the figures to the same people, and to everyone once the assessment is published."""
    from libcoop.greenlib.models import EnvFigure

    mfu = Institution.objects.get(code="MFU-LIB")
    services.record_env_figures(
        mfu, YEAR, {(1, "electricity_kwh"): Decimal("43210")}, acting_user=SYSTEM
    )
    assert EnvFigure.objects.filter(institution=mfu, year=YEAR).count() == 1

    def shows_figures(username: str | None) -> bool:
        page = client_for(username).get(URL, {"lang": "en"}).content.decode()
        return "43,210" in page or "43210" in page

    assert shows_figures("mfu.librarian")
    assert shows_figures("gln.coordinator")
    assert not shows_figures(None)
    assert not shows_figures("cmu.admin")
    act(draft, "submit", "mfu.librarian")
    act(draft, "start_review", "gln.assessor")
    assessor = get_user_model().objects.get(username="gln.assessor")
    response = CriterionResponse.objects.get(assessment=draft, criterion__code="7.1")
    services.score_response(response, Decimal("8"), acting_user=assessor)
    act(draft, "publish", "gln.assessor")
    assert shows_figures(None)
    assert shows_figures("cmu.admin")
