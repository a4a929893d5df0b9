from django.urls import path

from amtsweg.assisted.views import api

app_name = "assisted_api"
urlpatterns = [
    path("standorte.geojson", api.locations_geojson, name="locations"),
    path("standorte/<str:ags>.ics", api.district_ics, name="district_ics"),
]
