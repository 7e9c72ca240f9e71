"""Registry services: validation, history kept, one audit event per change."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.core.dates import PartialDate
from libcoop.network import services
from libcoop.network.abilities import SYSTEM, can
from libcoop.network.models import StaffRole
from tests.factories import InstitutionFactory, NetworkFactory, WorkingGroupFactory, staff

pytestmark = pytest.mark.django_db


def test_partial_dates() -> None:
    assert str(PartialDate.parse("2014")) == "2014"
    assert str(PartialDate.parse("2014-06")) == "2014-06"
    assert str(PartialDate.parse("2014-06-25")) == "2014-06-25"
    assert PartialDate.parse("") is None
    for bad in ["20x4", "2014-13", "2014-02-30", "1-2-3-4"]:
        with pytest.raises(ValidationError):
            PartialDate.parse(bad)


def test_update_institution_records_old_and_new_values() -> None:
    inst = InstitutionFactory(name_en="Old name")
    admin = staff(StaffRole.LIBRARY_ADMIN, inst)
    diff = services.update_institution(inst, acting_user=admin, name_en="New name")
    assert diff == {"name_en": ["Old name", "New name"]}
    event = AuditEvent.objects.get(verb=AuditVerb.INSTITUTION_CHANGED)
    assert event.actor == admin
    assert event.data["changes"]["name_en"] == ["Old name", "New name"]
    assert event.institution_code == inst.code
    # Saving the same values again is not a change and writes nothing.
    assert services.update_institution(inst, acting_user=admin, name_en="New name") == {}
    assert AuditEvent.objects.filter(verb=AuditVerb.INSTITUTION_CHANGED).count() == 1


def test_update_refuses_fields_that_are_not_editable() -> None:
    inst = InstitutionFactory()
    with pytest.raises(ValidationError, match="code"):
        services.update_institution(inst, acting_user=SYSTEM, code="HACKED")


def test_invalid_change_is_rolled_back() -> None:
    inst = InstitutionFactory(website="")
    with pytest.raises(ValidationError):
        services.update_institution(inst, acting_user=SYSTEM, website="not a url")
    inst.refresh_from_db()
    assert inst.website == ""
    assert not AuditEvent.objects.exists()


def test_membership_lifecycle_keeps_history() -> None:
    network, inst = NetworkFactory(), InstitutionFactory()
    m = services.add_membership(network, inst, start=PartialDate.parse("2014"), acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="already"):
        services.add_membership(network, inst, acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="before"):
        services.end_membership(m, PartialDate.parse("2010"), acting_user=SYSTEM)  # type: ignore[arg-type]
    services.end_membership(m, PartialDate.parse("2020-09"), acting_user=SYSTEM)  # type: ignore[arg-type]
    m.refresh_from_db()
    assert m.end is not None and m.end.year == 2020 and m.end_precision == "month"
    verbs = list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == [AuditVerb.MEMBERSHIP_ADDED, AuditVerb.MEMBERSHIP_ENDED]
    # Ended memberships can be started again (a library that rejoins).
    services.add_membership(network, inst, start=PartialDate.parse("2022"), acting_user=SYSTEM)


def test_seats_and_working_groups() -> None:
    group = WorkingGroupFactory()
    inst = InstitutionFactory()
    seat = services.add_seat(group, inst, role="chair", person_th="นางสาวทดสอบ", acting_user=SYSTEM)
    assert seat.role == "chair"
    services.end_seat(seat, PartialDate.parse("2025"), acting_user=SYSTEM)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        services.end_seat(seat, PartialDate.parse("2026"), acting_user=SYSTEM)  # type: ignore[arg-type]
    new_group = services.create_working_group(
        group.network,
        code="WG-NEW",
        kind="committee",
        name_th="ใหม่",
        name_en="New",
        acting_user=SYSTEM,
    )
    assert new_group.network == group.network


def test_coordinator_of_a_parent_network_manages_the_child() -> None:
    parent = NetworkFactory()
    child = NetworkFactory(parent=parent)
    coordinator = staff(StaffRole.NETWORK_COORDINATOR, InstitutionFactory(), network=parent)
    assert can(coordinator, "network.manage_members", child)
    assert not can(coordinator, "network.manage_members", NetworkFactory())


def test_unknown_ability_is_an_error() -> None:
    with pytest.raises(KeyError):
        can(SYSTEM, "institution.delete", None)


def test_service_refuses_an_anonymous_user() -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.update_institution(InstitutionFactory(), acting_user=AnonymousUser(), name_en="x")


@pytest.mark.django_db
def test_demo_accounts_get_their_roles_through_an_audited_service(demo_registry: None) -> None:
    from libcoop.audit.models import AuditEvent
    from libcoop.network.demo import DEMO_ACCOUNTS, ensure_demo_accounts

    ensure_demo_accounts()
    staff_rows = [a for a in DEMO_ACCOUNTS if a[2] is not None]
    events = AuditEvent.objects.filter(verb="network.staff.changed")
    assert events.count() == len(staff_rows)
    ensure_demo_accounts()  # nothing changed: no second entry
    assert events.count() == len(staff_rows)
