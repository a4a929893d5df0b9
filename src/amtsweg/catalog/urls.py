from django.urls import path

from amtsweg.catalog import views

app_name = "catalog"
urlpatterns = [
    path("suche/", views.search_page, name="search"),
    path("suche/vorschlaege", views.suggestions, name="suggestions"),
    path("leistungen/", views.service_list, name="service_list"),
    path("leistungen/<str:key>/", views.service_detail, name="service"),
    path("lebenslagen/", views.life_situation_list, name="life_situations"),
    path("lebenslagen/<str:key>/", views.life_situation_detail, name="life_situation"),
]
