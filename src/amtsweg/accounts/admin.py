from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from amtsweg.accounts.models import (
    DataAccessRecord,
    ExternalIdentity,
    Mandate,
    Organisation,
    OrganisationMembership,
    StaffMembership,
    User,
)


@admin.register(User)
class AmtswegUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_active", "deleted_at")
    list_filter = ("is_active", "is_superuser")
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "amtsweg",
            {
                "fields": (
                    "email_verified_at",
                    "birth_date",
                    "street_address",
                    "postal_code",
                    "locality",
                    "identity_verified_level",
                    "deleted_at",
                )
            },
        ),
    )


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "external_provider", "external_id")
    search_fields = ("name", "register_number")
    inlines = [MembershipInline]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "authority",
        "case_worker",
        "approver",
        "authority_admin",
        "auditor",
        "assisted_operator",
    )
    list_filter = ("authority",)
    raw_id_fields = ("user",)


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "all_procedures", "valid_from", "valid_until", "revoked_at")
    raw_id_fields = ("principal_user", "principal_organisation", "agent", "created_by")


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("provider", "user", "trust_level", "last_login_at")
    raw_id_fields = ("user",)


@admin.register(DataAccessRecord)
class DataAccessRecordAdmin(admin.ModelAdmin):
    """Read-only: the transparency log is evidence."""

    list_display = ("at", "authority", "subject_user", "actor", "purpose")
    list_filter = ("authority",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
