"""The digital collection in the OAI-PMH provider: its identifiers, sets and records.

Items are ``oai:<repositoryIdentifier>:repository/<id>``; datestamp ``Item.updated``; a
withdrawn item is a deleted record (header ``status="deleted"``, §2.5.1); drafts and items in
review are never disseminated. Everything is read through ``repository.queries``, which
gives the public metadata only: an item whose files not everyone may read today (restricted,
or embargoed until its date) is described without any file URL.

Sets (§2.6), beside the catalog's ``library`` and ``network``:

* ``repository``: every item of the collection;
* ``repository:lib`` and ``repository:lib:<CODE>``: by depositing library;
* ``repository:type`` and ``repository:type:<type>``: by type (``thesis``,
  ``research_report``, ``article``, ``local_information``, ``archival_document``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from libcoop.repository import queries

ROOT = "repository"
LIB = f"{ROOT}:lib"
TYPE = f"{ROOT}:type"
SPEC_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")  # setSpecType in OAI-PMH.xsd
_ID = re.compile(r"[1-9][0-9]{0,17}")


@dataclass(frozen=True)
class Filter:
    """A repository set as a selection: one library and/or one type (None: any)."""

    library_code: str | None = None
    item_type: str | None = None


def is_repository_set(spec: str) -> bool:
    return spec == ROOT or spec.startswith(f"{ROOT}:")


def parse_set(spec: str) -> Filter | None:
    """The selection of a repository set, or None when no such set exists."""
    parts = spec.split(":")
    if parts[0] != ROOT or len(parts) > 3:
        return None
    if len(parts) == 1:
        return Filter()
    if parts[1] == "lib":
        return Filter(library_code=parts[2]) if len(parts) == 3 else Filter()
    if parts[1] == "type":
        if len(parts) == 2:
            return Filter()
        return Filter(item_type=parts[2]) if parts[2] in queries.item_types() else None
    return None


def set_specs(row: queries.HarvestRow) -> tuple[str, ...]:
    specs = [ROOT, LIB, TYPE, f"{TYPE}:{row.item_type}"]
    if SPEC_PART.fullmatch(row.library_code):
        specs.append(f"{LIB}:{row.library_code}")
    return tuple(sorted(specs))


def identifier(repository_identifier: str, pk: int) -> str:
    return f"oai:{repository_identifier}:{ROOT}/{pk}"


def item_id(repository_identifier: str, oai_identifier: str) -> int | None:
    """The item id in an identifier of this collection, or None when it is not one."""
    rest = oai_identifier.removeprefix(f"oai:{repository_identifier}:{ROOT}/")
    if rest == oai_identifier or not _ID.fullmatch(rest):
        return None
    return int(rest)


@dataclass(frozen=True)
class SetEntry:
    spec: str
    name: str


def all_sets() -> list[SetEntry]:
    """The collection's sets, parents first; empty while nothing is published."""
    libraries = queries.libraries_with_items()
    types = queries.types_with_items()
    if not libraries and not types:
        return []
    out = [
        SetEntry(ROOT, "Digital collection (theses, research, local information)"),
        SetEntry(LIB, "Digital collection by depositing library"),
    ]
    out += [
        SetEntry(f"{LIB}:{code}", f"Digital collection of {name or code} ({code})")
        for code, name in libraries
        if SPEC_PART.fullmatch(code)
    ]
    out.append(SetEntry(TYPE, "Digital collection by type"))
    words = {
        "thesis": "Theses",
        "research_report": "Research reports",
        "article": "Articles",
        "local_information": "Local information",
        "archival_document": "Archival documents",
    }
    out += [SetEntry(f"{TYPE}:{t}", f"Digital collection: {words.get(t, t)}") for t in types]
    return out


def earliest() -> dt.datetime | None:
    return queries.earliest_datestamp()
