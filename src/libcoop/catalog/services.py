"""Staff decisions on clusters: split a record out, move one record, merge two clusters. Each
is stored as ``ClusterOverride`` rows, so it survives re-imports and re-matching."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import record as audit
from libcoop.audit.services import user_of
from libcoop.catalog import bulk, index
from libcoop.catalog.abilities import ClusterMove
from libcoop.catalog.merged import refresh_clusters
from libcoop.catalog.models import (
    BibRecord,
    Cluster,
    ClusterOverride,
    MatchDecision,
    OverrideKind,
)
from libcoop.network.abilities import Actor, require


def _keep_apart(record: BibRecord, others: list[int], acting_user: Actor) -> None:
    """Staff decided *record* is not the same as *others*: keep them apart from now on (the
    newer decision replaces any "keep together" between them)."""
    ClusterOverride.objects.bulk_create(
        [
            ClusterOverride(
                kind=OverrideKind.KEEP_APART,
                record_a=record,
                record_b_id=other,
                created_by=user_of(acting_user),
            )
            for other in others
        ]
    )
    ClusterOverride.objects.filter(kind=OverrideKind.KEEP_TOGETHER).filter(
        Q(record_a=record, record_b_id__in=others) | Q(record_b=record, record_a_id__in=others)
    ).delete()


@transaction.atomic
def split_record(record: BibRecord, *, acting_user: Actor) -> Cluster:
    """Take *record* out of its cluster into a cluster of its own, and keep it apart."""
    bulk.lock_catalog_writes()
    record.refresh_from_db()  # as committed by the writer we may have waited for
    require(acting_user, "catalog.curate_record", record)
    if record.cluster_id is None or not record.active:
        raise ValidationError(_("Only an active record in a cluster can be split out."))
    old = record.cluster_id
    others = list(
        BibRecord.objects.filter(cluster_id=old, active=True)
        .exclude(pk=record.pk)
        .values_list("id", flat=True)
    )
    if not others:
        raise ValidationError(_("The record is already alone in its cluster."))
    _keep_apart(record, others, acting_user)
    cluster = Cluster.objects.create()
    record.cluster = cluster
    record.save(update_fields=["cluster"])
    MatchDecision.objects.create(
        record=record,
        cluster=cluster,
        rule="staff_split",
        key=f"cluster:{old}",
        acting_user=user_of(acting_user),
    )
    index.refresh(refresh_clusters({old, cluster.pk}))
    audit(
        AuditVerb.CATALOG_RECORD_SPLIT,
        record,
        acting_user=acting_user,
        institution_code=record.library.code,
        from_cluster=old,
        to_cluster=cluster.pk,
    )
    return cluster


def _join(
    moving: list[BibRecord], source: int, target: Cluster, *, acting_user: Actor
) -> list[int]:
    """Put *moving* (records of cluster *source*) into *target*, kept together from now on."""
    staying = list(BibRecord.objects.filter(cluster_id=target.pk, active=True))
    if not staying:
        raise ValidationError(_("The target cluster has no active records."))
    clash = {r.library_id for r in moving} & {r.library_id for r in staying}
    if clash:
        raise ValidationError(
            _(
                "Both clusters hold a record of the same library; a cluster never holds two "
                "records of one library. Split one of them out first."
            )
        )
    anchor = min(staying, key=lambda r: r.pk)
    moving_ids = [r.pk for r in moving]
    staying_ids = [r.pk for r in staying]
    # The newer staff decision replaces any earlier "keep apart" between the two sides.
    ClusterOverride.objects.filter(kind=OverrideKind.KEEP_APART).filter(
        Q(record_a_id__in=moving_ids, record_b_id__in=staying_ids)
        | Q(record_a_id__in=staying_ids, record_b_id__in=moving_ids)
    ).delete()
    ClusterOverride.objects.bulk_create(
        [
            ClusterOverride(
                kind=OverrideKind.KEEP_TOGETHER,
                record_a_id=r,
                record_b=anchor,
                created_by=user_of(acting_user),
            )
            for r in moving_ids
        ]
    )
    BibRecord.objects.filter(id__in=moving_ids).update(cluster=target)
    MatchDecision.objects.bulk_create(
        [
            MatchDecision(
                record_id=r,
                cluster=target,
                matched_record=anchor,
                rule="staff_merge",
                key=f"cluster:{source}",
                acting_user=user_of(acting_user),
            )
            for r in moving_ids
        ]
    )
    return moving_ids


def _joined(
    record: BibRecord,
    source: int,
    target: Cluster,
    moved: list[int],
    *,
    whole_cluster: bool,
    acting_user: Actor,
) -> Cluster:
    """After a move or a merge: both clusters' display and search documents, one audit entry."""
    index.refresh(refresh_clusters({source, target.pk}))
    audit(
        AuditVerb.CATALOG_CLUSTERS_MERGED,
        target,
        acting_user=acting_user,
        institution_code=record.library.code,
        merged_cluster=source,
        records=moved,
        whole_cluster=whole_cluster,
    )
    target.refresh_from_db()
    return target


@transaction.atomic
def move_record(record: BibRecord, target: Cluster, *, acting_user: Actor) -> Cluster:
    """Move *record* alone into *target* (its library's own decision: "our copy is this work");
    the records it leaves behind stay where they are, kept apart from it."""
    bulk.lock_catalog_writes()
    record.refresh_from_db()  # as committed by the writer we may have waited for
    require(acting_user, "catalog.curate_record", record)
    source = record.cluster_id
    if source is None or source == target.pk or not record.active:
        raise ValidationError(_("Choose an active record and a cluster other than its own."))
    left = list(
        BibRecord.objects.filter(cluster_id=source, active=True)
        .exclude(pk=record.pk)
        .values_list("id", flat=True)
    )
    moved = _join([record], source, target, acting_user=acting_user)
    _keep_apart(record, left, acting_user)
    return _joined(record, source, target, moved, whole_cluster=False, acting_user=acting_user)


@transaction.atomic
def merge_clusters(record: BibRecord, target: Cluster, *, acting_user: Actor) -> Cluster:
    """Move *record*'s whole cluster into *target* and keep them together from now on.

    Every record that moves must be the actor's to move (``catalog.merge_clusters``): a
    library's staff merge a cluster of their own library's records only; a cluster with other
    libraries' records needs a coordinator of a network they all belong to."""
    bulk.lock_catalog_writes()
    record.refresh_from_db()  # as committed by the writer we may have waited for
    source = record.cluster_id
    if source is None or source == target.pk:
        raise ValidationError(_("Choose a record in another cluster."))
    moving = list(BibRecord.objects.filter(cluster_id=source, active=True))
    require(
        acting_user,
        "catalog.merge_clusters",
        ClusterMove(frozenset(r.library_id for r in moving)),
    )
    moved = _join(moving, source, target, acting_user=acting_user)
    return _joined(record, source, target, moved, whole_cluster=True, acting_user=acting_user)
