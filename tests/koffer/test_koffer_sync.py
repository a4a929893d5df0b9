"""Sync protocol of the offline Bürgerkoffer: device tokens, checksums, idempotency, revocation, limits."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from engine_fixtures import staff
from koffer_helpers import bohrung_values, make_item, post_sync, tour_for

from amtsweg.assisted.models import Event
from amtsweg.cases.models import Case
from amtsweg.koffer import services
from amtsweg.koffer.models import Device, SyncItem

pytestmark = pytest.mark.django_db


def result_of(response, index=0):
    return response.json()["results"][index]


# ---------------------------------------------------------------- device tokens


def test_token_is_shown_once_and_stored_only_as_hmac(koffer):
    device_id, _sep, secret = koffer.token.partition(".")
    device = Device.objects.get(pk=koffer.device.pk)
    assert device.device_id == device_id
    assert secret not in device.secret_hash
    assert len(device.secret_hash) == 64
    assert services.authenticate(f"Bearer {koffer.token}") == device


@pytest.mark.parametrize(
    "header",
    [None, "", "Basic abc", "Bearer ", "Bearer nur-eine-kennung", "Bearer BK-UNBEKANNT00.geheim"],
)
def test_missing_malformed_or_unknown_token_is_refused(client, koffer, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/koffer/api/geraet/", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["wipe"] is False
    assert "Gerät" in body["error"]["message"]


def test_forged_secret_for_a_real_device_id_is_refused(client, koffer):
    forged = f"{koffer.device.device_id}.{'A' * 43}"
    response = post_sync(client, koffer, [make_item(koffer.tour)], token=forged)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == (
        "Die Gerätekennung ist ungültig. Bitte richten Sie das Gerät neu ein."
    )
    assert not Case.objects.exists()


def test_token_of_another_authoritys_device_cannot_file_for_this_authoritys_tour(client, koffer):
    world = koffer.world
    other_operator, _ = staff(world.stadt, ("assisted_operator",))
    other_admin, _ = staff(world.stadt, ("authority_admin",))
    _other, other_token = services.register_device(
        world.stadt, other_operator, "Laptop Stadt", by=other_admin
    )
    # The other device's ID with this device's secret: refused.
    mixed = f"{_other.device_id}.{koffer.token.partition('.')[2]}"
    assert post_sync(client, koffer, [make_item(koffer.tour)], token=mixed).status_code == 401
    # The other device with its own token, but the Landratsamt's tour: the item is rejected.
    response = post_sync(client, koffer, [make_item(koffer.tour)], token=other_token)
    assert response.status_code == 200
    result = result_of(response)
    assert result["status"] == "rejected"
    assert result["message"] == "Die Tour gehört nicht zur Behörde dieses Geräts."
    assert not Case.objects.exists()


def test_device_sees_the_forms_of_its_authoritys_tours(client, koffer):
    other_tour = tour_for(koffer.world.stadt, koffer.world.district)
    response = client.get("/koffer/api/geraet/", headers=koffer.headers())
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active"
    assert body["device"] == koffer.device.device_id
    tour_ids = [tour["id"] for tour in body["tours"]]
    assert koffer.tour.pk in tour_ids
    assert other_tour.pk not in tour_ids
    (tour,) = body["tours"]
    assert [p["key"] for p in tour["procedures"]] == ["test-bohrung"]
    assert tour["procedures"][0]["url"] == "/koffer/formular/test-bohrung/"
    assert Device.objects.get(pk=koffer.device.pk).last_seen_at is not None


def test_procedures_with_required_uploads_are_not_offered_offline(koffer):
    tour = tour_for(koffer.world.landratsamt, koffer.world.district, service_key="test-gewerbe")
    assert services.tour_procedures(tour) == []


# ---------------------------------------------------------------- revocation


def test_revoked_device_is_refused_and_told_to_wipe(client, koffer):
    services.revoke_device(koffer.device, by=koffer.admin, reason="Laptop verloren")
    for response in (
        post_sync(client, koffer, [make_item(koffer.tour)]),
        client.get("/koffer/api/geraet/", headers=koffer.headers()),
    ):
        assert response.status_code == 403
        body = response.json()
        assert body["wipe"] is True
        assert body["error"]["code"] == "revoked"
        assert "gesperrt" in body["error"]["message"]
        assert "gelöscht" in body["error"]["message"]
    assert not Case.objects.exists()
    assert not SyncItem.objects.exists()
    device = Device.objects.get(pk=koffer.device.pk)
    assert device.wipe_sent_at is not None
    actions = set(Event.objects.filter(object_type="device").values_list("action", flat=True))
    assert {"koffer.device_registered", "koffer.device_revoked", "koffer.wipe_sent"} <= actions


def test_operator_without_the_role_is_refused_without_wipe(client, koffer):
    koffer.operator.staff_memberships.update(assisted_operator=False)
    response = post_sync(client, koffer, [make_item(koffer.tour)])
    assert response.status_code == 403
    assert response.json()["wipe"] is False
    assert "Assistierte Antragstellung" in response.json()["error"]["message"]


# ---------------------------------------------------------------- checksums and bad items


def test_tampered_item_is_rejected_and_nothing_is_filed(client, koffer):
    item = make_item(koffer.tour)
    item["payload"] = item["payload"].replace("Quirlwitz-7", "Quirlwitz-8")
    response = post_sync(client, koffer, [item])
    assert response.status_code == 200
    result = result_of(response)
    assert result["status"] == "rejected"
    assert result["code"] == "checksum"
    assert result["idempotency_key"] == item["idempotency_key"]
    assert result["message"].startswith("Die Prüfsumme stimmt nicht")
    assert "bleibt auf dem Gerät" in result["message"]
    assert not Case.objects.exists()
    assert not SyncItem.objects.exists()
    assert Event.objects.filter(action="koffer.item_rejected", detail__code="checksum").exists()


def test_truncated_item_is_rejected(client, koffer):
    item = make_item(koffer.tour)
    item["payload"] = item["payload"][: len(item["payload"]) // 2]
    result = result_of(post_sync(client, koffer, [item]))
    assert result["status"] == "rejected"
    assert result["code"] == "checksum"
    # Truncated and the checksum recomputed over the rest: not valid JSON any more.
    item["checksum"] = services.checksum(item["payload"])
    result = result_of(post_sync(client, koffer, [item]))
    assert result["status"] == "rejected"
    assert result["message"] == "Der Inhalt des Antrags ist unvollständig (kein gültiges JSON)."
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda item: item.pop("checksum"), "Dem Antrag fehlen Inhalt oder Prüfsumme."),
        (
            lambda item: item.update(idempotency_key="kein-uuid"),
            "Der Idempotenzschlüssel des Antrags ist ungültig.",
        ),
        (lambda item: item.update(payload=json.dumps(json.loads(item["payload"]), indent=1)), None),
    ],
)
def test_malformed_items_are_rejected_with_german_messages(client, koffer, mutate, message):
    item = make_item(koffer.tour)
    mutate(item)
    if message is None:  # pretty-printed: not canonical (and the checksum is the old one)
        item["checksum"] = services.checksum(item["payload"])
        message = "Der Inhalt des Antrags ist nicht in der vereinbarten Form."
    result = result_of(post_sync(client, koffer, [item]))
    assert result["status"] == "rejected"
    assert result["message"] == message
    assert not Case.objects.exists()


def test_key_inside_the_payload_must_match(client, koffer):
    item = make_item(koffer.tour)
    item["idempotency_key"] = str(uuid.uuid4())
    result = result_of(post_sync(client, koffer, [item]))
    assert result["message"] == "Inhalt und Idempotenzschlüssel des Antrags passen nicht zusammen."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": False}, "Die Einwilligung der Antragstellerin oder des Antragstellers fehlt."),
        ({"identification": "geraten"}, "Die Art der Identifizierung fehlt oder ist unbekannt."),
        ({"signature_png": "bm9wZQ=="}, "Die Unterschrift ist kein PNG-Bild."),
        ({"procedure": "gibt-es-nicht"}, "Dieses Verfahren ist nicht bekannt."),
        ({"procedure": "test-abmeldung"}, "Dieses Verfahren wird auf der Tour nicht angeboten."),
    ],
)
def test_incomplete_applications_are_rejected(client, koffer, overrides, message):
    result = result_of(post_sync(client, koffer, [make_item(koffer.tour, **overrides)]))
    assert result["status"] == "rejected"
    assert result["message"] == message
    assert not Case.objects.exists()


# ---------------------------------------------------------------- size limits


def test_huge_request_is_refused_before_reading_it(client, koffer, settings):
    settings.KOFFER_MAX_BATCH_BYTES = 64 * 1024
    item = make_item(koffer.tour, values=bohrung_values(bezeichnung="x" * (70 * 1024)))
    response = post_sync(client, koffer, [item])
    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("Die Übertragung ist zu groß")
    assert not Case.objects.exists()


def test_huge_item_is_rejected(client, koffer, settings):
    settings.KOFFER_MAX_ITEM_BYTES = 8 * 1024
    item = make_item(koffer.tour, values=bohrung_values(bezeichnung="x" * (20 * 1024)))
    result = result_of(post_sync(client, koffer, [item]))
    assert result["status"] == "rejected"
    assert result["code"] == "too_large"
    assert result["message"] == "Der Antrag ist zu groß (höchstens 8 kB)."


def test_too_many_items_are_refused(client, koffer, settings):
    settings.KOFFER_MAX_BATCH_ITEMS = 2
    items = [make_item(koffer.tour) for _ in range(3)]
    response = post_sync(client, koffer, items)
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "Höchstens 2 Anträge je Sendung."


def test_body_that_is_not_json_is_refused(client, koffer):
    response = client.post(
        "/koffer/api/sync/", data="{items: kaputt", content_type="application/json", headers=koffer.headers()
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Die Sendung ist kein gültiges JSON."


# ---------------------------------------------------------------- filing, replay, resume


def test_item_is_filed_as_case_through_assisted_filing(client, koffer):
    item = make_item(koffer.tour)
    response = post_sync(client, koffer, [item])
    assert response.status_code == 200
    result = result_of(response)
    assert result["status"] == "filed", result
    case = Case.objects.get()
    assert result["case_number"] == case.number
    assert case.procedure_key == "test-bohrung"
    assert str(case.idempotency_key) == item["idempotency_key"]
    synced = SyncItem.objects.get()
    assert synced.case == case
    assert synced.device == koffer.device
    assert synced.tour == koffer.tour
    assert synced.checksum == item["checksum"]
    assert Event.objects.filter(action="koffer.item_filed", detail__case=case.number).exists()


def test_replayed_item_returns_the_same_case_and_creates_nothing(client, koffer):
    item = make_item(koffer.tour)
    first = result_of(post_sync(client, koffer, [item]))
    cases_before = Case.objects.count()
    events_before = Event.objects.filter(action="koffer.item_filed").count()
    second = result_of(post_sync(client, koffer, [item]))
    assert second["status"] == "duplicate"
    assert second["case_number"] == first["case_number"]
    assert Case.objects.count() == cases_before == 1
    assert Event.objects.filter(action="koffer.item_filed").count() == events_before
    assert SyncItem.objects.get().uploads == 2


def test_same_key_with_other_content_is_a_conflict(client, koffer):
    item = make_item(koffer.tour)
    first = result_of(post_sync(client, koffer, [item]))
    changed = make_item(koffer.tour, key=item["idempotency_key"], values=bohrung_values(tiefe="90"))
    result = result_of(post_sync(client, koffer, [changed]))
    assert result["status"] == "rejected"
    assert result["code"] == "conflict"
    assert first["case_number"] in result["message"]
    assert Case.objects.count() == 1


def test_same_key_from_another_device_is_rejected(client, koffer):
    item = make_item(koffer.tour)
    post_sync(client, koffer, [item])
    _second, second_token = services.register_device(
        koffer.world.landratsamt, koffer.operator, "Laptop Koffer 2", by=koffer.admin
    )
    result = result_of(post_sync(client, koffer, [item], token=second_token))
    assert result["message"] == "Dieser Idempotenzschlüssel gehört zu einem anderen Gerät."
    assert Case.objects.count() == 1


def test_interrupted_batch_resumes_without_duplicates(koffer, monkeypatch):
    items = [make_item(koffer.tour) for _ in range(3)]
    real_file = services._file
    calls = {"n": 0}

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionResetError("Verbindung weg")
        return real_file(*args, **kwargs)

    monkeypatch.setattr(services, "_file", crash_on_second)
    client = Client(raise_request_exception=False)
    assert post_sync(client, koffer, items).status_code == 500
    assert Case.objects.count() == 1  # the first item is filed and stays filed
    first_number = SyncItem.objects.get().case_number

    monkeypatch.setattr(services, "_file", real_file)
    response = post_sync(client, koffer, items)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["duplicate", "filed", "filed"]
    assert results[0]["case_number"] == first_number
    assert Case.objects.count() == 3
    assert len({r["case_number"] for r in results}) == 3


def test_invalid_values_are_rejected_with_the_engines_message(client, koffer):
    item = make_item(koffer.tour, values=bohrung_values(plz="123"))
    result = result_of(post_sync(client, koffer, [item]))
    assert result["status"] == "rejected"
    assert result["code"] == "invalid"
    assert result["message"].startswith("Der Antrag ist noch nicht vollständig.")
    assert "Postleitzahl des Bohrorts: " in result["message"]
    assert not Case.objects.exists()
