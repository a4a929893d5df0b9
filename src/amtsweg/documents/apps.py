from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "amtsweg.documents"
    label = "documents"
    verbose_name = _("Dokumente und Siegel")

    def ready(self):
        from amtsweg.documents import tasks  # noqa: F401 (registers the periodic certificate check)
