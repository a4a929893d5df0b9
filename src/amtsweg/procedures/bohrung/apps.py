from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BohrungConfig(AppConfig):
    name = "amtsweg.procedures.bohrung"
    label = "bohrung"
    verbose_name = _("Bohranzeigen")

    def ready(self):
        # The procedure registers itself through the procedures autodiscovery (`procedure.py`); here the
        # periodic job that records the water authority's silence.
        from amtsweg.procedures.bohrung import tasks  # noqa: F401
