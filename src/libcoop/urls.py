from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from libcoop.api import api
from libcoop.core import password_reset, token_views
from libcoop.core import views as core_views
from libcoop.core.converters import IdConverter, YearConverter
from libcoop.network.views import forbidden
from libcoop.ops import views as ops_views

# Before the apps' URLconfs are included: they use <id:…> and <year:…>.
register_converter(IdConverter, "id")
register_converter(YearConverter, "year")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health", ops_views.health, name="health"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Forgotten passwords, and the link a new patron gets to set theirs (in the site's frame,
    # the e-mail in Thai and English, rate limited: core/password_reset.py).
    path(
        "accounts/password/reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        password_reset.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/tokens/", token_views.tokens_page, name="tokens"),
    path("accounts/tokens/<id:pk>/revoke/", token_views.revoke, name="token_revoke"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("libcoop.network.urls")),
    path("", include("libcoop.catalog.urls")),
    path("", include("libcoop.interop.urls")),
    path("", include("libcoop.knowledge.urls")),
    path("", include("libcoop.events.urls")),
    path("", include("libcoop.outreach.urls")),
    path("", include("libcoop.greenlib.urls")),
    path("", include("libcoop.ops.urls")),
    path("", include("libcoop.ill.urls")),
    path("", include("libcoop.repository.urls")),
    path("", include("libcoop.repository.open_urls")),
]

handler400 = "libcoop.core.errors.bad_request"
handler403 = forbidden
handler404 = "libcoop.core.errors.page_not_found"
handler500 = "libcoop.core.errors.server_error"
