from django.urls import path

from amtsweg.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.authority_list, name="list"),
    path("<str:key>/", views.authority_detail, name="detail"),
]
