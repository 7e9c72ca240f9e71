"""Copies delivered electronically (a scan the patron downloads a limited number of times
until a date, then deleted), e-mail to patrons and staff on the events that matter, and the
lender's pull slips as a PDF."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from libcoop.ill import periodic, services
from libcoop.ill.models import CopyFile, PatronRequest, SupplyRequest
from tests.ill.conftest import Net

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _copy_request(net: Net, act: Any) -> tuple[PatronRequest, SupplyRequest, Any]:
    net.patron.email = "patron@example.org"
    net.patron.save()
    request = services.create_request(
        net.borrower,
        acting_user=net.patron,
        cluster_id=net.cluster.pk,
        article_title="Chapter 3",
        service_type="Copy",
        copyright_confirmed=True,
    )
    act(request, "validate", net.librarian)
    act(request, "send", net.librarian)
    request.refresh_from_db()
    supply = SupplyRequest.objects.get(requesting_request_id=request.request_id)
    staff = net.lender_staff[net.lenders.index(supply.lender)]
    act(supply, "will_supply", staff)
    return request, supply, staff


def test_a_scan_reaches_the_patron_as_a_link_that_runs_out(
    net: Net, act: Any, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    request, supply, staff = _copy_request(net, act)
    with pytest.raises(Exception, match="PDF"):
        services.attach_copy(supply, io.BytesIO(b"hello"), "scan.txt", acting_user=staff)
    client = Client()
    client.force_login(staff)
    answer = client.post(
        f"/ill/supplies/{supply.pk}/scan/", {"scan": SimpleUploadedFile("scan.pdf", PDF)}
    )
    assert answer.status_code == 302
    copy = CopyFile.objects.get()
    assert copy.downloads_left == 5
    act(supply, "send_copy", staff)
    request.refresh_from_db()
    assert request.state == "shipped" and request.copy_url.endswith(f"/ill/copies/{copy.token}/")
    path = request.copy_url.split("://", 1)[1].split("/", 1)[1]
    for _ in range(5):
        got = Client().get(f"/{path}")
        assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert Client().get(f"/{path}").status_code == 410  # used up
    file_path = tmp_path / copy.attachment.file.name
    assert file_path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.expire_copies() == "1 copy file(s) deleted"
    copy.refresh_from_db()
    assert copy.attachment is None and not file_path.exists()
    # The patron's e-mail on receipt carries the link.
    mail.outbox.clear()
    act(request, "receive", net.librarian)
    assert mail.outbox and copy.token in mail.outbox[-1].body


def test_a_link_expires_by_date_too(net: Net, act: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    _request, supply, staff = _copy_request(net, act)
    copy = services.attach_copy(supply, io.BytesIO(PDF), "scan.pdf", acting_user=staff)
    CopyFile.objects.filter(pk=copy.pk).update(expires=timezone.now() - datetime.timedelta(1))
    assert Client().get(f"/ill/copies/{copy.token}/").status_code == 410


def test_patrons_and_staff_are_told_what_matters(net: Net, act: Any) -> None:
    net.patron.email = "patron@example.org"
    net.patron.save()
    net.librarian.email = "ill@bor.example.org"
    net.librarian.save()
    for staff in net.lender_staff:
        staff.email = f"{staff.username}@lender.example.org"
        staff.save()
    request = services.create_request(
        net.borrower,
        acting_user=net.patron,
        cluster_id=net.cluster.pk,
        pickup_location="Counter 2",
    )
    act(request, "validate", net.librarian)
    act(request, "send", net.librarian)
    assert any("lender.example.org" in m.to[0] for m in mail.outbox)  # new lending request
    request.refresh_from_db()
    supply = SupplyRequest.objects.get(requesting_request_id=request.request_id)
    staff = net.lender_staff[net.lenders.index(supply.lender)]
    mail.outbox.clear()
    act(supply, "will_supply", staff)
    act(supply, "ship", staff)
    assert [m.to for m in mail.outbox] == [["patron@example.org"]]
    assert "On its way" in mail.outbox[0].subject and "ส่ง" in mail.outbox[0].body
    act(request, "receive", net.librarian)
    assert "Counter 2" in mail.outbox[-1].body
    act(request, "check_out", net.librarian)


def test_due_soon_is_sent_once(net: Net, act: Any, django_capture_on_commit_callbacks: Any) -> None:
    net.patron.email = "patron@example.org"
    net.patron.save()
    request = services.create_request(
        net.borrower, acting_user=net.patron, cluster_id=net.cluster.pk
    )
    PatronRequest.objects.filter(pk=request.pk).update(
        state="checked_out", due_date=timezone.localdate() + datetime.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.due_soon() == "1 patron(s) told a loan is due soon"
        assert periodic.due_soon() == "0 patron(s) told a loan is due soon"
    assert len(mail.outbox) == 1 and "Due soon" in mail.outbox[0].subject


def test_unfilled_tells_the_borrowing_staff(net: Net, act: Any) -> None:
    net.librarian.email = "ill@bor.example.org"
    net.librarian.save()
    request = services.create_request(
        net.borrower, acting_user=net.librarian, cluster_id=net.cluster.pk
    )
    act(request, "validate", net.librarian)
    act(request, "send", net.librarian)
    for _ in net.lenders:
        request.refresh_from_db()
        supply = SupplyRequest.objects.get(
            requesting_request_id=request.request_id, lender=request.supplier.institution
        )
        act(supply, "cannot_supply", net.lender_staff[net.lenders.index(supply.lender)])
    assert any(m.to == ["ill@bor.example.org"] and "Unfilled" in m.subject for m in mail.outbox)


def test_pull_slips_pdf(net: Net, act: Any) -> None:
    from pypdf import PdfReader

    request = services.create_request(
        net.borrower, acting_user=net.patron, cluster_id=net.cluster.pk
    )
    act(request, "validate", net.librarian)
    act(request, "send", net.librarian)
    supply = SupplyRequest.objects.get()
    staff = net.lender_staff[net.lenders.index(supply.lender)]
    act(supply, "will_supply", staff)
    client = Client()
    client.force_login(staff)
    pdf = client.get("/ill/pull-slips.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Green libraries" in text and request.request_id in text
    outsider = Client()
    outsider.force_login(net.patron)
    assert outsider.get("/ill/pull-slips.pdf").status_code == 403
