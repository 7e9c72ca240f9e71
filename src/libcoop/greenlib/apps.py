from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GreenlibConfig(AppConfig):
    name = "libcoop.greenlib"
    label = "greenlib"
    verbose_name = _("Green-library assessment")
