"""Every write made in the Django admin is audited: adds, changes, deletes (one and bulk),
inline rows; harvest sources through the admin and ``register_source``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from libcoop.audit.models import AuditEvent
from libcoop.interop.harvest.service import register_source
from libcoop.interop.models import HarvestSource
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import Institution, Network, NetworkPurpose, Purpose
from tests.factories import InstitutionFactory, NetworkFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> tuple[Client, User]:
    user = User.objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(user)
    return client, user


def _verbs(obj: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).values_list("verb", flat=True)
    )


def test_a_change_records_the_fields_with_old_and_new(admin_client: Any) -> None:
    client, user = admin_client
    lib = InstitutionFactory(name_en="Old name")
    page = client.get(f"/admin/network/institution/{lib.pk}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(name_en="New name", province=lib.province_id or "")
    response = client.post(f"/admin/network/institution/{lib.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(verb="network.institution.changed", object_id=str(lib.pk))
    assert event.actor == user
    assert event.data["changes"]["name_en"] == ["Old name", "New name"]


def test_deletes_one_and_in_bulk_are_audited(admin_client: Any) -> None:
    client, _ = admin_client
    lone = InstitutionFactory()
    response = client.post(f"/admin/network/institution/{lone.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Institution.objects.filter(pk=lone.pk).exists()
    assert AuditEvent.objects.filter(verb="admin.object.deleted", object_id=str(lone.pk)).exists()

    groups = [WorkingGroupFactory(), WorkingGroupFactory()]
    response = client.post(
        "/admin/network/workinggroup/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [g.pk for g in groups]},
    )
    assert response.status_code == 302
    deleted = AuditEvent.objects.filter(
        verb="admin.object.deleted", object_type="network.workinggroup"
    )
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(g.pk) for g in groups)


def test_inline_rows_added_and_deleted_are_audited(admin_client: Any) -> None:
    _, user = admin_client
    network: Network = NetworkFactory()
    old = NetworkPurpose.objects.create(network=network, purpose=Purpose.GREEN_LIBRARY)
    model_admin = site._registry[Network]
    request = RequestFactory().post("/")
    request.user = user
    inline = next(
        i for i in model_admin.get_inline_instances(request, network) if i.model is NetworkPurpose
    )
    formset_class = inline.get_formset(request, network)
    prefix = formset_class.get_default_prefix()
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": str(old.pk),
        f"{prefix}-0-network": str(network.pk),
        f"{prefix}-0-purpose": old.purpose,
        f"{prefix}-0-DELETE": "on",
        f"{prefix}-1-network": str(network.pk),
        f"{prefix}-1-purpose": Purpose.KNOWLEDGE_EXCHANGE,
    }
    formset = formset_class(data, instance=network, prefix=prefix)
    assert formset.is_valid(), formset.errors
    form = model_admin.get_form(request, network)(instance=network)
    model_admin.save_formset(request, form, formset, change=True)
    new = NetworkPurpose.objects.get(network=network)
    assert _verbs(new) == ["admin.object.created"]
    gone = AuditEvent.objects.get(verb="admin.object.deleted", object_type="network.networkpurpose")
    assert gone.object_id == str(old.pk)
    assert gone.data["parent_id"] == str(network.pk)


def test_register_source_is_atomic_and_audited(english: None) -> None:
    lib = InstitutionFactory()
    source = register_source(lib, "https://opac.example.ac.th/oai", acting_user=SYSTEM)
    register_source(lib, "https://opac.example.ac.th/oai2", acting_user=SYSTEM)
    register_source(lib, "https://opac.example.ac.th/oai2", acting_user=SYSTEM)  # no change
    assert _verbs(source) == ["interop.harvest_source.changed", "interop.harvest_source.registered"]
    changed = AuditEvent.objects.get(verb="interop.harvest_source.changed")
    assert changed.data["changes"]["base_url"][1] == "https://opac.example.ac.th/oai2"
    assert changed.institution_code == lib.code
    with pytest.raises(Exception):  # noqa: B017 - a bad URL is refused by full_clean
        register_source(lib, "not a url", acting_user=SYSTEM)
    assert HarvestSource.objects.get(library=lib).base_url.endswith("/oai2")
    assert AuditEvent.objects.filter(object_type="interop.harvestsource").count() == 2
