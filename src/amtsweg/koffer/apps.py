from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KofferConfig(AppConfig):
    name = "amtsweg.koffer"
    label = "koffer"
    verbose_name = _("Offline-Bürgerkoffer")
