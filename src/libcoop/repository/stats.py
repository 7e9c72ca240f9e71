"""Usage of the digital collection, counted the way Project COUNTER (Release 5) counts it.

:func:`record_use` is called by the item page (``kind="view"``: an investigation) and by the
one file view (``kind="download"``: a request). A use is **not** counted when

* the user agent is a robot: it matches a pattern of COUNTER's robot list (the list is data,
  ``data/counter_robots.json``, compiled once per process; an empty user agent is a robot by
  the list's own ``^.?$``);
* it is a double click: the same client used the same item (and file) the same way within
  30 seconds. As COUNTER R5 says, only one of them counts: the one counted use moves to the
  latest click, so a burst of clicks, each within 30 seconds of the one before, counts once;
* the user is on the staff of the depositing library, a superuser or trusted code (internal
  use);
* the access rule refused it (``access.can_see_metadata`` for a view,
  ``access.can_read_files`` for a download) or the item is not published (a tombstone, a draft).

The client is a keyed hash (HMAC with the site's secret key) of the session, or of the
address and user agent when there is no session: the address itself is never stored, and the
hash of an address cannot be reversed by trying every address without the secret.

Reports (:func:`report`) count per item, library, type and month (months in the site's time
zone, Asia/Bangkok).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone

from libcoop.network.abilities import Actor, SystemActor, profile_of
from libcoop.network.models import Institution, Membership, StaffRole
from libcoop.network.queries import network_and_below
from libcoop.repository import access
from libcoop.repository.models import Item, ItemFile, ItemStatus, UsageEvent, UsageKind

DOUBLE_CLICK = dt.timedelta(seconds=30)
ROBOTS_FILE = Path(__file__).resolve().parent / "data" / "counter_robots.json"
MAX_USER_AGENT = 1000  # a longer header is cut before matching (patterns look at its start)


# ------------------------------------------------------------------ robots


def robot_patterns(path: Path | None = None) -> list[str]:
    """The patterns of a COUNTER robots file (``[{"pattern": ..., ...}, ...]``).

    Raises ``ValueError`` naming the entry when the file is not such a list or a pattern
    does not compile (``libcoop repository robots FILE`` checks a new list this way)."""
    path = path or robots_file()
    entries = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path}: not a list of robot patterns")
    patterns = []
    for n, entry in enumerate(entries, start=1):
        pattern = entry.get("pattern") if isinstance(entry, dict) else None
        if not isinstance(pattern, str) or not pattern:
            raise ValueError(f"{path}: entry {n} has no pattern")
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"{path}: entry {n} ({pattern!r}) is not a pattern: {exc}") from exc
        patterns.append(pattern)
    return patterns


def robots_file() -> Path:
    """The list in use: ``LIBCOOP_COUNTER_ROBOTS`` (a path) if set, else the bundled copy."""
    configured = getattr(settings, "LIBCOOP_COUNTER_ROBOTS", "")
    return Path(configured) if configured else ROBOTS_FILE


@cache
def _robots() -> re.Pattern[str]:
    """Every pattern as one alternation, compiled once (case-insensitive, as COUNTER advises)."""
    return re.compile("|".join(f"(?:{p})" for p in robot_patterns()), re.IGNORECASE)


def is_robot(user_agent: str) -> bool:
    return _robots().search(user_agent[:MAX_USER_AGENT]) is not None


# ------------------------------------------------------------------ counting


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind ``LIBCOOP_PROXY_COUNT`` trusted proxies the address the first
    of them saw (the same rule as the login throttle)."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the session, or of address + user agent (never the address itself)."""
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None) if session is not None else None
    agent = request.META.get("HTTP_USER_AGENT", "")[:MAX_USER_AGENT]
    raw = f"s|{session_key}" if session_key else f"a|{client_address(request)}|{agent}"
    key = f"libcoop.repository.stats|{settings.SECRET_KEY}".encode()
    return hmac.new(key, raw.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def is_internal(user: Actor, item: Item) -> bool:
    """Staff of the depositing library, superusers and trusted code: their use is not counted."""
    return access.is_own_staff(user, item)


def _allowed(user: Actor, item: Item, kind: str) -> bool:
    if item.status != ItemStatus.PUBLISHED:
        return False
    if kind == UsageKind.DOWNLOAD:
        return access.can_read_files(user, item)
    return access.can_see_metadata(user, item)


def _lock(client: str) -> None:
    """On PostgreSQL, one client's clicks are decided one at a time (SQLite has one writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(client[:15], 16)])


def record_use(
    request: HttpRequest,
    item: Item,
    *,
    file: ItemFile | None = None,
    kind: str = UsageKind.VIEW,
    at: dt.datetime | None = None,
) -> bool:
    """Count one use of *item* (or of one of its files) by the client of *request*.

    Returns True when a use was counted (a new one, or a double click moved to this one's
    time), False when it was left out (robot, internal, refused, or not published)."""
    if kind not in UsageKind.values:
        raise ValueError(f"unknown kind of use: {kind!r} (view or download)")
    if file is not None and file.item_id != item.pk:
        raise ValueError(f"file {file.pk} is not a file of item {item.pk}")
    user = getattr(request, "user", None)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    if is_robot(request.META.get("HTTP_USER_AGENT", "")):
        return False
    if is_internal(user, item) or not _allowed(user, item, kind):
        return False
    now = at or timezone.now()
    client = client_key(request)
    with transaction.atomic():
        _lock(client)
        recent = (
            UsageEvent.objects.select_for_update()
            .filter(
                item=item,
                file=file,
                kind=kind,
                client=client,
                at__gt=now - DOUBLE_CLICK,
                at__lte=now,
            )
            .order_by("-at")
            .first()
        )
        if recent is not None:  # a double click: the one counted use is the latest click
            UsageEvent.objects.filter(pk=recent.pk).update(at=now)
        else:
            UsageEvent.objects.create(item=item, file=file, kind=kind, at=now, client=client)
    return True


# ------------------------------------------------------------------ who sees which figures


def libraries_in_scope(user: Actor) -> QuerySet[Institution] | None:
    """The libraries whose figures *user* may see: None means every library (superusers and
    trusted code); library staff their own; a network coordinator or assessor the current
    members of their network and the networks under it; anyone else none."""
    if isinstance(user, SystemActor) or getattr(user, "is_superuser", False):
        return None
    profile = profile_of(user)
    if profile is None:
        return Institution.objects.none()
    if profile.role in (StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN):
        return Institution.objects.filter(pk=profile.institution_id)
    if profile.role in (StaffRole.NETWORK_COORDINATOR, StaffRole.ASSESSOR) and profile.network_id:
        today = timezone.localdate()
        members = Membership.objects.filter(
            network_id__in=network_and_below(profile.network_id)
        ).filter(
            (Q(start__isnull=True) | Q(start__lte=today))
            & (Q(end__isnull=True) | Q(end__gte=today))
        )
        return Institution.objects.filter(pk__in=members.values("institution_id"))
    return Institution.objects.none()


# ------------------------------------------------------------------ reports


@dataclass
class Figures:
    views: int = 0
    downloads: int = 0

    def add(self, kind: str, n: int) -> None:
        if kind == UsageKind.VIEW:
            self.views += n
        else:
            self.downloads += n


@dataclass(frozen=True)
class ItemRow:
    item_id: int
    title: str
    library_code: str
    item_type: str
    figures: Figures


@dataclass(frozen=True)
class KeyRow:
    key: str  # a library code, an item type, or a month "YYYY-MM"
    figures: Figures


@dataclass
class Report:
    start: dt.date
    end: dt.date  # inclusive
    months: list[tuple[dt.date, Figures]] = field(default_factory=list)
    libraries: list[KeyRow] = field(default_factory=list)
    types: list[KeyRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from *start*'s to *end*'s."""
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return first, after


def events(
    start: dt.date,
    end: dt.date,
    libraries: Iterable[int] | None = None,
    item_type: str | None = None,
) -> QuerySet[UsageEvent]:
    """Counted uses from *start* to *end* (inclusive, local days), of *libraries* (ids; None:
    all) and of one *item_type* (None: all)."""
    first, after = _bounds(start, end)
    qs = UsageEvent.objects.filter(at__gte=first, at__lt=after)
    if libraries is not None:
        qs = qs.filter(item__institution_id__in=list(libraries))
    if item_type:
        qs = qs.filter(item__item_type=item_type)
    return qs


def _keyed(rows: Iterable[tuple[object, str, int]]) -> list[KeyRow]:
    found: dict[str, Figures] = defaultdict(Figures)
    for key, kind, n in rows:
        found[str(key)].add(kind, n)
    ordered = sorted(found.items(), key=lambda kv: (-(kv[1].downloads + kv[1].views), kv[0]))
    return [KeyRow(k, f) for k, f in ordered]


def report(
    start: dt.date,
    end: dt.date,
    libraries: Sequence[int] | None = None,
    item_type: str | None = None,
    top: int | None = 50,
) -> Report:
    """Views and downloads per month, library, type and item (the *top* items by use; None:
    every item used in the period)."""
    qs = events(start, end, libraries, item_type)
    out = Report(start, end)
    by_month: dict[dt.date, Figures] = {m: Figures() for m in month_starts(start, end)}
    monthly = (
        qs.annotate(month=TruncMonth("at"))
        .values_list("month", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for month, kind, n in monthly:
        day = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        by_month.setdefault(day.replace(day=1), Figures()).add(kind, n)
        out.total.add(kind, n)
    out.months = sorted(by_month.items())
    out.libraries = _keyed(
        qs.values_list("item__institution__code", "kind").annotate(n=Count("id")).order_by()
    )
    out.types = _keyed(qs.values_list("item__item_type", "kind").annotate(n=Count("id")).order_by())
    per_item: dict[int, Figures] = defaultdict(Figures)
    for item_id, kind, n in qs.values_list("item_id", "kind").annotate(n=Count("id")).order_by():
        per_item[item_id].add(kind, n)
    ranked = sorted(per_item, key=lambda i: (-per_item[i].downloads, -per_item[i].views, i))
    ranked = ranked if top is None else ranked[:top]
    details = {
        i.pk: i
        for i in Item.objects.filter(pk__in=ranked)
        .select_related("institution")
        .only("id", "title", "item_type", "institution__code")
    }
    out.items = [
        ItemRow(
            i,
            details[i].title,
            details[i].institution.code,
            details[i].item_type,
            per_item[i],
        )
        for i in ranked
        if i in details
    ]
    return out


def item_figures(item_id: int) -> Figures:
    """All-time views and downloads of one item (for its page)."""
    out = Figures()
    for kind, n in (
        UsageEvent.objects.filter(item_id=item_id)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out.add(kind, n)
    return out
