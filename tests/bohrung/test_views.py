"""The drilling notification's pages over HTTP: deny by default, other tenants' IDs, the map step without
JavaScript, the results form, registry exports."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from engine_fixtures import login_citizen, login_staff

from amtsweg.cases.models import FollowUpSubmission
from amtsweg.procedures.bohrung.procedure import KEY

from .bohrung_factories import submit

pytestmark = pytest.mark.django_db


def firm_client(bw):
    from amtsweg.accounts.acting import SESSION_KEY

    client = login_citizen(Client(), bw.firm_user, "substanziell")
    session = client.session
    session[SESSION_KEY] = {"organisation": bw.firm.pk}
    session.save()
    return client


def test_base_layer_is_public_geojson(client):
    response = client.get(reverse("bohrung:base_layer"))
    assert response.status_code == 200
    assert response.json()["type"] == "FeatureCollection"


def test_location_step_has_the_map_and_typed_fields(bohrung_world):
    from amtsweg.cases import services

    client = firm_client(bohrung_world)
    response = client.post(reverse("cases:start", args=[KEY]))
    assert response.status_code == 303
    draft = services.open_drafts(bohrung_world.firm_user).get()
    for index in range(2):
        services.save_step_values(draft, index, {}, complete=True)
    body = client.get(reverse("cases:step", args=[draft.pk, 2])).content.decode()
    assert "data-bohrung-pick" in body
    assert 'name="koord_ost"' in body
    assert 'name="koord_nord"' in body
    assert "bohrung/map.js" in body
    assert "<script>" not in body


def test_status_and_results_pages_for_the_firm_only(bohrung_world):
    case = submit(bohrung_world)
    client = firm_client(bohrung_world)
    detail = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert reverse("bohrung:status", args=[case.public_id]) in detail
    body = client.get(reverse("bohrung:status", args=[case.public_id])).content.decode()
    assert "Mittelsachsen" in body
    assert "Oberbergamt" in body
    assert "Einspruchsfrist bis" in body
    # Bad layers come back with the message next to the row (422), nothing is stored.
    url = reverse("bohrung:results", args=[case.public_id])
    response = client.post(
        url,
        {
            "zeilen": "8",
            "ist_endtiefe": "120",
            "ausbau": "verfüllt",
            "schicht-0-von": "5",
            "schicht-0-bis": "2",
            "schicht-0-beschreibung": "Lehm",
        },
    )
    assert response.status_code == 422
    assert "Untergrenze einer Schicht" in response.content.decode()
    assert FollowUpSubmission.objects.get(case=case).received_at is None
    # More rows without JavaScript.
    more = client.post(url, {"zeilen": "8", "aktion": "mehr"})
    assert 'name="schicht-12-von"' in more.content.decode()
    ok = client.post(
        url,
        {
            "zeilen": "8",
            "aktion": "senden",
            "ist_endtiefe": "120",
            "ausbau": "verfüllt",
            "schicht-0-von": "0",
            "schicht-0-bis": "120",
            "schicht-0-beschreibung": "Gneis",
        },
    )
    assert ok.status_code == 303
    assert FollowUpSubmission.objects.get(case=case).received_at is not None
    # Another citizen: 404 for status and results (results for someone else's drilling).
    other = login_citizen(Client(), bohrung_world.other_citizen, "substanziell")
    assert other.get(reverse("bohrung:status", args=[case.public_id])).status_code == 404
    assert other.post(url, {"ist_endtiefe": "1"}).status_code == 404


def test_staff_pages_deny_by_default_and_by_authority(bohrung_world):
    bw, world = bohrung_world, bohrung_world.base
    case = submit(bw)
    anonymous = Client()
    for name in ("bohrung:worklist", "bohrung:register", "bohrung:register_csv", "bohrung:overdue"):
        assert anonymous.get(reverse(name)).status_code == 302
    citizen = firm_client(bw)
    assert citizen.get(reverse("bohrung:register")).status_code in (302, 403)
    other = login_staff(Client(), *bw.leipzig_staff)
    assert other.get(reverse("bohrung:staff_case", args=[case.public_id])).status_code == 404
    assert other.post(reverse("bohrung:staff_open", args=[case.public_id]), {"zweck": "x"}).status_code == 404
    assert (
        other.post(
            reverse("bohrung:staff_decide", args=[case.public_id]), {"art": "untersagung", "text": "x"}
        ).status_code
        == 404
    )
    assert case.number not in other.get(reverse("bohrung:register")).content.decode()
    lra = login_staff(Client(), *world.lra_staff)
    page = lra.get(reverse("bohrung:staff_case", args=[case.public_id])).content.decode()
    assert "Bescheid erlassen" in page
    opened = lra.post(reverse("bohrung:staff_open", args=[case.public_id]), {"zweck": "Prüfung"})
    assert "Erika Musterfrau (Demo)" in opened.content.decode()
    response = lra.post(
        reverse("bohrung:staff_decide", args=[case.public_id]),
        {"art": "auflagen", "text": "Sperrrohr bis 10 m.", "version": str(case.version + 1000)},
    )
    assert response.status_code == 303  # stale version: refused with a message, nothing decided
    assert not case.decisions.exists()


def test_registry_exports_over_http(bohrung_world):
    case = submit(bohrung_world)
    lfulg = login_staff(Client(), *bohrung_world.base.lfulg_staff)
    data = json.loads(lfulg.get(reverse("bohrung:register_geojson")).content)
    assert [f["properties"]["aktenzeichen"] for f in data["features"]] == [case.number]
    response = lfulg.get(reverse("bohrung:register_csv") + "?kreis=14522&tiefe_von=100")
    assert response["Content-Type"].startswith("text/csv")
    assert case.number in response.content.decode()
    assert lfulg.get(reverse("bohrung:register_csv") + "?tiefe_von=abc").status_code == 400
    assert lfulg.get(reverse("bohrung:register") + "?status=unsinn").status_code == 200
