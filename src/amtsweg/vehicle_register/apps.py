from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehicleRegisterConfig(AppConfig):
    """SANDBOX stand-in for the national vehicle register (ZFZR). See `amtsweg.vehicle_register.interface`."""

    name = "amtsweg.vehicle_register"
    label = "vehicle_register"
    verbose_name = _("Fahrzeugregister (SANDBOX)")

    def ready(self):
        from amtsweg.vehicle_register import tasks  # noqa: F401 (periodic purge)
