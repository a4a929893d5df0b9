from django.urls import path

from amtsweg.administration import views

app_name = "administration"

_A = "verwaltung/behoerde/<int:authority_id>/"

urlpatterns = [
    path("verwaltung/behoerde/", views.index, name="index"),
    path(_A, views.overview, name="overview"),
    path(_A + "personal/", views.staff, name="staff"),
    path(_A + "personal/<int:membership_id>/", views.staff_member, name="staff_member"),
    path(_A + "gebuehren/", views.fees, name="fees"),
    path(_A + "oeffnungszeiten/", views.hours, name="hours"),
    path(_A + "oeffnungszeiten/<int:hours_id>/loeschen/", views.hours_delete, name="hours_delete"),
    path(
        _A + "sondertage/<int:special_day_id>/loeschen/", views.special_day_delete, name="special_day_delete"
    ),
    path(_A + "schluessel/", views.keys, name="keys"),
    path(_A + "auslastung/", views.workload, name="workload"),
    path(_A + "verfahren/", views.procedures, name="procedures"),
    path(_A + "briefkopf/", views.letter, name="letter"),
    path(_A + "abwesenheiten/", views.absences, name="absences"),
    path(_A + "abwesenheiten/<int:absence_id>/loeschen/", views.absence_delete, name="absence_delete"),
]
