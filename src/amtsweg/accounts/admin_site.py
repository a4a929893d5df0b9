"""The Django admin is for platform operators only: a superuser with a verified second factor. Staff of
authorities work in /verwaltung/; even with `is_staff` set they never reach the admin."""

from django_otp.admin import OTPAdminSite


class OperatorsAdminSite(OTPAdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and bool(request.user.is_superuser)
