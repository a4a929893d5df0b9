"""The i-Kfz pages through HTTP: the citizen dialogue, tenancy, trust levels, and the back-office lists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from engine_fixtures import citizen as make_citizen
from engine_fixtures import drain, login_citizen, login_staff

from amtsweg.cases.models import Case, Decision
from amtsweg.payments.services import request_for_reference
from amtsweg.procedures.kfz import dialogue as service
from amtsweg.procedures.kfz.models import Dialogue, DispatchItem
from amtsweg.vehicle_register.interface import Holder, SecurityCodes

from .factories import codes_of, make_evb, make_vehicle, pay

pytestmark = pytest.mark.django_db
IBAN = "DE89370400440532013000"


def _codes_post(vehicle, **override):
    c = codes_of(vehicle)
    data = {
        "kennzeichen": vehicle.plate,
        "code_zb1": c.zb1,
        "code_seal_front": c.seal_front,
        "code_seal_rear": c.seal_rear,
    }
    data.update(override)
    return data


def test_catalogue_start_url_opens_the_ikfz_dialogue(ikfz, client):
    assert client.get("/antrag/kfz-ausserbetriebsetzung/").status_code == 302  # login first
    login_citizen(client, ikfz.erika, "niedrig")
    response = client.get("/antrag/kfz-ausserbetriebsetzung/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Bevor Sie die Codes freilegen" in text
    assert "Sicherheitscode der Zulassungsbescheinigung Teil I" in text
    assert client.get("/antrag/kfz-gibtsnicht/").status_code == 404


def test_substantial_procedures_ask_for_a_step_up_login(ikfz, client):
    login_citizen(client, ikfz.erika, "niedrig")
    response = client.get("/antrag/kfz-umschreibung/")
    assert response.status_code == 302
    assert "stufe=substanziell" in response["Location"]
    login_citizen(client, ikfz.erika, "substanziell")
    assert client.get("/antrag/kfz-umschreibung/").status_code == 200


def test_deregistration_through_http_decision_shown_at_once(ikfz, client):
    vehicle = make_vehicle(plate="ERZ-HT 1")
    login_citizen(client, ikfz.erika, "niedrig")
    response = client.post("/antrag/kfz-ausserbetriebsetzung/")
    assert response.status_code == 303
    dialogue = Dialogue.objects.get(owner=ikfz.erika)
    assert response["Location"] == f"/antrag/kfz/{dialogue.pk}/fahrzeug/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'autocomplete="off"' in page.content.decode()
    response = client.post(
        f"/antrag/kfz/{dialogue.pk}/fahrzeug/", _codes_post(vehicle, kennzeichen="erz-ht1")
    )
    assert response.status_code == 303
    assert response["Location"].endswith("/angaben/")
    response = client.post(
        f"/antrag/kfz/{dialogue.pk}/angaben/", {"reservieren": "on", "reservierung_monate": "12"}
    )
    assert response.status_code == 303
    assert response["Location"].endswith("/pruefen/")
    review = client.get(f"/antrag/kfz/{dialogue.pk}/pruefen/").content.decode()
    assert "2,10 €" in review
    assert "Sofortige Entscheidung möglich" in review
    refused = client.post(f"/antrag/kfz/{dialogue.pk}/pruefen/", {})
    assert refused.status_code == 422
    assert "Bitte bestätigen Sie Ihre Angaben" in refused.content.decode()
    response = client.post(f"/antrag/kfz/{dialogue.pk}/pruefen/", {"bestaetigung": "on"})
    payment_request = request_for_reference(dialogue.reference)
    assert response["Location"] == f"/zahlung/{payment_request.public_id}/"
    waiting = client.get(f"/antrag/kfz/{dialogue.pk}/absenden/").content.decode()
    assert "Zahlung noch nicht abgeschlossen" in waiting
    pay(payment_request)
    page = client.get(f"/antrag/kfz/{dialogue.pk}/absenden/").content.decode()
    assert "Zahlung eingegangen" in page
    assert 'data-kfz-autosubmit="ja"' in page
    response = client.post(f"/antrag/kfz/{dialogue.pk}/absenden/")
    assert response.status_code == 303
    assert response["Location"].endswith("/ergebnis/")
    result = client.get(response["Location"]).content.decode()
    case = Case.objects.get(applicant=ikfz.erika)
    assert "Ihr Antrag ist entschieden" in result
    assert case.number in result
    assert "Ihr Fahrzeug ist außer Betrieb gesetzt" in result
    assert "Kennzeichen reserviert" in result
    assert "ERZ-HT 1 bis" in result
    assert 'hx-get="/antrag/kfz/' in result  # polls until the sealed decision is in the postbox
    drain()
    partial = client.get(f"/antrag/kfz/{dialogue.pk}/ergebnis/dokumente/").content.decode()
    assert "hx-get" not in partial
    assert "(PDF)" in partial
    assert "Außerbetriebsetzung des Fahrzeugs ERZ-HT 1" in partial
    document_url = re.search(r'href="(/postfach/[^"]+/dokument/[^"]+/)"', partial).group(1)
    pdf = client.get(document_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    # Back button / replay: the same case, no second register change.
    assert client.post(f"/antrag/kfz/{dialogue.pk}/absenden/")["Location"].endswith("/ergebnis/")
    assert Case.objects.filter(applicant=ikfz.erika).count() == 1


def test_wrong_codes_over_http_are_counted_not_echoed_then_abort(ikfz, client):
    vehicle = make_vehicle()
    login_citizen(client, ikfz.erika, "niedrig")
    client.post("/antrag/kfz-ausserbetriebsetzung/")
    dialogue = Dialogue.objects.get(owner=ikfz.erika)
    url = f"/antrag/kfz/{dialogue.pk}/fahrzeug/"
    bad = _codes_post(vehicle, code_seal_rear="QQQ")
    right = codes_of(vehicle)
    for left in (3, 2, 1):
        response = client.post(url, bad)
        text = response.content.decode()
        assert response.status_code == 422
        assert f"noch {left} Korrekturversuch" in text
        for code in (right.zb1, right.seal_front, "QQQ"):
            assert code not in text  # codes are never written back into the page
    # A new session (or cookie) does not reset the count: it is kept with the application on the server.
    client.logout()
    login_citizen(client, ikfz.erika, "niedrig")
    response = client.post(url, bad)
    assert response.status_code == 303
    assert response["Location"] == f"/antrag/kfz/{dialogue.pk}/abgebrochen/"
    assert "drei Korrekturen falsch" in client.get(response["Location"]).content.decode()
    assert client.post(url, _codes_post(vehicle)).status_code == 303  # back to the abort page
    dialogue.refresh_from_db()
    assert dialogue.status == "aborted"
    assert dialogue.vehicle_ref == ""


def test_another_citizens_dialogue_is_404(ikfz, client):
    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    intruder = make_citizen()
    login_citizen(client, intruder, "hoch")
    for suffix in ("fahrzeug/", "angaben/", "pruefen/", "absenden/", "ergebnis/", "ergebnis/dokumente/"):
        assert client.get(f"/antrag/kfz/{dialogue.pk}/{suffix}").status_code == 404, suffix
    assert client.post(f"/antrag/kfz/{dialogue.pk}/fahrzeug/", _codes_post(vehicle)).status_code == 404
    assert client.post(f"/antrag/kfz/{dialogue.pk}/abbrechen/").status_code == 404
    dialogue.refresh_from_db()
    assert dialogue.status == "open"
    assert dialogue.wrong_entries == 0


def test_oversized_and_odd_input_is_refused_cleanly(ikfz, client):
    login_citizen(client, ikfz.erika, "niedrig")
    client.post("/antrag/kfz-ausserbetriebsetzung/")
    dialogue = Dialogue.objects.get(owner=ikfz.erika)
    response = client.post(
        f"/antrag/kfz/{dialogue.pk}/fahrzeug/",
        {
            "kennzeichen": "A" * 5000,
            "code_zb1": "\x00" * 9,
            "code_seal_front": "<script>",
            "code_seal_rear": ["A", "B"],
        },
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "<script>" not in text
    assert "Bitte kürzen Sie die Angabe" in text
    dialogue.refresh_from_db()
    assert dialogue.wrong_entries == 0


def _failed_insurance_case(ikfz):
    vehicle = make_vehicle(holder=Holder("Bernd", "Verkäufer-Beispiel", dt.date(1958, 3, 3)))
    make_evb("ALT0042", expired=True)
    dialogue = service.start(ikfz.erika, "kfz-umschreibung")
    c = codes_of(vehicle)
    service.verify_vehicle(dialogue, plate=vehicle.plate, codes=SecurityCodes(zb1=c.zb1, zb2=c.zb2))
    service.save_details(
        dialogue,
        ikfz.erika,
        {
            "strasse": "Musterstraße 1",
            "plz": "09456",
            "ort": "Annaberg-Buchholz",
            "kennzeichen_wahl": "behalten",
            "evb": "ALT0042",
            "iban": IBAN,
            "kontoinhaber": "Erika",
        },
    )
    pay(service.request_payment(dialogue, ikfz.erika, "substanziell"))
    return service.submit(dialogue)


def test_staff_list_shows_failed_checks_for_the_own_authority_only(ikfz, client):
    case = _failed_insurance_case(ikfz)
    user, device = ikfz.staff
    login_staff(client, user, device)
    page = client.get("/verwaltung/kfz/").content.decode()
    assert case.number in page
    assert "Versicherungsbestätigung (eVB) ist abgelaufen" in page
    other, other_device = ikfz.dresden_staff
    client.logout()
    login_staff(client, other, other_device)
    assert case.number not in client.get("/verwaltung/kfz/").content.decode()
    client.logout()
    login_citizen(client, ikfz.erika, "hoch")
    assert client.get("/verwaltung/kfz/").status_code in (302, 403)


def _sampled_deregistration(ikfz, settings):
    settings.KFZ_SAMPLE_REVIEW_SHARE = 1.0
    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    c = codes_of(vehicle)
    service.verify_vehicle(
        dialogue,
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=c.zb1, seal_front=c.seal_front, seal_rear=c.seal_rear),
    )
    service.save_details(dialogue, ikfz.erika, {"reservieren": False})
    pay(service.request_payment(dialogue, ikfz.erika, "niedrig"))
    return service.submit(dialogue)


def test_sample_review_confirm(ikfz, client, settings):
    case = _sampled_deregistration(ikfz, settings)
    decision = Decision.objects.get(case=case)
    user, device = ikfz.staff
    login_staff(client, user, device)
    listing = client.get("/verwaltung/kfz/stichprobe/").content.decode()
    assert case.number in listing
    assert (decision.review_due_on.strftime("%d.%m.%Y")) in listing
    detail = client.get(f"/verwaltung/kfz/stichprobe/{decision.pk}/").content.decode()
    assert "ikfz-checks/" in detail
    assert "Registervorgang" in detail
    assert "ikfz:" in detail
    shown = client.post(f"/verwaltung/kfz/stichprobe/{decision.pk}/", {"aktion": "anzeigen"}).content.decode()
    assert case.kfz_record.inputs["vehicle_ref"]
    assert "Kennzeichen" in shown
    assert case.audit_events.filter(kind="data_access").exists()  # decryption is audited
    response = client.post(
        f"/verwaltung/kfz/stichprobe/{decision.pk}/", {"aktion": "confirmed", "vermerk": "passt"}
    )
    assert response.status_code == 303
    decision.refresh_from_db()
    assert decision.review_result == "confirmed"
    assert decision.reviewed_by == user
    assert (
        case.number
        not in client.get("/verwaltung/kfz/stichprobe/").content.decode().split("Zuletzt geprüft")[0]
    )


def test_sample_review_correct_reopens_the_case_and_other_authority_gets_404(ikfz, client, settings):
    case = _sampled_deregistration(ikfz, settings)
    decision = Decision.objects.get(case=case)
    other, other_device = ikfz.dresden_staff
    login_staff(client, other, other_device)
    assert client.get(f"/verwaltung/kfz/stichprobe/{decision.pk}/").status_code == 404
    assert (
        client.post(f"/verwaltung/kfz/stichprobe/{decision.pk}/", {"aktion": "confirmed"}).status_code == 404
    )
    client.logout()
    user, device = ikfz.staff
    login_staff(client, user, device)
    client.post(
        f"/verwaltung/kfz/stichprobe/{decision.pk}/", {"aktion": "corrected", "vermerk": "Halter prüfen"}
    )
    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.review_result == "corrected"
    assert case.state == "in_review"
    again = client.post(f"/verwaltung/kfz/stichprobe/{decision.pk}/", {"aktion": "confirmed"})
    assert again.status_code in (200, 404)
    decision.refresh_from_db()
    assert decision.review_result == "corrected"


def test_dispatch_list_status_changes(ikfz, client):
    from .test_registrations import IBAN as _IBAN  # noqa: F401

    vehicle = make_vehicle()
    make_evb("DSP0001")
    dialogue = service.start(ikfz.erika, "kfz-umschreibung")
    c = codes_of(vehicle)
    service.verify_vehicle(dialogue, plate=vehicle.plate, codes=SecurityCodes(zb1=c.zb1, zb2=c.zb2))
    service.save_details(
        dialogue,
        ikfz.erika,
        {
            "strasse": "Musterstraße 1",
            "plz": "09456",
            "ort": "Annaberg-Buchholz",
            "kennzeichen_wahl": "neu",
            "evb": "DSP0001",
            "iban": IBAN,
            "kontoinhaber": "Erika",
        },
    )
    pay(service.request_payment(dialogue, ikfz.erika, "substanziell"))
    case = service.submit(dialogue)
    item = DispatchItem.objects.get(case=case)
    user, device = ikfz.staff
    login_staff(client, user, device)
    page = client.get("/verwaltung/kfz/versand/").content.decode()
    assert item.plate in page
    assert "Stempelplaketten auf Plakettenträger" in page
    assert (
        client.post(f"/verwaltung/kfz/versand/{item.pk}/", {"stand": "posted"}).status_code == 303
    )  # not yet printed
    item.refresh_from_db()
    assert item.status == "queued"
    client.post(f"/verwaltung/kfz/versand/{item.pk}/", {"stand": "printed"})
    client.post(f"/verwaltung/kfz/versand/{item.pk}/", {"stand": "posted"})
    item.refresh_from_db()
    assert item.status == "posted"
    assert item.printed_at
    assert item.posted_at
    assert item.changed_by == user
    other, other_device = ikfz.dresden_staff
    client.logout()
    login_staff(client, other, other_device)
    assert client.post(f"/verwaltung/kfz/versand/{item.pk}/", {"stand": "cancelled"}).status_code == 404
    assert item.plate not in client.get("/verwaltung/kfz/versand/?stand=posted").content.decode()


def test_register_not_connected_gives_a_clear_page_not_an_error(ikfz, client, settings):
    vehicle = make_vehicle()
    login_citizen(client, ikfz.erika, "niedrig")
    client.post("/antrag/kfz-ausserbetriebsetzung/")
    dialogue = Dialogue.objects.get(owner=ikfz.erika)
    client.post(f"/antrag/kfz/{dialogue.pk}/fahrzeug/", _codes_post(vehicle))
    settings.VEHICLE_REGISTER_SANDBOX = False
    response = client.get(f"/antrag/kfz/{dialogue.pk}/angaben/")
    assert response.status_code == 503
    assert "Das Fahrzeugregister ist nicht angebunden" in response.content.decode()
    response = client.post("/antrag/kfz-ausserbetriebsetzung/", follow=True)
    assert "nicht angebunden" in response.content.decode()
    assert Dialogue.objects.filter(owner=ikfz.erika).count() == 1


def test_the_case_appears_under_meine_antraege(ikfz, client):
    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    c = codes_of(vehicle)
    service.verify_vehicle(
        dialogue,
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=c.zb1, seal_front=c.seal_front, seal_rear=c.seal_rear),
    )
    service.save_details(dialogue, ikfz.erika, {"reservieren": False})
    pay(service.request_payment(dialogue, ikfz.erika, "niedrig"))
    case = service.submit(dialogue)
    login_citizen(client, ikfz.erika, "niedrig")
    listing = client.get("/meine-antraege/").content.decode()
    assert case.number in listing
    assert "Fahrzeug außer Betrieb setzen (online)" in listing
    detail = client.get(f"/meine-antraege/{case.public_id}/")
    assert detail.status_code == 200
    assert case.number in detail.content.decode()
