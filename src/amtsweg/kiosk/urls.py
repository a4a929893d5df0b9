from django.urls import path

from amtsweg.kiosk import views

app_name = "kiosk"

urlpatterns = [
    path("kiosk/", views.start, name="start"),
    path("kiosk/aktivieren/", views.activate, name="activate"),
    path("kiosk/neu/", views.reset, name="reset"),
    path("kiosk/video/", views.video_request, name="video_request"),
    path("kiosk/video/<uuid:public_id>/", views.video_call, name="video_call"),
    path("kiosk/video/<uuid:public_id>/status/", views.video_status, name="video_status"),
    path("kiosk/video/<uuid:public_id>/signal/", views.video_signal, name="video_signal"),
    path("kiosk/video/<uuid:public_id>/beenden/", views.video_end, name="video_end"),
    path("kiosk/quittung/<uuid:public_id>/", views.receipt, name="receipt"),
]
