"""Knowledge pages: parse, check access, call a service, render.

An article the user may not read is a 404 (its existence is not revealed); a change the user
may not make is a 403 from the service's ability check.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from libcoop.core.attachments import file_response
from libcoop.knowledge import services
from libcoop.knowledge.access import visible_to
from libcoop.knowledge.forms import ArticleForm, AttachmentForm, CommentForm, ReplyForm
from libcoop.knowledge.models import (
    ArticleAttachment,
    ArticleKind,
    Comment,
    KnowledgeArticle,
    Tag,
)
from libcoop.knowledge.search import search
from libcoop.network.abilities import can, profile_of, require
from libcoop.network.models import Institution

PAGE_SIZE = 100


def _readable(request: HttpRequest, pk: int) -> KnowledgeArticle:
    article = get_object_or_404(
        KnowledgeArticle.objects.select_related("institution", "network"), pk=pk
    )
    if not can(request.user, "knowledge.read", article):
        raise Http404("No such article.")
    return article


def _filtered(request: HttpRequest) -> tuple[QuerySet[KnowledgeArticle], dict[str, str]]:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "tag", "kind", "institution")}
    qs = visible_to(request.user).select_related("institution", "network")
    if params["tag"]:
        qs = qs.filter(tags__code=params["tag"])
    if params["kind"] in ArticleKind.values:
        qs = qs.filter(kind=params["kind"])
    if params["institution"]:
        qs = qs.filter(institution__code=params["institution"])
    return qs.prefetch_related("tags"), params


def article_list(request: HttpRequest) -> HttpResponse:
    qs, params = _filtered(request)
    if params["q"]:
        articles = [r.article for r in search(params["q"], qs, limit=PAGE_SIZE)]
    else:
        articles = list(qs.order_by("-published", "-created")[:PAGE_SIZE])
    context: dict[str, Any] = {
        "articles": articles,
        **params,
        "kinds": ArticleKind.choices,
        "tags": Tag.objects.all(),
        "institutions": Institution.objects.filter(
            pk__in=visible_to(request.user).values("institution_id")
        ).order_by("code"),
        "can_create": _own_institution(request) is not None,
    }
    template = (
        "knowledge/_article_rows.html"
        if request.headers.get("HX-Request")
        else "knowledge/article_list.html"
    )
    return render(request, template, context)


def _threads(article: KnowledgeArticle) -> list[Comment]:
    replies = Prefetch(
        "replies",
        queryset=Comment.objects.select_related("institution", "author", "article").order_by(
            "created", "pk"
        ),
    )
    return list(
        article.comments.filter(parent__isnull=True)
        .select_related("institution", "author")
        .prefetch_related(replies)
    )


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _readable(request, pk)
    can_edit = can(request.user, "knowledge.edit", article)
    threads = _threads(article)
    removable = {
        c.pk
        for thread in threads
        for c in [thread, *thread.replies.all()]
        if c.removed is None and can(request.user, "knowledge.remove_comment", c)
    }
    return render(
        request,
        "knowledge/article_detail.html",
        {
            "article": article,
            "tags": list(article.tags.all()),
            "files": list(article.attachments.select_related("attachment")),
            "threads": threads,
            "removable": removable,
            "can_edit": can_edit,
            "can_comment": can(request.user, "knowledge.comment", article),
            "actions": services.allowed_actions(article) if can_edit else [],
            "comment_form": CommentForm(),
            "attachment_form": AttachmentForm(),
        },
    )


def _own_institution(request: HttpRequest) -> Institution | None:
    """The institution the user writes for, if they may write for it."""
    profile = profile_of(request.user)
    if profile is None or not can(request.user, "knowledge.create", profile.institution):
        return None
    return profile.institution


def _service_args(data: dict[str, Any]) -> dict[str, Any]:
    args = dict(data)
    args["tags"] = list(args["tags"])
    args["contributor_users"] = list(args["contributor_users"])
    return args


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    institution = _own_institution(request)
    if institution is None:
        raise PermissionDenied(_("Only a library's staff write articles for it."))
    form = ArticleForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(
                institution,
                publish="publish" in request.POST,
                acting_user=request.user,
                **_service_args(form.cleaned_data),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("knowledge:article", pk=article.pk)
    return render(
        request, "knowledge/article_form.html", {"form": form, "institution": institution}
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _readable(request, pk)
    require(request.user, "knowledge.edit", article)
    if request.method == "POST":
        form = ArticleForm(request.POST, institution=article.institution)
        if form.is_valid():
            try:
                services.update_article(
                    article, acting_user=request.user, **_service_args(form.cleaned_data)
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("knowledge:article", pk=article.pk)
    else:
        initial = ArticleForm.initial_for(article)
        form = ArticleForm(initial=initial, institution=article.institution)
    return render(
        request,
        "knowledge/article_form.html",
        {"form": form, "article": article, "institution": article.institution},
    )


@login_required
@require_POST
def article_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = _readable(request, pk)
    try:
        if action == "publish":
            services.publish_article(article, acting_user=request.user)
        else:
            services.withdraw_article(article, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("Published.") if action == "publish" else _("Withdrawn.")
        messages.success(request, done)
    return redirect("knowledge:article", pk=article.pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    article = _readable(request, pk)
    require(request.user, "knowledge.edit", article)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_attachment(article, upload, name=upload.name, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File added."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("knowledge:article", pk=article.pk)


def _link(request: HttpRequest, pk: int, file_pk: int) -> ArticleAttachment:
    article = _readable(request, pk)
    return get_object_or_404(
        ArticleAttachment.objects.select_related("attachment", "article__institution"),
        article=article,
        attachment_id=file_pk,
    )


def attachment_download(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    link = _link(request, pk, file_pk)
    return file_response(link.attachment, inline=request.GET.get("inline") == "1")


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    link = _link(request, pk, file_pk)
    services.remove_attachment(link, acting_user=request.user)
    messages.success(request, _("File removed."))
    return redirect("knowledge:article", pk=pk)


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    article = _readable(request, pk)
    form: CommentForm | ReplyForm = (
        ReplyForm(request.POST) if "parent" in request.POST else CommentForm(request.POST)
    )
    if form.is_valid():
        data = form.cleaned_data
        parent = None
        if data.get("parent"):
            parent = get_object_or_404(Comment, pk=data["parent"], article=article)
        try:
            services.add_comment(
                article,
                body=data["body"],
                kind=data["kind"],
                parent=parent,
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect(f"{article.get_absolute_url()}#comments")


@login_required
@require_POST
def comment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    if not can(request.user, "knowledge.read", comment.article):
        raise Http404("No such comment.")
    try:
        services.remove_comment(comment, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Comment removed."))
    return redirect(f"{comment.article.get_absolute_url()}#comments")
