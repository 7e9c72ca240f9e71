"""Registry pages: parse, check access, call a service, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from libcoop.network import services
from libcoop.network.abilities import can, require
from libcoop.network.forms import (
    EndTermForm,
    InstitutionForm,
    MembershipForm,
    NetworkForm,
    SeatForm,
)
from libcoop.network.models import (
    Institution,
    InstitutionKind,
    Membership,
    Network,
    NetworkKind,
    Province,
    WorkingGroup,
)
from libcoop.network.narrative import cooperation_paragraphs
from libcoop.network.queries import (
    get_institution,
    get_network,
    membership_timeline,
    networks_with_counts,
)


def network_list(request: HttpRequest) -> HttpResponse:
    networks = list(networks_with_counts())
    groups = [
        (label, [n for n in networks if n.kind == kind]) for kind, label in NetworkKind.choices
    ]
    return render(request, "network/network_list.html", {"groups": [g for g in groups if g[1]]})


def network_detail(request: HttpRequest, code: str) -> HttpResponse:
    network = get_network(code)
    memberships = list(network.memberships.all())
    current = [m for m in memberships if m.end is None]
    past = [m for m in memberships if m.end is not None]
    years, bars = membership_timeline(memberships, datetime.date.today().year)
    return render(
        request,
        "network/network_detail.html",
        {
            "network": network,
            "current": current,
            "past": past,
            "timeline_years": years,
            "timeline_bars": bars,
            "can_manage": can(request.user, "network.manage_members", network),
            "can_edit": can(request.user, "network.edit", network),
            "membership_form": MembershipForm(),
            "end_form": EndTermForm(),
        },
    )


def institution_list(request: HttpRequest) -> HttpResponse:
    institutions = Institution.objects.select_related("province").order_by("kind", "code")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    province = request.GET.get("province", "")
    if q:
        institutions = institutions.filter(
            Q(name_th__icontains=q)
            | Q(name_en__icontains=q)
            | Q(code__icontains=q)
            | Q(short_name__icontains=q)
        )
    if kind in InstitutionKind.values:
        institutions = institutions.filter(kind=kind)
    if province:
        institutions = institutions.filter(province_id=province)
    context = {
        "institutions": institutions,
        "q": q,
        "kind": kind,
        "province": province,
        "kinds": InstitutionKind.choices,
        "provinces": Province.objects.filter(institution__isnull=False).distinct(),
    }
    template = (
        "network/_institution_rows.html"
        if request.headers.get("HX-Request")
        else "network/institution_list.html"
    )
    return render(request, template, context)


def institution_detail(request: HttpRequest, code: str) -> HttpResponse:
    institution = get_institution(code)
    return render(
        request,
        "network/institution_detail.html",
        {
            "institution": institution,
            "memberships": list(institution.memberships.all()),
            "seats": list(institution.seats.all()),
            "hosted": list(institution.hosted_networks.all()),
            "narrative": cooperation_paragraphs(institution),
            "can_edit": can(request.user, "institution.edit", institution),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, code: str) -> HttpResponse:
    institution = get_object_or_404(Institution, code=code)
    require(request.user, "institution.edit", institution)
    if request.method == "POST":
        form = InstitutionForm(request.POST)
        if form.is_valid():
            try:
                services.update_institution(
                    institution, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("network:institution", code=institution.code)
    else:
        form = InstitutionForm(initial=InstitutionForm.initial_for(institution))
    return render(
        request, "network/institution_edit.html", {"institution": institution, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_edit(request: HttpRequest, code: str) -> HttpResponse:
    network = get_object_or_404(Network, code=code)
    require(request.user, "network.edit", network)
    if request.method == "POST":
        form = NetworkForm(request.POST)
        if form.is_valid():
            try:
                services.update_network(network, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("network:network", code=network.code)
    else:
        form = NetworkForm(initial=NetworkForm.initial_for(network))
    return render(request, "network/network_edit.html", {"network": network, "form": form})


@login_required
@require_POST
def membership_add(request: HttpRequest, code: str) -> HttpResponse:
    network = get_network(code)
    require(request.user, "network.manage_members", network)
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            services.add_membership(
                network,
                form.cleaned_data["institution"],
                role=form.cleaned_data["role"],
                start=form.cleaned_data["start"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Membership added."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("network:network", code=network.code)


@login_required
@require_POST
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("network"), pk=pk)
    require(request.user, "network.manage_members", membership.network)
    form = EndTermForm(request.POST)
    if form.is_valid():
        try:
            services.end_membership(membership, form.cleaned_data["end"], acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Membership ended."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("network:network", code=membership.network.code)


@login_required
@require_POST
def seat_add(request: HttpRequest, code: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup.objects.select_related("network"), code=code)
    require(request.user, "network.manage_working_groups", group.network)
    form = SeatForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_seat(
                group,
                data["institution"],
                role=data["role"],
                start=data["start"],
                person_th=data["person_th"],
                person_en=data["person_en"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Seat added."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("network:network", code=group.network.code)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)
