from django.contrib import admin

from amtsweg.regions.models import District, Place, PostalCode


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reference data comes from the shipped dataset; an edit here would be undone by the next import."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["ags", "name", "kind", "nuts3", "seat", "plate"]
    search_fields = ["ags", "name", "seat"]


@admin.register(PostalCode)
class PostalCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "district"]
    list_filter = ["district"]
    search_fields = ["code", "places__name"]


@admin.register(Place)
class PlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "name_sorbian", "kind", "district", "ags8"]
    list_filter = ["district", "kind"]
    search_fields = ["name", "name_sorbian", "postal_codes__code"]
