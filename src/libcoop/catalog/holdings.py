"""A cluster's holdings as readers see them: location, call number, the library's OPAC link
(from the template its admin set, ``network.opac``) and availability (``catalog.availability``).
The cluster page and the API's cluster JSON both read this."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from libcoop.catalog import availability
from libcoop.catalog.models import BibRecord
from libcoop.network.opac import opac_url

# Records without 001 are stored under an id of ours (prepare.fallback_id): no OPAC knows it.
_OUR_IDS = ("035:", "sha1:")


@dataclass(frozen=True)
class HoldingView:
    location: str
    call_number: str
    opac_url: str | None
    availability: availability.Availability

    def as_json(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "call_number": self.call_number,
            "opac_url": self.opac_url,
            "availability": self.availability.status.value,
        }


def holdings_by_record(records: Iterable[BibRecord]) -> dict[int, list[HoldingView]]:
    """Each record's holdings (prefetched ``holdings``, ``library`` selected), in their order."""
    records = list(records)
    refs: dict[str, list[availability.ItemRef]] = defaultdict(list)
    for r in records:
        for h in r.holdings.all():
            refs[r.library.code].append(
                availability.ItemRef(h.pk, r.local_id, h.barcode, h.call_number)
            )
    status: dict[int, availability.Availability] = {}
    for code, items in refs.items():
        status.update(availability.availability_of(code, items))
    out: dict[int, list[HoldingView]] = {}
    for r in records:
        template = r.library.opac_url_template
        local_id = "" if r.local_id.startswith(_OUR_IDS) else r.local_id
        isbn = r.isbns[0] if r.isbns else ""
        out[r.pk] = [
            HoldingView(
                location=h.location,
                call_number=h.call_number,
                opac_url=opac_url(template, local_id=local_id, isbn=isbn, barcode=h.barcode),
                availability=status.get(h.pk, availability.UNKNOWN),
            )
            for h in r.holdings.all()
        ]
    return out
