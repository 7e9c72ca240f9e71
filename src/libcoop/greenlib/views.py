"""Green-library pages: parse, check access, call a service, render.

An assessment the user may not see is a 404 (its existence is not revealed); an action on one
they see but may not change is refused by the service (403).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from libcoop.audit.services import history_of
from libcoop.core import attachments
from libcoop.core.years import year_param
from libcoop.greenlib import envfigures, evidence, pages, services, workflow
from libcoop.greenlib.dashboard import network_dashboard
from libcoop.greenlib.forms import (
    EnvFiguresForm,
    FileForm,
    LinkForm,
    OpenAssessmentForm,
    ResponseForm,
    ScoreForm,
)
from libcoop.greenlib.models import (
    Assessment,
    AssessmentStatus,
    Criterion,
    CriterionResponse,
    EnvFigure,
    EvidenceFile,
    EvidenceLink,
    Standard,
)
from libcoop.network.abilities import can, profile_of, require
from libcoop.network.models import Institution, Network


def _lang() -> str:
    return (get_language() or "th")[:2]


def _visible(request: HttpRequest, pk: int) -> Assessment:
    assessment = pages.assessment_with_tree(pk)
    if assessment is None or not can(request.user, "greenlib.view_assessment", assessment):
        raise Http404("No such assessment")
    return assessment


def _number_param(text: str, low: int, high: int) -> int | None:
    """A whole number from a query parameter (ASCII digits, within low..high), else None."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


def _fail(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- overview and standards --------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """My library's assessments across the years; the review queue for network officers."""
    profile = profile_of(request.user)
    institution = profile.institution if profile is not None else None
    own = []
    form = None
    standards = services.current_standards()
    if institution is not None and can(request.user, "greenlib.open_assessment", institution):
        own = list(
            Assessment.objects.filter(institution=institution)
            .select_related("standard")
            .order_by("-year")
        )
        form = OpenAssessmentForm(standards=standards)
    network = profile.network if profile is not None else None
    return render(
        request,
        "greenlib/home.html",
        {
            "institution": institution if form is not None else None,
            "assessments": own,
            "open_form": form,
            "queue": pages.review_queue(request.user),
            "network": network
            if network and can(request.user, "greenlib.view_dashboard", network)
            else None,
            "standards": standards,
            "this_year": datetime.date.today().year,
        },
    )


def standard_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "greenlib/standard_list.html",
        {"standards": Standard.objects.select_related("issuer").order_by("code", "-version")},
    )


def standard_detail(request: HttpRequest, code: str) -> HttpResponse:
    versions = Standard.objects.filter(code=code).order_by("-version")
    number = _number_param(request.GET.get("version", ""), 0, 2_147_483_647)
    standard = versions.filter(version=number).first() if number is not None else versions.first()
    if standard is None:
        raise Http404("No such standard")
    return render(
        request,
        "greenlib/standard_detail.html",
        {"standard": standard, "tree": pages.standard_tree(standard), "versions": versions},
    )


# --- assessments ------------------------------------------------------------------------------


@login_required
@require_POST
def assessment_open(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    if profile is None:
        raise PermissionDenied("No institution")
    institution = profile.institution
    form = OpenAssessmentForm(request.POST, standards=services.current_standards())
    if not form.is_valid():
        # The messages alone, in the page's language (as_text() would name the fields in code).
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("greenlib:home")
    try:
        assessment = services.open_assessment(
            institution,
            form.cleaned_data["year"],
            form.cleaned_data["standard"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        _fail(request, exc)
        return redirect("greenlib:home")
    messages.success(request, _("Self-assessment opened."))
    return redirect("greenlib:assessment", pk=assessment.pk)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _visible(request, pk)
    lang = _lang()
    can_edit = can(request.user, "greenlib.edit_assessment", assessment)
    show_scores = can(request.user, "greenlib.view_scores", assessment)
    can_score = (
        can(request.user, "greenlib.score", assessment)
        and assessment.status == AssessmentStatus.IN_REVIEW
    )
    blocks = pages.category_blocks(assessment, lang=lang, show_scores=show_scores)
    context = {
        "assessment": assessment,
        "blocks": blocks,
        "total": pages.total_score(blocks) if show_scores else None,
        "can_edit": can_edit,
        "can_score": can_score,
        "show_scores": show_scores,
        "actions": workflow.available(assessment, request.user),
        "history": history_of(assessment)[:50],
        "response_form": ResponseForm(),
        "file_form": FileForm(),
        "score_form": ScoreForm(),
        "link_form": LinkForm(candidates=evidence.candidates(assessment.institution, lang=lang))
        if can_edit
        else None,
    }
    return render(request, "greenlib/assessment_detail.html", context)


def _criterion(assessment: Assessment, criterion_pk: int) -> Criterion:
    return get_object_or_404(
        Criterion.objects.select_related("category", "parent"),
        pk=criterion_pk,
        standard=assessment.standard,
    )


def _back(assessment: Assessment, criterion: Criterion | None = None) -> HttpResponse:
    anchor = f"#c-{criterion.pk}" if criterion is not None else ""
    return redirect(f"/greenlib/assessments/{assessment.pk}/{anchor}")


@login_required
@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    """The narrative form of one criterion; with HTMX the block is swapped in place."""
    assessment = _visible(request, pk)
    criterion = _criterion(assessment, criterion_pk)
    require(request.user, "greenlib.edit_assessment", assessment)
    response = CriterionResponse.objects.filter(assessment=assessment, criterion=criterion).first()
    if request.method == "POST":
        form = ResponseForm(request.POST)
        if form.is_valid():
            try:
                services.save_response(
                    assessment, criterion, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if request.headers.get("HX-Request"):
                    return _criterion_fragment(request, assessment, criterion)
                messages.success(request, _("Saved."))
                return _back(assessment, criterion)
    else:
        initial = (
            {
                "narrative_th": response.narrative_th,
                "narrative_en": response.narrative_en,
                "self_status": response.self_status,
            }
            if response
            else {}
        )
        form = ResponseForm(initial=initial)
    template = (
        "greenlib/_response_form.html"
        if request.headers.get("HX-Request")
        else "greenlib/response_edit.html"
    )
    return render(
        request, template, {"assessment": assessment, "criterion": criterion, "form": form}
    )


def _criterion_fragment(
    request: HttpRequest, assessment: Assessment, criterion: Criterion
) -> HttpResponse:
    lang = _lang()
    blocks = pages.category_blocks(
        assessment,
        lang=lang,
        show_scores=can(request.user, "greenlib.view_scores", assessment),
        only=criterion,
    )
    return render(
        request,
        "greenlib/_criterion.html",
        {
            "row": blocks[0].rows[0],
            "assessment": assessment,
            "can_edit": can(request.user, "greenlib.edit_assessment", assessment),
            "link_form": LinkForm(
                candidates=evidence.candidates(assessment.institution, lang=lang)
            ),
            "file_form": FileForm(),
        },
    )


@login_required
@require_POST
def link_add(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    assessment = _visible(request, pk)
    criterion = _criterion(assessment, criterion_pk)
    form = LinkForm(
        request.POST, candidates=evidence.candidates(assessment.institution, lang=_lang())
    )
    if not form.is_valid():
        # Not offered means not the library's own; the service says so.
        require(request.user, "greenlib.edit_assessment", assessment)
        messages.error(request, _("Only the library's own records can be linked as evidence."))
        return _back(assessment, criterion)
    kind, object_id = form.cleaned_record()
    try:
        services.add_evidence_link(assessment, criterion, kind, object_id, acting_user=request.user)
    except ValidationError as exc:
        _fail(request, exc)
    return _back(assessment, criterion)


@login_required
@require_POST
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(
        EvidenceLink.objects.select_related("response__assessment", "response__criterion"), pk=pk
    )
    assessment = _visible(request, link.response.assessment_id)
    services.remove_evidence_link(link, acting_user=request.user)
    return _back(assessment, link.response.criterion)


@login_required
@require_POST
def file_add(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    assessment = _visible(request, pk)
    criterion = _criterion(assessment, criterion_pk)
    require(request.user, "greenlib.edit_assessment", assessment)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.errors.as_text())
        return _back(assessment, criterion)
    upload = form.cleaned_data["file"]
    try:
        services.add_evidence_file(
            assessment, criterion, upload, name=upload.name or "", acting_user=request.user
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("File added."))
    return _back(assessment, criterion)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(EvidenceFile.objects.select_related("attachment", "response"), pk=pk)
    _visible(request, item.response.assessment_id)
    return attachments.file_response(item.attachment, inline=request.GET.get("inline") == "1")


@login_required
@require_POST
def file_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        EvidenceFile.objects.select_related("attachment", "response__criterion"), pk=pk
    )
    assessment = _visible(request, item.response.assessment_id)
    criterion = item.response.criterion
    services.remove_evidence_file(item, acting_user=request.user)
    return _back(assessment, criterion)


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    assessment = _visible(request, pk)
    try:
        workflow.perform(assessment, action, acting_user=request.user)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Done."))
    return _back(assessment)


@login_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(
        CriterionResponse.objects.select_related("criterion__category", "assessment"), pk=pk
    )
    assessment = _visible(request, response.assessment_id)
    form = ScoreForm(request.POST)
    if not form.is_valid():
        require(request.user, "greenlib.score", assessment)
        messages.error(request, form.errors.as_text())
        return _back(assessment, response.criterion)
    try:
        services.score_response(
            response,
            form.cleaned_data["points"],
            comment=form.cleaned_data["comment"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Score saved."))
    return _back(assessment, response.criterion)


# --- environmental figures --------------------------------------------------------------------


def _env_institution(request: HttpRequest, code: str) -> Institution:
    institution = get_object_or_404(Institution, code=code)
    if not can(request.user, "greenlib.view_env", institution):
        raise Http404("No figures")
    return institution


@login_required
def env_latest(request: HttpRequest, code: str) -> HttpResponse:
    institution = _env_institution(request, code)
    years = envfigures.years_recorded(institution)
    year = years[-1] if years else datetime.date.today().year
    return redirect("greenlib:env", code=institution.code, year=year)


@login_required
def env_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    institution = _env_institution(request, code)
    lang = _lang()
    rows = envfigures.comparisons(institution, year)
    years = envfigures.years_recorded(institution)
    charts = [
        (row, envfigures.trend_chart(row, lang), envfigures.change_chart(row, lang)) for row in rows
    ]
    long_trend = [
        envfigures.years_chart(institution, row.metric, years, lang)
        for row in rows
        if len(years) > 2
    ]
    return render(
        request,
        "greenlib/env_year.html",
        {
            "institution": institution,
            "year": year,
            "rows": charts,
            "years": years,
            "long_trend": long_trend,
            "months": envfigures.month_labels(lang),
            "illustrative": envfigures.is_illustrative(institution, [year, year - 1]),
            "can_record": can(request.user, "greenlib.record_env", institution),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def env_edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    institution = _env_institution(request, code)
    require(request.user, "greenlib.record_env", institution)
    current = {
        (f.month, f.metric): f.value
        for f in EnvFigure.objects.filter(institution=institution, year=year)
    }
    form = EnvFiguresForm(request.POST or None, year=year, lang=_lang(), current=current)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.record_env_figures(
                institution, year, form.values(), acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)d figures changed.") % {"n": changed})
            return redirect("greenlib:env", code=institution.code, year=year)
    return render(
        request,
        "greenlib/env_edit.html",
        {"institution": institution, "year": year, "form": form},
    )


# --- network dashboard ------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    network = get_object_or_404(Network, code=code)
    require(request.user, "greenlib.view_dashboard", network)
    year, problem = year_param(request.GET.get("year"), minimum=1900, maximum=2200)
    if problem:
        messages.error(request, problem)
    year = year or datetime.date.today().year
    return render(
        request,
        "greenlib/dashboard.html",
        {"network": network, "data": network_dashboard(network, year, lang=_lang())},
    )
