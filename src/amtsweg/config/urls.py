from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from amtsweg.core import views as core_views

# The language is chosen by cookie (set_language), not by URL prefix, so links stay stable.
urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Django admin is for platform operators (superusers) only, never for case work.
    path("betrieb/admin/", admin.site.urls),
    path("", include("amtsweg.regions.urls")),
    path("", include("amtsweg.catalog.urls")),
    # Before the API app: its catch-all answers every other /api/v1/ path with a JSON 404.
    path("api/v1/", include("amtsweg.assisted.api_urls")),
    path("api/v1/", include("amtsweg.api.urls")),
    path("behoerden/", include("amtsweg.directory.urls")),
    path("", include("amtsweg.payments.urls")),
    path("sandbox/zahlung/", include("amtsweg.payments.providers.sandbox.urls")),
    path("sandbox/fahrzeugregister/", include("amtsweg.vehicle_register.urls")),
    path("pruefen/", include("amtsweg.documents.urls")),
    path("postfach/", include("amtsweg.postbox.urls")),
    path("verwaltung/postausgang/", include("amtsweg.postbox.staff_urls")),
    path("verwaltung/touren/", include("amtsweg.assisted.staff_urls")),
    path("verwaltung/vorgaenge/", include("amtsweg.backoffice.urls")),
    path("verwaltung/buergerkoffer/", include("amtsweg.koffer.staff_urls")),
    path("koffer/", include("amtsweg.koffer.urls")),
    path("verwaltung/", include("amtsweg.kiosk.staff_urls")),
    path("", include("amtsweg.kiosk.urls")),
    path("", include("amtsweg.assisted.urls")),
    # i-Kfz before the case engine: it takes over /antrag/kfz-…/ (the engine's start URL for these keys).
    path("", include("amtsweg.procedures.kfz.urls")),
    path("", include("amtsweg.cases.urls")),
    path("", include("amtsweg.exchange.urls")),
    path("", include("amtsweg.procedures.gewerbe.urls")),
    path("", include("amtsweg.administration.urls")),
    path("", include("amtsweg.reporting.urls")),
    path("", include("amtsweg.procedures.bohrung.urls")),
    path("", include("amtsweg.accounts.urls")),
    path("", include("amtsweg.sandbox_eid.urls")),
    path("", include("amtsweg.core.urls")),
]

handler400 = "amtsweg.core.views.bad_request"
handler403 = "amtsweg.core.views.forbidden"
handler404 = "amtsweg.core.views.not_found"
handler500 = "amtsweg.core.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
