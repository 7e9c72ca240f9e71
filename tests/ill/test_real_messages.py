"""Every real ISO 18626 message of other systems (../shared/data/iso18626, from ReShare's
mod-rs) sent to ``POST /iso18626`` with the real handler: accepted when it is addressed to one
of our libraries, otherwise an ERROR confirmation with the right error type, echoing the ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from libcoop.ill.models import Agency, SupplyRequest
from libcoop.interop.iso18626.parse import parse_confirmation
from tests.ill.conftest import Net

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "iso18626"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not SHARED.is_dir(),
        reason=f"shared ISO 18626 messages not found at {SHARED} (../shared beside the repo)",
    ),
]

# file → (accepted?, error type when not). Why, per file: MANIFEST.md and the messages.
EXPECTED = {
    # Requests to agencies that are not ours: refused, naming the supplying agency.
    "case1_request.xml": (False, "UnrecognisedDataValue"),
    "iso18626_req_1.xml": (False, "UnrecognisedDataValue"),
    "illmockrequest.xml": (False, "UnrecognisedDataValue"),
    # 1.2 requires supplyingAgencyId in a request; this one has none.
    "patronRequest.xml": (False, "BadlyFormedMessage"),
    # Templates with placeholders where a status or a timestamp must be.
    "supplyingAgencyMessage_statusChange.xml": (False, "UnrecognisedDataValue"),
    "unfilledNotification.xml": (False, "UnrecognisedDataValue"),
    "cancelResponseReplyNoTemplate.xml": (False, "UnrecognisedDataValue"),
}


def _post(body: bytes) -> bytes:
    response = Client().post("/iso18626", body, content_type="application/xml")
    assert response.status_code == 200, response.content[:300]
    return response.content


def test_every_shared_message_is_listed() -> None:
    assert {p.name for p in SHARED.glob("*.xml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_message_is_answered_correctly(name: str, net: Net) -> None:
    body = (SHARED / name).read_bytes()
    confirmation = parse_confirmation(_post(body))
    accepted, error_type = EXPECTED[name]
    assert confirmation.ok is accepted
    assert confirmation.error_type == error_type
    assert not SupplyRequest.objects.exists()


def test_a_real_request_to_one_of_our_libraries_is_accepted(net: Net) -> None:
    """case1_request.xml is addressed to RESHARE:TEMPLEI; give a member that agency id and the
    same message is accepted as a new lending request, and a second delivery is no duplicate."""
    Agency.objects.filter(institution=net.lenders[0]).update(id_type="RESHARE", id_value="TEMPLEI")
    body = (SHARED / "case1_request.xml").read_bytes()
    first = parse_confirmation(_post(body))
    assert first.ok and first.header.requesting_request_id == "49837539"
    supply = SupplyRequest.objects.get()
    assert supply.lender == net.lenders[0] and supply.state == "new"
    assert str(supply.requesting_agency) == "RESHARE:MILL"
    assert supply.supplier_record_id == "27345786" and supply.service_type == "Loan"
    again = parse_confirmation(_post(body))
    assert again.ok and SupplyRequest.objects.count() == 1
