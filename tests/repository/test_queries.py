"""The contract of ``repository.queries`` (docs/contracts.md): what interop reads of the
digital collection is only what the public may see. Both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from libcoop.network.abilities import SYSTEM
from libcoop.repository import queries, services
from libcoop.repository.models import Item
from tests.factories import InstitutionFactory
from tests.repository.deposit_world import METADATA, pdf_bytes

pytestmark = pytest.mark.django_db


def deposit(library: Any, *, publish: bool = True, **access: Any) -> Item:
    upload = services.Upload("a.pdf", pdf_bytes("x"))
    item = services.create_item(library, METADATA, [upload], acting_user=SYSTEM, **access)
    return services.publish_through(item, acting_user=SYSTEM) if publish else item


def test_public_items_are_frozen_and_list_files_only_when_everyone_may_read_them() -> None:
    library = InstitutionFactory(code="MFU-LIB")
    open_ = deposit(library)
    network = deposit(library, access="network")
    embargo = deposit(library, access="embargo", embargo_until=dt.date(2099, 1, 1))
    draft = deposit(library, publish=False)
    found = queries.public_items([open_.pk, network.pk, embargo.pk, draft.pk])
    assert set(found) == {open_.pk, network.pk, embargo.pk}  # never a draft
    one = found[open_.pk]
    assert dataclasses.is_dataclass(one) and not isinstance(one, Item)
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.title = "changed"  # type: ignore[misc]
    assert one.library_code == "MFU-LIB" and one.year == 2019 and one.creators[0] == "สมชาย ใจดี"
    assert [f.name for f in one.files] == ["a.pdf"] and one.access == "open"
    assert found[network.pk].files == () and found[network.pk].access == "network"
    assert found[embargo.pk].files == () and found[embargo.pk].embargo_until == dt.date(2099, 1, 1)
    later = queries.public_items([embargo.pk], on=dt.date(2099, 1, 1))[embargo.pk]
    assert later.access == "open" and len(later.files) == 1 and later.embargo_until is None


def test_harvest_rows_are_keyset_pages_with_deletions() -> None:
    library = InstitutionFactory(code="MFU-LIB")
    items = [deposit(library) for _ in range(5)]
    deposit(library, publish=False)
    services.withdraw(items[2], "twice", acting_user=SYSTEM)
    until = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    everything = queries.harvest_rows(None, until, None, None, None, 100)
    assert [r.id for r in everything] == sorted(
        (i.pk for i in items), key=lambda pk: (Item.objects.get(pk=pk).updated, pk)
    )
    assert [r.deleted for r in everything].count(True) == 1
    first = queries.harvest_rows(None, until, None, None, None, 2)
    last = first[-1]
    rest = queries.harvest_rows(None, until, None, None, (last.updated, last.id), 100)
    assert [r.id for r in first + rest] == [r.id for r in everything]
    assert queries.harvest_count(None, until, None, None) == 5
    assert queries.harvest_count(None, until, "OTHER", None) == 0
    assert queries.harvest_count(None, until, None, "article") == 0
    assert queries.harvest_row(items[2].pk).deleted  # type: ignore[union-attr]
    assert queries.libraries_with_items() == [("MFU-LIB", library.name_en)]
    assert queries.types_with_items() == ["thesis"]
    assert queries.earliest_datestamp() == min(r.updated for r in everything)


def test_paths() -> None:
    assert queries.item_path(12) == "/repository/12/"
    assert queries.file_path(12, 3) == "/repository/12/files/3/"


def test_the_crosswalk_leaves_out_fields_whose_values_clean_to_nothing() -> None:
    from libcoop.interop import repository_records

    library = InstitutionFactory(code="MFU-LIB")
    item = deposit(library)
    Item.objects.filter(pk=item.pk).update(identifiers={"isbn": ["n/a"]})
    public = queries.public_items([item.pk])[item.pk]
    record = repository_records.marc(public, "https://x/repository/1/", {})
    assert record.get_fields("020") == []
    assert all(f.subfields for f in record.fields if not f.is_control_field())
    pairs = repository_records.dublin_core(public, "https://x/repository/1/", {})
    assert not [v for name, v in pairs if v.startswith("urn:isbn:")]
