"""E-mail on the events of a loan that matter to people, sent only after the change commits
(like ``events/reminders.py``).

* the patron: shipped (on its way), ready for pickup (received; for a copy, the download
  link), due soon (3 days before), overdue, recalled — in Thai, with the English text below it
  (the account has no language of its own; the site is Thai first);
* the borrowing library's staff: a request is unfilled (no lender left; add one by hand);
* the lending library's staff: a new request has arrived.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from libcoop.ill.models import PatronRequest, SupplyRequest
from libcoop.network.models import StaffProfile, StaffRole

# Requester action → what the patron is told.
PATRON_EVENTS: Final = {
    "lender_shipped": "shipped",
    "receive": "ready",
    "lender_recalled": "recalled",
    "overdue": "overdue",
}


def _site(path: str) -> str:
    return settings.LIBCOOP_SITE_URL.rstrip("/") + path


def _patron_text(request: PatronRequest, event: str) -> tuple[str, str]:
    title = request.title[:120]
    if event == "shipped":
        subject = _("On its way: %(title)s") % {"title": title}
        body = _("The lending library has sent “%(title)s”. We will tell you when it is here.")
    elif event == "ready":
        if request.service_type == "Copy" and request.copy_url:
            subject = _("Your copy is ready: %(title)s") % {"title": title}
            body = _("Download your copy of “%(title)s” here (the link works for a limited time):")
            body += " " + request.copy_url
        else:
            subject = _("Ready for pickup: %(title)s") % {"title": title}
            body = _("“%(title)s” is waiting for you at: %(place)s.")
    elif event == "due_soon":
        subject = _("Due soon: %(title)s") % {"title": title}
        body = _("Please return “%(title)s” by %(due)s.")
    elif event == "overdue":
        subject = _("Overdue: %(title)s") % {"title": title}
        body = _("“%(title)s” was due on %(due)s. Please return it to the library now.")
    else:
        subject = _("Recalled: %(title)s") % {"title": title}
        body = _("The lending library needs “%(title)s” back. Please return it as soon as you can.")
    values = {
        "title": title,
        "place": request.pickup_location or request.requester.name_th or request.requester.code,
        "due": request.due_date.isoformat() if request.due_date else "",
    }
    link = _site(reverse("ill:request", args=[request.pk]))
    return subject, (body % values if "%(" in body else body) + "\n\n" + link


def _bilingual(make: Any) -> tuple[str, str]:
    with translation.override("th"):
        th_subject, th_body = make()
    with translation.override("en"):
        en_subject, en_body = make()
    return f"{th_subject} / {en_subject}", f"{th_body}\n\n---\n\n{en_body}"


def _send(subject: str, body: str, to: Iterable[str]) -> None:
    recipients = sorted({a for a in to if a})
    if recipients:
        transaction.on_commit(
            lambda: send_mail(subject, body, None, recipients, fail_silently=False)
        )


def patron(request: PatronRequest, event: str) -> None:
    if request.patron is None or not request.patron.email:
        return
    subject, body = _bilingual(lambda: _patron_text(request, event))
    _send(subject, body, [request.patron.email])


def _staff_emails(institution_id: int) -> list[str]:
    return list(
        StaffProfile.objects.filter(
            institution_id=institution_id,
            role__in=[StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN],
            user__is_active=True,
        ).values_list("user__email", flat=True)
    )


def unfilled(request: PatronRequest) -> None:
    def make() -> tuple[str, str]:
        subject = _("Unfilled: %(title)s") % {"title": request.title[:120]}
        body = _("No lender is left for request %(id)s. Add a lender by hand or tell the patron.")
        link = _site(reverse("ill:request", args=[request.pk]))
        return subject, body % {"id": request.request_id} + "\n\n" + link

    subject, body = _bilingual(make)
    _send(subject, body, _staff_emails(request.requester_id))


def new_lending_request(supply: SupplyRequest) -> None:
    def make() -> tuple[str, str]:
        subject = _("New lending request: %(title)s") % {"title": supply.title[:120]}
        body = _("%(requester)s asks for “%(title)s”.") % {
            "requester": str(supply.requesting_agency),
            "title": supply.title[:120],
        }
        return subject, body + "\n\n" + _site(reverse("ill:supply", args=[supply.pk]))

    subject, body = _bilingual(make)
    _send(subject, body, _staff_emails(supply.lender_id))
