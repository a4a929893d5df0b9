from django.urls import path

from amtsweg.reporting import views

app_name = "reporting"

urlpatterns = [
    path("verwaltung/statistik/", views.index, name="index"),
    path("verwaltung/statistik/land/", views.state, name="state"),
    path("verwaltung/statistik/land/statistik.csv", views.state_csv, name="state_csv"),
    path("verwaltung/behoerde/<int:authority_id>/statistik/", views.authority, name="authority"),
    path("verwaltung/behoerde/<int:authority_id>/statistik.csv", views.authority_csv, name="authority_csv"),
]
