from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.documents import pki
from amtsweg.documents.models import Document, DocumentTemplate, RemedyTemplate, SealAlert, SealCertificate


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ["doc_type", "procedure", "authority", "version", "closing", "with_remedy", "is_active"]
    list_filter = ["doc_type", "is_active", "closing"]
    search_fields = ["doc_type", "procedure", "title"]
    autocomplete_fields = ["authority"]


@admin.register(RemedyTemplate)
class RemedyTemplateAdmin(admin.ModelAdmin):
    list_display = ["procedure", "authority", "version", "remedy", "deciding_body", "is_active"]
    list_filter = ["remedy", "is_active"]
    search_fields = ["procedure", "deciding_body"]
    autocomplete_fields = ["authority"]


@admin.register(SealCertificate)
class SealCertificateAdmin(admin.ModelAdmin):
    list_display = [
        "authority",
        "subject",
        "serial",
        "not_after",
        "source",
        "is_active",
        "revoked_at",
        "status",
    ]
    list_filter = ["source", "is_active"]
    search_fields = ["subject", "serial", "authority__name"]
    readonly_fields = [f.name for f in SealCertificate._meta.fields]
    actions = ["revoke"]

    @admin.display(description=_("Zustand"))
    def status(self, obj):
        return obj.problem() or _("gültig")

    @admin.action(description=_("Ausgewählte Zertifikate sperren"))
    def revoke(self, request, queryset):
        for record in queryset:
            pki.revoke(record, reason=f"im Betrieb gesperrt von {request.user}")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SealAlert)
class SealAlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "authority", "message", "resolved_at"]
    list_filter = ["resolved_at"]
    actions = ["resolve"]
    readonly_fields = ["authority", "certificate", "message", "created_at"]

    @admin.action(description=_("Als erledigt markieren"))
    def resolve(self, request, queryset):
        queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "authority", "doc_type", "issued_on", "verification_code", "seal_level"]
    list_filter = ["doc_type", "seal_level"]
    search_fields = ["verification_code", "reference", "sha256"]
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
