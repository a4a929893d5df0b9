"""Public pages: the map with its list view, a site's page, a stop's page, the offline outline."""

from __future__ import annotations

import json
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from amtsweg.assisted import mapdata, slots
from amtsweg.assisted.forms import MapFilterForm
from amtsweg.assisted.models import Site, Tour, TourStop
from amtsweg.regions import services as regions


def _seats() -> list[dict]:
    return [
        {"name": d.seat, "district": d.full_name, "lat": d.lat, "lon": d.lon} for d in regions.all_districts()
    ]


def _map_context(request, *, list_only: bool):
    form = MapFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # errors are shown; valid fields still filter
    filters = form.filters()
    items = mapdata.locations(filters)
    return {
        "form": form,
        "filters": filters,
        "items": items,
        "has_demo": any(item.is_demo for item in items),
        "list_only": list_only,
        "map_data": {
            "items": [item.as_json() for item in items],
            "seats": _seats(),
            "outline": reverse("assisted:outline"),
            "tiles": settings.TILE_URL or "",
            "icons": static("vendor/leaflet/images/"),
            "near": list(filters.near) if filters.near else None,
        },
        "districts": list(regions.all_districts()),
        "query": request.GET.urlencode(),
    }


@require_GET
def map_view(request):
    """/vor-ort/: filters, the map (JavaScript) and the same content as a list (always)."""
    return render(request, "assisted/map.html", _map_context(request, list_only=False))


@require_GET
def list_view(request):
    """/vor-ort/liste/: only the list, for people who do not use maps."""
    return render(request, "assisted/map.html", _map_context(request, list_only=True))


@lru_cache(maxsize=1)
def _outline_bytes() -> bytes:
    data = json.loads(regions.outline_geojson_path().read_text(encoding="utf-8"))
    return json.dumps(data, separators=(",", ":")).encode()


@cache_control(public=True, max_age=86400)
@require_GET
def outline(request):
    """Saxony's outline for the offline base layer of the map."""
    return HttpResponse(_outline_bytes(), content_type="application/geo+json")


@require_GET
def site_detail(request, slug: str):
    if len(slug) > 120:
        raise Http404
    site = get_object_or_404(mapdata.public_sites(), slug=slug)
    location = mapdata.site_location(site)
    return render(
        request,
        "assisted/site_detail.html",
        {
            "site": site,
            "location": location,
            "hours": list(site.hours.all()),
            "closures": upcoming_closures(site),
            "first_slots": slots.offers(site, limit=3),
        },
    )


def upcoming_closures(site: Site, days: int = 30) -> list[tuple[object, str]]:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    result = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() < 5 or any(h.weekday == day.weekday() for h in site.hours.all()):
            reason = slots.closure_reason(site, day)
            if reason:
                result.append((day, reason))
    return result


@require_GET
def stop_detail(request, pk: int):
    stop = get_object_or_404(
        TourStop.objects.select_related("tour__authority", "district").prefetch_related("services"), pk=pk
    )
    if stop.tour.status == Tour.Status.DRAFT or not stop.is_public:
        raise Http404
    return render(
        request,
        "assisted/stop_detail.html",
        {
            "stop": stop,
            "location": mapdata.stop_location(stop),
            "bookable": slots.is_bookable_target(stop),
            "free": slots.offers(stop),
            "other_stops": mapdata.upcoming_stops().filter(tour=stop.tour).exclude(pk=stop.pk)[:10],
        },
    )
