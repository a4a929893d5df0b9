"""Operator admin (superusers, /betrieb/admin/): the address book (endpoint, public key, activation) is edited
here; messages, attempts and keys are read-only (they change only through the outbox)."""

from django.contrib import admin

from amtsweg.exchange.models import DeliveryAttempt, OutgoingMessage, Recipient, SenderKey


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "kind", "endpoint", "active", "verified")
    list_filter = ("kind", "active", "verified")
    search_fields = ("name", "key", "dvdv_key")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "status_code", "outcome", "error", "duration_ms")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "sender", "recipient", "message_type", "status", "attempts", "delete_after")
    list_filter = ("status", "message_type")
    search_fields = ("reference", "recipient__name", "sender__name")
    exclude = ("envelope",)
    inlines = [DeliveryAttemptInline]


@admin.register(SenderKey)
class SenderKeyAdmin(ReadOnlyAdmin):
    list_display = ("authority", "kid", "active", "created_at")
    list_filter = ("active",)
