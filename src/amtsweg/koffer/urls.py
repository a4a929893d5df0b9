from django.urls import path

from amtsweg.koffer.views import api, app

app_name = "koffer"
urlpatterns = [
    path("", app.app, name="app"),
    path("formular/<slug:key>/", app.offline_form, name="form"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="sw"),
    path("api/geraet/", api.device_status, name="device"),
    path("api/sync/", api.sync, name="sync"),
]
