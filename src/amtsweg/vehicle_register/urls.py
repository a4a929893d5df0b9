from django.urls import path

from amtsweg.vehicle_register import views

app_name = "vehicle_register"
urlpatterns = [
    path("", views.index, name="sandbox"),
]
