"""Clusters: the same work across libraries, never two records of one library, staff
overrides that survive re-imports. Runs on SQLite and (second pass) on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord, Cluster, MatchDecision
from libcoop.catalog.services import merge_clusters, split_record
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import staff

pytestmark = pytest.mark.django_db
ISBN = "9780306406157"


def _load(tmp_path: Path, library, name: str, *records) -> None:  # type: ignore[no-untyped-def]
    import_file(write(tmp_path / f"{name}.mrc", *records), library, acting_user=SYSTEM)


def cluster_of(local_id: str) -> int | None:
    return BibRecord.objects.get(local_id=local_id).cluster_id


def test_same_book_from_three_libraries_is_one_cluster(libraries, tmp_path: Path) -> None:
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green libraries", isbn=ISBN))
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green libraries.", isbn="0-306-40615-2"))
    _load(tmp_path, libraries["CCC-LIB"], "c", book("c1", "Green libraries"))  # no ISBN
    assert cluster_of("a1") == cluster_of("b1") == cluster_of("c1")
    cluster = Cluster.objects.get(pk=cluster_of("a1"))
    assert (cluster.library_count, cluster.record_count) == (3, 3)
    rules = dict(MatchDecision.objects.values_list("record__local_id", "rule"))
    assert rules["a1"] == "new_cluster"
    assert rules["b1"] == "isbn"
    assert rules["c1"] == "title_author_year"
    decision = MatchDecision.objects.get(record__local_id="b1")
    assert decision.key == f"isbn:{ISBN}" and "title_distance" in decision.scores


def test_two_records_of_one_library_never_share_a_cluster(libraries, tmp_path: Path) -> None:
    # A library that holds two records of the same book (a duplicate in its own catalogue).
    _load(
        tmp_path,
        libraries["AAA-LIB"],
        "a",
        book("a1", "Green libraries", isbn=ISBN),
        book("a2", "Green libraries", isbn=ISBN),
    )
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green libraries", isbn=ISBN))
    assert cluster_of("a1") != cluster_of("a2")
    for cluster in Cluster.objects.filter(active=True):
        libs = list(cluster.records.filter(active=True).values_list("library_id", flat=True))
        assert len(libs) == len(set(libs))


def test_different_editions_stay_apart(libraries, tmp_path: Path) -> None:
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green libraries", year=2015))
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green libraries", year=2019))
    assert cluster_of("a1") != cluster_of("b1")


def test_thai_variants_cluster_together(libraries, tmp_path: Path) -> None:
    # The same Thai title: once clean, once with a zero-width space and legacy-font PUA marks.
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "ห้องสมุดสีเขียว", author=None, lang="tha"))
    _load(
        tmp_path,
        libraries["BBB-LIB"],
        "b",
        book("b1", "ห\uf70bองสมุด\u200bสีเขียว", author=None, lang="tha"),
    )
    assert cluster_of("a1") == cluster_of("b1")


def test_manual_split_survives_reimport(libraries, tmp_path: Path) -> None:
    a_records = [book("a1", "Green libraries", isbn=ISBN)]
    _load(tmp_path, libraries["AAA-LIB"], "a", *a_records)
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green libraries", isbn=ISBN))
    assert cluster_of("a1") == cluster_of("b1")
    librarian = staff(StaffRole.LIBRARIAN, libraries["BBB-LIB"])
    split_record(BibRecord.objects.get(local_id="b1"), acting_user=librarian)
    assert cluster_of("a1") != cluster_of("b1")
    # Re-import both files, with a change so that matching really runs again.
    _load(tmp_path, libraries["BBB-LIB"], "b2", book("b1", "Green libraries", isbn=ISBN, pages=251))
    _load(tmp_path, libraries["AAA-LIB"], "a2", book("a1", "Green libraries", isbn=ISBN, pages=252))
    assert cluster_of("a1") != cluster_of("b1")
    assert MatchDecision.objects.filter(rule="staff_split").count() == 1


def test_manual_merge_survives_reimport(libraries, tmp_path: Path) -> None:
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green libraries", year=2015))
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green library", year=2016))
    assert cluster_of("a1") != cluster_of("b1")
    librarian = staff(StaffRole.LIBRARY_ADMIN, libraries["BBB-LIB"])
    target = Cluster.objects.get(pk=cluster_of("a1"))
    merge_clusters(BibRecord.objects.get(local_id="b1"), target, acting_user=librarian)
    assert cluster_of("a1") == cluster_of("b1") == target.pk
    _load(tmp_path, libraries["BBB-LIB"], "b2", book("b1", "Green library", year=2016, pages=9))
    _load(tmp_path, libraries["AAA-LIB"], "a2", book("a1", "Green libraries", year=2015, pages=8))
    assert cluster_of("a1") == cluster_of("b1")


@pytest.mark.usefixtures("english")
def test_merge_refuses_two_records_of_one_library(libraries, tmp_path: Path) -> None:
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "One"), book("a2", "Two"))
    admin = staff(StaffRole.LIBRARY_ADMIN, libraries["AAA-LIB"])
    with pytest.raises(ValidationError, match="same library"):
        merge_clusters(
            BibRecord.objects.get(local_id="a1"),
            Cluster.objects.get(pk=cluster_of("a2")),
            acting_user=admin,
        )


def test_staff_of_another_library_cannot_split(libraries, tmp_path: Path) -> None:
    _load(tmp_path, libraries["AAA-LIB"], "a", book("a1", "Green", isbn=ISBN))
    _load(tmp_path, libraries["BBB-LIB"], "b", book("b1", "Green", isbn=ISBN))
    outsider = staff(StaffRole.LIBRARY_ADMIN, libraries["CCC-LIB"])
    with pytest.raises(PermissionDenied):
        split_record(BibRecord.objects.get(local_id="b1"), acting_user=outsider)
    assert cluster_of("a1") == cluster_of("b1")


def test_new_rule_shows_in_the_clusters_why(libraries, tmp_path: Path) -> None:
    # One library transcribed the subtitle, the other reworded it: the titles proper agree,
    # and name, pages and publisher agree beside them.
    _load(
        tmp_path,
        libraries["AAA-LIB"],
        "a",
        book("a1", "Keynes and India", subtitle="a study in economics and biography"),
    )
    _load(
        tmp_path,
        libraries["BBB-LIB"],
        "b",
        book("b1", "Keynes and India", subtitle="a study in history and biography"),
    )
    assert cluster_of("a1") == cluster_of("b1")
    decision = MatchDecision.objects.get(record__local_id="b1")
    assert decision.rule == "title_proper"
    assert decision.scores["title_proper_distance"] == 0.0
    html = Client().get(f"/catalog/clusters/{cluster_of('a1')}/").content.decode()
    assert "title_proper" in html and "title_proper_distance=0.0" in html
