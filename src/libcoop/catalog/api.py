"""Union catalog endpoints: search and clusters (public), imports (token, own library)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from libcoop.catalog.ingest import import_deletes, import_file
from libcoop.catalog.models import BibRecord, Cluster, ImportJob
from libcoop.catalog.search import FIELDS, search
from libcoop.core.auth import TokenAuth
from libcoop.network.models import Institution

router = Router(tags=["union catalog"])


class Error(Schema):
    detail: str


class HitOut(Schema):
    id: int
    title: str
    author: str
    year: int | None
    format: str
    held_by: int
    score: float
    word_hit: bool
    local_ids: dict[str, list[str]]


class SearchOut(Schema):
    query: str
    total: int
    page: int
    hits: list[HitOut]
    facets: dict[str, list[tuple[str, int]]]


class RecordOut(Schema):
    library: str
    local_id: str
    title: str
    holdings: list[dict[str, str]]


class ClusterOut(Schema):
    id: int
    active: bool
    title: str
    author: str
    year: int | None
    format: str
    language: str
    library_count: int
    isbns: list[str]
    records: list[RecordOut]


class ProblemOut(Schema):
    position: int
    offset: int
    local_id: str
    reason: str
    message: str


class JobOut(Schema):
    id: int
    library: str
    source_name: str
    status: str
    added: int
    updated: int
    unchanged: int
    deleted: int
    rejected: int
    problems: list[ProblemOut]


@router.get("/catalog/search", response={200: SearchOut, 400: Error})
def search_endpoint(
    request: HttpRequest,
    q: str = "",
    field: str | None = None,
    library: str | None = None,
    format: str | None = None,
    language: str | None = None,
    network: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    sort: str = "relevance",
    page: int = 1,
) -> Any:
    if field is not None and field not in FIELDS:
        return Status(400, {"detail": f"field must be one of: {', '.join(FIELDS)}"})
    filters = {
        k: v
        for k, v in {
            "library": library,
            "format": format,
            "language": language,
            "network": network,
            "year_from": year_from,
            "year_to": year_to,
        }.items()
        if v not in (None, "")
    }
    result = search(q, field=field, filters=filters, sort=sort, page=page)
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "hits": [h.as_json() for h in result.hits],
        "facets": result.facets,
    }


@router.get("/catalog/clusters/{pk}", response={200: ClusterOut, 404: Error})
def cluster_endpoint(request: HttpRequest, pk: int) -> Any:
    cluster = get_object_or_404(Cluster, pk=pk)
    records = (
        BibRecord.objects.filter(cluster=cluster, active=True)
        .select_related("library")
        .prefetch_related("holdings")
        .order_by("library__code", "local_id")
    )
    return {
        "id": cluster.pk,
        "active": cluster.active,
        "title": cluster.title,
        "author": cluster.author,
        "year": cluster.year,
        "format": cluster.format,
        "language": cluster.language,
        "library_count": cluster.library_count,
        "isbns": cluster.merged.get("isbns", []),
        "records": [
            {
                "library": r.library.code,
                "local_id": r.local_id,
                "title": r.title,
                "holdings": [
                    {"location": h.location, "call_number": h.call_number} for h in r.holdings.all()
                ],
            }
            for r in records
        ],
    }


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "library": job.library.code,
        "source_name": job.source_name,
        "status": job.status,
        "added": job.added,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "deleted": job.deleted,
        "rejected": job.rejected,
        "problems": list(
            job.problems.values("position", "offset", "local_id", "reason", "message")[:1000]
        ),
    }


@router.post(
    "/catalog/imports",
    auth=TokenAuth(),
    response={201: JobOut, 401: Error, 403: Error, 404: Error},
)
def import_endpoint(
    request: HttpRequest,
    library: Form[str],
    file: File[UploadedFile],
    kind: Form[str] = "records",
) -> Any:
    """Import a MARC file (or a delete list) for *library*; runs to completion, returns counts."""
    institution = get_object_or_404(Institution, code=library)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        with open(path, "wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        loader = import_deletes if kind == "deletes" else import_file
        job = loader(path, institution, acting_user=request.user)
    job.source_name = (file.name or "upload")[:300]
    job.save(update_fields=["source_name"])
    return Status(201, _job_out(job))


@router.get("/catalog/imports/{pk}", auth=TokenAuth(), response={200: JobOut, 404: Error})
def job_endpoint(request: HttpRequest, pk: int) -> Any:
    job = get_object_or_404(ImportJob.objects.select_related("library"), pk=pk)
    profile = getattr(request.user, "staff_profile", None)
    if not request.user.is_superuser and (
        profile is None or profile.institution_id != job.library_id
    ):
        return Status(404, {"detail": "Not found."})
    return _job_out(job)
