from django.urls import path

from amtsweg.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("<str:code>/", views.verify_code, name="verify_code"),
]
