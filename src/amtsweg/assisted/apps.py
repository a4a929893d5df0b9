from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistedConfig(AppConfig):
    name = "amtsweg.assisted"
    label = "assisted"
    verbose_name = _("Bürgerterminal und Bürgerkoffer")

    def ready(self):
        from amtsweg.assisted import tasks  # noqa: F401 (registers the periodic jobs)
