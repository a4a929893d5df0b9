from django.urls import path

from amtsweg.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("impressum/", views.legal_page, {"page": "impressum"}, name="impressum"),
    path("datenschutz/", views.legal_page, {"page": "datenschutz"}, name="datenschutz"),
    path("barrierefreiheit/", views.legal_page, {"page": "barrierefreiheit"}, name="barrierefreiheit"),
]
