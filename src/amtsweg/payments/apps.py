from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "amtsweg.payments"
    label = "payments"
    verbose_name = _("Zahlungen")

    def ready(self):
        # Register the built-in provider plugins and the periodic reconciliation task.
        from amtsweg.payments import tasks  # noqa: F401
        from amtsweg.payments.providers.sandbox import plugin as _sandbox  # noqa: F401
        from amtsweg.payments.providers.sandbox import tasks as _sandbox_tasks  # noqa: F401
        from amtsweg.payments.providers.ueberweisung import plugin as _transfer  # noqa: F401
