from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostboxConfig(AppConfig):
    name = "amtsweg.postbox"
    label = "postbox"
    verbose_name = _("Postfach und Zustellung")

    def ready(self):
        from amtsweg.postbox import tasks  # noqa: F401 (registers the periodic jobs)
