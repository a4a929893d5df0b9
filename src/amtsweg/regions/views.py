from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from amtsweg.regions import services


def _district(district) -> dict:
    return {
        "ags": district.ags,
        "name": district.name,
        "full_name": district.full_name,
        "kind": district.kind,
        "nuts3": district.nuts3,
        "seat": district.seat,
        "plate": district.plate,
    }


# Reference data changes only with a new release, so browsers and proxies may keep answers for an hour.
@cache_control(public=True, max_age=3600)
@require_GET
def postal_code(request, code: str):
    """GET /regionen/plz/<code>.json: the district and places of a Saxon postal code (for address forms)."""
    try:
        row = services.get_postal_code(code)
        districts = services.districts_for_postal_code(code)
        places = services.places_for_postal_code(code)
    except services.MalformedPostalCode as error:
        return JsonResponse({"error": "malformed_postal_code", "message": str(error)}, status=400)
    except services.PostalCodeNotInSaxony as error:
        return JsonResponse({"error": "postal_code_not_in_saxony", "message": str(error)}, status=404)
    return JsonResponse(
        {
            "postal_code": row.code,
            "district": _district(districts[0]),
            "other_districts": [_district(d) for d in districts[1:]],
            "other_states": row.other_states,
            "places": [
                {
                    "name": place.name,
                    "name_sorbian": place.name_sorbian,
                    "kind": place.kind,
                    "district": place.district.ags,
                    "ags8": place.ags8,
                    "lat": place.lat,
                    "lon": place.lon,
                }
                for place in places
            ],
        }
    )
