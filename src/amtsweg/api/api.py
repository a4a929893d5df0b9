"""The public JSON API, version 1 (/api/v1/), with its OpenAPI document at /api/v1/openapi.json.

Read-only and anonymous. Errors are always JSON `{"error": {"code": "...", "message": "<Deutsch>"}}`
with status 400 (bad input) or 404 (unknown key, place outside Saxony), never 500. Catalogue data
carries ETag and Last-Modified (the catalogue's last change) and `Cache-Control: public, max-age=300`;
a matching If-None-Match (or If-Modified-Since) gives 304 without doing the work.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError

from amtsweg.api import schemas
from amtsweg.catalog import services as catalog
from amtsweg.catalog.formats import serialize_service
from amtsweg.catalog.search import MAX_QUERY_LENGTH

logger = logging.getLogger(__name__)
CATALOG_MAX_AGE = 300
SEARCH_CACHE_SIZE = 4096
_SEARCH_BODIES: dict[tuple, bytes] = {}
_SEARCH_LOCK = threading.Lock()
# What `catalog.services.clean_query` accepts, for the OpenAPI document: no control characters, and at
# least one character that is not white space (the characters stand literally in the class).
_CONTROL_CLASS = "\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff"
QUERY_PATTERN = f"^[^{_CONTROL_CLASS}]*[^\\s{_CONTROL_CLASS}][^{_CONTROL_CLASS}]*$"
LIVE_MAX_AGE = 60  # responses with "open now" change by the minute
ERRORS = {400: schemas.ErrorOut, 404: schemas.ErrorOut}

api = NinjaAPI(
    title="amtsweg – öffentliche Schnittstelle",
    version="1",
    description=(
        "Leistungskatalog, Suche, Zuständigkeitsfinder und Behördenverzeichnis des Freistaats Sachsen. "
        'Nur lesend, ohne Anmeldung. Fehler: JSON {"error": {"code", "message"}} mit deutscher Meldung.'
    ),
    urls_namespace="api",
    docs_url=None,  # the interactive docs would load scripts from a CDN (CSP, no network); use openapi.json
    openapi_url="/openapi.json",
)


def error_response(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


# --- errors --------------------------------------------------------------------------------------

PARAMETER_NAMES = {
    "q": "q (Suchbegriff)",
    "limit": "limit",
    "service": "service",
    "postal_code": "postal_code",
}


def _validation_message(errors: list[dict], request=None) -> tuple[str, str]:
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "params")]
    name = location[-1] if location else "?"
    kind = first.get("type", "")
    shown = PARAMETER_NAMES.get(name, name)
    if name == "q" and kind == "string_too_long":
        return "query_too_long", _("Der Suchbegriff ist zu lang (höchstens %(max)s Zeichen).") % {
            "max": MAX_QUERY_LENGTH
        }
    if name == "q" and kind in {"string_too_short", "missing"}:
        return "empty_query", _("Bitte geben Sie einen Suchbegriff ein (Parameter q).")
    if name == "q" and kind == "string_pattern_mismatch":
        try:
            catalog.clean_query(request.GET.get("q") if request is not None else None)
        except catalog.InvalidQuery as exc:
            return exc.code, exc.message
        return "invalid_characters", _("Der Suchbegriff enthält unzulässige Steuerzeichen.")
    if kind == "missing":
        return "missing_parameter", _("Der Parameter „%(name)s“ fehlt.") % {"name": shown}
    if name == "postal_code":
        return "invalid_postal_code", _("Bitte geben Sie eine Postleitzahl aus fünf Ziffern an.")
    if name == "ags":
        return "invalid_ags", _("Ein Gebietsschlüssel besteht aus fünf Ziffern (Kreis) oder acht (Gemeinde).")
    if name == "limit":
        return "invalid_limit", _("Der Parameter „limit“ muss eine ganze Zahl von 1 bis 50 sein.")
    if kind.startswith("int"):
        return "invalid_parameter", _("Der Parameter „%(name)s“ muss eine ganze Zahl sein.") % {"name": shown}
    if kind == "string_too_long":
        return "invalid_parameter", _("Der Parameter „%(name)s“ ist zu lang.") % {"name": shown}
    return "invalid_parameter", _("Der Parameter „%(name)s“ ist ungültig.") % {"name": shown}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    code, message = _validation_message(list(exc.errors), request)
    return error_response(400, code, message)


@api.exception_handler(catalog.CatalogError)
def on_catalog_error(request, exc: catalog.CatalogError):
    return error_response(exc.status, exc.code, exc.message)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(404, "not_found", _("Diese Adresse gibt es in der Schnittstelle nicht."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 405:
        return error_response(405, "method_not_allowed", _("Diese Methode ist hier nicht erlaubt."))
    return error_response(exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    logger.exception("API: unexpected error on %s", request.path)
    return error_response(500, "internal_error", _("Bei uns ist ein technischer Fehler aufgetreten."))


# --- caching -------------------------------------------------------------------------------------


def _not_modified(request: HttpRequest, etag: str, last_modified: datetime | None) -> bool:
    header = request.headers.get("If-None-Match")
    if header is not None:
        wanted = parse_etags(header)
        return "*" in wanted or etag in wanted or etag in [t.removeprefix("W/") for t in wanted]
    since = request.headers.get("If-Modified-Since")
    if since and last_modified is not None:
        moment = parse_http_date_safe(since)
        return moment is not None and int(last_modified.timestamp()) <= moment
    return False


def _cache_headers(response: HttpResponse, etag: str, last_modified: datetime | None, max_age: int) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = f"public, max-age={max_age}"


def _conditional(request, response, *parts: str, max_age: int = CATALOG_MAX_AGE):
    """Set the caching headers of catalogue data; returns a 304 response when the client is current."""
    stamp = catalog.catalog_stamp()
    etag = catalog.catalog_etag(*parts, stamp=stamp)
    if _not_modified(request, etag, stamp[1]):
        not_modified = HttpResponse(status=304)
        _cache_headers(not_modified, etag, stamp[1], max_age)
        return stamp, not_modified
    _cache_headers(response, etag, stamp[1], max_age)
    return stamp, None


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


# --- endpoints -----------------------------------------------------------------------------------


@api.get(
    "/services",
    response={200: schemas.ServiceSearchOut, 304: None, **ERRORS},
    tags=["Leistungen"],
    summary="Leistungen suchen",
    description=(
        "Volltextsuche mit deutscher Grundformreduktion, Umlaut-Faltung, Synonymen und Tippfehlertoleranz."
    ),
)
def search_services(
    request,
    response: HttpResponse,
    q: str = Query(
        ...,
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Suchbegriff, z. B. „Auto abmelden“ (ohne Steuerzeichen, nicht nur Leerraum)",
        pattern=QUERY_PATTERN,
    ),
    limit: int = Query(10, ge=1, le=50, description="Höchstzahl der Treffer (1–50)"),
):
    query = catalog.clean_query(q)
    stamp, not_modified = _conditional(request, response, "s")
    if not_modified:
        return not_modified
    # The hot path of the portal: the encoded answer is kept per (catalogue stamp, query, limit), so a
    # repeated question costs a dictionary lookup. The body has the documented shape (ServiceSearchOut;
    # checked by the schema fuzzing test), so Ninja's response validation is skipped for it.
    cache_key = (stamp, query, limit)
    body = _SEARCH_BODIES.get(cache_key)
    if body is None:
        from amtsweg.catalog.search import search_all

        hits = search_all(query, stamp=stamp)
        body = json.dumps(
            {
                "items": [
                    {"key": h.key, "name": h.name, "url": absolute(f"/leistungen/{h.key}/"), "score": h.score}
                    for h in hits[:limit]
                ],
                "total": len(hits),
            },
            ensure_ascii=False,
        ).encode()
        with _SEARCH_LOCK:
            if len(_SEARCH_BODIES) >= SEARCH_CACHE_SIZE:
                _SEARCH_BODIES.pop(next(iter(_SEARCH_BODIES)))
            _SEARCH_BODIES[cache_key] = body
    answer = HttpResponse(body, content_type="application/json")
    for name, value in response.items():
        answer[name] = value
    return answer


def _service_detail(service) -> dict:
    data = serialize_service(service, life_situation_keys=[s.key for s in service.life_situations.all()])
    data["life_situations"] = [
        {"key": s.key, "name": s.name, "name_en": s.name_en, "url": absolute(s.get_absolute_url())}
        for s in service.life_situations.all()
    ]
    if data["online"]:
        start = catalog.online_url(service)
        data["online"]["url"] = absolute(start) if start else None
    data.pop("responsibility", None)
    data["url"] = absolute(service.get_absolute_url())
    data["updated_at"] = timezone.localtime(service.updated_at).isoformat()
    return data


@api.get(
    "/services/{key}",
    response={200: schemas.ServiceDetail, 304: None, **ERRORS},
    tags=["Leistungen"],
    summary="Beschreibung einer Leistung",
    description="Alle FIM-Module der Leistung (Format wie der Katalogexport, siehe docs/catalog-format.md).",
)
def service_detail(request, response: HttpResponse, key: str):
    service = catalog.get_service(key)
    _stamp, not_modified = _conditional(request, response, "d")
    if not_modified:
        return not_modified
    return _service_detail(service)


AUTHORITY_KEYS = (
    "id",
    "name",
    "level",
    "ags",
    "district_ags",
    "address",
    "opening_hours",
    "open_now",
    "open_status",
    "url",
)


def _authority(authority, at) -> dict:
    from amtsweg.directory import services as directory

    data = directory.serialize_authority(authority, at)
    data["url"] = absolute(data["url"])
    return data


@api.get(
    "/responsibility",
    response={200: schemas.ResponsibilityOut, **ERRORS},
    tags=["Zuständigkeit"],
    summary="Zuständige Stelle finden",
    description=(
        "Für eine Leistung und einen Ort (Postleitzahl, Orts-ID aus `candidates` "
        "oder Gemeinde-/Kreisschlüssel) "
        "die zuständige Behörde mit den heutigen Öffnungszeiten. Gehören zu einer Postleitzahl mehrere "
        "Gemeinden, ist `authority` null, `needs_choice` true und `candidates` nennt die Orte zur Auswahl."
    ),
)
def responsibility(
    request,
    response: HttpResponse,
    service: str = Query(..., min_length=1, max_length=100, description="Schlüssel der Leistung"),
    postal_code: str | None = Query(None, pattern=r"^[0-9]{5}$", description="Postleitzahl (fünf Ziffern)"),
    place: int | None = Query(None, ge=1, le=2**53, description="Orts-ID (aus candidates)"),
    ags: str | None = Query(
        None,
        pattern=r"^[0-9]{5}([0-9]{3})?$",
        description="Gemeinde- (8 Ziffern) oder Kreisschlüssel (5 Ziffern)",
    ),
):
    now = timezone.now()
    result = catalog.find_responsible(service, postal_code=postal_code, place_id=place, ags=ags, at=now)
    response["Cache-Control"] = f"public, max-age={LIVE_MAX_AGE}"
    authority = None
    if result.authority is not None:
        full = _authority(result.authority, now)
        authority = {key: full[key] for key in AUTHORITY_KEYS}
    return {
        "service": result.service.key,
        "level": result.level,
        "authority": authority,
        "candidates": [c.as_dict() for c in result.candidates],
        "needs_choice": result.needs_choice,
        "note": result.note,
    }


@api.get(
    "/authorities/{id}",
    response={200: schemas.AuthorityDetail, **ERRORS},
    tags=["Behörden"],
    summary="Eine Behörde",
    description="Anschrift, Dienststellen, Öffnungszeiten dieser Woche und ob jetzt geöffnet ist.",
)
def authority_detail(request, response: HttpResponse, id: str):
    from amtsweg.directory import services as directory

    authority = directory.authority_by_key(id)
    if authority is None:
        raise catalog.CatalogError(_("Diese Behörde gibt es nicht."), code="unknown_authority", status=404)
    response["Cache-Control"] = f"public, max-age={LIVE_MAX_AGE}"
    return _authority(authority, timezone.now())


@api.get(
    "/life-situations",
    response={200: list[schemas.LifeSituationOut], 304: None, **ERRORS},
    tags=["Leistungen"],
    summary="Lebenslagen",
)
def life_situations(request, response: HttpResponse):
    _stamp, not_modified = _conditional(request, response, "l")
    if not_modified:
        return not_modified
    return [
        {
            "key": s.key,
            "name": s.name,
            "name_en": s.name_en,
            "description": s.description,
            "url": absolute(s.get_absolute_url()),
            "services": sorted(service.key for service in s.services.all()),
        }
        for s in catalog.list_life_situations().prefetch_related("services")
    ]
