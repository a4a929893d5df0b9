from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "amtsweg.procedures"
    label = "procedures"
    verbose_name = _("Onlineverfahren")

    def ready(self):
        from amtsweg.procedures import registry

        registry.autodiscover()
