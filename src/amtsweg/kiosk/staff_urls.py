from django.urls import path

from amtsweg.kiosk import staff_views as views

app_name = "kiosk_staff"

urlpatterns = [
    path("terminals/", views.terminals, name="terminals"),
    path("terminals/<uuid:public_id>/sperren/", views.revoke, name="revoke"),
    path("video/", views.video_queue, name="video_queue"),
    path("video/warteschlange.json", views.video_queue_json, name="video_queue_json"),
    path("video/<uuid:public_id>/annehmen/", views.video_accept, name="video_accept"),
    path("video/<uuid:public_id>/", views.video_call, name="video_call"),
    path("video/<uuid:public_id>/signal/", views.video_signal, name="video_signal"),
    path("video/<uuid:public_id>/beenden/", views.video_end, name="video_end"),
    path("video/<uuid:public_id>/dokument/", views.video_attach, name="video_attach"),
    path("video/dokumente/<uuid:document_id>/", views.call_document, name="call_document"),
    path("assistiert/", views.filing_start, name="filing_start"),
    path("assistiert/antrag/<slug:procedure_key>/", views.filing_form, name="filing_form"),
    path("assistiert/quittung/<int:pk>/", views.filing_receipt, name="filing_receipt"),
]
