"""A signed-in person's API tokens: issue one (read or write, with an expiry), see their own,
revoke them. The key is shown once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from libcoop.core.models import ApiToken
from libcoop.core.tokens import create_token, revoke_token


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What it is for"), max_length=100)
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"),
        choices=[("read", gettext_lazy("Read")), ("write", gettext_lazy("Read and write"))],
    )
    days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"), min_value=1, max_value=3650, initial=90
    )


@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, key = create_token(
                request.user,  # type: ignore[arg-type]
                form.cleaned_data["name"],
                acting_user=request.user,
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    tokens = ApiToken.objects.filter(user_id=int(request.user.pk or 0)).order_by("-created")
    return render(request, "core/tokens.html", {"form": form, "tokens": tokens, "new_key": key})


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user_id=int(request.user.pk or 0))
    revoke_token(token, acting_user=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("tokens")
