from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "amtsweg.accounts"
    label = "accounts"
    verbose_name = _("Konten")

    def ready(self):
        # The operators' admin (/betrieb/admin/) also asks for the second factor (django-otp's OTPAdminSite).
        from django.contrib import admin
        from django_otp.admin import OTPAdminSite

        admin.site.__class__ = OTPAdminSite
        # Load the built-in identity-provider plugins so the registry is complete.
        from amtsweg.accounts.providers import registry

        registry.plugins()
