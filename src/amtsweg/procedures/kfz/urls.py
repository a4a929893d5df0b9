"""URLs of i-Kfz. Included in config/urls.py *before* the case engine, so `/antrag/kfz-…/` (the engine's start
URL
for these procedure keys, which the catalogue links to) opens the i-Kfz dialogue instead of the generic
form."""

from django.urls import path, register_converter

from amtsweg.procedures.kfz import staff_views, views


class KfzKeyConverter:
    regex = "kfz-(?:ausserbetriebsetzung|wiederzulassung|umschreibung|adressaenderung|neuzulassung)"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(KfzKeyConverter, "kfzkey")

app_name = "kfz"
urlpatterns = [
    path("antrag/<kfzkey:procedure_key>/", views.start, name="start"),
    path("antrag/kfz/<uuid:pk>/fahrzeug/", views.vehicle, name="vehicle"),
    path("antrag/kfz/<uuid:pk>/angaben/", views.details, name="details"),
    path("antrag/kfz/<uuid:pk>/pruefen/", views.review, name="review"),
    path("antrag/kfz/<uuid:pk>/abbrechen/", views.abort, name="abort"),
    path("antrag/kfz/<uuid:pk>/abgebrochen/", views.aborted, name="aborted"),
    path("antrag/kfz/<uuid:pk>/absenden/", views.submit, name="submit"),
    path("antrag/kfz/<uuid:pk>/ergebnis/", views.result, name="result"),
    path("antrag/kfz/<uuid:pk>/ergebnis/dokumente/", views.result_documents, name="result_documents"),
    path("verwaltung/kfz/", staff_views.index, name="staff_index"),
    path("verwaltung/kfz/stichprobe/", staff_views.samples, name="staff_samples"),
    path("verwaltung/kfz/stichprobe/<int:decision_id>/", staff_views.sample, name="staff_sample"),
    path("verwaltung/kfz/versand/", staff_views.dispatch, name="staff_dispatch"),
    path("verwaltung/kfz/versand/<int:pk>/", staff_views.dispatch_update, name="staff_dispatch_update"),
]
