"""Union catalog pages: search, cluster, import with progress. Thin: parse, check, call."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libcoop.catalog import services
from libcoop.catalog.export import record_from_json
from libcoop.catalog.forms import ImportForm, MergeForm
from libcoop.catalog.models import BibRecord, Cluster, Holding, ImportJob, MatchDecision
from libcoop.catalog.search import FIELDS, search
from libcoop.catalog.tasks import run_import
from libcoop.network.abilities import can, profile_of, require

FILTERS = ("library", "format", "language", "year_from", "year_to", "network")


def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    field = request.GET.get("field") or None
    if field not in FIELDS:
        field = None
    filters = {k: request.GET[k] for k in FILTERS if request.GET.get(k)}
    for key in ("year_from", "year_to"):
        if key in filters and not filters[key].isdigit():
            filters.pop(key)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    sort = request.GET.get("sort", "relevance")
    result = (
        search(q, field=field, filters=filters, sort=sort, page=page) if (q or filters) else None
    )
    return render(
        request,
        "catalog/search.html",
        {"q": q, "field": field or "", "filters": filters, "sort": sort, "result": result},
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
    curatable = {r.pk for r in records if can(request.user, "catalog.curate_record", r)}
    return render(
        request,
        "catalog/cluster.html",
        {
            "cluster": cluster,
            "records": records,
            "curatable": curatable,
            "multi": len(records) > 1,
            "merge_form": MergeForm(),
        },
    )


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


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(BibRecord.objects.select_related("library"), pk=pk)
    require(request.user, "catalog.curate_record", record)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return redirect("catalog:cluster", pk=record.cluster_id)
    target = get_object_or_404(Cluster, pk=form.cleaned_data["target"], active=True)
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
        upload = form.cleaned_data["file"]
        folder = Path(settings.MEDIA_ROOT) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        # A name of our own: the uploaded name never becomes a path.
        path = folder / f"{uuid.uuid4().hex}.upload"
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        job = ImportJob.objects.create(
            library=library,
            source_name=Path(upload.name).name[:300],
            kind=form.cleaned_data["kind"],
            created_by=request.user if isinstance(request.user, User) else None,
            bytes_total=path.stat().st_size,
        )
        run_import.enqueue(job.pk, str(path), request.user.pk)
        return redirect("catalog:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(library=library)[:20]
    return render(request, "catalog/import.html", {"form": form, "jobs": jobs, "library": library})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("library"), pk=pk)
    # A job belongs to its library: another library's staff get a 404, not a hint.
    profile = profile_of(request.user)
    if not request.user.is_superuser and (
        profile is None or profile.institution_id != job.library_id
    ):
        return render(request, "404.html", status=404)
    template = (
        "catalog/_job_status.html" if request.headers.get("HX-Request") else "catalog/job.html"
    )
    return render(request, template, {"job": job, "problems": job.problems.all()[:500]})
