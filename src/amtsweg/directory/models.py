from django.db import models
from django.utils.translation import gettext_lazy as _


class Authority(models.Model):
    """An authority (Behörde): the tenant that owns cases, staff, keys and fees."""

    key = models.SlugField(_("Schlüssel"), max_length=100, unique=True)
    name = models.CharField(_("amtliche Bezeichnung"), max_length=300)

    class Meta:
        verbose_name = _("Behörde")
        verbose_name_plural = _("Behörden")

    def __str__(self):
        return self.name
