"""Django admin for platform operators (superusers): the SANDBOX register's tables, read-mostly."""

from django.contrib import admin

from amtsweg.vehicle_register.models import (
    CodeAttempt,
    InsuranceConfirmation,
    PlateReservation,
    RegisterOperation,
    TaxDebtor,
    Vehicle,
)


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = (
        "plate",
        "vin",
        "district_ags",
        "status",
        "holder_family_name",
        "next_inspection",
        "tax_arrears",
        "version",
    )
    list_filter = ("status", "district_ags", "tax_arrears", "is_demo")
    search_fields = ("plate", "vin", "holder_family_name")
    # The code hashes are never shown or edited here.
    exclude = ("zb1_code_hash", "zb2_code_hash", "seal_front_hash", "seal_rear_hash", "code_generations")
    readonly_fields = ("version", "public_id")


@admin.register(RegisterOperation)
class RegisterOperationAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "vehicle", "authority_key", "from_version", "to_version", "operation_id")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in RegisterOperation._meta.fields]


admin.site.register(InsuranceConfirmation)
admin.site.register(TaxDebtor)
admin.site.register(PlateReservation)


@admin.register(CodeAttempt)
class CodeAttemptAdmin(admin.ModelAdmin):
    list_display = ("at", "vehicle", "ok", "wrong")
    readonly_fields = ("at", "vehicle", "ok", "wrong")
