"""The patrons page of a library: its staff add one patron, or many from a CSV file."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from libcoop.core import password_reset
from libcoop.network import patrons
from libcoop.network.abilities import can
from libcoop.network.models import Institution


class PatronForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)


class PatronCsvForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file (username,email,first_name,last_name)"))


def _invite(request: HttpRequest, email: str) -> None:
    """E-mail the new patron a link to set their own password (Django's password reset)."""
    password_reset.send_link(request, email, limited=False)


@login_required
def patrons_page(request: HttpRequest, code: str) -> HttpResponse:
    institution = get_object_or_404(Institution, code=code)
    if not can(request.user, "institution.manage_patrons", institution):
        raise Http404
    one = PatronForm(request.POST if "username" in request.POST else None)
    many = PatronCsvForm(
        request.POST if "csv" in request.POST else None,
        request.FILES if "csv" in request.POST else None,
    )
    report = None
    if request.method == "POST" and one.is_bound and one.is_valid():
        try:
            user = patrons.add_patron(institution, acting_user=request.user, **one.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            _invite(request, user.email)
            messages.success(request, _("Patron added; a link to set a password was e-mailed."))
            return redirect("network:patrons", code=institution.code)
    if request.method == "POST" and many.is_bound and many.is_valid():
        upload = many.cleaned_data["file"]
        report = patrons.import_patrons(
            institution, upload.read(10 * 1024 * 1024), acting_user=request.user
        )
        for profile in patrons.patrons_of(institution):
            if profile.user.username in report.created:
                _invite(request, profile.user.email)
    return render(
        request,
        "network/patrons.html",
        {
            "institution": institution,
            "one": one,
            "many": many,
            "report": report,
            "patrons": patrons.patrons_of(institution),
        },
    )
