"""The OAI-PMH harvester against a fake provider serving the hand-written responses in
``tests/data/oai`` (see its README): flow control (§3.5), 503 Retry-After and backoff,
interruption and resumption, deletions (§2.5), noRecordsMatch and hostile XML (§3.6)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from lxml import etree

from libcoop.catalog.models import BibRecord, ImportStatus
from libcoop.interop.harvest.client import HostileXML, parse_response, retry_after
from libcoop.interop.harvest.service import harvest, last_segment, register_source
from libcoop.interop.models import HarvestedItem, HarvestRun, HarvestSource, RunStatus
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory, staff
from tests.interop.conftest import assert_valid

DATA = Path(__file__).resolve().parents[1] / "data" / "oai"
TOKEN = "marc21/2026-03-02T01:00:05Z/2"
FIRST_DATE = dt.datetime(2026, 3, 2, 1, 0, 5, tzinfo=dt.UTC)


@dataclass
class Fault:
    """Answer *status* (with headers) to matching ListRecords requests, *times* times."""

    token: str | None  # the resumptionToken to match; None = the first request
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeProvider:
    """Serves the recorded responses by verb and token on 127.0.0.1."""

    url: str = ""
    from_file: str = "listrecords-incremental.xml"  # answer to ListRecords with 'from'
    list_file: str = "listrecords-page1.xml"  # answer to ListRecords without 'from'
    tokens: dict[str, str] = field(default_factory=lambda: {TOKEN: "listrecords-page2.xml"})
    faults: list[Fault] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.requests.append(params)
        if params.get("verb") == "Identify":
            return 200, {}, (DATA / "identify.xml").read_bytes()
        token = params.get("resumptionToken")
        for fault in self.faults:
            if fault.times > 0 and fault.token == token:
                fault.times -= 1
                return fault.status, fault.headers, b"<html>busy</html>"
        if token is not None:
            name = self.tokens.get(token, "badresumptiontoken.xml")
        else:
            name = self.from_file if "from" in params else self.list_file
        return 200, {}, (DATA / name).read_bytes()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = fake.answer(dict(parse_qsl(urlsplit(self.path).query)))
            self.send_response(status)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/koha/oai.pl"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def library(db: None) -> Institution:
    return InstitutionFactory(code="AAA-LIB")


@pytest.fixture
def source(library: Institution, provider: FakeProvider) -> HarvestSource:
    return register_source(library, provider.url, acting_user=SYSTEM, set_spec="BOOKS")


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run_harvest(source: HarvestSource, sleeps: Sleeps | None = None) -> HarvestRun:
    source.refresh_from_db()
    return harvest(source, acting_user=SYSTEM, sleep=sleeps if sleeps is not None else Sleeps())


def active_ids(library: Institution) -> set[str]:
    return set(
        BibRecord.objects.filter(library=library, active=True).values_list("local_id", flat=True)
    )


# ------------------------------------------------------------------ the recorded files


@pytest.mark.parametrize(
    "name",
    [
        "identify.xml",
        "listrecords-page1.xml",
        "listrecords-page2.xml",
        "listrecords-incremental.xml",
        "norecordsmatch.xml",
        "badresumptiontoken.xml",
    ],
)
def test_recorded_responses_are_valid_oai_pmh(name: str, oai_schema: etree.XMLSchema) -> None:
    assert_valid(oai_schema, parse_response((DATA / name).read_bytes()))


def test_hostile_xml_is_refused_before_parsing() -> None:
    with pytest.raises(HostileXML):
        parse_response((DATA / "hostile-doctype.xml").read_bytes())
    sneaky = b'<?xml version="1.0"?>\n' + b" " * 5000 + b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'
    with pytest.raises(HostileXML):
        parse_response(sneaky)


def test_retry_after_seconds_and_http_date() -> None:
    now = dt.datetime(2026, 3, 2, 1, 0, 0, tzinfo=dt.UTC)
    assert retry_after("120", now) == 120
    assert retry_after("Mon, 02 Mar 2026 01:00:30 GMT", now) == 30
    assert retry_after("Mon, 02 Mar 2026 00:59:00 GMT", now) == 0
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


def test_last_segment_rule() -> None:
    assert last_segment("oai:aaa-lib.example.ac.th:1002") == "1002"
    assert last_segment("oai:libcoop.example.org:cluster/17") == "17"


# ------------------------------------------------------------------ harvesting


def test_full_harvest_follows_the_token_and_feeds_the_ingest(
    source: HarvestSource, provider: FakeProvider, library: Institution
) -> None:
    run = run_harvest(source)
    assert run.status == RunStatus.DONE, run.message
    assert (run.pages, run.records_seen, run.deleted_seen, run.retries) == (2, 5, 1, 0)
    job = run.import_job
    assert job.status == ImportStatus.DONE and job.kind == "harvest"
    assert (job.seen, job.added, job.deleted, job.rejected) == (4, 4, 0, 0)
    assert active_ids(library) == {"1001", "1002", "1003", "1004"}
    thai = BibRecord.objects.get(library=library, local_id="1001")
    assert thai.title.startswith("ห้องสมุดสีเขียว") and thai.raw_format == "marcxml"
    assert thai.cluster_id is not None  # clustered like any import
    assert thai.holdings.get().call_number == "Z675 .1001"
    source.refresh_from_db()
    assert source.last_datestamp == FIRST_DATE and source.resume_token == ""
    assert provider.requests[0] == {
        "verb": "ListRecords",
        "metadataPrefix": "marc21",
        "set": "BOOKS",
    }
    assert provider.requests[1] == {"verb": "ListRecords", "resumptionToken": TOKEN}
    assert HarvestedItem.objects.filter(source=source).count() == 4
    again = run_harvest(source)  # incremental now, and nothing new is a no-op
    assert again.status == RunStatus.DONE


def test_503_retry_after_is_honoured(source: HarvestSource, provider: FakeProvider) -> None:
    provider.faults = [Fault(TOKEN, 503, 1, {"Retry-After": "7"})]
    sleeps = Sleeps()
    run = run_harvest(source, sleeps)
    assert run.status == RunStatus.DONE and run.retries == 1
    assert sleeps == [7.0]


def test_huge_retry_after_is_capped(source: HarvestSource, provider: FakeProvider) -> None:
    provider.faults = [Fault(None, 503, 1, {"Retry-After": "86400"})]
    sleeps = Sleeps()
    assert run_harvest(source, sleeps).status == RunStatus.DONE
    assert sleeps == [600.0]


def test_server_errors_back_off_with_jitter(source: HarvestSource, provider: FakeProvider) -> None:
    provider.faults = [Fault(None, 500, 3)]
    sleeps = Sleeps()
    run = run_harvest(source, sleeps)
    assert run.status == RunStatus.DONE and run.retries == 3
    assert [2 <= sleeps[0] <= 4, 4 <= sleeps[1] <= 6, 8 <= sleeps[2] <= 10] == [True] * 3


def test_interrupted_harvest_resumes_without_duplicates_or_gaps(
    source: HarvestSource, provider: FakeProvider, library: Institution
) -> None:
    provider.faults = [Fault(TOKEN, 502, 6)]  # more than max_retries (5) in a row
    first = run_harvest(source)
    assert first.status == RunStatus.INTERRUPTED and "502" in first.message
    assert first.import_job.status == ImportStatus.FAILED
    source.refresh_from_db()
    assert source.resume_token == TOKEN and source.last_datestamp is None
    assert active_ids(library) == {"1001", "1002"}

    provider.requests.clear()
    second = run_harvest(source)
    assert second.pk == first.pk and second.status == RunStatus.DONE
    assert second.resumed == 1 and second.pages == 2 and second.records_seen == 5
    assert provider.requests == [{"verb": "ListRecords", "resumptionToken": TOKEN}]
    job = second.import_job
    assert job.status == ImportStatus.DONE and (job.seen, job.added) == (4, 4)
    assert active_ids(library) == {"1001", "1002", "1003", "1004"}
    source.refresh_from_db()
    assert source.last_datestamp == FIRST_DATE and source.resume_token == ""


def test_expired_token_on_resume_fails_and_starts_over_next_time(
    source: HarvestSource, provider: FakeProvider
) -> None:
    provider.faults = [Fault(TOKEN, 500, 6)]
    assert run_harvest(source).status == RunStatus.INTERRUPTED
    provider.tokens = {}  # the provider forgot the token: badResumptionToken
    run = run_harvest(source)
    assert run.status == RunStatus.FAILED and "badResumptionToken" in run.message
    source.refresh_from_db()
    assert source.resume_token == ""
    provider.tokens = {TOKEN: "listrecords-page2.xml"}
    fresh = run_harvest(source)
    assert fresh.pk != run.pk and fresh.status == RunStatus.DONE


def test_incremental_harvest_updates_and_withdraws(
    source: HarvestSource, provider: FakeProvider, library: Institution, tmp_path: Path
) -> None:
    from libcoop.catalog.ingest import import_file

    run_harvest(source)
    # 1005 came from a file import, not a harvest: the identifier's last segment finds it
    import_file(
        write(tmp_path / "one.mrc", book("1005", "Mangrove forests")), library, acting_user=SYSTEM
    )
    provider.requests.clear()
    run = run_harvest(source)
    assert run.status == RunStatus.DONE, run.message
    assert provider.requests[0] == {"verb": "Identify"}  # for the granularity of 'from'
    assert provider.requests[1]["from"] == "2026-03-02T01:00:05Z"
    assert (run.records_seen, run.deleted_seen) == (3, 2)
    job = run.import_job
    assert (job.updated, job.deleted, job.added) == (1, 2, 0)
    assert active_ids(library) == {"1001", "1003", "1004"}
    changed = BibRecord.objects.get(library=library, local_id="1003")
    assert "Revised edition record." in str(changed.marc)
    assert HarvestedItem.objects.get(source=source, identifier__endswith=":1002").deleted
    source.refresh_from_db()
    assert source.last_datestamp == dt.datetime(2026, 3, 9, 1, 0, 3, tzinfo=dt.UTC)


def test_no_records_match_is_a_complete_empty_harvest(
    source: HarvestSource, provider: FakeProvider
) -> None:
    source.last_datestamp = dt.datetime(2026, 3, 9, 1, 0, 3, tzinfo=dt.UTC)
    source.save()
    provider.from_file = "norecordsmatch.xml"
    run = run_harvest(source)
    assert run.status == RunStatus.DONE and run.records_seen == 0 and run.pages == 1
    source.refresh_from_db()
    assert source.last_datestamp == dt.datetime(2026, 3, 16, 1, 0, 2, tzinfo=dt.UTC)


def test_hostile_response_fails_the_run_without_retrying(
    source: HarvestSource, provider: FakeProvider, library: Institution
) -> None:
    provider.list_file = "hostile-doctype.xml"
    sleeps = Sleeps()
    run = run_harvest(source, sleeps)
    assert run.status == RunStatus.FAILED and "DOCTYPE" in run.message
    assert sleeps == [] and not BibRecord.objects.filter(library=library).exists()


def test_only_the_library_and_operators_may_harvest(
    source: HarvestSource, library: Institution
) -> None:
    other = InstitutionFactory(code="BBB-LIB")
    outsider = staff(StaffRole.LIBRARY_ADMIN, other)
    with pytest.raises(PermissionDenied):
        harvest(source, acting_user=outsider, sleep=Sleeps())
    with pytest.raises(PermissionDenied):
        register_source(library, "http://x.example/oai", acting_user=outsider)
    with pytest.raises(ValidationError, match="MARCXML"):
        register_source(
            library, "http://x.example/oai", acting_user=SYSTEM, metadata_prefix="oai_dc"
        )
    source.metadata_prefix = "oai_dc"
    with pytest.raises(ValueError, match="MARCXML"):
        harvest(source, acting_user=SYSTEM, sleep=Sleeps())


def test_command_registers_and_harvests(
    library: Institution, provider: FakeProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("harvest", "AAA-LIB", provider.url, "--register", "--schedule", "weekly")
    call_command("harvest", "AAA-LIB")
    out = capsys.readouterr().out
    assert "Registered AAA-LIB" in out and "done, 2 pages, 5 records" in out
    assert active_ids(library) == {"1001", "1002", "1003", "1004"}


def test_due_sources_follow_the_schedule(source: HarvestSource) -> None:
    from libcoop.interop.harvest.service import due_sources

    assert due_sources() == [source]  # never harvested
    run_harvest(source)
    assert due_sources() == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)
    assert due_sources(later) == [source]
    source.schedule = "manual"
    source.save()
    assert due_sources(later) == []
