"""Interlibrary-loan pages: a library's borrowing and lending lists, a patron's own requests,
the request form (from a catalog cluster or a citation), each side's request page with only
the actions allowed now, and the lending policy. Thin: parse, check, call the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libcoop.ill import services, workflow
from libcoop.ill.forms import ActionForm, LenderForm, PolicyForm, RequestForm
from libcoop.ill.models import Agency, Outgoing, PatronRequest, SupplyRequest
from libcoop.interop.iso18626.messages import AgencyId
from libcoop.network.abilities import can, profile_of, require


def _library(request: HttpRequest) -> Any:
    profile = profile_of(request.user)
    return profile.institution if profile is not None else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    library = _library(request)
    staff = library is not None and can(request.user, "ill.requester", services._Probe(library.pk))
    borrowing = PatronRequest.objects.none()
    lending = SupplyRequest.objects.none()
    if staff:
        borrowing = PatronRequest.objects.filter(requester=library)
        lending = SupplyRequest.objects.filter(lender=library).select_related("requesting_agency")
    mine = PatronRequest.objects.filter(patron_id=request.user.pk)
    return render(
        request,
        "ill/home.html",
        {
            "library": library,
            "staff": staff,
            "borrowing": borrowing[:200],
            "lending": lending[:200],
            "mine": mine[:100],
            "may_request": library is not None and can(request.user, "ill.request", library),
            "may_edit_policy": library is not None
            and can(request.user, "ill.edit_policy", library),
        },
    )


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    library = _library(request)
    if library is None or not can(request.user, "ill.request", library):
        return render(request, "403.html", status=403)
    cluster_text = request.GET.get("cluster") or request.POST.get("cluster") or ""
    cluster_id = int(cluster_text) if cluster_text.isascii() and cluster_text.isdigit() else None
    citation = None
    if cluster_id is not None:
        from libcoop.catalog.queries import cluster_citation

        citation = cluster_citation(cluster_id)
        if citation is None:
            raise Http404
    form = RequestForm(request.POST or None)
    duplicates: list[PatronRequest] = []
    if request.method == "POST" and form.is_valid():
        values = form.citation()
        patron = None
        username = form.cleaned_data.get("patron", "").strip()
        if username and can(request.user, "ill.requester", services._Probe(library.pk)):
            patron = User.objects.filter(username=username).first()
            if patron is None:
                form.add_error("patron", _("No such user."))
        patron_id = (
            patron.pk
            if patron
            else (
                None
                if can(request.user, "ill.requester", services._Probe(library.pk))
                else request.user.pk
            )
        )
        duplicates = services.duplicates_of(
            library, patron_id, cluster_id, values.get("title", citation.title if citation else "")
        )
        if not form.errors and (not duplicates or form.cleaned_data.get("confirm_duplicate")):
            try:
                made = services.create_request(
                    library,
                    acting_user=request.user,
                    patron=patron,
                    cluster_id=cluster_id,
                    **values,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Your request has been made."))
                return redirect("ill:request", pk=made.pk)
    return render(
        request,
        "ill/new.html",
        {"form": form, "citation": citation, "cluster_id": cluster_id, "duplicates": duplicates},
    )


def _visible_request(request: HttpRequest, pk: int) -> PatronRequest:
    item = get_object_or_404(
        PatronRequest.objects.select_related("requester", "supplier", "patron"), pk=pk
    )
    if not (
        can(request.user, "ill.requester", item)
        or (item.patron_id is not None and item.patron_id == request.user.pk)
    ):
        raise Http404
    return item


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_request(request, pk)
    staff = can(request.user, "ill.requester", item)
    actions = [
        t for t in workflow.staff_actions("requester", item) if can(request.user, t.ability, item)
    ]
    return render(
        request,
        "ill/request.html",
        {
            "item": item,
            "staff": staff,
            "actions": actions,
            "rota": item.rota.select_related("agency"),
            "outbox": Outgoing.objects.filter(request_id=item.request_id).select_related(
                "recipient"
            )
            if staff
            else [],
            "lender_form": LenderForm(),
            "may_add_lender": staff and item.state in ("new", "validated", "unfilled"),
        },
    )


def _perform(request: HttpRequest, item: Any, action: str) -> None:
    """Take *action* with the form's parameters; a refusal becomes the page's message."""
    form = ActionForm(request.POST)
    params = {k: v for k, v in form.data.items() if k in ActionForm.base_fields and v}
    try:
        services.perform(item, action, acting_user=request.user, **params)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))


@login_required
@require_POST
def request_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _visible_request(request, pk)
    _perform(request, item, action)
    return redirect("ill:request", pk=item.pk)


@login_required
@require_POST
def add_lender(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_request(request, pk)
    form = LenderForm(request.POST)
    if form.is_valid():
        try:
            agency_id = AgencyId.parse(form.cleaned_data["agency"].strip())
            agency = Agency.objects.get(id_type=agency_id.type, id_value=agency_id.value)
            services.add_lender(item, agency, acting_user=request.user)
        except (ValueError, Agency.DoesNotExist):
            messages.error(request, _("No such lender."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Lender added."))
    return redirect("ill:request", pk=item.pk)


def _visible_supply(request: HttpRequest, pk: int) -> SupplyRequest:
    item = get_object_or_404(
        SupplyRequest.objects.select_related("lender", "requesting_agency"), pk=pk
    )
    if not can(request.user, "ill.supplier", item):
        raise Http404
    return item


@login_required
def supply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_supply(request, pk)
    return render(
        request,
        "ill/supply.html",
        {
            "item": item,
            "actions": workflow.staff_actions("supplier", item),
            "outbox": Outgoing.objects.filter(
                request_id=item.requesting_request_id, sender__institution=item.lender
            ).select_related("recipient"),
        },
    )


@login_required
@require_POST
def supply_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _visible_supply(request, pk)
    _perform(request, item, action)
    return redirect("ill:supply", pk=item.pk)


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    library = _library(request)
    if library is None:
        return render(request, "403.html", status=403)
    require(request.user, "ill.edit_policy", library)
    current = services.policy_of(library)
    initial = {f: getattr(current, f) for f in PolicyForm.base_fields}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_policy(library, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Lending policy saved."))
        return redirect("ill:policy")
    return render(request, "ill/policy.html", {"form": form, "library": library})


@login_required
@require_POST
def attach_copy(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_supply(request, pk)
    upload = request.FILES.get("scan")
    if upload is None:
        messages.error(request, _("Choose the PDF of the scan."))
        return redirect("ill:supply", pk=item.pk)
    try:
        services.attach_copy(item, upload, upload.name or "copy.pdf", acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Scan attached; send the copy to give the patron its link."))
    return redirect("ill:supply", pk=item.pk)


def copy_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """A copy's capability link: works until it expires or its downloads are used up."""
    from django.db.models import F
    from django.utils import timezone

    from libcoop.core.attachments import file_response
    from libcoop.ill.models import CopyFile

    copy = CopyFile.objects.select_related("attachment").filter(token=token).first()
    if copy is None:
        raise Http404
    used = CopyFile.objects.filter(
        pk=copy.pk, downloads_left__gt=0, expires__gt=timezone.now(), attachment__isnull=False
    ).update(downloads_left=F("downloads_left") - 1)
    if not used or copy.attachment is None:
        return render(request, "ill/copy_gone.html", {"copy": copy}, status=410)
    return file_response(copy.attachment)


@login_required
def pull_slips(request: HttpRequest) -> HttpResponse:
    """The lender's day as one PDF: a pull slip and a shipping label per request to supply."""
    from django.template.loader import render_to_string
    from django.utils import timezone
    from django.utils.safestring import mark_safe
    from weasyprint import HTML

    from libcoop.greenlib.report.fonts import pdf_font_css, pdf_font_family
    from libcoop.ill.models import SupplierState

    library = _library(request)
    if library is None or not can(request.user, "ill.supplier", _SupplyProbe(library.pk)):
        return render(request, "403.html", status=403)
    items = list(
        SupplyRequest.objects.filter(
            lender=library, state__in=[SupplierState.WILL_SUPPLY, SupplierState.AWAITING_PICK]
        )
        .select_related("requesting_agency", "requesting_agency__institution")
        .order_by("created")
    )
    html = render_to_string(
        "ill/pull_slips.html",
        {
            "items": items,
            "library": library,
            "today": timezone.localdate(),
            "font_css": mark_safe(pdf_font_css()),  # noqa: S308 - generated @font-face rules
            "font_family": mark_safe(pdf_font_family()),  # noqa: S308 - fixed family names
        },
    )
    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"pull-slips-{library.code}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _SupplyProbe:
    def __init__(self, lender_id: int) -> None:
        self.lender_id = lender_id
