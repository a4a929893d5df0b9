"""Catalogue editing for platform operators. Every save goes through `versioning.editing`, so the
version history records who changed what; the history is shown read-only below each service."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from amtsweg.catalog.models import CatalogState, LifeSituation, Service, ServiceVersion
from amtsweg.catalog.versioning import editing, history


class ServiceVersionInline(admin.TabularInline):
    model = ServiceVersion
    extra = 0
    can_delete = False
    fields = ("number", "created_at", "author", "note")
    readonly_fields = fields
    ordering = ("-number",)
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "level", "fee_kind", "online_procedure", "updated_at")
    list_filter = ("level", "fee_kind", "online_trust_level", "life_situations")
    search_fields = ("key", "name", "leika")
    filter_horizontal = ("life_situations",)
    readonly_fields = ("created_at", "updated_at", "changes")
    inlines = [ServiceVersionInline]

    @admin.display(description=_("Änderungen"))
    def changes(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        rows = [
            (
                row["version"].number,
                row["version"].created_at.strftime("%d.%m.%Y %H:%M"),
                row["version"].author or "–",
                ", ".join(row["changed_fields"]) or _("erste Fassung"),
            )
            for row in history(obj)
        ]
        return format_html_join("\n", "<p>v{} · {} · {}: {}</p>", rows)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One version per save, after the life situations (saved after the object) are in place.
        with editing(request.user.get_username(), note=_("Bearbeitung im Betriebs-Admin")):
            return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    list_display = ("service", "number", "created_at", "author", "note")
    list_filter = ("service",)
    readonly_fields = ("service", "number", "data", "created_at", "author", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LifeSituation)
class LifeSituationAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "position")


@admin.register(CatalogState)
class CatalogStateAdmin(admin.ModelAdmin):
    list_display = ("revision", "changed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
