from django.urls import path

from amtsweg.postbox import views

app_name = "postbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("archiv/", views.archive, name="archive"),
    path("einstellungen/", views.preferences, name="preferences"),
    path("<uuid:pk>/", views.message_detail, name="message"),
    path("<uuid:pk>/archivieren/", views.toggle_archive, name="toggle_archive"),
    path("<uuid:pk>/dokument/<uuid:document_pk>/", views.document, name="document"),
]
