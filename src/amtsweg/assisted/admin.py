"""Platform operators only (/betrieb/admin/, superusers): read and repair; staff plan under
/verwaltung/touren/."""

from django.contrib import admin

from amtsweg.assisted.models import (
    Appointment,
    Closure,
    Event,
    HomeVisitRequest,
    Kit,
    Site,
    SiteHours,
    SlotRule,
    StaffTeam,
    Tour,
    TourStop,
)


class SiteHoursInline(admin.TabularInline):
    model = SiteHours
    extra = 0


class SlotRuleInline(admin.TabularInline):
    model = SlotRule
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "district", "authority", "is_public", "is_demo"]
    list_filter = ["kind", "is_public", "is_demo", "district"]
    search_fields = ["name", "city", "slug"]
    inlines = [SiteHoursInline, SlotRuleInline]
    filter_horizontal = ["services"]


class StopInline(admin.TabularInline):
    model = TourStop
    extra = 0
    fields = ["position", "name", "city", "starts_at", "ends_at", "status"]


@admin.register(Tour)
class TourAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "authority", "status", "kit", "team", "is_demo"]
    list_filter = ["status", "is_demo"]
    inlines = [StopInline]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["reference"]
    readonly_fields = ["slot", "nonce"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "object_type", "object_id", "actor_label"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register([Closure, HomeVisitRequest, Kit, StaffTeam])
