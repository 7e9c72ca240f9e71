"""Report pages: the web page, its PDF and Word downloads, and a form to pick one.

Who sees what: the report is the library's public evidence, so anyone may open it. What the
records say (memberships, seats, events, outreach, environmental figures) is shown to everyone;
knowledge articles are named only when the reader may read them (``knowledge.access``: an
article shared within a network or kept within the library is not named to the public). The
year's self-assessment (narratives, self-judgements, evidence files and links) is shown to
everyone once the assessment is published; before that only to whom
``greenlib.view_assessment`` allows — the library's own staff, and once handed in the issuing
network's coordinators and assessors. Scores appear only once published.
"""

from __future__ import annotations

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from libcoop.core.dates import display_year
from libcoop.core.years import year_choices, year_param
from libcoop.greenlib.models import Assessment
from libcoop.greenlib.report import (
    FIRST_YEAR,
    Report,
    ReportError,
    build_report,
    report_institution,
)
from libcoop.greenlib.report.render import render_body, render_docx, render_pdf
from libcoop.network.abilities import Actor, can, profile_of
from libcoop.network.models import Institution, InstitutionKind

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def may_see_unpublished(user: Actor, institution: Institution, year: int) -> bool:
    """Whether *user* may read the year's self-assessment before it is published."""
    assessment = (
        Assessment.objects.select_related("institution", "standard__issuer__parent")
        .filter(institution=institution, year=year)
        .first()
    )
    return assessment is not None and can(user, "greenlib.view_assessment", assessment)


def _lang(request: HttpRequest) -> str:
    lang = request.GET.get("lang") or (get_language() or "th")[:2]
    return lang if lang in ("th", "en") else "th"


def _report(request: HttpRequest, code: str, year: int) -> Report:
    try:
        institution = report_institution(code)
        return build_report(
            institution,
            year,
            lang=_lang(request),
            include_unpublished=may_see_unpublished(request.user, institution, year),
            reader=request.user,
        )
    except ReportError as exc:
        raise Http404(str(exc)) from exc


def _download(report: Report, content: bytes, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.file_stem}.{extension}"'
    if report.includes_unpublished:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def report_page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    report = _report(request, code, year)
    this_year = datetime.date.today().year
    years = [
        (y, display_year(y, report.lang))
        for y in (year - 1, year + 1)
        if FIRST_YEAR <= y <= this_year
    ]
    return render(
        request,
        "greenlib/report.html",
        {
            "report": report,
            "body": render_body(report),
            "other_years": years,
            "other_lang": "en" if report.lang == "th" else "th",
        },
    )


@require_GET
def report_pdf(request: HttpRequest, code: str, year: int) -> HttpResponse:
    report = _report(request, code, year)
    pdf = render_pdf(report, base_url=request.build_absolute_uri("/"))
    return _download(report, pdf, "pdf", PDF)


@require_GET
def report_docx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    report = _report(request, code, year)
    docx = render_docx(report, base_url=request.build_absolute_uri("/"))
    return _download(report, docx, "docx", DOCX)


@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    """Pick an institution and a year; the form's answer redirects to the report page.

    The choice starts at ``?institution=`` (any kind: a school or an association too), else
    the signed-in staff member's own institution. The year is read by the calendar rule
    (``?year=2562`` and ``?year=2019`` both open 2019)."""
    this_year = datetime.date.today().year
    code = request.GET.get("institution", "")
    year, problem = year_param(request.GET.get("year"), minimum=FIRST_YEAR, maximum=this_year)
    if code and year is not None:
        try:
            return redirect(reverse("greenlib:report", args=[code, year]))
        except NoReverseMatch:  # a code no institution can have (e.g. with a slash)
            raise Http404("No such institution") from None
    chosen = Institution.objects.filter(code=code).first() if code else None
    if chosen is None and (profile := profile_of(request.user)) is not None:
        chosen = profile.institution
    libraries = list(
        Institution.objects.filter(kind=InstitutionKind.UNIVERSITY_LIBRARY).order_by("code")
    )
    if chosen is not None and chosen not in libraries:
        libraries = sorted([*libraries, chosen], key=lambda i: i.code)
    lang = (get_language() or "th")[:2]
    return render(
        request,
        "greenlib/report_index.html",
        {
            "libraries": libraries,
            "years": year_choices(range(this_year, FIRST_YEAR - 1, -1), lang),
            "this_year": year or this_year,
            "selected": chosen.code if chosen is not None else "",
            "problem": problem,
        },
    )
