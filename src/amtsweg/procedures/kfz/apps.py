from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KfzConfig(AppConfig):
    """Internet vehicle registration (i-Kfz): the five procedures, the portal dialogue, sample review,
    dispatch list.

    The procedures register themselves with the procedure registry (`procedure.py`, autodiscovered by
    `amtsweg.procedures`); this app holds the tables of the i-Kfz portal dialogue and the back-office lists.
    """

    name = "amtsweg.procedures.kfz"
    label = "kfz"
    verbose_name = _("Internetbasierte Fahrzeugzulassung (i-Kfz)")

    def ready(self):
        from amtsweg.procedures.kfz import receivers, tasks  # noqa: F401
