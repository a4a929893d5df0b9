from django.urls import path

from amtsweg.cases import views

app_name = "cases"
urlpatterns = [
    path("antrag/<slug:procedure_key>/", views.start, name="start"),
    path("antrag/entwurf/<uuid:draft_id>/schritt/<int:index>/", views.step, name="step"),
    path(
        "antrag/entwurf/<uuid:draft_id>/schritt/<int:index>/pruefen/<slug:name>/",
        views.check_field,
        name="check_field",
    ),
    path("antrag/entwurf/<uuid:draft_id>/uebersicht/", views.review, name="review"),
    path("antrag/entwurf/<uuid:draft_id>/loeschen/", views.delete_draft, name="delete_draft"),
    path("antrag/vorgang/<uuid:public_id>/", views.after_payment, name="after_payment"),
    path("meine-antraege/", views.my_cases, name="my_cases"),
    path("meine-antraege/<uuid:public_id>/", views.detail, name="detail"),
    path("meine-antraege/<uuid:public_id>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("meine-antraege/<uuid:public_id>/kopie/", views.copy, name="copy"),
    path("meine-antraege/<uuid:public_id>/rueckfrage/<uuid:request_id>/", views.answer, name="answer"),
    path("meine-antraege/<uuid:public_id>/nachreichung/<slug:key>/", views.follow_up, name="follow_up"),
]
