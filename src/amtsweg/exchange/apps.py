from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "amtsweg.exchange"
    label = "exchange"
    verbose_name = _("Datenaustausch zwischen Behörden")

    def ready(self):
        # Delivery task, periodic sweep and log retention.
        from amtsweg.exchange import tasks  # noqa: F401
