from django.urls import path

from amtsweg.assisted.views import booking, public

app_name = "assisted"
urlpatterns = [
    path("vor-ort/", public.map_view, name="map"),
    path("vor-ort/liste/", public.list_view, name="list"),
    path("vor-ort/sachsen.geojson", public.outline, name="outline"),
    path("vor-ort/standort/<slug:slug>/", public.site_detail, name="site"),
    path("vor-ort/halt/<int:pk>/", public.stop_detail, name="stop"),
    path("termine/", booking.start, name="start"),
    path("termine/standort/<slug:slug>/", booking.book_site, name="book_site"),
    path("termine/halt/<int:pk>/", booking.book_stop, name="book_stop"),
    path("termine/e-mail-gesendet/", booking.check_email, name="check_email"),
    path("termine/bestaetigen/<str:token>/", booking.confirm, name="confirm"),
    path("termine/verwalten/<str:token>/", booking.manage, name="manage"),
    path("termine/verwalten/<str:token>/absagen/", booking.cancel, name="cancel"),
    path("termine/verwalten/<str:token>/verschieben/", booking.rebook, name="rebook"),
    path("termine/verwalten/<str:token>/termin.ics", booking.ics, name="ics"),
    path("termine/verwalten/<str:token>/qr.png", booking.qr_png, name="qr"),
    path("termine/hausbesuch/", booking.home_visit, name="home_visit"),
    path(
        "termine/hausbesuch/bestaetigen/<str:token>/", booking.home_visit_confirm, name="home_visit_confirm"
    ),
]
