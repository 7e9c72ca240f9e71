"""Outreach services: every change to programmes, activities, photos and follow-up notes.

Each function takes ``acting_user`` (keyword-only), checks a named ability, runs in one
transaction and writes one audit event, so pages, the API and the demo loader share the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from libcoop.audit.models import AuditVerb
from libcoop.audit.services import apply_changes, record, user_of
from libcoop.core import attachments
from libcoop.core.dates import PartialDate
from libcoop.network.abilities import Actor, profile_of, require
from libcoop.network.models import Institution, InstitutionKind, Network, StaffRole
from libcoop.outreach.models import (
    Activity,
    ActivityPhoto,
    ActivityType,
    FollowUpNote,
    Programme,
)

PROGRAMME_EDITABLE = (
    "name_th",
    "name_en",
    "network",
    "objectives_th",
    "objectives_en",
    "start_year",
)
ACTIVITY_TEXT = (
    "title_th",
    "title_en",
    "materials_donated_th",
    "materials_donated_en",
    "objectives_th",
    "objectives_en",
    "description_th",
    "description_en",
    "outcomes_th",
    "outcomes_en",
    "follow_up_th",
    "follow_up_en",
)
ACTIVITY_EDITABLE = (
    *ACTIVITY_TEXT,
    "activity_type",
    "pupils",
    "teachers",
    "staff",
    "illustrative",
)


def _check_schools(schools: Iterable[Institution]) -> list[Institution]:
    schools = list(schools)
    not_schools = [s.code for s in schools if s.kind != InstitutionKind.SCHOOL]
    if not_schools:
        raise ValidationError(
            f"Outreach activities take place at schools; not a school: {', '.join(not_schools)}"
        )
    return schools


def _check_type(activity_type: str) -> None:
    if activity_type not in ActivityType.values:
        raise ValidationError(f"Unknown activity type: {activity_type!r}")


@transaction.atomic
def create_programme(
    run_by: Institution,
    *,
    code: str,
    name_th: str = "",
    name_en: str = "",
    network: Network | None = None,
    objectives_th: str = "",
    objectives_en: str = "",
    start_year: int | None = None,
    acting_user: Actor,
) -> Programme:
    require(acting_user, "outreach.create_programme", run_by)
    programme = Programme(
        code=code,
        name_th=name_th,
        name_en=name_en,
        run_by=run_by,
        network=network,
        objectives_th=objectives_th,
        objectives_en=objectives_en,
        start_year=start_year,
    )
    programme.full_clean()
    programme.save()
    record(
        AuditVerb.PROGRAMME_CREATED,
        programme,
        acting_user=acting_user,
        institution_code=run_by.code,
        code=code,
        network=network.code if network else None,
    )
    return programme


@transaction.atomic
def update_programme(
    programme: Programme, *, acting_user: Actor, **changes: Any
) -> dict[str, list[Any]]:
    require(acting_user, "outreach.edit_programme", programme)
    diff = apply_changes(programme, changes, PROGRAMME_EDITABLE)
    if diff:
        programme.full_clean()
        programme.save()
        record(
            AuditVerb.PROGRAMME_CHANGED,
            programme,
            acting_user=acting_user,
            institution_code=programme.run_by.code,
            changes=diff,
        )
    return diff


@transaction.atomic
def create_activity(
    programme: Programme,
    *,
    title_th: str = "",
    title_en: str = "",
    activity_type: str,
    date: PartialDate,
    schools: Iterable[Institution] = (),
    pupils: int | None = None,
    teachers: int | None = None,
    staff: int | None = None,
    acting_user: Actor,
    **texts: Any,
) -> Activity:
    """Record an activity of *programme*; *texts* are the other bilingual text fields."""
    require(acting_user, "outreach.add_activity", programme)
    unknown = set(texts) - set(ACTIVITY_TEXT) - {"illustrative"}
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    _check_type(activity_type)
    school_list = _check_schools(schools)
    activity = Activity(
        programme=programme,
        title_th=title_th,
        title_en=title_en,
        activity_type=activity_type,
        date=date.date,
        precision=date.precision,
        pupils=pupils,
        teachers=teachers,
        staff=staff,
        created_by=user_of(acting_user),
        **texts,
    )
    activity.full_clean()
    activity.save()
    activity.schools.set(school_list)
    record(
        AuditVerb.ACTIVITY_CREATED,
        activity,
        acting_user=acting_user,
        institution_code=programme.run_by.code,
        programme=programme.code,
        activity_type=activity_type,
        date=str(date),
        schools=sorted(s.code for s in school_list),
        pupils=pupils,
        teachers=teachers,
        staff=staff,
    )
    return activity


@transaction.atomic
def update_activity(
    activity: Activity,
    *,
    acting_user: Actor,
    date: PartialDate | None = None,
    schools: Iterable[Institution] | None = None,
    **changes: Any,
) -> dict[str, list[Any]]:
    """Change an activity; returns the changed fields as [old, new]."""
    require(acting_user, "outreach.edit_activity", activity)
    if "activity_type" in changes:
        _check_type(changes["activity_type"])
    diff = apply_changes(activity, changes, ACTIVITY_EDITABLE)
    if date is not None and (activity.date, activity.precision) != (date.date, date.precision):
        old = str(PartialDate(activity.date, activity.precision))  # type: ignore[arg-type]
        activity.date, activity.precision = date.date, date.precision
        diff["date"] = [old, str(date)]
    if schools is not None:
        new_schools = _check_schools(schools)
        old_codes = sorted(s.code for s in activity.schools.all())
        new_codes = sorted(s.code for s in new_schools)
        if old_codes != new_codes:
            activity.schools.set(new_schools)
            diff["schools"] = [old_codes, new_codes]
    if diff:
        activity.full_clean()
        activity.save()
        record(
            AuditVerb.ACTIVITY_CHANGED,
            activity,
            acting_user=acting_user,
            institution_code=activity.programme.run_by.code,
            changes=diff,
        )
    return diff


@transaction.atomic
def remove_activity(activity: Activity, *, acting_user: Actor) -> None:
    """Delete an activity with its notes and photos (the photo files too)."""
    require(acting_user, "outreach.edit_activity", activity)
    record(
        AuditVerb.ACTIVITY_REMOVED,
        activity,
        acting_user=acting_user,
        institution_code=activity.programme.run_by.code,
        title=activity.title,
        date=activity.date.isoformat(),
        photos=activity.photos.count(),
        notes=activity.notes.count(),
    )
    photos = list(activity.photos.select_related("attachment"))
    activity.delete()
    for photo in photos:
        attachments.remove(photo.attachment, acting_user=acting_user)


def _acting_for(user: Actor, activity: Activity) -> Institution:
    """Whose file or note this is: a school contact's school, otherwise the running library."""
    profile = profile_of(user)
    if profile is not None and profile.role == StaffRole.SCHOOL_CONTACT:
        return profile.institution
    return activity.programme.run_by


@transaction.atomic
def add_photo(
    activity: Activity,
    upload: IO[bytes] | Iterable[bytes],
    *,
    name: str,
    caption_th: str = "",
    caption_en: str = "",
    acting_user: Actor,
) -> ActivityPhoto:
    """Attach an image (PNG, JPEG, GIF, WebP; sniffed from the bytes) to *activity*."""
    require(acting_user, "outreach.add_photo", activity)
    owner = _acting_for(acting_user, activity)
    attachment = attachments.store_upload(
        upload,
        name=name,
        acting_user=acting_user,
        institution=owner,
        allowed=attachments.IMAGES,
    )
    photo = ActivityPhoto.objects.create(
        activity=activity,
        attachment=attachment,
        caption_th=caption_th,
        caption_en=caption_en,
        added_by=user_of(acting_user),
    )
    record(
        AuditVerb.ACTIVITY_PHOTO_ADDED,
        activity,
        acting_user=acting_user,
        institution_code=owner.code,
        photo=photo.pk,
        attachment=attachment.pk,
        name=attachment.original_name,
    )
    return photo


@transaction.atomic
def add_follow_up(activity: Activity, *, text: str, acting_user: Actor) -> FollowUpNote:
    """A follow-up note on *activity* by its library or by a school it was held at."""
    require(acting_user, "outreach.add_follow_up", activity)
    text = text.strip()
    if not text:
        raise ValidationError("The note is empty.")
    profile = profile_of(acting_user)
    school = (
        profile.institution
        if profile is not None and profile.role == StaffRole.SCHOOL_CONTACT
        else None
    )
    note = FollowUpNote.objects.create(
        activity=activity,
        school=school,
        text=text,
        author=user_of(acting_user),
    )
    record(
        AuditVerb.ACTIVITY_FOLLOW_UP_ADDED,
        activity,
        acting_user=acting_user,
        institution_code=_acting_for(acting_user, activity).code,
        note=note.pk,
        school=school.code if school else None,
    )
    return note
