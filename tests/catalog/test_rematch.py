"""``libcoop catalog rematch``: records loaded under older match rules get the current rules'
facts, keys and clusters; staff splits and merges survive; a second run changes nothing.
Runs on SQLite and (second pass) on PostgreSQL."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from pymarc import Field, Indicators, Record, Subfield

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.catalog import clustering, prepare
from libcoop.catalog.ingest import import_file
from libcoop.catalog.matching import Verdict
from libcoop.catalog.models import BibRecord, Cluster, MatchDecision, MatchKey
from libcoop.catalog.rematch import rematch
from libcoop.catalog.services import merge_clusters, split_record
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import staff

pytestmark = pytest.mark.django_db


def _load(tmp_path: Path, library, name: str, *records: Record) -> None:  # type: ignore[no-untyped-def]
    import_file(write(tmp_path / f"{name}.mrc", *records), library, acting_user=SYSTEM)


def cluster_of(local_id: str) -> int | None:
    return BibRecord.objects.get(local_id=local_id).cluster_id


def _with_added_entry(record: Record, name: str) -> Record:
    record.add_field(
        Field(tag="700", indicators=Indicators("1", " "), subfields=[Subfield("a", name)])
    )
    return record


def _old_rules_load(tmp_path: Path, libraries, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two libraries' records of one book, loaded as the rules before #14 did: only the
    main entries compared (no name facts written), so the editor-as-main-entry record of
    BBB stays apart from AAA's."""
    with monkeypatch.context() as patch:
        patch.setattr(prepare, "match_terms", lambda facts: [])
        _load(
            tmp_path,
            libraries["AAA-LIB"],
            "a",
            book("a1", "Green libraries", author="Smith, John."),
        )
        _load(
            tmp_path,
            libraries["BBB-LIB"],
            "b",
            _with_added_entry(book("b1", "Green libraries", author="Jones, Ann."), "Smith, John."),
        )
    assert cluster_of("a1") != cluster_of("b1")
    assert BibRecord.objects.get(local_id="b1").other_ids == []


def test_rule_change_reaches_records_loaded_before_it(
    libraries, tmp_path: Path, monkeypatch
) -> None:
    _old_rules_load(tmp_path, libraries, monkeypatch)
    b1 = BibRecord.objects.get(local_id="b1")
    old_clusters = {cluster_of("a1"), cluster_of("b1")}
    report = rematch(acting_user=SYSTEM)
    assert cluster_of("a1") == cluster_of("b1")
    assert report.refreshed == 2 and report.records == 2
    assert len(report.moved) == 1 and len(report.merged) == 1
    # The record's facts and keys are the current rules' now.
    b1.refresh_from_db()
    assert "pn:smith john" in b1.other_ids
    assert MatchKey.objects.filter(record=b1, key__startswith="ta:greenlibrari|smith").exists()
    # The "why" names the rule that joined them; the emptied cluster is inactive.
    decision = MatchDecision.objects.filter(record__local_id="b1").order_by("-id").first()
    assert decision is not None and decision.rule == "title_author_year"
    assert decision.key == "name:smith john"
    joined = Cluster.objects.get(pk=cluster_of("a1"))
    assert (joined.record_count, joined.library_count) == (2, 2)
    emptied = old_clusters - {joined.pk}
    assert emptied and not Cluster.objects.filter(pk__in=emptied, active=True).exists()
    # One audit entry per library whose records changed.
    events = AuditEvent.objects.filter(verb=AuditVerb.CATALOG_REMATCHED)
    assert sorted(events.values_list("institution_code", flat=True)) == ["AAA-LIB", "BBB-LIB"]


def test_second_run_changes_nothing(libraries, tmp_path: Path, monkeypatch) -> None:
    _old_rules_load(tmp_path, libraries, monkeypatch)
    rematch(acting_user=SYSTEM)
    decisions = MatchDecision.objects.count()
    events = AuditEvent.objects.count()
    stamps = dict(Cluster.objects.values_list("id", "updated"))
    keys = sorted(MatchKey.objects.values_list("record_id", "key"))
    report = rematch(acting_user=SYSTEM)
    assert not report.changed
    assert (report.refreshed, report.moved, report.merged, report.split) == (0, [], {}, {})
    assert MatchDecision.objects.count() == decisions
    assert AuditEvent.objects.count() == events
    assert dict(Cluster.objects.values_list("id", "updated")) == stamps
    assert sorted(MatchKey.objects.values_list("record_id", "key")) == keys


def test_staff_split_survives_a_rematch(libraries, tmp_path: Path) -> None:
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green libraries"))
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green libraries"))
    assert cluster_of("a1") == cluster_of("b1")
    librarian = staff(StaffRole.LIBRARIAN, libraries["BBB-LIB"])
    split_record(BibRecord.objects.get(local_id="b1"), acting_user=librarian)
    report = rematch(acting_user=SYSTEM)
    assert cluster_of("a1") != cluster_of("b1")
    assert report.moved == []


def test_staff_merge_survives_a_rematch(libraries, tmp_path: Path) -> None:
    # Different titles: the rules keep them apart; a librarian decided they are one book.
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green libraries"))
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Libraries for a green future"))
    assert cluster_of("a1") != cluster_of("b1")
    librarian = staff(StaffRole.LIBRARIAN, libraries["BBB-LIB"])
    merge_clusters(
        BibRecord.objects.get(local_id="b1"),
        Cluster.objects.get(pk=cluster_of("a1")),
        acting_user=librarian,
    )
    assert cluster_of("a1") == cluster_of("b1")
    report = rematch(acting_user=SYSTEM)
    assert cluster_of("a1") == cluster_of("b1")
    assert report.moved == []


def test_rules_now_keeping_records_apart_split_the_cluster(
    libraries, tmp_path: Path, monkeypatch
) -> None:
    # Loaded under a laxer rule that took any two records with the same first word as one.
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green libraries"))
    with monkeypatch.context() as patch:
        patch.setattr(clustering, "compare", lambda a, b: Verdict(True, "title_author_year"))
        _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green chemistry"))
    assert cluster_of("a1") == cluster_of("b1")
    report = rematch(acting_user=SYSTEM)
    assert cluster_of("a1") != cluster_of("b1")
    assert len(report.split) == 1 and len(report.moved) == 1
    decision = MatchDecision.objects.filter(record__local_id="a1").order_by("-id").first()
    assert decision is not None and decision.rule == "new_cluster"


def test_stale_facts_are_derived_again(libraries, tmp_path: Path) -> None:
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green libraries", pages=250))
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green libraries", pages=250))
    together = cluster_of("a1")
    assert together == cluster_of("b1")
    # A record whose stored facts no longer match (as if its file had said 400 pages).
    BibRecord.objects.filter(local_id="b1").update(pages=400)
    # rematch derives the facts from the MARC again: still 250, still together.
    assert rematch(acting_user=SYSTEM).moved == []
    assert cluster_of("b1") == together


def test_dry_run_reports_and_changes_nothing(libraries, tmp_path: Path, monkeypatch) -> None:
    _old_rules_load(tmp_path, libraries, monkeypatch)
    before = dict(BibRecord.objects.values_list("local_id", "cluster_id"))
    decisions = MatchDecision.objects.count()
    report = rematch(acting_user=SYSTEM, dry_run=True)
    assert report.dry_run and len(report.moved) == 1 and report.refreshed == 2
    assert dict(BibRecord.objects.values_list("local_id", "cluster_id")) == before
    assert MatchDecision.objects.count() == decisions
    assert BibRecord.objects.get(local_id="b1").other_ids == []
    assert not AuditEvent.objects.filter(verb=AuditVerb.CATALOG_REMATCHED).exists()


def test_one_library_and_who_may(libraries, tmp_path: Path, monkeypatch) -> None:
    _old_rules_load(tmp_path, libraries, monkeypatch)
    librarian = staff(StaffRole.LIBRARIAN, libraries["BBB-LIB"])
    with pytest.raises(PermissionDenied):
        rematch(acting_user=librarian, library=libraries["AAA-LIB"])
    with pytest.raises(PermissionDenied):
        rematch(acting_user=librarian)  # every library's records: not theirs to rematch
    report = rematch(acting_user=librarian, library=libraries["BBB-LIB"])
    assert report.libraries == ["BBB-LIB"] and report.records == 1
    assert cluster_of("a1") == cluster_of("b1")
    # AAA's record was not re-derived (its library was not asked for).
    assert BibRecord.objects.get(local_id="a1").other_ids == []


def test_command_prints_what_changed(libraries, tmp_path: Path, monkeypatch) -> None:
    _old_rules_load(tmp_path, libraries, monkeypatch)
    out = StringIO()
    call_command("catalog", "rematch", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Dry run" in text
    assert "2 records matched again; 2 with new match facts; 1 moved; 1 clusters merged" in text
    assert cluster_of("a1") != cluster_of("b1")
    out = StringIO()
    call_command("catalog", "rematch", "--library", "BBB-LIB", "--lang", "th", stdout=out)
    assert cluster_of("a1") == cluster_of("b1")
    with pytest.raises(Exception, match="No institution"):
        call_command("catalog", "rematch", "--library", "NOPE")
