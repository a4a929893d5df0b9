from django.urls import path

from amtsweg.postbox import staff_views

app_name = "postbox_staff"
urlpatterns = [
    path("", staff_views.print_queue, name="queue"),
    path("<uuid:pk>/", staff_views.delivery_detail, name="delivery"),
    path("<uuid:pk>/brief.pdf", staff_views.letter, name="letter"),
    path("<uuid:pk>/vermerken/", staff_views.mark, name="mark"),
]
