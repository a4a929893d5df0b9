"""Operator admin (superusers, /betrieb/admin/): fee rules and payee accounts are edited here; payments,
their audit trail and bank entries are read-only (states change only through the state machine)."""

from django.contrib import admin

from amtsweg.payments.models import BankEntry, FeeRule, PayeeAccount, Payment, PaymentEvent, PaymentRequest


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = ("procedure_key", "variant", "authority", "kind", "amount_cents", "valid_until")
    list_filter = ("kind", "procedure_key")
    search_fields = ("procedure_key", "label", "authority__name", "authority__key")
    raw_id_fields = ("authority",)


@admin.register(PayeeAccount)
class PayeeAccountAdmin(admin.ModelAdmin):
    list_display = ("authority", "holder", "iban", "bic")
    search_fields = ("authority__name", "holder", "iban")
    raw_id_fields = ("authority",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "from_state", "to_state", "amount_cents", "source", "detail")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnlyAdmin):
    list_display = ("reference", "authority", "amount_cents", "state", "created_at", "paid_at")
    list_filter = ("state",)
    search_fields = ("reference", "case_number", "public_id")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "booking_reference",
        "provider",
        "method",
        "amount_cents",
        "state",
        "is_duplicate",
        "created_at",
    )
    list_filter = ("state", "provider", "is_duplicate")
    search_fields = ("booking_reference", "provider_reference", "public_id", "request__reference")
    inlines = [PaymentEventInline]


@admin.register(BankEntry)
class BankEntryAdmin(ReadOnlyAdmin):
    list_display = ("entry_key", "authority", "amount_cents", "reference", "status", "reason", "booked_on")
    list_filter = ("status", "reason")
    search_fields = ("entry_key", "reference", "debtor_name")
