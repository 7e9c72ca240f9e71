"""The one shape of LibCoop's state machines: a table of transitions (action, from which
states, to which state, the ability needed, the audit verb, the label of its button) and the
look-ups every ``perform`` needs. The green-library assessment, knowledge articles and both
sides of an interlibrary loan are tables of this shape; each app's ``perform`` locks the row,
checks the ability, runs its own guards and steps, saves and writes one audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    ability: str
    label: str | Promise = ""
    verb: str = ""  # an AuditVerb; "" when the app's perform names its own
    service: str = ""  # only for rows of this kind (e.g. an ILL "Loan" or "Copy"); "" for all


class Table:
    def __init__(self, rows: Iterable[Transition]) -> None:
        self.rows: tuple[Transition, ...] = tuple(rows)

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.rows)

    def find(self, state: str, action: str, service: str = "") -> Transition | None:
        """The transition *action* takes from *state*, or None when it is not allowed there."""
        for t in self.rows:
            if t.action == action and state in t.sources and t.service in ("", service):
                return t
        return None

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(t.action for t in self.rows)

    def from_state(self, state: str, service: str = "") -> list[Transition]:
        """The transitions allowed from *state* (for the buttons; services check again)."""
        return [t for t in self.rows if state in t.sources and t.service in ("", service)]

    def pairs(self) -> dict[tuple[str, str], Transition]:
        """``{(state, action): transition}`` for every allowed pair."""
        return {(s, t.action): t for t in self.rows for s in t.sources}

    def states(self) -> set[str]:
        return {s for t in self.rows for s in (*t.sources, t.target)}
