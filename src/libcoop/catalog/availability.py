"""Whether a library's copy is on the shelf: the interface a connector to its system fills.

No library's system is connected yet. Every library gets ``NullConnector``, which knows
nothing, so a holding shows its call number, location and (where the library has set its
OPAC link template) a link to the library's own catalogue, where the reader sees the status.

A connector for a library system (Koha's ILS-DI, an SIP2 gateway, a Z39.50 OPAC record …) is
a class with ``availability`` as below, registered for the libraries that use it::

    availability.register("MFU-LIB", KohaIlsDi("https://opac.mfu.ac.th/cgi-bin/koha/ilsdi.pl"))

It must answer quickly or not at all (a cluster page calls it while it renders): time out,
catch its own errors and answer ``UNKNOWN`` for what it could not learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext_lazy as _


class Status(StrEnum):
    UNKNOWN = "unknown"  # no connector, or it could not tell: the OPAC link is the way to know
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    NOT_FOR_LOAN = "not_for_loan"  # reference, reserve, library use only
    MISSING = "missing"


STATUS_LABELS = {
    Status.UNKNOWN: "",
    Status.AVAILABLE: _("Available"),
    Status.ON_LOAN: _("On loan"),
    Status.NOT_FOR_LOAN: _("Library use only"),
    Status.MISSING: _("Missing"),
}


@dataclass(frozen=True)
class ItemRef:
    """What a connector may look an item up by (a copy of one library's record)."""

    holding_id: int
    local_id: str
    barcode: str
    call_number: str


@dataclass(frozen=True)
class Availability:
    status: Status = Status.UNKNOWN
    due: str = ""  # as the library's system gives it, e.g. "2026-12-20"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


UNKNOWN = Availability()


class Connector(Protocol):
    """One library system's live status of items."""

    def availability(self, items: Sequence[ItemRef]) -> dict[int, Availability]:
        """Status by ``holding_id``; a holding left out is ``UNKNOWN``."""
        ...


class NullConnector:
    """The default: link only, no status."""

    def availability(self, items: Sequence[ItemRef]) -> dict[int, Availability]:
        return {}


_NULL = NullConnector()
_REGISTRY: dict[str, Connector] = {}


def register(library_code: str, connector: Connector) -> None:
    """Use *connector* for the holdings of the library with this code."""
    _REGISTRY[library_code] = connector


def unregister(library_code: str) -> None:
    _REGISTRY.pop(library_code, None)


def connector_for(library_code: str) -> Connector:
    return _REGISTRY.get(library_code, _NULL)


def availability_of(library_code: str, items: Sequence[ItemRef]) -> dict[int, Availability]:
    """Status of each item (``UNKNOWN`` where the connector says nothing or fails)."""
    if not items:
        return {}
    try:
        found = connector_for(library_code).availability(items)
    except Exception:  # a library's system being down must not break the page
        found = {}
    return {item.holding_id: found.get(item.holding_id, UNKNOWN) for item in items}
