from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Everyone who logs in: citizens, members of organisations, staff of authorities."""

    email = models.EmailField(_("E-Mail-Adresse"), blank=True)

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")


class Organisation(models.Model):
    """A company, association, planning office or drilling firm acting through its members."""

    name = models.CharField(_("Name"), max_length=300)

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")

    def __str__(self):
        return self.name
