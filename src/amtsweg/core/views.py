import logging

from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when this process can reach its database, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request):
    return render(request, "core/home.html")


LEGAL_PAGES = {"impressum", "datenschutz", "barrierefreiheit"}


def legal_page(request, page: str):
    if page not in LEGAL_PAGES:
        raise Http404
    return render(request, f"core/{page}.html")


def _error(request, status: int):
    return render(request, "core/error.html", {"status": status}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400)


def forbidden(request, exception=None):
    return _error(request, 403)


def not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    return _error(request, 500)


def csrf_failure(request, reason=""):
    """Django's own CSRF page is English and technical; ours explains what to do."""
    return _error(request, 403)
