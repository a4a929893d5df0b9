from django.urls import path

from amtsweg.koffer.views import staff

app_name = "koffer_staff"
urlpatterns = [
    path("", staff.device_list, name="devices"),
    path("neu/", staff.device_register, name="register"),
    path("<int:pk>/sperren/", staff.device_revoke, name="revoke"),
]
