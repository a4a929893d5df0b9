"""Portal pages: search, A–Z list, service pages with the responsibility finder, life situations.

Views are thin: they read the request, call `catalog.services`, and render. Every form here is a plain
GET form, so the pages work without JavaScript; htmx only adds search-as-you-type suggestions.
Bad input (empty, overlong or control-character queries, unknown keys, malformed or non-Saxon postal
codes) gives the page with a German message and status 400 or 404, never a 500.
"""

from __future__ import annotations

import logging
import re
from itertools import groupby

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amtsweg.catalog import services
from amtsweg.catalog.presenters import authority_view, fee_text, service_sections
from amtsweg.catalog.search import normalize

logger = logging.getLogger(__name__)
MAX_PARAM = 200
_DIGITS = re.compile(r"[0-9 ]+")


def _error(request, error: services.CatalogError, *, title: str = ""):
    return render(
        request,
        "catalog/error.html",
        {"status": error.status, "message": error.message, "title": title or _("Nicht gefunden")},
        status=error.status,
    )


@require_GET
def search_page(request):
    raw = request.GET.get("q")
    context = {"query": raw or "", "hits": [], "error": None, "searched": raw is not None}
    if raw is None:
        return render(request, "catalog/search.html", context)
    try:
        query = services.clean_query(raw)
    except services.InvalidQuery as exc:
        context["error"] = exc.message
        context["query"] = raw if len(raw) <= MAX_PARAM and raw.isprintable() else ""
        return render(request, "catalog/search.html", context, status=exc.status)
    context["query"] = query
    context["hits"] = _with_services(services.search(query, limit=20))
    return render(request, "catalog/search.html", context)


@require_GET
def suggestions(request):
    """The fragment under the search field (htmx); an empty fragment for too little input."""
    raw = request.GET.get("q", "")
    try:
        query = services.clean_query(raw)
    except services.InvalidQuery as exc:
        if exc.code == "empty_query":
            return render(request, "catalog/_suggestions.html", {"hits": [], "query": ""})
        return render(
            request, "catalog/_suggestions.html", {"hits": [], "error": exc.message}, status=exc.status
        )
    hits = services.suggest(query, limit=6) if len(normalize(query)) >= 2 else []
    return render(request, "catalog/_suggestions.html", {"hits": _with_services(hits), "query": query})


def _with_services(hits):
    by_key = {s.key: s for s in services.list_services().filter(key__in=[h.key for h in hits])}
    return [{"hit": h, "service": by_key[h.key]} for h in hits if h.key in by_key]


@require_GET
def service_list(request):
    """A–Z: every service, grouped by its first letter (umlauts sorted with their base letter)."""
    items = sorted(services.list_services(), key=lambda s: (normalize(s.display_name), s.key))

    def letter(service):
        first = normalize(service.display_name)[:1].upper()
        return first if first.isalpha() else "#"

    groups = [(key, list(group)) for key, group in groupby(items, key=letter)]
    return render(request, "catalog/service_list.html", {"groups": groups, "count": len(items)})


@require_GET
def service_detail(request, key: str):
    try:
        service = services.get_service(key)
    except services.CatalogError as exc:
        return _error(request, exc, title=_("Leistung nicht gefunden"))
    context = {
        "service": service,
        "sections": service_sections(service),
        "fee": fee_text(service),
        "life_situations": list(service.life_situations.all()),
        "online_url": services.online_url(service),
        "finder": None,
        "finder_error": None,
        "form": {
            "ort": _param(request, "ort") or _param(request, "plz"),
            "ort_id": _param(request, "ort_id"),
        },
    }
    status = 200
    form = context["form"]
    asked = any(form.values()) or any(name in request.GET for name in ("plz", "ort", "ort_id"))
    # One field takes a postal code or a place name; digits alone are a postal code (and checked as one).
    postal_code = form["ort"] if _DIGITS.fullmatch(form["ort"]) else None
    if service.level in ("land", "bund") or asked:
        try:
            finder = services.find_responsible(
                service.key,
                postal_code=postal_code,
                place_text=None if postal_code else (form["ort"] or None),
                place_id=form["ort_id"] or None,
                at=timezone.now(),
            )
            context["finder"] = finder
            if finder.authority is not None:
                context["authority"] = authority_view(finder.authority, at=finder.at)
        except services.CatalogError as exc:
            if asked:
                context["finder_error"] = exc.message
                status = exc.status
            else:  # state service without a directory entry: the page still shows the description
                logger.warning("finder for %s: %s", service.key, exc.message)
    return render(request, "catalog/service_detail.html", context, status=status)


def _param(request, name: str) -> str:
    value = request.GET.get(name, "")
    if len(value) > MAX_PARAM:
        return value[:MAX_PARAM]
    return value.strip()


@require_GET
def life_situation_list(request):
    return render(
        request, "catalog/life_situation_list.html", {"situations": services.list_life_situations()}
    )


@require_GET
def life_situation_detail(request, key: str):
    try:
        situation = services.get_life_situation(key)
    except services.CatalogError as exc:
        return _error(request, exc, title=_("Lebenslage nicht gefunden"))
    items = sorted(situation.services.all(), key=lambda s: normalize(s.display_name))
    return render(request, "catalog/life_situation_detail.html", {"situation": situation, "services": items})
