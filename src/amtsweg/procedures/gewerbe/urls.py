from django.urls import path

from amtsweg.procedures.gewerbe import views

app_name = "gewerbe"
urlpatterns = [
    path("gewerbe/", views.my_businesses, name="mine"),
    path("gewerbe/<uuid:business_id>/aendern/<slug:kind>/", views.start_change, name="start_change"),
    path("gewerbe/<uuid:business_id>/verlegen/", views.move, name="move"),
    path("gewerbe/verlegung/<uuid:move_id>/", views.move_detail, name="move_detail"),
    path("verwaltung/gewerbe/", views.worklist, name="worklist"),
    path("verwaltung/gewerbe/register/", views.register, name="register"),
    path("verwaltung/gewerbe/register/<uuid:business_id>/abmelden/", views.ex_officio, name="ex_officio"),
    path("verwaltung/gewerbe/vorgang/<uuid:public_id>/", views.staff_case, name="staff_case"),
    path("verwaltung/gewerbe/vorgang/<uuid:public_id>/pruefen/", views.staff_review, name="staff_review"),
    path("verwaltung/gewerbe/vorgang/<uuid:public_id>/bescheinigung/", views.staff_issue, name="staff_issue"),
    path(
        "verwaltung/gewerbe/vorgang/<uuid:public_id>/rueckfrage/", views.staff_question, name="staff_question"
    ),
]
