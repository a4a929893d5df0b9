from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "amtsweg.cases"
    label = "cases"
    verbose_name = _("Vorgänge")

    def ready(self):
        # Outbox handlers, tasks (incl. periodic jobs) and the receivers of payments' and the postbox's
        # signals.
        from amtsweg.cases import handlers, receivers, tasks  # noqa: F401
