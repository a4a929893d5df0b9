from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "amtsweg.accounts"
    label = "accounts"
    verbose_name = _("Konten")

    def ready(self):
        # The operators' admin (/betrieb/admin/) also asks for the second factor (django-otp's OTPAdminSite)
        # and is for platform operators (superusers) only, never for case work.
        from django.contrib import admin

        from amtsweg.accounts.admin_site import OperatorsAdminSite

        admin.site.__class__ = OperatorsAdminSite
        # Load the built-in identity-provider plugins so the registry is complete.
        from amtsweg.accounts.providers import registry

        registry.plugins()
