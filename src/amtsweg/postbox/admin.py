from django.contrib import admin

from amtsweg.postbox.models import Delivery, Evidence, Mailbox, Message


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "organisation", "electronic_access", "created_at"]
    raw_id_fields = ["user", "organisation"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    fields = ["sequence", "event", "occurred_at", "actor_label", "trust_level", "details", "entry_hash"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "recipient_name",
        "authority",
        "channel",
        "rule",
        "status",
        "notification_date",
    ]
    list_filter = ["channel", "rule", "status"]
    search_fields = ["reference", "recipient_name"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [EvidenceInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "mailbox", "authority", "direction", "created_at", "read_at"]
    list_filter = ["direction"]
    search_fields = ["subject", "reference"]
    raw_id_fields = ["mailbox", "reply_to", "delivery", "sender_user"]
    filter_horizontal = ["documents"]
