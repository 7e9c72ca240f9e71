"""Union catalog endpoints: search and clusters (public), imports (token, own library)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from libcoop.catalog import works
from libcoop.catalog.attention import flagged_count
from libcoop.catalog.holdings import holdings_by_record
from libcoop.catalog.models import BibRecord, Cluster, Holding, ImportJob
from libcoop.catalog.search import FIELDS, search
from libcoop.catalog.services import merge_clusters, move_record, split_record
from libcoop.catalog.uploads import queue_import
from libcoop.core.api import Error, Id, PageNumber, Year, token_auth
from libcoop.network.abilities import can
from libcoop.network.models import Institution

router = Router(tags=["union catalog"])


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
    other_editions: int = Field(0, description="other clusters (editions) of the same work")


class SearchOut(Schema):
    query: str
    total: int
    page: int
    hits: list[HitOut]
    facets: dict[str, list[tuple[str, int]]]


class HoldingOut(Schema):
    location: str
    call_number: str
    opac_url: str | None = Field(
        None, description="the item in the library's own OPAC (from its link template)"
    )
    availability: str = Field(
        "unknown", description="unknown (no live status), available, on_loan, not_for_loan, missing"
    )


class RecordOut(Schema):
    library: str
    local_id: str
    title: str
    holdings: list[HoldingOut]


class EditionOut(Schema):
    id: int
    title: str
    year: int | None
    format: str
    language: str
    library_count: int


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
    work_key: str = Field(
        description="normalised title and main author; clusters sharing it are one work"
    )
    other_editions: list[EditionOut] = Field(
        description=f"the work's other active clusters (newest first, at most "
        f"{works.EDITIONS_SHOWN}); their holdings are their own"
    )


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
    flagged: int = Field(
        description="records loaded with local damage repaired, listed for the library to fix"
    )
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
    year_from: Year | None = None,
    year_to: Year | None = None,
    sort: str = "relevance",
    page: PageNumber = 1,
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
    editions = works.other_edition_counts(h.cluster_id for h in result.hits)
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "hits": [
            {**h.as_json(), "other_editions": editions.get(h.cluster_id, 0)} for h in result.hits
        ],
        "facets": result.facets,
    }


@router.get("/catalog/clusters/{pk}", response={200: ClusterOut, 404: Error})
def cluster_endpoint(request: HttpRequest, pk: int) -> Any:
    cluster = get_object_or_404(Cluster, pk=pk)
    records = (
        BibRecord.objects.filter(cluster=cluster, active=True)
        .select_related("library")
        .prefetch_related(Prefetch("holdings", queryset=Holding.objects.order_by("id")))
        .order_by("library__code", "local_id")
    )
    shelves = holdings_by_record(records)
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
        "work_key": cluster.work_key,
        "other_editions": list(
            works.other_editions(cluster).values(
                "id", "title", "year", "format", "language", "library_count"
            )[: works.EDITIONS_SHOWN]
        ),
        "records": [
            {
                "library": r.library.code,
                "local_id": r.local_id,
                "title": r.title,
                "holdings": [h.as_json() for h in shelves[r.pk]],
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
        "flagged": flagged_count(job),
        "problems": list(
            job.problems.values("position", "offset", "local_id", "reason", "message")[:1000]
        ),
    }


@router.post(
    "/catalog/imports",
    auth=token_auth,
    response={202: JobOut, 401: Error, 403: Error, 404: Error},
)
def import_endpoint(
    request: HttpRequest,
    response: HttpResponse,
    library: Form[str],
    file: File[UploadedFile],
    kind: Form[str] = "records",
) -> Any:
    """Queue a MARC file (or a delete list) for *library*: 202 with the job, whose state
    `GET /api/catalog/imports/{id}` (the Location header) follows until it is done or failed.
    The import runs in a worker, so it survives a restart of the web server."""
    institution = get_object_or_404(Institution, code=library)
    job = queue_import(institution, file, kind, acting_user=request.user)
    job.refresh_from_db()
    response["Location"] = f"/api/catalog/imports/{job.pk}"
    return Status(202, _job_out(job))


@router.get(
    "/catalog/imports/{pk}", auth=token_auth, response={200: JobOut, 401: Error, 404: Error}
)
def job_endpoint(request: HttpRequest, pk: int) -> Any:
    job = get_object_or_404(ImportJob.objects.select_related("library"), pk=pk)
    # The same rule as the job page: the library's catalog staff only; others get a 404.
    if not can(request.user, "catalog.view_import", job.library):
        return Status(404, {"detail": _("Not found.")})
    return _job_out(job)


class TargetIn(Schema):
    target: Id = Field(..., description="id of the cluster to move into")


class ClusterRef(Schema):
    cluster: int


def _active_cluster(pk: int) -> Cluster:
    return get_object_or_404(Cluster, pk=pk, active=True)


@router.post(
    "/catalog/records/{pk}/split",
    auth=token_auth,
    response={200: ClusterRef, 400: Error, 401: Error, 403: Error, 404: Error},
)
def split_endpoint(request: HttpRequest, pk: int) -> Any:
    """Take the record out of its cluster into one of its own (its library's staff, or a
    coordinator of a network the library belongs to)."""
    record = get_object_or_404(BibRecord, pk=pk)
    return {"cluster": split_record(record, acting_user=request.user).pk}


@router.post(
    "/catalog/records/{pk}/move",
    auth=token_auth,
    response={200: ClusterRef, 400: Error, 401: Error, 403: Error, 404: Error},
)
def move_endpoint(request: HttpRequest, pk: int, payload: TargetIn) -> Any:
    """Move this record alone into the target cluster; the rest of its cluster stays."""
    record = get_object_or_404(BibRecord, pk=pk)
    target = _active_cluster(payload.target)
    return {"cluster": move_record(record, target, acting_user=request.user).pk}


@router.post(
    "/catalog/records/{pk}/merge",
    auth=token_auth,
    response={200: ClusterRef, 400: Error, 401: Error, 403: Error, 404: Error},
)
def merge_endpoint(request: HttpRequest, pk: int, payload: TargetIn) -> Any:
    """Merge the record's whole cluster into the target: allowed only when every record that
    moves is the token owner's to move (see docs/security.md)."""
    record = get_object_or_404(BibRecord, pk=pk)
    target = _active_cluster(payload.target)
    return {"cluster": merge_clusters(record, target, acting_user=request.user).pk}
