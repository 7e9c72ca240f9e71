"""COUNTER-style usage counting (``repository.stats``) and the statistics page.

record_use is driven with real requests (Django's RequestFactory, with the session and user
the middleware would set); the page and its CSV through the test client. Both databases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory

from libcoop.network.models import StaffRole
from libcoop.repository import stats
from libcoop.repository.models import Access, Item, ItemFile, ItemStatus, UsageEvent
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
    staff,
)

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"
BANGKOK = dt.timezone(dt.timedelta(hours=7))


def make_item(library: Any, **kwargs: Any) -> Item:
    fields: dict[str, Any] = {
        "item_type": "thesis",
        "title": "การจัดการขยะในชุมชนเชียงราย",
        "year": 2023,
        "status": ItemStatus.PUBLISHED,
        "access": Access.OPEN,
    }
    fields.update(kwargs)
    return Item.objects.create(institution=library, **fields)


def make_file(item: Item) -> ItemFile:
    return ItemFile.objects.create(
        item=item,
        sha256="a" * 64,
        size=10,
        kind="pdf",
        content_type="application/pdf",
        original_name="thesis.pdf",
    )


def request(user: Any = None, agent: str = BROWSER, address: str = "203.0.113.7") -> Any:
    req = RequestFactory().get("/repository/1/", HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    req.user = user or AnonymousUser()
    req.session = SessionStore()
    return req


@pytest.fixture
def library() -> Any:
    return InstitutionFactory(code="MFU-LIB")


def at(seconds: float) -> dt.datetime:
    return dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)


def test_every_pattern_of_the_counter_list_compiles_and_known_robots_match() -> None:
    patterns = stats.robot_patterns()
    assert len(patterns) > 300
    for agent in (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "python-requests/2.31.0",
        "Wget/1.21",
        "",
    ):
        assert stats.is_robot(agent), agent
    assert not stats.is_robot(BROWSER)
    assert not stats.is_robot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1")


def test_a_robot_is_not_counted(library: Any) -> None:
    item = make_item(library)
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    assert not stats.record_use(request(agent=googlebot), item, kind="view")
    assert not stats.record_use(request(agent=""), item, kind="view")
    assert UsageEvent.objects.count() == 0
    assert stats.record_use(request(), item, kind="view")
    assert UsageEvent.objects.count() == 1


def test_two_downloads_10_seconds_apart_count_once_40_seconds_apart_twice(library: Any) -> None:
    item = make_item(library)
    pdf = make_file(item)
    assert stats.record_use(request(), item, file=pdf, kind="download", at=at(0))
    assert stats.record_use(request(), item, file=pdf, kind="download", at=at(10))
    assert UsageEvent.objects.count() == 1
    # the one counted use is the latest click (COUNTER R5), so a burst counts once
    assert UsageEvent.objects.get().at == at(10)
    assert stats.record_use(request(), item, file=pdf, kind="download", at=at(50))
    assert UsageEvent.objects.count() == 2  # 40 s after the counted click at 10 s
    other = request(address="198.51.100.9")
    stats.record_use(other, item, file=pdf, kind="download", at=at(51))
    stats.record_use(request(), item, kind="view", at=at(52))
    assert UsageEvent.objects.count() == 4  # another client, another kind of use


def test_the_client_is_a_keyed_hash_never_the_address(library: Any) -> None:
    item = make_item(library)
    stats.record_use(request(address="203.0.113.7"), item, kind="view")
    (event,) = UsageEvent.objects.all()
    assert "203.0.113.7" not in event.client and len(event.client) == 64
    signed_in = request(user=UserFactory())
    signed_in.session.create()
    assert stats.client_key(signed_in) != stats.client_key(request())
    same_session = request(user=signed_in.user, address="192.0.2.1", agent="Other/1.0")
    same_session.session = signed_in.session
    assert stats.client_key(same_session) == stats.client_key(signed_in)


def test_use_by_the_depositing_librarys_staff_is_not_counted(library: Any) -> None:
    item = make_item(library)
    own = staff(StaffRole.LIBRARIAN, library)
    other = staff(StaffRole.LIBRARIAN, InstitutionFactory(code="CRRU-LIB"))
    admin = UserFactory(is_superuser=True)
    admin.save()
    assert not stats.record_use(request(user=own), item, kind="view")
    assert not stats.record_use(request(user=admin), item, kind="view")
    assert stats.record_use(request(user=other), item, kind="view")
    assert UsageEvent.objects.count() == 1


def test_what_access_refuses_is_not_counted(library: Any, monkeypatch: Any) -> None:
    embargoed = make_item(
        library, access=Access.EMBARGO, embargo_until=dt.date(2030, 1, 1), title="Embargoed"
    )
    pdf = make_file(embargoed)
    assert not stats.record_use(request(), embargoed, file=pdf, kind="download")
    assert stats.record_use(request(), embargoed, kind="view")  # its metadata is public
    draft = make_item(library, status=ItemStatus.SUBMITTED, title="Draft")
    withdrawn = make_item(library, status=ItemStatus.WITHDRAWN, title="Withdrawn")
    assert not stats.record_use(request(), draft, kind="view")
    assert not stats.record_use(request(), withdrawn, kind="view")
    assert UsageEvent.objects.count() == 1
    monkeypatch.setattr("libcoop.repository.access.today", lambda: dt.date(2030, 1, 1))
    assert stats.record_use(request(), embargoed, file=pdf, kind="download")


def test_bad_arguments_are_refused(library: Any) -> None:
    item = make_item(library)
    with pytest.raises(ValueError, match="unknown kind"):
        stats.record_use(request(), item, kind="print")
    stranger = make_file(make_item(library, title="Another"))
    with pytest.raises(ValueError, match="is not a file of item"):
        stats.record_use(request(), item, file=stranger, kind="download")


def _fill(library: Any) -> tuple[Item, Item]:
    """Uses in local (Bangkok) months: one at 00:30 on 1 February local time is still
    31 January in UTC, and must count in February."""
    thesis = make_item(library)
    report = make_item(InstitutionFactory(code="CRRU-LIB"), item_type="research_report")
    uses = [
        (thesis, "view", dt.datetime(2024, 1, 15, 12, 0, tzinfo=BANGKOK), "1.1.1.1"),
        (thesis, "download", dt.datetime(2024, 1, 15, 12, 5, tzinfo=BANGKOK), "1.1.1.1"),
        (thesis, "view", dt.datetime(2024, 2, 1, 0, 30, tzinfo=BANGKOK), "1.1.1.2"),
        (report, "view", dt.datetime(2024, 2, 10, 9, 0, tzinfo=BANGKOK), "1.1.1.3"),
        (report, "download", dt.datetime(2024, 3, 31, 23, 59, tzinfo=BANGKOK), "1.1.1.3"),
    ]
    for item, kind, when, address in uses:
        assert stats.record_use(request(address=address), item, kind=kind, at=when)
    return thesis, report


def test_per_month_library_type_and_item_aggregates(library: Any) -> None:
    thesis, report = _fill(library)
    data = stats.report(dt.date(2024, 1, 1), dt.date(2024, 4, 30))
    months = {m: (f.views, f.downloads) for m, f in data.months}
    assert months == {
        dt.date(2024, 1, 1): (1, 1),
        dt.date(2024, 2, 1): (2, 0),
        dt.date(2024, 3, 1): (0, 1),
        dt.date(2024, 4, 1): (0, 0),
    }
    assert (data.total.views, data.total.downloads) == (3, 2)
    libraries = {r.key: (r.figures.views, r.figures.downloads) for r in data.libraries}
    assert libraries == {"MFU-LIB": (2, 1), "CRRU-LIB": (1, 1)}
    types = {r.key: (r.figures.views, r.figures.downloads) for r in data.types}
    assert types == {"thesis": (2, 1), "research_report": (1, 1)}
    assert [(r.item_id, r.figures.views) for r in data.items] == [(thesis.pk, 2), (report.pk, 1)]
    only_mfu = stats.report(dt.date(2024, 1, 1), dt.date(2024, 4, 30), [library.pk])
    assert (only_mfu.total.views, only_mfu.total.downloads) == (2, 1)
    only_reports = stats.report(dt.date(2024, 2, 1), dt.date(2024, 2, 29), None, "research_report")
    assert (only_reports.total.views, only_reports.total.downloads) == (1, 0)
    assert stats.item_figures(thesis.pk) == stats.Figures(2, 1)


def test_the_page_shows_own_library_by_default_with_buddhist_era_months(library: Any) -> None:
    thesis, _report = _fill(library)
    user = staff(StaffRole.LIBRARIAN, library)
    client = Client()
    client.force_login(user)
    page = client.get("/repository/stats/", {"year": "2567"})  # B.E. 2567 = 2024
    assert page.status_code == 200
    html = page.content.decode()
    assert "ม.ค. 67" in html and "<svg" in html
    assert thesis.title in html and "CRRU-LIB" not in html  # own library only
    assert 'id="stat-views">2<' in html
    page = client.get("/repository/stats/", {"year": "พ.ศ. 2567"}).content.decode()
    assert 'id="stat-views">2<' in page
    page = client.get("/repository/stats/", {"year": "2300"}).content.decode()
    assert 'id="year-error"' in page  # ambiguous: neither era; the last twelve months shown
    refused = client.get("/repository/stats/", {"library": "CRRU-LIB"})
    assert refused.status_code == 403
    response = client.get("/repository/stats/", {"year": "2024", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["month", "views", "downloads"]
    assert rows[1] == ["2567-01", "1", "1"] and rows[2] == ["2567-02", "1", "0"]
    assert rows[-1] == ["TOTAL", "2", "1"]
    client.cookies["libcoop_language"] = "en"
    english = client.get("/repository/stats/", {"year": "2024", "format": "csv"})
    assert list(csv.reader(io.StringIO(english.content.decode())))[1][0] == "2024-01"


def test_who_sees_which_librarys_figures(library: Any) -> None:
    _fill(library)
    network = NetworkFactory(code="CR-NET")
    MembershipFactory(institution=library, network=network, start=dt.date(2010, 1, 1))
    coordinator = staff(StaffRole.NETWORK_COORDINATOR, library, network=network)
    admin = UserFactory(is_superuser=True)
    admin.save()
    patron = staff(StaffRole.PATRON, library)
    client = Client()
    client.force_login(coordinator)
    page = client.get("/repository/stats/", {"year": "2024"}).content.decode()
    assert "MFU-LIB" in page and "CRRU-LIB" not in page  # CRRU-LIB is not in CR-NET
    assert client.get("/repository/stats/", {"library": "CRRU-LIB"}).status_code == 403
    client.force_login(admin)
    rows = client.get(
        "/repository/stats/", {"year": "2024", "format": "csv", "table": "libraries"}
    ).content.decode()
    assert "MFU-LIB" in rows and "CRRU-LIB" in rows
    client.force_login(patron)
    assert client.get("/repository/stats/").status_code == 403
    client.logout()
    assert client.get("/repository/stats/").status_code == 302  # to the login page


def test_the_robots_command_checks_a_list(tmp_path: Any, settings: Any) -> None:
    out = io.StringIO()
    call_command("repository", "robots", stdout=out)
    assert "counter_robots.json: " in out.getvalue() and "(in use)" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text('[{"pattern": "bot"}, {"pattern": "(unclosed"}]', encoding="utf-8")
    with pytest.raises(CommandError, match=r"entry 2 \('\(unclosed'\) is not a pattern"):
        call_command("repository", "robots", "--check", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("repository", "robots", "--check", str(tmp_path / "missing.json"))
    mine = tmp_path / "mine.json"
    mine.write_text('[{"pattern": "^LibraryChecker/"}]', encoding="utf-8")
    settings.LIBCOOP_COUNTER_ROBOTS = str(mine)
    stats._robots.cache_clear()
    try:
        assert stats.is_robot("LibraryChecker/1.0") and not stats.is_robot("Googlebot/2.1")
    finally:
        settings.LIBCOOP_COUNTER_ROBOTS = ""
        stats._robots.cache_clear()


def test_the_item_page_and_the_file_view_count_through_the_rule(library: Any) -> None:
    """Through the real pages: a view and a download counted once each however often they
    are clicked within 30 seconds; a robot, the library's own staff and a refused download
    never."""
    from libcoop.network.abilities import SYSTEM
    from libcoop.repository import services
    from tests.repository.deposit_world import METADATA, pdf_bytes

    def published(**access: Any) -> Item:
        upload = services.Upload("thesis.pdf", pdf_bytes("body"))
        item = services.create_item(library, METADATA, [upload], acting_user=SYSTEM, **access)
        return services.publish_through(item, acting_user=SYSTEM)

    item = published()
    pdf = item.files.get()
    reader = Client(HTTP_USER_AGENT=BROWSER)
    for _click in range(3):
        assert reader.get(f"/repository/{item.pk}/").status_code == 200
        assert reader.get(f"/repository/{item.pk}/files/{pdf.pk}/").status_code == 200
    assert stats.item_figures(item.pk) == stats.Figures(views=1, downloads=1)
    robot = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; bingbot/2.0)")
    assert robot.get(f"/repository/{item.pk}/files/{pdf.pk}/").status_code == 200
    own = Client(HTTP_USER_AGENT=BROWSER)
    own.force_login(staff(StaffRole.LIBRARIAN, library))
    assert own.get(f"/repository/{item.pk}/").status_code == 200
    embargoed = published(access="embargo", embargo_until="2099-01-01")
    locked = embargoed.files.get()
    assert reader.get(f"/repository/{embargoed.pk}/files/{locked.pk}/").status_code == 403
    assert stats.item_figures(item.pk) == stats.Figures(views=1, downloads=1)
    assert stats.item_figures(embargoed.pk) == stats.Figures(views=0, downloads=0)
    page = reader.get(f"/repository/{item.pk}/").content.decode()
    assert 'id="cite-apa-th"' in page and f"/repository/{item.pk}/cite.bib" in page


def test_the_items_csv_lists_every_item_used(library: Any) -> None:
    thesis, report = _fill(library)
    admin = UserFactory(is_superuser=True)
    admin.save()
    client = Client()
    client.force_login(admin)
    response = client.get("/repository/stats/", {"year": "2024", "format": "csv", "table": "items"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["item", "title", "library", "type", "views", "downloads"]
    assert rows[1] == [str(thesis.pk), thesis.title, "MFU-LIB", "thesis", "2", "1"]
    assert rows[2] == [str(report.pk), report.title, "CRRU-LIB", "research_report", "1", "1"]
    assert rows[3] == ["TOTAL", "", "", "", "3", "2"]


def test_the_last_twelve_months_are_twelve(monkeypatch: Any) -> None:
    from libcoop.repository import stats_views

    for today, first in (
        (dt.date(2026, 12, 8), dt.date(2026, 1, 1)),
        (dt.date(2024, 3, 31), dt.date(2023, 4, 1)),
        (dt.date(2025, 1, 1), dt.date(2024, 2, 1)),
    ):
        monkeypatch.setattr(stats_views.timezone, "localdate", lambda today=today: today)
        start, end = stats_views.period(None)
        assert (start, end) == (first, today)
        assert len(stats.month_starts(start, end)) == 12


def test_the_stats_command_prints_a_table_as_csv(library: Any) -> None:
    _fill(library)
    out = io.StringIO()
    call_command("repository", "stats", "--year", "2567", "--lang", "th", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["month", "views", "downloads"] and rows[1] == ["2567-01", "1", "1"]
    assert rows[-1] == ["TOTAL", "3", "2"]
    out = io.StringIO()
    call_command(
        "repository", "stats", "--year", "2024", "--library", "CRRU-LIB", "--table", "types",
        stdout=out,
    )  # fmt: skip
    assert out.getvalue().splitlines() == [
        "type,views,downloads", "research_report,1,1", "TOTAL,1,1"
    ]  # fmt: skip
    with pytest.raises(CommandError, match="No library"):
        call_command("repository", "stats", "--library", "NOPE")
    with pytest.raises(CommandError, match="not a year"):
        call_command("repository", "stats", "--year", "twenty")
    with pytest.raises(CommandError, match="ไม่ใช่ปี"):
        call_command("repository", "stats", "--year", "twenty", "--lang", "th")
