from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GewerbeConfig(AppConfig):
    name = "amtsweg.procedures.gewerbe"
    label = "gewerbe"
    verbose_name = _("Gewerbeanzeigen")

    def ready(self):
        # The procedures register themselves when amtsweg.procedures autodiscovers `procedure.py`; here the
        # periodic statistics job and the receivers of exchange's signals.
        from amtsweg.procedures.gewerbe import receivers, tasks  # noqa: F401
