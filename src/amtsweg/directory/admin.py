from django.contrib import admin

from amtsweg.directory.models import Authority, Office, SpecialDay, WeeklyHours


class OfficeInline(admin.StackedInline):
    model = Office
    extra = 0
    raw_id_fields = ("place",)


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    extra = 0


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "kind", "level", "ags", "is_generated", "address_verified")
    list_filter = ("level", "kind", "is_generated", "address_verified", "district")
    search_fields = ("name", "key", "short_name", "ags")
    raw_id_fields = ("municipality",)
    inlines = [OfficeInline, SpecialDayInline]


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "city", "is_main", "hours_source", "address_verified")
    list_filter = ("hours_source", "is_main", "address_verified")
    search_fields = ("authority__name", "name", "city", "street")
    raw_id_fields = ("authority", "place")
    inlines = [WeeklyHoursInline]
