from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from libcoop.audit.models import AuditVerb
from libcoop.core.admin_audit import AuditedModelAdmin
from libcoop.core.models import ApiToken
from libcoop.core.tokens import create_token


class NewTokenForm(forms.ModelForm):
    """Adding a token asks only whose it is and what it is for: the key is made by
    ``core.tokens.create_token`` (a form with the stored fields made an empty key, and the
    second one failed on the unique hash)."""

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    changed_verb = AuditVerb.TOKEN_CHANGED
    list_display = ["name", "user", "prefix", "created", "last_used", "revoked"]
    readonly_fields = ["prefix", "key_hash", "created", "last_used"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = NewTokenForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["user", "name"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # audited (TOKEN_CHANGED)
            return
        # create_token writes the row and its TOKEN_CREATED entry.
        token, key = create_token(obj.user, obj.name, acting_user=request.user)
        obj.pk = token.pk
        obj.prefix, obj.key_hash = token.prefix, token.key_hash
        messages.warning(
            request,
            _("The new token's key, shown only this once: %(key)s") % {"key": key},
        )
