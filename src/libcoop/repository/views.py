"""The collection's pages: the collection's front page, deposit, edit, a library's own items,
the review queue, the item page (or its tombstone), and the one file view and thumbnail view.

Every page reads ``access.py``: an item whose metadata the user may not see is a 404 (its
existence is not revealed); a file the user may not open is a 403 that says who may. Changes go
through ``services``/``workflow``, whose ability checks give the 403 for a refused change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from libcoop.audit.services import history_of
from libcoop.core.attachments import served_name
from libcoop.network.abilities import can, profile_of, require
from libcoop.network.models import Institution
from libcoop.repository import access, services, workflow
from libcoop.repository.forms import (
    AccessForm,
    DepositForm,
    EditForm,
    FileForm,
    MetadataForm,
    WithdrawForm,
)
from libcoop.repository.models import Access, Item, ItemFile, ItemStatus, ItemType

PAGE_SIZE = 50
CITATION_TEMPLATE = "repository/_citation.html"
REVIEW_STATES = (ItemStatus.SUBMITTED, ItemStatus.APPROVED)
LANGUAGE_NAMES = {"tha": gettext_lazy("Thai"), "eng": gettext_lazy("English")}
ROLE_NAMES = {
    "coadvisor": gettext_lazy("Co-advisor"),
    "editor": gettext_lazy("Editor"),
    "translator": gettext_lazy("Translator"),
}


def _visible(request: HttpRequest, pk: int) -> Item:
    """The item, if the user may see its metadata (or its tombstone); else 404."""
    item = Item.objects.select_related("institution").filter(pk=pk).first()
    if item is None or not access.can_see_metadata(request.user, item):
        raise Http404("No such item.")
    return item


def _url_or_empty(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _count_use(request: HttpRequest, item: Item, **kwargs: Any) -> None:
    """COUNTER-style counting (``stats.record_use``: robots, double clicks and staff left out)."""
    from libcoop.repository import stats

    stats.record_use(request, item, **kwargs)


def _deposit_library(request: HttpRequest) -> Institution | None:
    """The library the user deposits for: their own; a superuser names one (?library=CODE)."""
    code = request.GET.get("library") or request.POST.get("library") or ""
    if code and getattr(request.user, "is_superuser", False):
        return Institution.objects.filter(code=code).first()
    profile = profile_of(request.user)
    if profile is None or profile.institution is None:
        return None
    if not can(request.user, "repository.deposit", profile.institution):
        return None
    return profile.institution


def _pick_library(request: HttpRequest) -> HttpResponse:
    """A superuser acts for any library: the page first asks which."""
    return render(
        request,
        "repository/pick_library.html",
        {"institutions": Institution.objects.order_by("code"), "next": request.path},
    )


def _must_pick(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False)) and not (
        request.GET.get("library") or request.POST.get("library")
    )


def _error_to_form(form: Any, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields (the services' names are the form's)."""
    aliases = {"contributors": "advisors", "type": "item_type"}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        field = aliases.get(name, name)
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


# ---------------------------------------------------------------------------- lists


def collection(request: HttpRequest) -> HttpResponse:
    """The collection's front page: the newest published items, and the way to deposit."""
    items = (
        access.shown_items(request.user)
        .filter(status=ItemStatus.PUBLISHED)
        .select_related("institution")
        .order_by("-published_at", "-pk")
    )
    kind = request.GET.get("type", "")
    if kind in ItemType.values:
        items = items.filter(item_type=kind)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "repository/collection.html",
        {
            "page": page,
            "types": ItemType.choices,
            "type": kind,
            "search_url": _url_or_empty("repository:search"),
            "can_deposit": _deposit_library(request) is not None or _must_pick(request),
            "can_review": _review_queue_of(request.user).exists(),
            "can_see_stats": _sees_stats(request.user),
        },
    )


def _sees_stats(user: Any) -> bool:
    from libcoop.repository.stats import libraries_in_scope

    scope = libraries_in_scope(user)
    return scope is None or scope.exists()


def _review_queue_of(user: Any) -> QuerySet[Item]:
    """Items waiting for a review step the user may take (their library admin's, or all for
    a superuser)."""
    candidates = access.shown_items(user).filter(status__in=REVIEW_STATES)
    if access.is_trusted(user):
        return candidates
    profile = profile_of(user)
    if profile is None:
        return candidates.none()
    # May the user review an item of their own library? (Asked of the ability table with an
    # unsaved item of that library: review rights are per library, not per item.)
    if profile.institution_id is None or not can(
        user, "repository.review", Item(institution_id=profile.institution_id)
    ):
        return candidates.none()
    return candidates.filter(institution_id=profile.institution_id)


@login_required
def library_items(request: HttpRequest) -> HttpResponse:
    """A library's own items in every state (its staff; a superuser picks the library)."""
    institution = _deposit_library(request)
    if institution is None and _must_pick(request):
        return _pick_library(request)
    if institution is None:
        raise PermissionDenied(_("Only a library's staff see its items in every state."))
    items = Item.objects.filter(institution=institution).order_by("-updated", "-pk")
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        items = items.filter(status=status)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "repository/library_items.html",
        {
            "institution": institution,
            "page": page,
            "statuses": ItemStatus.choices,
            "status": status,
        },
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    items = _review_queue_of(request.user).select_related("institution").order_by("updated")
    return render(
        request,
        "repository/review_queue.html",
        {"items": list(items[:500]), "may_review": bool(items.exists())},
    )


# ---------------------------------------------------------------------------- deposit, edit


@login_required
@require_http_methods(["GET", "POST"])
def deposit(request: HttpRequest) -> HttpResponse:
    institution = _deposit_library(request)
    if institution is None and _must_pick(request):
        return _pick_library(request)
    if institution is None:
        raise PermissionDenied(_("Only a library's staff deposit items for it."))
    form = DepositForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = [services.Upload(f.name, f) for f in form.cleaned_data["documents"]]
        try:
            item = services.create_item(
                institution,
                form.metadata(),
                uploads,
                access=form.cleaned_data["access"],
                embargo_until=form.cleaned_data.get("embargo_until"),
                access_after_embargo=form.cleaned_data.get("access_after_embargo") or None,
                acting_user=request.user,
            )
        except ValidationError as exc:
            _error_to_form(form, exc)
        else:
            messages.success(request, _("Deposited as a draft. Submit it for review when ready."))
            return redirect("repository:item", pk=item.pk)
    return render(request, "repository/deposit.html", {"form": form, "institution": institution})


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    require(request.user, "repository.edit", item)
    if item.status == ItemStatus.WITHDRAWN:
        raise PermissionDenied(_("A withdrawn item cannot be changed."))
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.update_metadata(
                    item,
                    form.metadata(),
                    acting_user=request.user,
                    note=form.cleaned_data.get("note", ""),
                )
            except ValidationError as exc:
                _error_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("repository:item", pk=item.pk)
    else:
        form = EditForm(initial=MetadataForm.initial_for(item))
    return render(
        request,
        "repository/edit.html",
        {
            "item": item,
            "form": form,
            "access_form": AccessForm(initial=AccessForm.initial_for(item)),
            "file_form": FileForm(),
            "files": list(item.files.all()),
        },
    )


@login_required
@require_POST
def item_access(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    form = AccessForm(request.POST)
    if form.is_valid():
        try:
            services.change_access(
                item,
                access=form.cleaned_data["access"],
                embargo_until=form.cleaned_data.get("embargo_until"),
                access_after_embargo=form.cleaned_data.get("access_after_embargo") or None,
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Access saved."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("repository:item", pk=item.pk)


@login_required
@require_POST
def file_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    require(request.user, "repository.edit", item)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_file(
                item,
                services.Upload(upload.name, upload, form.cleaned_data.get("label", "")),
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File added."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("repository:item", pk=item.pk)


@login_required
@require_POST
def file_remove(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    item = _visible(request, pk)
    file = get_object_or_404(ItemFile, pk=file_pk, item=item)
    try:
        services.remove_file(file, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("File removed."))
    return redirect("repository:item", pk=item.pk)


@login_required
@require_POST
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _visible(request, pk)
    if action not in workflow.ACTIONS:
        raise Http404("No such action.")
    reason = request.POST.get("reason", "")
    if action == "withdraw":
        form = WithdrawForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        workflow.perform(
            item,
            action,
            acting_user=request.user,
            reason=reason,
            metadata_only=request.POST.get("metadata_only") == "1",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done: %(status)s.") % {"status": item.get_status_display()})
    return redirect("repository:item", pk=item.pk)


# ---------------------------------------------------------------------------- item page


def _access_note(item: Item) -> dict[str, Any]:
    level = access.effective_access(item)
    return {
        "level": level,
        "label": Access(level).label,
        "embargoed": level == Access.EMBARGO,
        "after": Access(item.access_after_embargo).label,
    }


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    user = request.user
    can_edit = can(user, "repository.edit", item) and item.status != ItemStatus.WITHDRAWN
    staff = access.is_own_staff(user, item)
    can_read = access.can_read_files(user, item)
    files = list(item.files.all())
    context: dict[str, Any] = {
        "item": item,
        "withdrawn": item.status == ItemStatus.WITHDRAWN,
        "can_edit": can_edit,
        "staff": staff,
        "can_read": can_read,
        "files": files,
        "thumbnail": next((f for f in files if f.thumbnail_sha256), None) if can_read else None,
        "access_note": _access_note(item),
        "language": LANGUAGE_NAMES.get(item.language, item.language),
        "advisors": [c["name"] for c in item.contributors if c.get("role") == "advisor"],
        "other_contributors": [
            (ROLE_NAMES.get(c.get("role", ""), c.get("role", "")), c["name"])
            for c in item.contributors
            if c.get("role") != "advisor"
        ],
        "identifiers": [
            (name, "; ".join(value) if isinstance(value, list) else str(value))
            for name, value in sorted(item.identifiers.items())
        ],
        "actions": workflow.available(item, user),
        "withdraw_form": WithdrawForm(),
        "citation_template": (
            CITATION_TEMPLATE
            if item.status == ItemStatus.PUBLISHED and _template_exists(CITATION_TEMPLATE)
            else ""
        ),
    }
    if staff:
        context["versions"] = services.versions(item)
        context["history"] = list(history_of(item)[:100])
    if item.status == ItemStatus.PUBLISHED:
        _count_use(request, item, kind="view")
    return render(request, "repository/item.html", context)


def _readable_file(request: HttpRequest, pk: int, file_pk: int) -> tuple[Item, ItemFile]:
    item = _visible(request, pk)
    file = get_object_or_404(ItemFile, pk=file_pk, item=item)
    if not access.can_read_files(request.user, item):
        raise PermissionDenied(_("You may not open this item's files."))
    return item, file


def _refused(request: HttpRequest, item: Item) -> HttpResponse:
    return render(
        request,
        "repository/file_refused.html",
        {"item": item, "access_note": _access_note(item)},
        status=403,
    )


def _serve(handle: Any, *, name: str, content_type: str, inline: bool) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=not inline, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _open(sha256: str) -> Any:
    from libcoop.repository import storage

    try:
        return storage.open_file(sha256)
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None


def file_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """The one way to a stored file: access checked, served as a download with ``nosniff``
    (a PDF or an image may be viewed in the browser with ``?inline=1``), counted."""
    try:
        item, file = _readable_file(request, pk, file_pk)
    except PermissionDenied:
        return _refused(request, _visible(request, pk))
    handle = _open(file.sha256)
    inline = request.GET.get("inline") == "1" and file.kind in ("pdf", "png", "jpeg", "gif")
    _count_use(request, item, file=file, kind="download")
    return _serve(
        handle,
        name=served_name(file.original_name, file.kind),
        content_type=file.content_type,
        inline=inline,
    )


def thumbnail(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """Page 1 of a file as a PNG: shown only to who may open the file (it shows its content)."""
    try:
        _item, file = _readable_file(request, pk, file_pk)
    except PermissionDenied:
        return _refused(request, _visible(request, pk))
    if not file.thumbnail_sha256:
        raise Http404("No thumbnail.")
    return _serve(
        _open(file.thumbnail_sha256),
        name=f"thumbnail-{file.pk}.png",
        content_type="image/png",
        inline=True,
    )
