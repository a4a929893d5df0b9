"""SANDBOX payment provider URLs, mounted under /sandbox/zahlung/ (404 unless the sandbox is enabled)."""

from django.urls import path

from amtsweg.payments.providers.sandbox import views

app_name = "sandbox_payment"
urlpatterns = [
    path("", views.index, name="index"),
    path("api/transaktionen/", views.api_create, name="api_create"),
    path("api/transaktionen/<uuid:tx_id>/", views.api_status, name="api_status"),
    path("api/transaktionen/<uuid:tx_id>/erstattungen/", views.api_refund, name="api_refund"),
    path("<uuid:tx_id>/", views.hosted_page, name="pay"),
]
