"""Forgotten passwords (and a new patron's first one): Django's password-reset views in the
site's frame, their e-mail in Thai and English, and a rate limit.

The limit: ``LIBCOOP_PASSWORD_RESET_PER_ADDRESS`` (default 3) links per e-mail address and
``LIBCOOP_PASSWORD_RESET_PER_CLIENT`` (default 10) requests per client address within
``LIBCOOP_PASSWORD_RESET_WINDOW_MINUTES`` (default 60). Over the first, nothing more is sent to
that address and the page reads as usual (it never tells whether an address has an account);
over the second, the page says to try again later (status 429). Counts are kept in Django's
cache (per process by default; a deployment with several processes sets a shared cache).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

EMAIL_TEMPLATE = "registration/libcoop_password_reset_email.txt"
SUBJECT_TEMPLATE = "registration/libcoop_password_reset_subject.txt"


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "LIBCOOP_PASSWORD_RESET_PER_ADDRESS", 3)),
        int(getattr(settings, "LIBCOOP_PASSWORD_RESET_PER_CLIENT", 10)),
        int(getattr(settings, "LIBCOOP_PASSWORD_RESET_WINDOW_MINUTES", 60)),
    )


def _count(key: str, window_seconds: int) -> int:
    """Count one more request under *key* in the window that began with the first."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def _client(request: HttpRequest) -> str:
    from axes.helpers import get_client_ip_address  # the address the login throttle uses

    return get_client_ip_address(request) or "unknown"


def send_link(request: HttpRequest, email: str, *, limited: bool = True) -> None:
    """E-mail a link to set a password to the account(s) with *email*. A request from the
    page is *limited* per address; a library's invitation to its new patron (staff acting,
    after an audited change) is not."""
    per_address, _per_client, minutes = _limits()
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if limited and _count(f"libcoop:pwreset:email:{digest}", minutes * 60) > per_address:
        return
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            email_template_name=EMAIL_TEMPLATE,
            subject_template_name=SUBJECT_TEMPLATE,
        )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/libcoop_password_reset_form.html"
    email_template_name = EMAIL_TEMPLATE
    subject_template_name = SUBJECT_TEMPLATE

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _per_address, per_client, minutes = _limits()
        if _count(f"libcoop:pwreset:client:{_client(request)}", minutes * 60) > per_client:
            return render(
                request,
                "registration/libcoop_password_reset_limited.html",
                {"minutes": math.ceil(minutes)},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        send_link(self.request, form.cleaned_data["email"])
        return super(auth_views.PasswordResetView, self).form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/libcoop_password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/libcoop_password_reset_confirm.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/libcoop_password_reset_complete.html"
