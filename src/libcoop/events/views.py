"""Event pages: parse, check access, call a service, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from libcoop.core import attachments
from libcoop.core.years import year_param
from libcoop.events import services
from libcoop.events.forms import AttendanceForm, EventForm, OutputForm
from libcoop.events.ical import calendar_for
from libcoop.events.models import Attendance, Event, EventOutput
from libcoop.network.abilities import can, profile_of
from libcoop.network.models import Network, StaffRole

# Years a date can have (``datetime.date``); a ?year= outside them filters nothing.
MIN_YEAR, MAX_YEAR = datetime.MINYEAR, datetime.MAXYEAR


def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.select_related("network", "organiser", "host")
    network_code = request.GET.get("network", "")
    network = Network.objects.filter(code=network_code).first() if network_code else None
    if network is not None:
        events = events.filter(network=network)
    # B.E. or C.E. by the calendar rule (core.years); a year that cannot be read: no filter.
    year = year_param(request.GET.get("year"), minimum=MIN_YEAR, maximum=MAX_YEAR)[0]
    if year is not None:
        events = events.filter(start_date__year=year)
    today = datetime.date.today()
    upcoming_q = Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)
    upcoming = list(events.filter(upcoming_q).order_by("start_date", "start_time", "pk"))
    past = list(events.exclude(upcoming_q).order_by("-start_date", "-pk"))
    feeds = Network.objects.filter(events__isnull=False).distinct().order_by("code")
    return render(
        request,
        "events/event_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "network": network,
            "year": "" if year is None else year,
            "networks": feeds,
            "years": sorted(
                {d.year for d in Event.objects.dates("start_date", "year")}, reverse=True
            ),
            "can_create": _may_create(request),
        },
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("network", "organiser", "host"), pk=pk)
    attendances = list(event.attendances.select_related("institution"))
    profile = profile_of(request.user)
    own_attendance = None
    can_attend = False
    if profile is not None:
        probe = Attendance(event=event, institution=profile.institution)
        can_attend = can(request.user, "events.record_attendance", probe)
        own_attendance = next(
            (a for a in attendances if a.institution_id == profile.institution_id), None
        )
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "attendances": attendances,
            "total_attendees": sum(a.attendees for a in attendances),
            "outputs": list(event.outputs.select_related("attachment")),
            "can_edit": can(request.user, "events.edit", event),
            "can_add_output": can(request.user, "events.add_output", event),
            "can_attend": can_attend,
            "own_attendance": own_attendance,
        },
    )


def _may_create(request: HttpRequest) -> bool:
    """Who sees the "new event" page; the service decides on the organiser and network chosen."""
    profile = profile_of(request.user)
    return bool(getattr(request.user, "is_superuser", False)) or (
        profile is not None
        and profile.role
        in (StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN, StaffRole.NETWORK_COORDINATOR)
    )


def _create_allowed(request: HttpRequest) -> None:
    if not _may_create(request):
        raise PermissionDenied(_("Only library staff and network coordinators create events."))


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    _create_allowed(request)
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = services.create_event(acting_user=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Event saved."))
                return redirect(event.get_absolute_url())
    else:
        profile = profile_of(request.user)
        initial = {
            "network": request.GET.get("network") or None,
            "organiser": profile.institution.code if profile else None,
        }
        form = EventForm(initial=initial)
    return render(request, "events/event_form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("network", "organiser"), pk=pk)
    if not can(request.user, "events.edit", event):
        raise PermissionDenied(_("You cannot edit this event."))
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                services.update_event(event, acting_user=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Event saved."))
                return redirect(event.get_absolute_url())
    else:
        form = EventForm(initial=EventForm.initial_for(event))
    return render(request, "events/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    services.cancel_event(event, acting_user=request.user)
    messages.success(request, _("Event cancelled."))
    return redirect(event.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """ "We attended": the acting user's own institution only (never another's)."""
    event = get_object_or_404(Event, pk=pk)
    profile = profile_of(request.user)
    if profile is None:
        raise PermissionDenied(_("Only library staff record attendance."))
    institution = profile.institution
    if not can(
        request.user, "events.record_attendance", Attendance(event=event, institution=institution)
    ):
        raise PermissionDenied(_("Only library staff record attendance."))
    current = Attendance.objects.filter(event=event, institution=institution).first()
    if request.method == "POST":
        if "remove" in request.POST:
            services.remove_attendance(event, institution, acting_user=request.user)
            messages.success(request, _("Attendance removed."))
            return redirect(event.get_absolute_url())
        form = AttendanceForm(request.POST)
        if form.is_valid():
            try:
                services.set_attendance(
                    event, institution, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Attendance saved."))
                return redirect(event.get_absolute_url())
    else:
        initial = (
            {"role": current.role, "attendees": current.attendees, "people": current.people}
            if current
            else None
        )
        form = AttendanceForm(initial=initial)
    return render(
        request,
        "events/attendance_form.html",
        {"form": form, "event": event, "institution": institution, "current": current},
    )


@login_required
@require_http_methods(["GET", "POST"])
def output_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("network", "organiser", "host"), pk=pk)
    if not can(request.user, "events.add_output", event):
        raise PermissionDenied(_("You cannot add outputs to this event."))
    form = OutputForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_output(
                event,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=upload,
                name=upload.name if upload else "",
                url=form.cleaned_data["url"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Output added."))
            return redirect(event.get_absolute_url())
    return render(request, "events/output_form.html", {"form": form, "event": event})


def output_file(request: HttpRequest, pk: int) -> FileResponse:
    """Outputs are public, like the event they belong to."""
    output = get_object_or_404(EventOutput.objects.select_related("attachment"), pk=pk)
    if output.attachment is None:
        raise Http404("This output is a link.")
    return attachments.file_response(output.attachment, inline=output.attachment.is_image)


def network_feed(request: HttpRequest, code: str) -> HttpResponse:
    """The network's events as an iCalendar feed (``?lang=en`` for English titles)."""
    network = get_object_or_404(Network, code=code)
    lang = "en" if request.GET.get("lang") == "en" else "th"
    events = (
        Event.objects.filter(network=network)
        .select_related("organiser")
        .order_by("start_date", "start_time", "pk")
    )
    body = calendar_for(
        network, events, base_url=request.build_absolute_uri("/").rstrip("/"), lang=lang
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{network.code}.ics"'
    return response
