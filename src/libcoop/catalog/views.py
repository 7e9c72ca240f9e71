"""Union catalog pages: search, cluster, import with progress. Thin: parse, check, call."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libcoop.catalog import import_report, result_export, searchstate, services, works
from libcoop.catalog.abilities import ClusterMove
from libcoop.catalog.export import record_from_json
from libcoop.catalog.forms import ImportForm, MergeForm
from libcoop.catalog.holdings import holdings_by_record
from libcoop.catalog.models import BibRecord, Cluster, Holding, ImportJob, MatchDecision
from libcoop.catalog.search import FIELDS, search
from libcoop.catalog.uploads import queue_import
from libcoop.core.years import year_param
from libcoop.network.abilities import can, profile_of, require

FILTERS = ("library", "format", "language", "year_from", "year_to", "network")
PAGE_RE = re.compile(r"[0-9]{1,7}")
MAX_PAGE = 1_000_000
OTHER_EDITIONS_SHOWN = 5  # on a cluster's page; the rest on the work's editions page


def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    field = request.GET.get("field") or None
    if field not in FIELDS:
        field = None
    filters: dict[str, Any] = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
    for key in ("year_from", "year_to"):
        # B.E. or C.E. by the calendar rule (core.years), searched as C.E.; a year that cannot
        # be read is left off, and the page says why.
        if key in filters:
            year, problem = year_param(filters.pop(key), minimum=1000, maximum=9999)
            if year is not None:
                filters[key] = year
            elif problem:
                messages.warning(request, problem)
    page_text = request.GET.get("page", "1")
    page = min(int(page_text), MAX_PAGE) if PAGE_RE.fullmatch(page_text) else 1
    page = max(1, page)
    sort = request.GET.get("sort", "relevance")
    export_kind = request.GET.get("export")
    if export_kind in result_export.FORMATS and (q or filters):
        return result_export.export(
            request, export_kind, q, field=field, filters=filters, sort=sort
        )
    result = (
        search(q, field=field, filters=filters, sort=sort, page=page) if (q or filters) else None
    )
    if result and result.total and not result.hits:
        # Past the end (an old link, a typed number): the last page, not an empty one.
        page = searchstate.last_page(result.total, result.per_page)
        result = search(q, field=field, filters=filters, sort=sort, page=page)
    editions = works.other_edition_counts(h.cluster_id for h in result.hits) if result else {}
    return render(
        request,
        "catalog/search.html",
        {
            "q": q,
            "field": field or "",
            "filters": filters,
            "sort": sort,
            "result": result,
            "editions": editions,
            **searchstate.page_context(request.GET, filters, result),
        },
    )


def cluster_page(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    records = list(
        BibRecord.objects.filter(cluster=cluster, active=True)
        .select_related("library")
        .prefetch_related(
            Prefetch("holdings", queryset=Holding.objects.order_by("id")),
            Prefetch(
                "decisions",
                queryset=MatchDecision.objects.filter(cluster=cluster).select_related(
                    "matched_record__library"
                ),
            ),
        )
        .order_by("library__code", "local_id")
    )
    shelves = holdings_by_record(records)
    for r in records:
        r.shelf = shelves[r.pk]  # type: ignore[attr-defined]  # the holdings as shown
    curatable = {r.pk for r in records if can(request.user, "catalog.curate_record", r)}
    mergeable = bool(records) and can(
        request.user,
        "catalog.merge_clusters",
        ClusterMove(frozenset(r.library_id for r in records)),
    )
    others = works.other_editions(cluster)
    shown = list(others[:OTHER_EDITIONS_SHOWN])
    return render(
        request,
        "catalog/cluster.html",
        {
            "cluster": cluster,
            "other_editions": _with_statements(shown),
            "other_count": len(shown) if len(shown) < OTHER_EDITIONS_SHOWN else others.count(),
            "records": records,
            "curatable": curatable,
            "mergeable": mergeable,
            "multi": len(records) > 1,
            "merge_form": MergeForm(),
        },
    )


def editions_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every edition (cluster) of the work *pk* belongs to, each with its own holdings."""
    cluster = get_object_or_404(Cluster, pk=pk)
    editions = works.editions_of(cluster)
    return render(
        request,
        "catalog/editions.html",
        {
            "cluster": cluster,
            "editions": _with_statements(list(editions[: works.EDITIONS_SHOWN])),
            "total": editions.count(),
        },
    )


def _with_statements(clusters: list[Cluster]) -> list[tuple[Cluster, str]]:
    """Each cluster with its edition statement ("" if it has none)."""
    statements = works.edition_statements(clusters)
    return [(c, statements.get(c.pk, "")) for c in clusters]


def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(BibRecord.objects.select_related("library"), pk=pk)
    text = str(record_from_json(record.marc))
    return render(request, "catalog/record.html", {"record": record, "marc_text": text})


@login_required
@require_POST
def split(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(BibRecord.objects.select_related("library"), pk=pk)
    require(request.user, "catalog.curate_record", record)
    try:
        cluster = services.split_record(record, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalog:cluster", pk=record.cluster_id)
    messages.success(request, _("The record now has a cluster of its own."))
    return redirect("catalog:cluster", pk=cluster.pk)


def _target(request: HttpRequest, back: int | None) -> Cluster | HttpResponse:
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect("catalog:cluster", pk=back) if back else redirect("catalog:search")
    return get_object_or_404(Cluster, pk=form.cleaned_data["target"], active=True)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one record (of the user's own library, or of a member they coordinate) into
    another cluster; the rest of its cluster stays."""
    record = get_object_or_404(BibRecord.objects.select_related("library"), pk=pk)
    require(request.user, "catalog.curate_record", record)
    target = _target(request, record.cluster_id)
    if isinstance(target, HttpResponse):
        return target
    try:
        services.move_record(record, target, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalog:cluster", pk=record.cluster_id)
    messages.success(request, _("The record was moved."))
    return redirect("catalog:cluster", pk=target.pk)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge record *pk*'s whole cluster into another: every record that moves must be the
    user's to move (``catalog.merge_clusters``), not only record *pk*."""
    record = get_object_or_404(BibRecord.objects.select_related("library"), pk=pk)
    target = _target(request, record.cluster_id)
    if isinstance(target, HttpResponse):
        return target
    try:
        services.merge_clusters(record, target, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalog:cluster", pk=record.cluster_id)
    messages.success(request, _("Clusters merged."))
    return redirect("catalog:cluster", pk=target.pk)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    if profile is None or not can(request.user, "catalog.import", profile.institution):
        return render(request, "403.html", status=403)
    library = profile.institution
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = queue_import(
            library,
            form.cleaned_data["file"],
            form.cleaned_data["kind"],
            acting_user=request.user,
        )
        return redirect("catalog:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(library=library)[:20]
    return render(request, "catalog/import.html", {"form": form, "jobs": jobs, "library": library})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("library"), pk=pk)
    # A job and its problem report belong to its library's catalog staff: anyone else gets
    # the same 404 as for a job that does not exist (no hint that the id is in use).
    if not can(request.user, "catalog.view_import", job.library):
        raise Http404
    template = (
        "catalog/_job_status.html" if request.headers.get("HX-Request") else "catalog/job.html"
    )
    return render(
        request,
        template,
        {
            "job": job,
            "problems": import_report.rows(job, limit=500),
            "place_label": import_report.place_label(job),
            "job_message": import_report.job_message(job),
        },
    )
