from django.contrib import admin

from amtsweg.koffer.models import Device, SyncItem


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("name", "device_id", "authority", "staff_user", "last_seen_at", "revoked_at")
    list_filter = ("authority",)
    readonly_fields = ("device_id", "secret_hash", "created_at", "last_seen_at", "wipe_sent_at")


@admin.register(SyncItem)
class SyncItemAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "device", "procedure_key", "case_number", "received_at", "uploads")
    readonly_fields = [f.name for f in SyncItem._meta.fields]
