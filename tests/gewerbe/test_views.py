"""The pages: citizens' businesses and move, the case worker's work list, review, receipt and register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from engine_fixtures import login_citizen, login_staff

from amtsweg.cases.models import Draft
from amtsweg.cases.states import State
from amtsweg.procedures.gewerbe.models import Gewerbebetrieb, Gewerbemeldung, Verlegung

from .gewerbe_factories import ALL_CHECKS, anmeldung_values, drain, pay, submit_values

pytestmark = pytest.mark.django_db


def staff_client(user, device=None):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = device or TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    return login_staff(Client(), user, device)


def test_case_worker_reviews_and_issues_the_receipt_through_the_pages(gewerbe_world):
    world = gewerbe_world
    case = submit_values(world.citizen, "gewerbe-anmeldung", anmeldung_values())
    client = staff_client(world.staff, world.staff_device)
    page = client.get("/verwaltung/gewerbe/")
    assert case.number in page.content.decode()
    detail = client.get(f"/verwaltung/gewerbe/vorgang/{case.public_id}/").content.decode()
    assert "Kammkraus" not in detail  # nothing decrypted without opening it on purpose
    review = client.post(
        f"/verwaltung/gewerbe/vorgang/{case.public_id}/pruefen/", {"zweck": "Prüfung"}
    ).content.decode()
    assert "Kammkraus" in review
    assert "In diesem Status kann keine Empfangsbescheinigung" in review  # fee not paid yet
    pay(case)
    review = client.post(
        f"/verwaltung/gewerbe/vorgang/{case.public_id}/pruefen/", {"zweck": "Prüfung"}
    ).content.decode()
    assert "Handwerkskammer Chemnitz" in review
    assert 'name="geprueft"' in review
    response = client.post(
        f"/verwaltung/gewerbe/vorgang/{case.public_id}/bescheinigung/",
        {"geprueft": ["taetigkeit"]},
        follow=True,
    )
    assert "Bitte bestätigen Sie zuerst alle Prüfpunkte" in response.content.decode()
    assert not Gewerbemeldung.objects.exists()
    response = client.post(
        f"/verwaltung/gewerbe/vorgang/{case.public_id}/bescheinigung/",
        {"geprueft": list(ALL_CHECKS), "version": "x"},
        follow=True,
    )
    assert "Empfangsbescheinigung ist ausgestellt" in response.content.decode()
    drain()
    page = client.get(f"/verwaltung/gewerbe/vorgang/{case.public_id}/").content.decode()
    assert "Handwerkskammer Chemnitz" in page
    assert "zugestellt" in page
    assert "alg.gewerbemeldung.0300" in page
    from amtsweg.accounts.models import DataAccessRecord

    assert DataAccessRecord.objects.filter(subject_user=world.citizen).exists()  # the citizen sees the access


def test_staff_pages_are_closed_to_others(gewerbe_world):
    world = gewerbe_world
    case = submit_values(world.citizen, "gewerbe-anmeldung", anmeldung_values())
    pay(case)
    other = staff_client(world.dresden_staff)
    assert other.get(f"/verwaltung/gewerbe/vorgang/{case.public_id}/").status_code == 404
    assert other.post(f"/verwaltung/gewerbe/vorgang/{case.public_id}/pruefen/").status_code == 404
    assert (
        other.post(
            f"/verwaltung/gewerbe/vorgang/{case.public_id}/bescheinigung/", {"geprueft": list(ALL_CHECKS)}
        ).status_code
        == 404
    )
    assert case.number not in other.get("/verwaltung/gewerbe/").content.decode()
    assert Client().get("/verwaltung/gewerbe/").status_code == 302
    citizen = login_citizen(Client(), world.citizen, "substanziell")
    response = citizen.get("/verwaltung/gewerbe/")
    assert response.status_code == 302
    assert response["Location"].startswith("/verwaltung/anmelden/")
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW


def test_follow_up_question_from_the_review_page(gewerbe_world):
    world = gewerbe_world
    case = submit_values(world.citizen, "gewerbe-anmeldung", anmeldung_values())
    pay(case)
    client = staff_client(world.staff, world.staff_device)
    response = client.post(
        f"/verwaltung/gewerbe/vorgang/{case.public_id}/rueckfrage/",
        {"felder": ["taetigkeit"], "text": "Bitte beschreiben Sie, ob Sie auch Perücken anfertigen."},
        follow=True,
    )
    assert "Rückfrage ist an die anzeigende Person gesendet" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.INFORMATION_REQUESTED
    response = client.post(
        f"/verwaltung/gewerbe/vorgang/{case.public_id}/rueckfrage/",
        {"felder": ["gibtsnicht"], "text": "x"},
        follow=True,
    )
    assert "gibt es in diesem Verfahren nicht" in response.content.decode()


def _registered(world, **overrides):
    case = submit_values(world.citizen, "gewerbe-anmeldung", anmeldung_values(**overrides))
    pay(case)
    from amtsweg.procedures.gewerbe import services

    services.issue_receipt(case, world.staff, confirmed=ALL_CHECKS)
    drain()
    return Gewerbebetrieb.objects.get()


def test_register_and_ex_officio_through_the_pages(gewerbe_world):
    world = gewerbe_world
    betrieb = _registered(world, beginn=(timezone.localdate() - dt.timedelta(days=20)).isoformat())
    client = staff_client(world.staff, world.staff_device)
    page = client.get("/verwaltung/gewerbe/register/?q=Lockenpracht").content.decode()
    assert betrieb.number in page
    url = f"/verwaltung/gewerbe/register/{betrieb.pk}/abmelden/"
    response = client.post(url, {"datum": "kein Datum", "grund": "x"}, follow=True)
    assert "Bitte geben Sie das Datum" in response.content.decode()
    other = staff_client(world.dresden_staff)
    assert other.post(url, {"datum": timezone.localdate().isoformat(), "grund": "x"}).status_code == 404
    response = client.post(
        url, {"datum": timezone.localdate().strftime("%d.%m.%Y"), "grund": "Geschäft geräumt."}, follow=True
    )
    assert "von Amts wegen abgemeldet" in response.content.decode()
    betrieb.refresh_from_db()
    assert betrieb.closed_ex_officio


def test_citizen_sees_own_businesses_and_starts_changes_and_moves(gewerbe_world):
    world = gewerbe_world
    betrieb = _registered(world)
    client = login_citizen(Client(), world.citizen, "substanziell")
    page = client.get("/gewerbe/").content.decode()
    assert betrieb.number in page
    assert "Betrieb verlegen" in page
    response = client.post(f"/gewerbe/{betrieb.pk}/aendern/abmeldung/")
    draft = Draft.objects.filter(owner=world.citizen, procedure_key="gewerbe-abmeldung").get()
    assert response.status_code == 303
    assert response["Location"].endswith(f"/antrag/entwurf/{draft.pk}/uebersicht/")
    assert client.post(f"/gewerbe/{betrieb.pk}/aendern/gibtsnicht/").status_code == 303
    # Move: errors first, then to Dresden.
    response = client.post(
        f"/gewerbe/{betrieb.pk}/verlegen/",
        {"strasse": "A 1", "plz": "10115", "ort": "Berlin", "datum": "01.01.2030"},
    )
    assert response.status_code == 400
    assert "nicht in Sachsen" in response.content.decode()
    day = (timezone.localdate() + dt.timedelta(days=5)).strftime("%d.%m.%Y")
    response = client.post(
        f"/gewerbe/{betrieb.pk}/verlegen/",
        {"strasse": "Wallstraße 3", "plz": "01067", "ort": "Dresden", "datum": day},
    )
    move = Verlegung.objects.get()
    assert response["Location"].endswith(f"/gewerbe/verlegung/{move.pk}/")
    page = client.get(f"/gewerbe/verlegung/{move.pk}/").content.decode()
    assert "Landeshauptstadt Dresden (Test)" in page
    assert "Beide Anzeigen absenden" in page
    # Another citizen sees neither the business nor the move.
    from engine_fixtures import citizen

    stranger = login_citizen(Client(), citizen(), "substanziell")
    assert betrieb.number not in stranger.get("/gewerbe/").content.decode()
    assert stranger.get(f"/gewerbe/{betrieb.pk}/verlegen/").status_code == 404
    assert stranger.get(f"/gewerbe/verlegung/{move.pk}/").status_code == 404
    assert stranger.post(f"/gewerbe/{betrieb.pk}/aendern/abmeldung/").status_code == 303
    assert not Draft.objects.filter(owner__username=stranger.session.get("_auth_user_id", "x")).exists()
