"""ILL statistics against figures worked out by hand on a small set of requests whose
timestamps are set here (Asia/Bangkok, UTC+7).

Network NET: A, B and C are members; D left it in June 2023. Borrowing (requester side):

====  ===  ================  =====  =======  ========  ==================
req   by   created (BKK)     sent   shipped  received  notes
====  ===  ================  =====  =======  ========  ==================
r1    A    2024-01-10 09:00  yes    +48 h    +72 h
r2    A    2024-01-20 09:00  yes    +24 h    +48 h
r3    A    2024-02-05 09:00  yes    —        —         unfilled
r4    A    2024-02-15 09:00  no     —        —         cancelled unsent
r5    A    2024-03-01 09:00  yes    +96 h    +120 h
r6    B    2024-03-10 09:00  yes    +12 h    +36 h
r7    B    2024-12-31 23:30  yes    —        —         December 2024 in BKK
r8    B    2025-01-01 00:30  yes    —        —         2025 in BKK (2024 in UTC)
r9    D    2024-04-01 09:00  yes    +10 h    +20 h     not a member in 2024
====  ===  ================  =====  =======  ========  ==================

Lending (supplier side): s1 C Jan 10 shipped +47 h; s2 C Jan 20 +23 h; s3 C Feb 5 unfilled;
s4 B Mar 1 +95 h; s5 C Mar 10 cancelled by the requester; s6 A Apr 1 +9 h.
"""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from typing import Any

import pytest
from django.test import Client

from libcoop.ill import services, stats
from libcoop.ill.models import PatronRequest, RotaEntry, SupplyRequest
from tests.factories import InstitutionFactory, MembershipFactory, NetworkFactory
from tests.ill.conftest import Net

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
H = datetime.timedelta(hours=1)


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=BKK)


class World:
    def __init__(self) -> None:
        self.network = NetworkFactory(code="NET")
        self.other_network = NetworkFactory(code="OTHER")
        self.libs = {c: InstitutionFactory(code=f"{c}-LIB") for c in "ABCD"}
        for c in "ABC":
            MembershipFactory(institution=self.libs[c], network=self.network, end=None)
        MembershipFactory(
            institution=self.libs["D"],
            network=self.network,
            start=datetime.date(2020, 1, 1),
            end=datetime.date(2023, 6, 30),
        )
        self.agencies = {c: services.agency_for(lib) for c, lib in self.libs.items()}
        self.n = 0

    def borrow(
        self,
        by: str,
        created: datetime.datetime,
        *,
        sent: bool = True,
        shipped: float | None = None,
        received: float | None = None,
        state: str = "sent",
    ) -> PatronRequest:
        self.n += 1
        request = PatronRequest.objects.create(
            requester=self.libs[by], request_id=f"R{self.n}", title=f"Book {self.n}", state=state
        )
        if sent:
            RotaEntry.objects.create(
                request=request, position=1, agency=self.agencies["C"], asked_at=created
            )
            # a second, later lender must not count the request twice
            RotaEntry.objects.create(
                request=request, position=2, agency=self.agencies["B"], asked_at=created + H
            )
        PatronRequest.objects.filter(pk=request.pk).update(
            created=created,
            shipped_at=None if shipped is None else created + shipped * H,
            received_at=None if received is None else created + received * H,
        )
        return request

    def lend(
        self, by: str, created: datetime.datetime, shipped: float | None, state: str = "shipped"
    ) -> SupplyRequest:
        self.n += 1
        supply = SupplyRequest.objects.create(
            lender=self.libs[by],
            requesting_agency=self.agencies["A"],
            requesting_request_id=f"X{self.n}",
            supply_id=f"S{self.n}",
            title="Lent",
            state=state,
        )
        SupplyRequest.objects.filter(pk=supply.pk).update(
            created=created, shipped_at=None if shipped is None else created + shipped * H
        )
        return supply


@pytest.fixture
def world(db: None) -> World:
    w = World()
    w.borrow("A", at(2024, 1, 10), shipped=48, received=72)
    w.borrow("A", at(2024, 1, 20), shipped=24, received=48)
    w.borrow("A", at(2024, 2, 5), state="unfilled")
    w.borrow("A", at(2024, 2, 15), sent=False, state="cancelled")
    w.borrow("A", at(2024, 3, 1), shipped=96, received=120)
    w.borrow("B", at(2024, 3, 10), shipped=12, received=36)
    w.borrow("B", at(2024, 12, 31, 23, 30))
    w.borrow("B", at(2025, 1, 1, 0, 30))
    w.borrow("D", at(2024, 4, 1), shipped=10, received=20)
    w.lend("C", at(2024, 1, 10), 47)
    w.lend("C", at(2024, 1, 20), 23)
    w.lend("C", at(2024, 2, 5), None, state="unfilled")
    w.lend("B", at(2024, 3, 1), 95)
    w.lend("C", at(2024, 3, 10), None, state="cancelled")
    w.lend("A", at(2024, 4, 1), 9)
    return w


def _row(report: stats.Report, code: str) -> stats.LibraryRow:
    return next(row for row in report.libraries if row.code == code)


def test_per_library_figures_of_a_network_year(world: World) -> None:
    report = stats.report(year=2024, network=world.network)
    assert [row.code for row in report.libraries] == ["A-LIB", "B-LIB", "C-LIB"]  # D left
    a = _row(report, "A-LIB")
    assert (a.figures.requests, a.figures.sent, a.figures.filled, a.figures.received) == (
        5,
        4,
        3,
        3,
    )
    assert a.figures.fill_rate == 0.75
    # request → received: 48, 72, 120 h → median 72 h (3 days); p90 rank ⌈2.7⌉ = 3 → 120 h
    assert a.borrowing_turnaround == stats.Durations(3, 72.0, 120.0)
    assert a.borrowing_turnaround.median_days == 3.0
    assert (a.figures.lending_requests, a.figures.lent) == (1, 1)  # s6, in April
    b = _row(report, "B-LIB")
    assert (b.figures.requests, b.figures.sent, b.figures.filled) == (2, 2, 1)  # r8 is 2025
    assert b.figures.fill_rate == 0.5
    assert b.borrowing_turnaround == stats.Durations(1, 36.0, 36.0)
    assert (b.figures.lending_requests, b.figures.lent, b.figures.lending_fill_rate) == (1, 1, 1)
    assert b.lending_turnaround == stats.Durations(1, 95.0, 95.0)
    c = _row(report, "C-LIB")
    assert (c.figures.requests, c.figures.fill_rate) == (0, None)
    # 4 reached C, 1 cancelled by the requester, 2 shipped → 2 / 3
    assert (c.figures.lending_requests, c.figures.lending_cancelled, c.figures.lent) == (4, 1, 2)
    assert c.figures.lending_fill_rate == pytest.approx(2 / 3)
    # 23 h and 47 h: an even count → the mean of the two middle values
    assert c.lending_turnaround == stats.Durations(2, 35.0, 47.0)


def test_network_totals_and_turnaround_legs(world: World) -> None:
    report = stats.report(year=2024, network=world.network)
    total = report.total.figures
    assert (total.requests, total.sent, total.filled, total.received) == (7, 6, 4, 4)
    assert total.fill_rate == pytest.approx(4 / 6)
    assert (total.lending_requests, total.lending_cancelled, total.lent) == (6, 1, 4)
    legs = report.turnaround
    # created → shipped: 12, 24, 48, 96 → median (24 + 48) / 2 = 36; p90 rank ⌈3.6⌉ = 4 → 96
    assert legs["request_to_shipped"] == stats.Durations(4, 36.0, 96.0)
    assert legs["shipped_to_received"] == stats.Durations(4, 24.0, 24.0)
    # created → received: 36, 48, 72, 120 → median 60 h = 2.5 days; p90 120 h = 5 days
    assert legs["request_to_received"] == stats.Durations(4, 60.0, 120.0)
    assert legs["request_to_received"].median_days == 2.5
    assert legs["request_to_received"].p90_days == 5.0
    # Not the median of the libraries' medians: the median of all the requests.
    assert report.total.borrowing_turnaround == legs["request_to_received"]
    # s1 47, s2 23, s4 95, s6 9 → 9, 23, 47, 95 → median 35
    assert report.total.lending_turnaround == stats.Durations(4, 35.0, 95.0)


def test_every_library_without_a_network(world: World) -> None:
    report = stats.report(year=2024)
    assert [row.code for row in report.libraries] == ["A-LIB", "B-LIB", "C-LIB", "D-LIB"]
    assert (report.total.figures.requests, report.total.figures.sent) == (8, 7)
    assert report.total.figures.filled == 5
    # 20, 36, 48, 72, 120 → median 48; p90 rank ⌈4.5⌉ = 5 → 120
    assert report.turnaround["request_to_received"] == stats.Durations(5, 48.0, 120.0)
    assert stats.report(year=2024, network=world.other_network).libraries == []


def test_months_in_the_sites_time_zone(world: World) -> None:
    report = stats.report(year=2024, network=world.network)
    assert [row.month for row in report.months] == [datetime.date(2024, m, 1) for m in range(1, 13)]
    counts = {
        row.month.month: (f.requests, f.sent, f.filled, f.lent)
        for row in report.months
        for f in [row.figures]
    }
    assert counts == {
        1: (2, 2, 2, 2),
        2: (2, 1, 0, 0),
        3: (2, 2, 2, 1),
        4: (0, 0, 0, 1),  # r9 is D's (not a member); s6 is A's lending
        5: (0, 0, 0, 0),
        6: (0, 0, 0, 0),
        7: (0, 0, 0, 0),
        8: (0, 0, 0, 0),
        9: (0, 0, 0, 0),
        10: (0, 0, 0, 0),
        11: (0, 0, 0, 0),
        12: (1, 1, 0, 0),  # r7 at 23:30 on 31 December in Bangkok
    }
    feb = report.months[1].figures
    assert (feb.lending_requests, feb.fill_rate) == (1, 0.0)


def test_years_and_the_last_twelve_months(world: World) -> None:
    assert stats.year_range() == (2024, 2025)
    by_year = {row.year: row.figures.requests for row in stats.years(world.network)}
    assert by_year == {2024: 7, 2025: 1}
    assert {row.year: row.figures.requests for row in stats.years()} == {2024: 8, 2025: 1}
    # In 2023 D was a member (until June): its requests would count; it made none then.
    report = stats.report(network=world.network, now=at(2025, 2, 14))
    assert (report.start, report.end) == (at(2024, 3, 1, 0), at(2025, 3, 1, 0))
    assert report.months[0].month == datetime.date(2024, 3, 1)
    assert len(report.months) == 12
    assert report.total.figures.requests == 4  # r5, r6, r7, r8


def test_the_number_of_queries_does_not_grow_with_the_requests(
    world: World, django_assert_max_num_queries: Any
) -> None:
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            stats.report(year=2024, network=world.network)
        return len(queries)

    before = count()
    for day in range(1, 25):
        world.borrow("A", at(2024, 5, day), shipped=day, received=day + 24)
        world.lend("C", at(2024, 6, day), day)
    assert count() == before
    with django_assert_max_num_queries(30):
        stats.report(year=2024, network=world.network)


def test_a_real_loan_is_counted(net: Net, act: Any) -> None:
    """The services set the fields the figures are made of."""
    request = services.create_request(
        net.borrower, acting_user=net.librarian, cluster_id=net.cluster.pk
    )
    for action in ("validate", "send"):
        act(request, action, net.librarian)
    request.refresh_from_db()
    supply = SupplyRequest.objects.get(requesting_request_id=request.request_id)
    staff = net.lender_staff[net.lenders.index(supply.lender)]
    for action in ("will_supply", "ship"):
        act(supply, action, staff)
    act(request, "receive", net.librarian)
    report = stats.report(network=net.network)
    borrower = _row(report, "BOR-LIB")
    assert (borrower.figures.requests, borrower.figures.sent, borrower.figures.filled) == (1, 1, 1)
    assert borrower.borrowing_turnaround.n == 1
    lender = _row(report, supply.lender.code)
    assert (lender.figures.lending_requests, lender.figures.lent) == (1, 1)
    assert report.total.figures.fill_rate == 1.0


def _get(client: Client, url: str, lang: str = "th") -> Any:
    client.cookies["libcoop_language"] = lang
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_the_page_is_public_in_thai_and_english(world: World, client: Client) -> None:
    thai = _get(client, "/ill/stats/?year=2024&network=NET").content.decode()
    assert "สถิติ" in thai and "<svg" in thai and "2567" in thai  # Buddhist era in Thai
    assert "A-LIB" in thai and "D-LIB" not in thai
    english = _get(client, "/ill/stats/?year=2024&network=NET", "en").content.decode()
    assert "Interlibrary loan statistics" in english and "75%" in english
    assert "Book 1" not in english  # no titles: aggregates only
    # A Buddhist-era year typed in is understood.
    assert "A-LIB" in _get(client, "/ill/stats/?year=2567&network=NET").content.decode()
    assert _get(client, "/ill/stats/?year=nonsense&network=nowhere").status_code == 200


def test_csv_downloads(world: World, client: Client) -> None:
    response = _get(client, "/ill/stats/?year=2024&network=NET&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "ill-libraries-2024-NET.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["library"] for r in rows] == ["A-LIB", "B-LIB", "C-LIB", "TOTAL NET"]
    assert rows[0]["fill_rate_percent"] == "75.0"
    assert rows[0]["median_days_request_to_received"] == "3.0"
    assert rows[2]["lending_fill_rate_percent"] == "66.7"
    assert (rows[3]["requests"], rows[3]["median_days_request_to_received"]) == ("7", "2.5")
    months = _get(client, "/ill/stats/?year=2024&network=NET&format=csv&table=months")
    rows = list(csv.DictReader(io.StringIO(months.content.decode())))
    assert len(rows) == 12
    assert rows[0] == {
        "month": "2024-01",
        "requests": "2",
        "sent": "2",
        "filled": "2",
        "fill_rate_percent": "100.0",
        "lending_requests": "2",
        "lent": "2",
    }
