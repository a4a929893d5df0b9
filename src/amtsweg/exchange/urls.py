from django.urls import path

from amtsweg.exchange import views

app_name = "exchange"
urlpatterns = [
    path("austausch/schluessel.json", views.public_keys, name="public_keys"),
    path("sandbox/empfang/", views.sandbox_inbox, name="sandbox_inbox"),
    path("sandbox/empfang/<slug:key>/", views.sandbox_recipient, name="sandbox_recipient"),
    path("sandbox/empfang/<slug:key>/nachrichten/", views.sandbox_receive, name="sandbox_receive"),
    path("sandbox/empfang/<slug:key>/<int:message_id>/", views.sandbox_message, name="sandbox_message"),
]
