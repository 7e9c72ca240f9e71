"""Forms of knowledge pages. They only parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from libcoop.knowledge.access import member_network_ids
from libcoop.knowledge.models import ArticleKind, CommentKind, KnowledgeArticle, Tag, Visibility
from libcoop.network.models import Institution, Network

TEXTAREA = {"rows": 8, "cols": 80}


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ArticleKind.choices)
    title_th = forms.CharField(label=_("Title (Thai)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    summary_th = forms.CharField(
        label=_("Summary (Thai)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body_th = forms.CharField(
        label=_("Text (Thai)"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Plain text; leave an empty line between paragraphs."),
    )
    body_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    url = forms.URLField(
        label=_("Link"),
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text=_("Required for a link."),
    )
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)
    network = forms.ModelChoiceField(
        label=_("Shared in network"),
        queryset=Network.objects.none(),
        required=False,
        to_field_name="code",
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    contributors = forms.CharField(
        label=_("Contributors"),
        max_length=500,
        required=False,
        help_text=_("Names of the people who wrote or did the work, as they wish to be named."),
    )
    contributor_users = forms.ModelMultipleChoiceField(
        label=_("Contributors with an account"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        network_field: Any = self.fields["network"]
        network_field.queryset = Network.objects.filter(
            pk__in=member_network_ids(institution.pk)
        ).order_by("code")
        users_field: Any = self.fields["contributor_users"]
        users_field.queryset = (
            get_user_model()
            .objects.filter(staff_profile__institution=institution)
            .order_by("username")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_th") and not data.get("title_en"):
            raise ValidationError(_("Give the title in Thai, in English, or both."))
        if data.get("kind") == ArticleKind.LINK and not data.get("url"):
            self.add_error("url", _("A link needs its web address."))
        if data.get("visibility") == Visibility.NETWORK and not data.get("network"):
            self.add_error("network", _("Choose the network the article is shared in."))
        return data

    @classmethod
    def initial_for(cls, article: KnowledgeArticle) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(article, name)
            for name in cls.base_fields
            if name not in ("network", "tags", "contributor_users")
        }
        initial["network"] = article.network.code if article.network else None
        initial["tags"] = [t.code for t in article.tags.all()]
        initial["contributor_users"] = [u.pk for u in article.contributor_users.all()]
        return initial


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class CommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in (CommentKind.QUESTION, CommentKind.COMMENT)],
        initial=CommentKind.QUESTION,
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in (CommentKind.ANSWER, CommentKind.COMMENT)],
        initial=CommentKind.ANSWER,
    )
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(widget=forms.HiddenInput)
