from django.urls import path

from amtsweg.regions import views

app_name = "regions"
urlpatterns = [
    path("regionen/plz/<str:code>.json", views.postal_code, name="postal_code"),
]
