"""Evidence: linked records must be the library's own; uploaded files are checked and served."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.core.models import Attachment
from libcoop.greenlib import services
from libcoop.greenlib.models import EvidenceFile, EvidenceLink
from libcoop.greenlib.queries import criterion_results
from libcoop.network.models import Seat
from tests.events.factories import EventFactory
from tests.factories import WorkingGroupFactory
from tests.greenlib.conftest import World
from tests.knowledge.factories import article
from tests.outreach.factories import ActivityFactory, ProgrammeFactory

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _records(world: World, institution: Any) -> dict[str, int]:
    """One record of each kind belonging to *institution*."""
    group = WorkingGroupFactory(network=world.network)
    seat = Seat.objects.create(working_group=group, institution=institution, role="member")
    event = EventFactory(organiser=institution, network=world.network)
    activity = ActivityFactory(programme=ProgrammeFactory(run_by=institution))
    art = article(institution, title_en="Our green corner", on=datetime.date(2024, 3, 1))
    return {
        "membership": institution.memberships.get(network=world.network).pk,
        "seat": seat.pk,
        "event": event.pk,
        "outreach": activity.pk,
        "article": art.pk,
    }


KINDS = ["membership", "seat", "event", "outreach", "article"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_library_links_its_own_record(world: World, kind: str) -> None:
    pk = _records(world, world.own)[kind]
    librarian = world.users["librarian_own"]
    link = services.add_evidence_link(world.assessment, world.item, kind, pk, acting_user=librarian)
    assert (link.kind, link.object_id) == (kind, pk)
    # linking twice keeps one link and one audit event
    services.add_evidence_link(world.assessment, world.item, kind, pk, acting_user=librarian)
    assert EvidenceLink.objects.count() == 1
    assert AuditEvent.objects.filter(verb=AuditVerb.EVIDENCE_ADDED).count() == 1
    (result,) = criterion_results(world.own, 2024, lang="en")
    ((linked_kind, label, url),) = result.linked
    assert linked_kind == kind and label and url.startswith("/")


@pytest.mark.parametrize("kind", KINDS)
def test_another_librarys_record_cannot_be_linked(world: World, kind: str) -> None:
    pk = _records(world, world.other)[kind]
    with pytest.raises(ValidationError, match="own records"):
        services.add_evidence_link(
            world.assessment, world.item, kind, pk, acting_user=world.users["librarian_own"]
        )
    assert not EvidenceLink.objects.exists()
    assert not world.assessment.responses.exists()  # nothing half-made


def test_a_record_that_does_not_exist_cannot_be_linked(world: World) -> None:
    with pytest.raises(ValidationError):
        services.add_evidence_link(
            world.assessment, world.item, "event", 999999, acting_user=world.users["librarian_own"]
        )
    with pytest.raises(ValidationError):
        services.add_evidence_link(
            world.assessment, world.item, "photo", 1, acting_user=world.users["librarian_own"]
        )


def test_web_form_refuses_another_librarys_record(world: World) -> None:
    pk = _records(world, world.other)["event"]
    client = Client()
    client.force_login(world.users["librarian_own"])
    url = f"/greenlib/assessments/{world.assessment.pk}/criteria/{world.item.pk}/links/"
    response = client.post(url, {"record": f"event:{pk}"}, follow=True)
    assert response.status_code == 200
    assert not EvidenceLink.objects.exists()


def test_a_heading_is_not_answered_itself(world: World) -> None:
    from tests.greenlib.factories import criterion

    issue = criterion(world.standard, "2.1")
    with pytest.raises(ValidationError):
        services.save_response(
            world.assessment, issue, narrative_en="x", acting_user=world.users["librarian_own"]
        )


def test_files_are_stored_served_to_who_may_see_and_removed(world: World) -> None:
    librarian = world.users["librarian_own"]
    evidence = services.add_evidence_file(
        world.assessment, world.item, [PDF], name="../../policy.pdf", acting_user=librarian
    )
    assert evidence.attachment.original_name == "policy.pdf"
    assert evidence.attachment.institution == world.own
    own = Client()
    own.force_login(librarian)
    response = own.get(f"/greenlib/evidence/{evidence.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    other = Client()
    other.force_login(world.users["librarian_other"])
    assert other.get(f"/greenlib/evidence/{evidence.pk}/file/").status_code == 404
    (result,) = criterion_results(world.own, 2024)
    assert result.evidence_files == [("policy.pdf", f"/greenlib/evidence/{evidence.pk}/file/")]
    services.remove_evidence_file(evidence, acting_user=librarian)
    assert not EvidenceFile.objects.exists() and not Attachment.objects.exists()


def test_active_content_is_refused_and_leaves_nothing(world: World) -> None:
    client = Client()
    client.force_login(world.users["librarian_own"])
    upload = SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script></html>")
    url = f"/greenlib/assessments/{world.assessment.pk}/criteria/{world.item.pk}/files/"
    client.post(url, {"file": upload})
    assert not EvidenceFile.objects.exists() and not Attachment.objects.exists()
    good = SimpleUploadedFile("minutes.pdf", PDF)
    assert client.post(url, {"file": good}).status_code == 302
    assert EvidenceFile.objects.count() == 1
