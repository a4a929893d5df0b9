from django.urls import path

from amtsweg.payments import views

app_name = "payments"
urlpatterns = [
    path("zahlung/gebuehr/", views.fee_quote, name="fee_quote"),
    path("zahlung/benachrichtigung/<slug:provider>/", views.notify, name="notify"),
    path("zahlung/rueckkehr/<uuid:public_id>/", views.payment_return, name="return"),
    path("zahlung/<uuid:public_id>/", views.request_detail, name="request"),
    path("zahlung/<uuid:public_id>/status/", views.status_fragment, name="status"),
    path("zahlung/<uuid:public_id>/bezahlen/", views.start, name="start"),
    path("zahlung/<uuid:public_id>/girocode.svg", views.girocode, name="girocode"),
    path("verwaltung/zahlungen/", views.staff_summary, name="staff_summary"),
    path("verwaltung/zahlungen/export.csv", views.staff_export, name="staff_export"),
    path("verwaltung/zahlungen/kontoauszug/", views.staff_import, name="staff_import"),
    path("verwaltung/zahlungen/buchungen/<int:pk>/klaeren/", views.staff_resolve, name="staff_resolve"),
]
