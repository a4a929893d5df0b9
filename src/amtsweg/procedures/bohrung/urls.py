from django.urls import path

from amtsweg.procedures.bohrung import views

app_name = "bohrung"
urlpatterns = [
    path("bohranzeige/grundkarte.geojson", views.base_layer, name="base_layer"),
    path("bohranzeige/vorgang/<uuid:public_id>/", views.status, name="status"),
    path("bohranzeige/vorgang/<uuid:public_id>/ergebnisse/", views.results, name="results"),
    path("verwaltung/bohrung/", views.worklist, name="worklist"),
    path("verwaltung/bohrung/register/", views.register, name="register"),
    path("verwaltung/bohrung/register.geojson", views.register_geojson, name="register_geojson"),
    path("verwaltung/bohrung/register.csv", views.register_csv, name="register_csv"),
    path("verwaltung/bohrung/ueberfaellig/", views.overdue, name="overdue"),
    path("verwaltung/bohrung/vorgang/<uuid:public_id>/", views.staff_case, name="staff_case"),
    path("verwaltung/bohrung/vorgang/<uuid:public_id>/oeffnen/", views.staff_open, name="staff_open"),
    path("verwaltung/bohrung/vorgang/<uuid:public_id>/entscheiden/", views.staff_decide, name="staff_decide"),
    path(
        "verwaltung/bohrung/vorgang/<uuid:public_id>/ergebnisse-abwarten/",
        views.staff_expect,
        name="staff_expect",
    ),
    path("verwaltung/bohrung/vorgang/<uuid:public_id>/abschliessen/", views.staff_close, name="staff_close"),
]
