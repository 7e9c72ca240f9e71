"""Linked evidence: checking that a record is the library's own, and describing it.

Memberships and seats are read through the registry's models; events, outreach activities and
knowledge articles only through their apps' read contracts (``<app>.queries``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from django.urls import reverse
from django.utils import translation

from libcoop.core.dates import display_partial_date
from libcoop.events.queries import event_exists_for, events_attended
from libcoop.greenlib.models import EvidenceKind, EvidenceLink
from libcoop.knowledge.queries import article_exists_for, contributions_of
from libcoop.network.abilities import Actor
from libcoop.network.models import Institution, Membership, Seat
from libcoop.outreach.queries import activities_of, activity_exists_for


def _membership_exists(institution: Institution, pk: int) -> bool:
    return Membership.objects.filter(pk=pk, institution=institution).exists()


def _seat_exists(institution: Institution, pk: int) -> bool:
    return Seat.objects.filter(pk=pk, institution=institution).exists()


def _event_exists(institution: Institution, pk: int) -> bool:
    return event_exists_for(institution, pk)


def _activity_exists(institution: Institution, pk: int) -> bool:
    return activity_exists_for(institution, pk)


def _article_exists(institution: Institution, pk: int) -> bool:
    return article_exists_for(institution, pk)


EXISTS_FOR: Final[dict[str, Callable[[Institution, int], bool]]] = {
    EvidenceKind.MEMBERSHIP: _membership_exists,
    EvidenceKind.SEAT: _seat_exists,
    EvidenceKind.EVENT: _event_exists,
    EvidenceKind.OUTREACH: _activity_exists,
    EvidenceKind.ARTICLE: _article_exists,
}


KIND_ORDER: Final = list(EvidenceKind.values)


def belongs_to(institution: Institution, kind: str, pk: int) -> bool:
    """Is record *pk* of *kind* the institution's own (its membership, its event, …)?"""
    check = EXISTS_FOR.get(kind)
    return check is not None and check(institution, pk)


@dataclass(frozen=True)
class Candidate:
    """A record the library could link as evidence."""

    kind: str
    pk: int
    label: str
    url: str


def _membership_label(m: Membership, lang: str) -> str:
    since = display_partial_date(m.start, m.start_precision, lang)
    role = m.get_role_display()
    name = m.network.name_in(lang)
    return f"{name} — {role}" + (f" ({since})" if since else "")


def _seat_label(s: Seat, lang: str) -> str:
    since = display_partial_date(s.start, s.start_precision, lang)
    group = s.working_group
    text = f"{group.name_in(lang)} ({group.network.name_in(lang)}) — {s.get_role_display()}"
    return text + (f", {since}" if since else "")


def candidates(
    institution: Institution, *, lang: str = "th", reader: Actor | None = None
) -> dict[str, list[Candidate]]:
    """Every record of the institution that can be linked, by kind, oldest first.

    *reader*: knowledge articles only when that reader may read them (None: all)."""
    with translation.override(lang):  # role labels in the asked language
        return _candidates(institution, lang, reader)


def _candidates(
    institution: Institution, lang: str, reader: Actor | None
) -> dict[str, list[Candidate]]:
    memberships = Membership.objects.filter(institution=institution).select_related("network")
    seats = Seat.objects.filter(institution=institution).select_related(
        "working_group", "working_group__network"
    )
    out: dict[str, list[Candidate]] = {
        EvidenceKind.MEMBERSHIP: [
            Candidate(
                EvidenceKind.MEMBERSHIP,
                m.pk,
                _membership_label(m, lang),
                reverse("network:network", args=[m.network.code]),
            )
            for m in memberships
        ],
        EvidenceKind.SEAT: [
            Candidate(
                EvidenceKind.SEAT,
                s.pk,
                _seat_label(s, lang),
                reverse("network:network", args=[s.working_group.network.code]),
            )
            for s in seats
        ],
        EvidenceKind.EVENT: [
            Candidate(
                EvidenceKind.EVENT,
                e.pk,
                f"{e.title} ({display_partial_date(e.start, e.precision, lang)})",
                e.url,
            )
            for e in events_attended(institution, lang=lang)
        ],
        EvidenceKind.OUTREACH: [
            Candidate(
                EvidenceKind.OUTREACH,
                a.pk,
                f"{a.title} ({display_partial_date(a.date, a.precision, lang)})",
                a.url,
            )
            for a in activities_of(institution, lang=lang)
        ],
        EvidenceKind.ARTICLE: [
            Candidate(EvidenceKind.ARTICLE, a.pk, a.title, a.url)
            for a in contributions_of(institution, lang=lang, reader=reader)
        ],
    }
    return out


def index(
    institution: Institution, *, lang: str = "th", reader: Actor | None = None
) -> dict[tuple[str, int], Candidate]:
    """The institution's linkable records by (kind, pk), to describe many links at once; with
    *reader*, an article that reader may not read is left out (described by its number)."""
    found = candidates(institution, lang=lang, reader=reader)
    return {(c.kind, c.pk): c for group in found.values() for c in group}


def describe(
    links: Iterable[EvidenceLink], known: dict[tuple[str, int], Candidate]
) -> list[tuple[str, str, str]]:
    """(kind, label, url) for each link; a record no longer found is still listed, by number."""
    out: list[tuple[str, str, str]] = []
    for link in sorted(links, key=lambda k: (KIND_ORDER.index(k.kind), k.pk)):
        found = known.get((link.kind, link.object_id))
        if found is not None:
            out.append((link.kind, found.label, found.url))
        else:
            out.append((link.kind, f"{link.get_kind_display()} #{link.object_id}", ""))
    return out
