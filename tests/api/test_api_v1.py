"""Public API /api/v1/: shapes, errors (JSON, German, 400/404, never 500), caching (ETag, 304)."""

import pytest
from django.utils.http import http_date

from amtsweg.catalog import services
from amtsweg.catalog.models import Service


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    return body["error"]


@pytest.mark.django_db
def test_search_shape_and_ranking(client, api_world):
    response = client.get("/api/v1/services", {"q": "Auto abmelden", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total"}
    assert body["items"][0]["key"] == "fahrzeug-ausser-betrieb"
    assert set(body["items"][0]) == {"key", "name", "url", "score"}
    assert body["items"][0]["url"].endswith("/leistungen/fahrzeug-ausser-betrieb/")
    assert len(body["items"]) <= 2
    assert body["total"] >= len(body["items"])
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.django_db
def test_search_default_limit_is_10(client, api_world):
    for n in range(12):
        Service.objects.create(key=f"antrag-{n}", name=f"Antrag Nummer {n}", level="gemeinde",
                               short_text="Ein Antrag.", fee_kind="free")  # fmt: skip
    body = client.get("/api/v1/services", {"q": "Antrag"}).json()
    assert len(body["items"]) == 10
    assert body["total"] == 12


@pytest.mark.parametrize(
    ("params", "code", "text"),
    [
        ({}, "empty_query", "Suchbegriff"),
        ({"q": ""}, "empty_query", "Suchbegriff"),
        ({"q": "   "}, "empty_query", "Suchbegriff"),
        ({"q": "x" * 10_240}, "query_too_long", "zu lang"),
        ({"q": "Auto\x00"}, "invalid_characters", "Steuerzeichen"),
        ({"q": "Auto\x1b"}, "invalid_characters", "Steuerzeichen"),
        ({"q": "Auto", "limit": 0}, "invalid_limit", "1 bis 50"),
        ({"q": "Auto", "limit": 51}, "invalid_limit", "1 bis 50"),
        ({"q": "Auto", "limit": "zehn"}, "invalid_limit", "1 bis 50"),
        ({"q": "Auto", "limit": "9" * 400}, "invalid_limit", "1 bis 50"),
    ],
)
@pytest.mark.django_db
def test_search_bad_input(client, api_world, params, code, text):
    error = error_of(client.get("/api/v1/services", params), 400)
    assert error["code"] == code
    assert text in error["message"]


@pytest.mark.django_db
def test_service_detail(client, api_world):
    response = client.get("/api/v1/services/gewerbe-anmelden")
    assert response.status_code == 200
    body = response.json()
    assert body["key"] == "gewerbe-anmelden"
    assert body["level"] == "gemeinde"
    note = "Die Gebühr legt die Gemeinde im Rahmen der Kostenverordnung fest."
    assert body["fee"] == {"kind": "range", "min_cents": 1500, "max_cents": 6000, "note": note}
    online = body["online"]
    assert (online["procedure"], online["trust_level"]) == ("gewerbe-anmeldung", "substanziell")
    # the start address, once the cases app offers the procedure (URL "cases:start"), else null
    assert online["url"] is None or online["url"].endswith("/antrag/gewerbe-anmeldung/")
    assert body["life_situations"][0]["key"] == "unternehmen-gruenden"
    assert body["legal_bases"][0]["title"] == "§ 14 Gewerbeordnung (GewO)"
    for module in (
        "prerequisites",
        "documents",
        "deadlines",
        "steps",
        "synonyms",
        "remarks",
        "processing_time",
    ):
        assert body[module], module


@pytest.mark.parametrize("key", ["gibt-es-nicht", "GEWERBE", "a" * 200, "gewerbe anmelden", "..", "%00"])
@pytest.mark.django_db
def test_unknown_service_key(client, api_world, key):
    error = error_of(client.get(f"/api/v1/services/{key}"), 404)
    assert error["code"] in {"unknown_service", "not_found"}


@pytest.mark.django_db
def test_etag_last_modified_and_304(client, api_world):
    first = client.get("/api/v1/services/gewerbe-anmelden")
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["Last-Modified"]
    again = client.get("/api/v1/services/gewerbe-anmelden", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get(
        "/api/v1/services/gewerbe-anmelden", headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert since.status_code == 304
    search = client.get("/api/v1/services", {"q": "Gewerbe"})
    assert (
        client.get(
            "/api/v1/services", {"q": "Gewerbe"}, headers={"If-None-Match": search["ETag"]}
        ).status_code
        == 304
    )
    # a change to the catalogue changes the ETag and Last-Modified
    services.update_service("bohranzeige", {"remarks": "Neu."}, author="test")
    changed = client.get("/api/v1/services/gewerbe-anmelden", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    old = http_date(0)
    assert (
        client.get("/api/v1/services/gewerbe-anmelden", headers={"If-Modified-Since": old}).status_code == 200
    )


@pytest.mark.django_db
def test_responsibility_by_postal_code(client, api_world):
    response = client.get(
        "/api/v1/responsibility", {"service": "fahrzeug-ausser-betrieb", "postal_code": "09456"}
    )
    assert response.status_code == 200
    body = response.json()
    authority = body["authority"]
    assert authority["name"] == "Landratsamt Erzgebirgskreis"
    assert authority["level"] == "district"
    assert authority["ags"] == "14521"
    assert authority["district_ags"] == "14521"
    assert set(authority) >= {
        "id",
        "name",
        "level",
        "ags",
        "district_ags",
        "address",
        "opening_hours",
        "open_now",
        "url",
    }
    assert authority["opening_hours"]["today"]["date"]
    assert isinstance(authority["open_now"], bool)
    assert body["candidates"] == []
    assert body["needs_choice"] is False
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.django_db
def test_responsibility_ambiguous_then_chosen(client, api_world):
    body = client.get(
        "/api/v1/responsibility", {"service": "gewerbe-anmelden", "postal_code": "09456"}
    ).json()
    assert body["authority"] is None
    assert body["needs_choice"] is True
    assert [c["name"] for c in body["candidates"]] == ["Annaberg-Buchholz", "Mildenau"]
    place = body["candidates"][1]["id"]
    chosen = client.get("/api/v1/responsibility", {"service": "gewerbe-anmelden", "place": place}).json()
    assert chosen["authority"]["name"] == "Gemeindeverwaltung Mildenau"
    assert chosen["authority"]["level"] == "municipality"


@pytest.mark.django_db
def test_responsibility_state_and_federal(client, api_world):
    state = client.get("/api/v1/responsibility", {"service": "bohranzeige"}).json()
    assert state["authority"]["level"] == "state"
    assert state["authority"]["ags"] == "14"
    assert state["authority"]["district_ags"] is None
    Service.objects.create(
        key="kindergeld",
        name="Kindergeld beantragen",
        level="bund",
        short_text="Kindergeld.",
        fee_kind="free",
        responsible_unit="Familienkasse",
    )
    federal = client.get("/api/v1/responsibility", {"service": "kindergeld", "postal_code": "09456"}).json()
    assert federal["authority"] is None
    assert federal["level"] is None
    assert "Familienkasse" in federal["note"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"postal_code": "09456"}, 400, "missing_parameter"),
        ({"service": "gibt-es-nicht", "postal_code": "09456"}, 404, "unknown_service"),
        ({"service": "fahrzeug-ausser-betrieb"}, 400, "missing_place"),
        ({"service": "fahrzeug-ausser-betrieb", "postal_code": "0945"}, 400, "invalid_postal_code"),
        ({"service": "fahrzeug-ausser-betrieb", "postal_code": "abcde"}, 400, "invalid_postal_code"),
        ({"service": "fahrzeug-ausser-betrieb", "postal_code": "10115"}, 404, "postal_code_not_in_saxony"),
        ({"service": "fahrzeug-ausser-betrieb", "postal_code": "x" * 10_240}, 400, "invalid_postal_code"),
        ({"service": "fahrzeug-ausser-betrieb", "postal_code": " 09456"}, 400, "invalid_postal_code"),
        ({"service": "fahrzeug-ausser-betrieb", "ags": "14"}, 400, "invalid_ags"),
        ({"service": "fahrzeug-ausser-betrieb", "place": "eins"}, 400, "invalid_parameter"),
        ({"service": "fahrzeug-ausser-betrieb", "place": 0}, 400, "invalid_parameter"),
        ({"service": "fahrzeug-ausser-betrieb", "place": 987654321}, 404, "unknown_place"),
        ({"service": "a" * 101, "postal_code": "09456"}, 400, "invalid_parameter"),
    ],
)
@pytest.mark.django_db
def test_responsibility_bad_input(client, api_world, params, status, code):
    error = error_of(client.get("/api/v1/responsibility", params), status)
    assert error["code"] == code
    assert error["message"]
    assert not error["message"].startswith("Traceback")


@pytest.mark.django_db
def test_authority_detail(client, api_world):
    body = client.get("/api/v1/authorities/landratsamt-erzgebirgskreis").json()
    assert body["id"] == "landratsamt-erzgebirgskreis"
    assert body["level"] == "district"
    assert body["offices"][0]["is_main"] is True
    assert len(body["opening_hours"]["week"]) == 7
    assert body["url"].endswith("/behoerden/landratsamt-erzgebirgskreis/")
    error = error_of(client.get("/api/v1/authorities/gibt-es-nicht"), 404)
    assert error["code"] == "unknown_authority"
    assert error["message"] == "Diese Behörde gibt es nicht."


@pytest.mark.django_db
def test_unknown_api_paths_and_methods_answer_in_json(client, api_world):
    assert error_of(client.get("/api/v1/gibt-es-nicht"), 404)["code"] == "not_found"
    assert error_of(client.get("/api/v1/"), 404)["code"] == "not_found"
    response = client.post("/api/v1/services?q=Auto", {}, content_type="application/json")
    assert response.status_code in (403, 405)  # CSRF or method: never 5xx


@pytest.mark.django_db
def test_openapi_document(client, api_world):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {
        "/api/v1/services",
        "/api/v1/services/{key}",
        "/api/v1/responsibility",
        "/api/v1/authorities/{id}",
    } <= set(paths)
    search = paths["/api/v1/services"]["get"]
    assert {"200", "400"} <= set(search["responses"])
    assert {p["name"] for p in search["parameters"]} == {"q", "limit"}


@pytest.mark.django_db
def test_life_situations_endpoint(client, api_world):
    body = client.get("/api/v1/life-situations").json()
    assert [s["key"] for s in body] == ["unternehmen-gruenden", "auto-und-verkehr", "bauen-und-wohnen"]
    assert body[1]["services"] == ["fahrzeug-ausser-betrieb"]


@pytest.mark.django_db
def test_messages_stay_german_for_english_clients(client, api_world):
    response = client.get("/api/v1/services/gibt-es-nicht", headers={"Accept-Language": "en"})
    assert (
        error_of(response, 404)["message"]
        == "Die Leistung „gibt-es-nicht“ gibt es im Leistungskatalog nicht."
    )
