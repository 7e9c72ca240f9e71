"""OAI-PMH lists at size (#14): keyset pages on (datestamp, id), ``completeListSize`` counted
once per harvest, tokens of the earlier form refused cleanly, and a real client (Sickle)
harvesting many pages while a record changes (SQLite and PostgreSQL alike: run the suite
with ``LIBCOOP_DATABASE_URL`` for the latter)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from libcoop.catalog.models import BibRecord, Cluster
from libcoop.interop.oai import tokens
from tests.interop.conftest import (
    OaiCall,
    change_record,
    error_codes,
    harvest,
    identifiers,
    load_demo,
    oai_id,
    small_pages,
    token_of,
)

sickle = pytest.importorskip("sickle", reason="sickle (a dev dependency) is not installed")


def _same_datestamp_for_half(moment: dt.datetime) -> None:
    """Ties on the datestamp, as a bulk import writes them: the id must break them."""
    ids = list(Cluster.objects.order_by("-id").values_list("id", flat=True))
    Cluster.objects.filter(id__in=ids[: len(ids) // 2]).update(updated=moment)


@pytest.mark.django_db(transaction=True)
def test_sickle_harvests_many_pages_once_while_a_record_changes(
    live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(tmp_path)
    _same_datestamp_for_half(timezone.now() - dt.timedelta(days=1))
    small_pages(monkeypatch, records=7, identifiers=9)
    window = {oai_id(pk) for pk in Cluster.objects.values_list("id", flat=True)}
    assert len(window) > 10 * 7  # more than a few pages
    client = sickle.Sickle(f"{live_server.url}/oai", timeout=60)
    started = timezone.now().replace(microsecond=0)

    seen: list[str] = []
    changed: set[str] = set()
    for record in client.ListRecords(metadataPrefix="marc21"):
        seen.append(record.header.identifier)
        if len(seen) == 30:  # mid-harvest: one record already sent, one not yet reached
            ahead = sorted(window - set(seen), key=lambda i: int(i.rsplit("/", 1)[1]))
            for n, identifier in enumerate((seen[10], ahead[len(ahead) // 2])):
                member = BibRecord.objects.filter(
                    cluster_id=int(identifier.rsplit("/", 1)[1]), active=True
                ).first()
                assert member is not None
                change_record(member, tmp_path / f"mid{n}.mrc", f"Changed mid-harvest {n}")
                changed.add(identifier)
    assert len(seen) == len(set(seen)), "a record was sent twice"
    # Every record of the window once; the one changed before it was reached has left the
    # window (its new datestamp is after the frozen until) ...
    assert set(seen) == window - (changed - set(seen[:30]))
    # ... and the next incremental harvest brings both changed records.
    later = {
        h.identifier
        for h in client.ListIdentifiers(
            metadataPrefix="marc21", **{"from": started.isoformat()[:19] + "Z"}
        )
    }
    assert later >= changed
    assert set(seen) | later == window


@pytest.mark.django_db
def test_a_resumed_page_counts_nothing_and_the_size_is_carried(
    oai: OaiCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(tmp_path, works=60)
    _same_datestamp_for_half(timezone.now() - dt.timedelta(hours=1))
    small_pages(monkeypatch, records=5, identifiers=5)
    total = Cluster.objects.count()
    first_page = oai({"verb": "ListIdentifiers", "metadataPrefix": "marc21"})
    tok = token_of(first_page)
    assert tok is not None and tok.get("completeListSize") == str(total)
    with CaptureQueriesContext(connection) as queries:
        second = oai({"verb": "ListIdentifiers", "resumptionToken": tok.text})
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert token_of(second).get("completeListSize") == str(total)  # type: ignore[union-attr]
    # An item not yet sent changes during the harvest and leaves its window: the carried
    # size is an estimate until the last page, which reports exactly how many were sent
    # (§3.5.1 allows both).
    pages = [first_page, second]
    sent_so_far = set(identifiers(first_page) + identifiers(second))
    left = Cluster.objects.exclude(pk__in=[int(i.rsplit("/", 1)[1]) for i in sent_so_far]).first()
    assert left is not None
    Cluster.objects.filter(pk=left.pk).update(updated=timezone.now())
    while (t := token_of(pages[-1])) is not None and t.text:
        pages.append(oai({"verb": "ListIdentifiers", "resumptionToken": t.text}))
    sent = [i for p in pages for i in identifiers(p)]
    everything = {oai_id(pk) for pk in Cluster.objects.values_list("id", flat=True)}
    assert sorted(sent) == sorted(everything - {oai_id(left.pk)})
    assert token_of(pages[-1]).get("completeListSize") == str(len(sent))  # type: ignore[union-attr]
    cursors = [int(token_of(p).get("cursor")) for p in pages]  # type: ignore[union-attr, arg-type]
    assert cursors == list(range(0, len(sent), 5))


@pytest.mark.django_db
def test_selective_lists_page_exactly_with_ties(
    oai: OaiCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(tmp_path, works=60)
    moment = timezone.now() - dt.timedelta(hours=1)
    _same_datestamp_for_half(moment)
    small_pages(monkeypatch, records=3, identifiers=4)
    day = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (moment + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for params, expected in (
        ({"from": day, "until": until}, Cluster.objects.filter(updated=moment)),
        ({"set": "library:" + BibRecord.objects.first().library.code}, None),  # type: ignore[union-attr]
    ):
        pages = harvest(oai, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **params})
        sent = [i for p in pages for i in identifiers(p)]
        assert len(sent) == len(set(sent))
        if expected is None:
            code = params["set"].split(":", 1)[1]
            expected = Cluster.objects.filter(
                records__library__code=code, records__active=True
            ).distinct()
        assert sorted(sent) == sorted(oai_id(pk) for pk in expected.values_list("id", flat=True))


@pytest.mark.django_db
def test_a_token_of_the_earlier_form_is_refused_cleanly(oai: OaiCall, tmp_path: Path) -> None:
    load_demo(tmp_path, works=10)
    now = tokens._to_int(timezone.now())
    earlier = [1, "ListRecords", "marc21", None, None, now, now, now - 5, 3, 100]
    old = signing.dumps(earlier, salt=tokens.SALT, compress=True)
    root = oai({"verb": "ListRecords", "resumptionToken": old})  # schema-valid response
    assert error_codes(root) == ["badResumptionToken"]
    assert identifiers(root) == []
