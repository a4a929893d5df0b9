from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "amtsweg.backoffice"
    label = "backoffice"
    verbose_name = _("Sachbearbeitung")

    def ready(self):
        from amtsweg.backoffice import services
        from amtsweg.cases import services as case_services

        if services.configured_processing_days not in case_services.processing_days_hooks:
            case_services.processing_days_hooks.append(services.configured_processing_days)
