"""Work groups above clusters (issue #14): the editions of one work are linked, shown as
"other editions" on a cluster's page, in the search results and in the API, and their
holdings are never merged."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from pymarc import Field, Indicators, Record, Subfield

from libcoop.catalog import services, works
from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord, Cluster
from libcoop.catalog.rematch import rematch
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import staff

pytestmark = pytest.mark.django_db

THAI_TITLE = "ความรู้เบื้องต้นเกี่ยวกับการจัดการห้องสมุด"
THAI_AUTHOR = "สมชาย ใจดี."


def edition(record: Record, statement: str) -> Record:
    record.add_field(
        Field(tag="250", indicators=Indicators(" ", " "), subfields=[Subfield("a", statement)])
    )
    return record


def added_entry(record: Record, name: str) -> Record:
    record.add_field(
        Field(tag="700", indicators=Indicators("1", " "), subfields=[Subfield("a", name)])
    )
    return record


def load(path: Path, library: Institution, *records: Record) -> None:
    job = import_file(write(path, *records), library, acting_user=SYSTEM)
    assert job.rejected == 0, list(job.problems.values_list("message", flat=True))


def cluster_of(local_id: str, library: Institution) -> Cluster:
    cluster = BibRecord.objects.get(library=library, local_id=local_id).cluster
    assert cluster is not None
    return cluster


@pytest.fixture
def thai_editions(libraries, tmp_path: Path) -> dict[str, Cluster]:
    """Two printings of one Thai book (พิมพ์ครั้งที่ 2 and 3, same year), the second held by
    two libraries."""
    a, b, c = libraries["AAA-LIB"], libraries["BBB-LIB"], libraries["CCC-LIB"]

    def thai(local_id: str, statement: str) -> Record:
        return edition(
            book(local_id, THAI_TITLE, author=THAI_AUTHOR, lang="tha", year=2562), statement
        )

    load(tmp_path / "a.mrc", a, thai("a1", "พิมพ์ครั้งที่ 2."))
    load(tmp_path / "b.mrc", b, thai("b1", "พิมพ์ครั้งที่ 3."))
    load(tmp_path / "c.mrc", c, thai("c1", "พิมพ์ครั้งที่ ๓"))
    return {"second": cluster_of("a1", a), "third": cluster_of("b1", b)}


def test_thai_printings_are_two_clusters_of_one_work(thai_editions, libraries) -> None:
    second, third = thai_editions["second"], thai_editions["third"]
    assert second.pk != third.pk  # the edition statements keep the clusters apart
    assert third.pk == cluster_of("c1", libraries["CCC-LIB"]).pk  # ๓ is 3
    assert second.work_key and second.work_key == third.work_key
    # ... and holdings are not merged: each cluster counts its own.
    assert (second.record_count, second.library_count) == (1, 1)
    assert (third.record_count, third.library_count) == (1 + 1, 2)
    assert list(works.other_editions(second)) == [third]
    assert works.other_edition_counts([second.pk, third.pk]) == {second.pk: 1, third.pk: 1}


def test_cluster_page_shows_the_other_editions(thai_editions, client: Client) -> None:
    second, third = thai_editions["second"], thai_editions["third"]
    html = client.get(reverse("catalog:cluster", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert 'id="other-editions"' in text
    assert "1 other edition of this work" in text
    assert reverse("catalog:cluster", args=[third.pk]) in text
    assert "held by 2 libraries" in text
    section = text[text.index('id="other-editions"') : text.index("</section>")]
    assert "พิมพ์ครั้งที่ 3" in section  # the other edition's statement tells it apart
    assert "พิมพ์ครั้งที่ 2" not in section
    assert reverse("catalog:editions", args=[second.pk]) in text
    # the holdings table is this edition's only
    assert text.count("<tr><td><a href=") == 1


def test_cluster_page_in_thai_shows_buddhist_era_years(thai_editions, client: Client) -> None:
    second = thai_editions["second"]
    text = client.get(
        reverse("catalog:cluster", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="th"
    ).content.decode()
    section = text[text.index('id="other-editions"') :]
    assert "2562" in section and "2019" not in section


def test_editions_page_lists_every_edition(thai_editions, client: Client) -> None:
    second, third = thai_editions["second"], thai_editions["third"]
    for language in ("en", "th"):
        response = client.get(
            reverse("catalog:editions", args=[third.pk]), HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200
        text = response.content.decode()
        table = text[text.index('id="editions"') : text.index("</table>")]
        assert table.count('<a href="/catalog/clusters/') == 2
        assert reverse("catalog:cluster", args=[second.pk]) in table
        assert 'class="current"' in table
        assert "พิมพ์ครั้งที่ 2" in table and "พิมพ์ครั้งที่ 3" in table
    assert (
        "2 editions of this work"
        in client.get(
            reverse("catalog:editions", args=[third.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    )
    assert client.get(reverse("catalog:editions", args=[999999])).status_code == 404


def test_search_results_link_the_other_editions(thai_editions, client: Client) -> None:
    second = thai_editions["second"]
    text = client.get(
        reverse("catalog:search"), {"q": "ห้องสมุด"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert text.count('class="other-editions tag"') == 2
    assert "1 other edition" in text
    assert reverse("catalog:editions", args=[second.pk]) in text


def test_editions_are_newest_first_unknown_years_last(libraries, tmp_path: Path) -> None:
    for n, year in enumerate((2015, 2020, 2018)):
        library = list(libraries.values())[n]
        load(tmp_path / f"{n}.mrc", library, edition(book(f"r{n}", "Green", year=year), str(n)))
    clusters = {c.year: c for c in Cluster.objects.all()}
    Cluster.objects.filter(pk=clusters[2018].pk).update(year=None)  # as a record of [n.d.]
    order = [c.pk for c in works.editions_of(clusters[2015])]
    assert order == [clusters[2020].pk, clusters[2015].pk, clusters[2018].pk]


def test_many_editions_are_listed_on_the_work_page(
    libraries, tmp_path: Path, client: Client
) -> None:
    records = [edition(book(f"e{n}", "Green", year=2010 + n), f"{n + 1}th ed.") for n in range(7)]
    load(tmp_path / "e.mrc", libraries["AAA-LIB"], *records)
    first = cluster_of("e0", libraries["AAA-LIB"])
    assert works.editions_of(first).count() == 7
    text = client.get(
        reverse("catalog:cluster", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    section = text[text.index('id="other-editions"') : text.index("</section>")]
    assert "6 other editions of this work" in section
    assert section.count("<li>") == 5  # the newest five; the rest on the work's page
    text = client.get(reverse("catalog:editions", args=[first.pk])).content.decode()
    assert text[text.index('id="editions"') :].count("<tr") == 1 + 7


def test_api_cluster_and_search_carry_the_work(thai_editions, client: Client) -> None:
    second, third = thai_editions["second"], thai_editions["third"]
    data = client.get(f"/api/catalog/clusters/{second.pk}").json()
    assert data["work_key"] == second.work_key
    assert [e["id"] for e in data["other_editions"]] == [third.pk]
    assert data["other_editions"][0]["library_count"] == 2
    assert [r["local_id"] for r in data["records"]] == ["a1"]  # holdings stay apart
    hits = client.get("/api/catalog/search", {"q": "ห้องสมุด"}).json()["hits"]
    assert sorted(h["other_editions"] for h in hits) == [1, 1]


def test_a_lone_edition_has_no_other_editions(libraries, tmp_path: Path, client: Client) -> None:
    load(tmp_path / "x.mrc", libraries["AAA-LIB"], book("x1", "A book alone"))
    cluster = cluster_of("x1", libraries["AAA-LIB"])
    assert cluster.work_key == "a book alone|a:smith john"
    text = client.get(reverse("catalog:cluster", args=[cluster.pk])).content.decode()
    assert 'id="other-editions"' not in text
    assert client.get(f"/api/catalog/clusters/{cluster.pk}").json()["other_editions"] == []
    text = client.get(reverse("catalog:search"), {"q": "alone"}).content.decode()
    assert "other-editions" not in text


def test_work_key_rules(libraries, tmp_path: Path) -> None:
    """Title + main author; the first added name when there is no main entry; title +
    publisher for a work with no name; a different author is a different work; fullwidth
    forms fold through the one normaliser."""
    a, b = libraries["AAA-LIB"], libraries["BBB-LIB"]
    load(
        tmp_path / "a.mrc",
        a,
        edition(book("a1", "Green libraries", year=2015), "1st ed."),
        edition(book("a2", "Green libraries", author="Brown, Ann.", year=2015), "1st ed."),
        edition(book("a3", "Annual report", author=None, year=2015), "1st ed."),
        edition(book("a4", "ＩＳＯ ５０００１ handbook", year=2015), "1st ed."),
    )
    load(
        tmp_path / "b.mrc",
        b,
        # no 1XX, the same person as an added entry (with dates): the same work
        added_entry(
            edition(book("b1", "Green libraries", author=None, year=2020), "2nd ed."),
            "Smith, John, 1950-",
        ),
        edition(book("b3", "Annual report", author=None, year=2020), "2nd ed."),
        edition(book("b4", "ISO 50001 handbook", year=2020), "2nd ed."),
    )
    key = {r.local_id: r.cluster.work_key for r in BibRecord.objects.select_related("cluster")}
    assert len({cluster_of(lid, a).pk for lid in ("a1", "a2", "a3", "a4")}) == 4
    assert key["a1"] == key["b1"] == "green libraries|a:smith john"
    assert key["a2"] == "green libraries|a:brown ann" != key["a1"]
    assert key["a3"] == key["b3"] == "annual report|p:press"  # book()'s publisher
    assert key["a4"] == key["b4"] == "iso 50001 handbook|a:smith john"
    assert cluster_of("a1", a).pk != cluster_of("b1", b).pk


def test_nameless_works_of_different_publishers_stay_apart() -> None:
    assert works.work_key("annual report", "", ["pub:press a"]) == "annual report|p:press a"
    assert works.work_key("annual report", "", ["pub:press b"]) == "annual report|p:press b"
    assert works.work_key("annual report", "", []) == ""  # nothing stable: no work
    assert works.work_key("", "smith john", []) == ""
    assert works.work_key("t", "", ["pn:a b", "cn:c"]) == "t|a:a b"
    assert works.work_key("t", "", ["cn:c", "pub:p"]) == "t|a:c"


def test_work_is_kept_current_through_split_and_merge(libraries, tmp_path: Path) -> None:
    a, b = libraries["AAA-LIB"], libraries["BBB-LIB"]
    load(tmp_path / "a.mrc", a, book("a1", "Green libraries", isbn="9780306406157"))
    load(tmp_path / "b.mrc", b, book("b1", "Green libraries", isbn="9780306406157"))
    together = cluster_of("a1", a)
    assert together.pk == cluster_of("b1", b).pk
    assert not works.other_editions(together).exists()
    record = BibRecord.objects.get(library=b, local_id="b1")
    alone = services.split_record(record, acting_user=staff(StaffRole.LIBRARIAN, b))
    alone.refresh_from_db()
    together.refresh_from_db()
    assert alone.work_key == together.work_key != ""
    assert list(works.other_editions(together)) == [alone]
    record.refresh_from_db()
    services.merge_clusters(record, together, acting_user=SYSTEM)
    assert not works.other_editions(together).exists()
    alone.refresh_from_db()
    assert not alone.active


def test_work_is_kept_current_through_move_and_rematch(thai_editions, libraries) -> None:
    """Moving a record between editions moves its holding only; re-matching under changed
    keys (here: a record's stored title key lost) gives the work key back."""
    second, third = thai_editions["second"], thai_editions["third"]
    record = BibRecord.objects.get(library=libraries["CCC-LIB"], local_id="c1")
    services.move_record(record, second, acting_user=SYSTEM)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.library_count, third.library_count) == (2, 1)
    assert second.work_key == third.work_key
    BibRecord.objects.filter(pk=record.pk).update(title_key="")
    Cluster.objects.filter(pk=second.pk).update(work_key="")
    rematch(acting_user=SYSTEM)
    second.refresh_from_db()
    assert second.work_key == third.work_key != ""


@pytest.mark.parametrize("bulk_load", [True, False])
def test_both_load_paths_give_the_same_works(libraries, tmp_path: Path, bulk_load: bool) -> None:
    """The bulk load (staged, matched set-wise) and the incremental path refresh clusters
    the same way: the same work keys."""
    for n, statement in enumerate(("พิมพ์ครั้งที่ 2.", "พิมพ์ครั้งที่ 3.")):
        library = list(libraries.values())[n]
        record = edition(book(f"r{n}", THAI_TITLE, author=THAI_AUTHOR, year=2562), statement)
        job = import_file(
            write(tmp_path / f"{n}.mrc", record),
            library,
            acting_user=SYSTEM,
            bulk_load=bulk_load,
        )
        assert job.added == 1
    keys = list(Cluster.objects.filter(active=True).values_list("work_key", flat=True))
    assert len(keys) == 2 and len(set(keys)) == 1 and keys[0].startswith("ความรู้")


def test_migration_fills_existing_clusters(thai_editions) -> None:
    second = thai_editions["second"]
    key = second.work_key
    Cluster.objects.update(work_key="")
    migration = importlib.import_module("libcoop.catalog.migrations.0007_work_key_and_flagged")
    migration.fill(apps, None)
    second.refresh_from_db()
    assert second.work_key == key
    assert Cluster.objects.filter(work_key=key).count() == 2
