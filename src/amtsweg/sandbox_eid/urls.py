"""SANDBOX eID URLs under /sandbox/eid/ (404 when the sandbox is switched off)."""

from django.urls import path

from amtsweg.sandbox_eid import views

app_name = "sandbox_eid"
urlpatterns = [
    path("sandbox/eid", views.root, name="root"),
    path("sandbox/eid/", views.root),
    path("sandbox/eid/.well-known/openid-configuration", views.discovery, name="discovery"),
    path("sandbox/eid/jwks", views.jwks, name="jwks"),
    path("sandbox/eid/authorize", views.authorize, name="authorize"),
    path("sandbox/eid/token", views.token, name="token"),
    path("sandbox/eid/userinfo", views.userinfo, name="userinfo"),
]
