from django.urls import path

from amtsweg.assisted.views import staff

app_name = "assisted_staff"
urlpatterns = [
    path("", staff.tour_list, name="tours"),
    path("neu/", staff.tour_create, name="tour_create"),
    path("<int:pk>/", staff.tour_detail, name="tour"),
    path("<int:pk>/halte/", staff.stop_add, name="stop_add"),
    path("<int:pk>/halte/<int:stop_pk>/entfernen/", staff.stop_remove, name="stop_remove"),
    path("<int:pk>/halte/<int:stop_pk>/absagen/", staff.stop_cancel, name="stop_cancel"),
    path("<int:pk>/ordnen/", staff.optimise, name="optimise"),
    path("<int:pk>/zuweisen/", staff.assign, name="assign"),
    path("<int:pk>/veroeffentlichen/", staff.publish, name="publish"),
    path("ausstattung/", staff.resources, name="resources"),
    path("hausbesuche/", staff.home_visits, name="home_visits"),
    path("hausbesuche/<int:pk>/", staff.home_visit_detail, name="home_visit"),
]
