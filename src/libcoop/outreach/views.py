"""Outreach pages: parse, check access, call a service, render."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from libcoop.core import attachments
from libcoop.network.abilities import can, profile_of, require
from libcoop.network.models import Institution
from libcoop.outreach import services
from libcoop.outreach.access import (
    get_activity_for,
    my_activities,
    school_of,
    visible_activities,
    visible_programmes,
)
from libcoop.outreach.charts import activities_per_year_svg
from libcoop.outreach.forms import ActivityForm, FollowUpForm, PhotoForm, ProgrammeForm
from libcoop.outreach.models import ActivityPhoto, Programme
from libcoop.outreach.queries import reach_of_activities


def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = list(visible_programmes(request.user))
    activities = visible_activities(request.user)
    rows = [(p, reach_of_activities(activities.filter(programme=p))) for p in programmes]
    profile = profile_of(request.user)
    return render(
        request,
        "outreach/programme_list.html",
        {
            "rows": rows,
            "can_create": profile is not None
            and can(request.user, "outreach.create_programme", profile.institution),
            "is_school_contact": school_of(request.user) is not None,
        },
    )


def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = get_object_or_404(visible_programmes(request.user), code=code)
    activities = list(visible_activities(request.user).filter(programme=programme))
    years = [(y, list(group)) for y, group in groupby(activities, key=lambda a: a.date.year)]
    return render(
        request,
        "outreach/programme_detail.html",
        {
            "programme": programme,
            "years": years,
            "reach": reach_of_activities(
                visible_activities(request.user).filter(programme=programme)
            ),
            "unknown_pupils": sum(1 for a in activities if a.pupils is None),
            "chart": activities_per_year_svg(activities),
            "can_add": can(request.user, "outreach.add_activity", programme),
            "can_edit": can(request.user, "outreach.edit_programme", programme),
        },
    )


def _my_institution(request: HttpRequest) -> Institution:
    profile = profile_of(request.user)
    if profile is None:
        raise PermissionDenied(_("Only library staff start outreach programmes."))
    return profile.institution


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    institution = _my_institution(request)
    require(request.user, "outreach.create_programme", institution)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(
                institution, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(programme.get_absolute_url())
    return render(request, "outreach/programme_form.html", {"form": form, "programme": None})


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, code: str) -> HttpResponse:
    programme = get_object_or_404(Programme, code=code)
    require(request.user, "outreach.edit_programme", programme)
    if request.method == "POST":
        form = ProgrammeForm(request.POST)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            changes.pop("code")
            try:
                services.update_programme(programme, acting_user=request.user, **changes)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(programme.get_absolute_url())
    else:
        form = ProgrammeForm(initial=ProgrammeForm.initial_for(programme))
    form.fields["code"].disabled = True
    return render(request, "outreach/programme_form.html", {"form": form, "programme": programme})


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    read_notes = can(request.user, "outreach.read_follow_up", activity)
    return render(
        request,
        "outreach/activity_detail.html",
        {
            "activity": activity,
            "schools": list(activity.schools.select_related("province")),
            "photos": list(activity.photos.select_related("attachment")),
            "notes": list(activity.notes.select_related("school", "author")) if read_notes else [],
            "read_notes": read_notes,
            "can_edit": can(request.user, "outreach.edit_activity", activity),
            "can_photo": can(request.user, "outreach.add_photo", activity),
            "can_follow_up": can(request.user, "outreach.add_follow_up", activity),
            "follow_up_form": FollowUpForm(),
        },
    )


def _programmes_for(request: HttpRequest) -> list[Programme]:
    return [
        p
        for p in Programme.objects.select_related("run_by", "network").order_by("code")
        if can(request.user, "outreach.add_activity", p)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    allowed = _programmes_for(request)
    if not allowed:
        raise PermissionDenied(_("You cannot add activities to any outreach programme."))
    queryset = Programme.objects.filter(pk__in=[p.pk for p in allowed]).order_by("code")
    if request.method == "POST":
        # Any programme parses; the service refuses one the user does not run (403).
        form = ActivityForm(request.POST, programmes=Programme.objects.all())
        if form.is_valid():
            try:
                activity = services.create_activity(
                    form.cleaned_data["programme"],
                    acting_user=request.user,
                    **form.service_kwargs(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Activity saved."))
                return redirect(activity.get_absolute_url())
    else:
        wanted = request.GET.get("programme")
        initial = {
            "programme": wanted if wanted else (allowed[0].code if len(allowed) == 1 else None)
        }
        form = ActivityForm(initial=initial, programmes=queryset)
    return render(request, "outreach/activity_form.html", {"form": form, "activity": None})


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    require(request.user, "outreach.edit_activity", activity)
    programmes = Programme.objects.filter(pk=activity.programme_id)
    if request.method == "POST":
        data = request.POST.copy()
        data["programme"] = activity.programme.code  # an activity stays in its programme
        form = ActivityForm(data, programmes=programmes)
        if form.is_valid():
            try:
                services.update_activity(
                    activity, acting_user=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Activity saved."))
                return redirect(activity.get_absolute_url())
    else:
        form = ActivityForm(initial=ActivityForm.initial_for(activity), programmes=programmes)
    form.fields["programme"].disabled = True
    return render(request, "outreach/activity_form.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    programme = activity.programme
    services.remove_activity(activity, acting_user=request.user)
    messages.success(request, _("Activity removed."))
    return redirect(programme.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    require(request.user, "outreach.add_photo", activity)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            services.add_photo(
                activity,
                upload,
                name=upload.name or "",
                caption_th=form.cleaned_data["caption_th"],
                caption_en=form.cleaned_data["caption_en"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error("photo", exc)
        else:
            messages.success(request, _("Photo added."))
            return redirect(activity.get_absolute_url())
    return render(request, "outreach/photo_form.html", {"form": form, "activity": activity})


def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(ActivityPhoto.objects.select_related("attachment"), pk=pk)
    get_activity_for(request.user, photo.activity_id)  # the same visibility as its activity
    return attachments.file_response(photo.attachment, inline=True)


@login_required
@require_POST
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    require(request.user, "outreach.add_follow_up", activity)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.add_follow_up(
                activity, text=form.cleaned_data["text"], acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Note added."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect(activity.get_absolute_url())


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The staff list: a school contact's own school, a library's own programmes."""
    activities = list(my_activities(request.user))
    return render(
        request,
        "outreach/mine.html",
        {
            "activities": activities,
            "is_school_contact": school_of(request.user) is not None,
            "can_add": bool(_programmes_for(request)),
        },
    )
