from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """When a periodic job (see `amtsweg.core.jobs.periodic`) runs next; shared by all workers."""

    name = models.CharField(_("Name"), max_length=200, unique=True)
    next_run_at = models.DateTimeField(_("nächster Lauf"))
    last_enqueued_at = models.DateTimeField(_("zuletzt eingereiht"), null=True, blank=True)

    class Meta:
        verbose_name = _("geplante Aufgabe")
        verbose_name_plural = _("geplante Aufgaben")

    def __str__(self):
        return self.name
