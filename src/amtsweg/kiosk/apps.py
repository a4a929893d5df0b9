from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KioskConfig(AppConfig):
    name = "amtsweg.kiosk"
    label = "kiosk"
    verbose_name = _("Bürgerterminal (Kiosk-Modus und Videoberatung)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from amtsweg.kiosk import demo  # noqa: F401 (registers the demo loader)
