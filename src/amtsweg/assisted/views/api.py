"""Open data under /api/v1/: all public locations and upcoming stops as GeoJSON, stops per district as
iCalendar.

Plain Django views (the GeoJSON and iCalendar media types are not JSON API responses); errors are the API's
JSON shape `{"error": {"code", "message"}}` with a German message.
"""

from __future__ import annotations

import json

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from amtsweg.assisted import ical, mapdata
from amtsweg.regions import services as regions

MAX_AGE = 300


def _error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@cache_control(public=True, max_age=MAX_AGE)
@require_GET
def locations_geojson(request):
    body = json.dumps(mapdata.geojson(), ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def district_ics(request, ags: str):
    if len(ags) != 5 or not ags.isascii() or not ags.isdigit():
        return _error(400, "invalid_district", _("Der Kreisschlüssel besteht aus fünf Ziffern, z. B. 14523."))
    try:
        district = regions.district_by_ags(ags)
    except regions.UnknownDistrict as error:
        return _error(404, "unknown_district", str(error))
    stops = mapdata.upcoming_stops().filter(district=district)
    response = HttpResponse(ical.stops_feed(district, stops), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="buergerkoffer-{district.ags}.ics"'
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
