import functools

from django.urls import path, re_path
from django.utils import translation

from amtsweg.api.api import api, error_response


def german(view):
    """The API speaks German (messages, descriptions) whatever the client's Accept-Language says."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override("de"):
            return view(request, *args, **kwargs)

    return wrapped


def not_found(request, rest=""):
    return error_response(404, "not_found", "Diese Adresse gibt es in der Schnittstelle nicht.")


api_patterns, api_app_name, api_namespace = api.urls
for pattern in api_patterns:
    pattern.callback = german(pattern.callback)

urlpatterns = [
    path("", not_found),
    path("", (api_patterns, api_app_name, api_namespace)),
    # Anything else under /api/v1/ answers in JSON, not with the HTML error page.
    re_path(r"^(?P<rest>.*)$", not_found),
]
