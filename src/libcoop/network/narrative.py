"""The institution's cooperation story, written from registry data in Thai or English.

This is the seed's kind of text ("has been a member of the Green Library Network since 2557,
… serves on PULINET's working groups …") generated from memberships and seats instead of
being retyped every year for the green-library assessment.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import translation

from libcoop.core.dates import display_year
from libcoop.network.models import (
    Institution,
    Membership,
    MembershipRole,
    Network,
    NetworkKind,
    Purpose,
    Seat,
)


def _join(items: list[str], lang: str) -> str:
    if lang == "th":
        return " ".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _since(m: Membership, lang: str) -> str:
    if not m.start:
        return ""
    year = display_year(m.start.year, lang)
    return f"ตั้งแต่ปี {year}" if lang == "th" else f"since {year}"


def _membership_sentence(m: Membership, lang: str) -> str:
    net = m.network.name_in(lang)
    suffix = f" ({m.network.acronym})" if m.network.acronym and m.network.acronym not in net else ""
    since = _since(m, lang)
    # Whose network it is, when another body runs it (the seed: GGON "of DEQP").
    host = m.network.host
    if host is not None and host.pk != m.institution_id and host.name_in(lang) != net:
        of = ("ของ" if not suffix else " ของ") if lang == "th" else " of the "
        suffix += of + host.name_in(lang)
    if lang == "th":
        verb = {
            MembershipRole.PARTICIPANT: "เข้าร่วมแลกเปลี่ยนเรียนรู้กับ",
            MembershipRole.PARTNER: "เป็นภาคีของ",
            MembershipRole.FOUNDER: "ริเริ่มและดำเนินงาน",
        }.get(MembershipRole(m.role), "เป็นสมาชิก")
        return f"{verb}{net}{suffix}" + (f" {since}" if since else "")
    verb = {
        MembershipRole.PARTICIPANT: "took part in knowledge exchange with the",
        MembershipRole.PARTNER: "is a partner of the",
        MembershipRole.FOUNDER: "founded and runs the",
    }.get(MembershipRole(m.role), "is a member of the")
    return f"{verb} {net}{suffix}" + (f" {since}" if since else "")


def _seat_sentence(network: Network, seats: list[Seat], lang: str, *, name_network: bool) -> str:
    names = sorted({s.working_group.name_in(lang) for s in seats})
    net = network.acronym or network.name_in(lang)
    if lang == "th":
        return f"ร่วมเป็น{_join(names, lang)}" + (f" ของ {net}" if name_network else "")
    return f"serves on the {_join(names, lang)}" + (f" of {net}" if name_network else "")


def is_green(network: Network) -> bool:
    """A network with the green-library purpose (what the green-library assessment is about)."""
    return any(p.purpose == Purpose.GREEN_LIBRARY for p in network.purposes.all())


def _story_order(m: Membership) -> tuple[int, int, str]:
    """Green-library networks first (the assessment is about them), then by start year."""
    return (0 if is_green(m.network) else 1, m.start.year if m.start else 9999, m.network.code)


def _active_in(term: Membership | Seat, year: int | None) -> bool:
    """Current (no end) without a year; with a year, not started after it nor ended before it."""
    if year is None:
        return term.end is None
    return (term.start is None or term.start.year <= year) and (
        term.end is None or term.end.year >= year
    )


def _partners_sentence(programme: Network, lang: str, year: int | None = None) -> str | None:
    by_year: dict[int, list[str]] = defaultdict(list)
    for m in programme.memberships.all():
        if m.role == MembershipRole.PARTNER and m.start and _active_in(m, year):
            by_year[m.start.year].append(m.institution.name_in(lang))
    if not by_year:
        return None
    parts = []
    for year in sorted(by_year):
        y = display_year(year, lang)
        schools = _join(sorted(by_year[year]), lang)
        parts.append(f"ปี {y} ร่วมกับ{schools}" if lang == "th" else f"in {y} with {schools}")
    name = programme.name_in(lang)
    if lang == "th":
        return f"ขยายความร่วมมือไปยังโรงเรียนในนาม{name} " + " และ".join(parts)
    return f"extended its cooperation to schools through the programme “{name}”: " + "; ".join(
        parts
    )


def cooperation_paragraphs(
    institution: Institution,
    lang: str | None = None,
    *,
    year: int | None = None,
    programmes: bool = True,
    green: bool | None = None,
) -> list[str]:
    """Sentences about *institution*'s memberships, seats and programmes, one per network.

    Without *year*: what is current. With a CE *year*: the terms that had begun by that year
    and had not ended before it (a report "for 2019"). ``programmes=False`` leaves out the
    programmes it runs (a caller that tells them from their activities). ``green=True`` keeps
    only green-library networks, ``green=False`` only the others.
    """
    lang = (lang or translation.get_language() or "th")[:2]
    subject = institution.name_in(lang)

    def wanted(network: Network) -> bool:
        return green is None or is_green(network) == green

    memberships = sorted(
        (m for m in institution.memberships.all() if _active_in(m, year) and wanted(m.network)),
        key=_story_order,
    )
    seats_by_network: dict[int, list[Seat]] = defaultdict(list)
    networks: dict[int, Network] = {}
    for seat in institution.seats.all():
        if _active_in(seat, year) and wanted(seat.working_group.network):
            seats_by_network[seat.working_group.network_id].append(seat)
            networks[seat.working_group.network_id] = seat.working_group.network
    sentences: list[str] = []
    seen: set[int] = set()
    for m in memberships:
        if m.network.kind == NetworkKind.PROGRAMME and m.role == MembershipRole.FOUNDER:
            continue  # told below with its partner schools
        text = _membership_sentence(m, lang)
        if m.network_id in seats_by_network and m.network_id not in seen:
            seen.add(m.network_id)
            joiner = " โดย" if lang == "th" else " and "
            text += joiner + _seat_sentence(
                m.network, seats_by_network[m.network_id], lang, name_network=False
            )
        sentences.append(text)
    for network_id, seats in seats_by_network.items():
        if network_id not in seen:
            sentences.append(_seat_sentence(networks[network_id], seats, lang, name_network=True))
    for programme in institution.hosted_networks.all() if programmes else []:
        if programme.kind == NetworkKind.PROGRAMME and wanted(programme):
            partner_text = _partners_sentence(programme, lang, year)
            if partner_text:
                sentences.append(partner_text)
    if lang == "th":
        return [f"{subject} {s}" for s in sentences]
    return [f"{subject} {s}." for s in sentences]
