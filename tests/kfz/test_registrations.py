"""Re-registration, change of holder (within and across districts, with and without new plate), change of
address
and new registration: fees, automatic decisions with provisional proof and dispatch list, and the failing
checks
that send an application to a case worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone
from engine_fixtures import citizen as make_citizen
from engine_fixtures import drain

from amtsweg.cases import services as cases
from amtsweg.cases.models import Case
from amtsweg.postbox.models import Delivery
from amtsweg.procedures.kfz import dialogue as service
from amtsweg.procedures.kfz.models import Dialogue, DispatchItem, ProvisionalProof
from amtsweg.vehicle_register.checks import add_months
from amtsweg.vehicle_register.interface import SecurityCodes
from amtsweg.vehicle_register.models import PlateReservation, RegisterOperation, TaxDebtor, Vehicle

from .factories import codes_of, make_evb, make_vehicle, pay

pytestmark = pytest.mark.django_db
IBAN = "DE89 3704 0044 0532 0130 00"
SELLER = dict(given_name="Bernd", family_name="Verkäufer-Beispiel")


def address(**extra):
    return {"strasse": "Musterstraße 1", "plz": "09456", "ort": "Annaberg-Buchholz", **extra}


def run(user, key, *, codes, details, plate="", vin="", zb2_number="", level="substanziell"):
    dialogue = service.start(user, key)
    outcome = service.verify_vehicle(dialogue, plate=plate, vin=vin, zb2_number=zb2_number, codes=codes)
    assert outcome.ok, outcome.message
    findings = service.save_details(dialogue, user, details)
    payment_request = service.request_payment(dialogue, user, level)
    return dialogue, findings, payment_request


def test_re_registration_with_reserved_plate_gets_proof_and_dispatch(ikfz):
    vehicle = make_vehicle(status=Vehicle.Status.DEREGISTERED, plate="")
    PlateReservation.objects.create(
        plate="ERZ-EB 103",
        district_ags="14521",
        vehicle=vehicle,
        holder_given_name="Erika",
        holder_family_name="Beispiel-Musterfrau",
        holder_birth_date=dt.date(1964, 8, 12),
        until=add_months(timezone.localdate(), 3),
    )
    make_evb("WIE0001")
    dialogue, findings, payment_request = run(
        ikfz.erika,
        "kfz-wiederzulassung",
        vin=vehicle.vin,
        codes=SecurityCodes(zb2=codes_of(vehicle).zb2),
        details=address(
            kennzeichen_wahl="reserviert", evb="wie0001", iban=IBAN, kontoinhaber="Erika Beispiel-Musterfrau"
        ),
    )
    assert all(f["passed"] for f in findings), findings
    # GebOSt 221.7 (10,60) + two seals (1,40) + sticker carrier (0,30) + HU sticker (0,50)
    assert payment_request.amount_cents == 1060 + 140 + 30 + 50
    pay(payment_request)
    with TestCase.captureOnCommitCallbacks(using=connection.alias, execute=True):
        case = service.submit(dialogue)
    assert case.decided_automatically
    assert case.state == "decided"
    vehicle.refresh_from_db()
    assert vehicle.status == "registered"
    assert vehicle.plate == "ERZ-EB 103"
    item = DispatchItem.objects.get(case=case)
    assert item.documents == ["zb1", "zb2", "seals", "hu_sticker"]
    assert item.plate == "ERZ-EB 103"
    assert item.recipient_name == "Erika Beispiel-Musterfrau"
    assert item.due_on == timezone.localdate() + dt.timedelta(days=6)
    proof = ProvisionalProof.objects.get(case=case)
    assert proof.valid_until == timezone.localdate() + dt.timedelta(days=10)
    drain()
    proof.refresh_from_db()
    document = Delivery.objects.get(pk=proof.delivery_id).document
    assert document.doc_type == "zulassungsnachweis"
    assert "ERZ-EB 103" in document.title
    assert Delivery.objects.filter(reference=case.reference, document__doc_type="bescheid").exists()


def test_change_of_holder_with_failed_insurance_goes_to_a_case_worker(ikfz):
    vehicle = make_vehicle(
        plate="ERZ-BV 55", holder=service.kfz_checks.Holder(**SELLER, birth_date=dt.date(1958, 3, 3))
    )
    make_evb("ALT0009", expired=True)
    dialogue, findings, payment_request = run(
        ikfz.erika,
        "kfz-umschreibung",
        plate="ERZ-BV 55",
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
        details=address(
            kennzeichen_wahl="behalten", evb="ALT0009", iban=IBAN, kontoinhaber="Erika Beispiel-Musterfrau"
        ),
    )
    insurance = next(f for f in findings if f["key"] == "insurance")
    assert not insurance["passed"]
    assert "abgelaufen" in insurance["message"]
    assert payment_request.amount_cents == 1040  # 221.8.1: same district, plate kept
    pay(payment_request)
    case = service.submit(dialogue)
    assert not case.decided_automatically
    assert case.state == "in_review"
    failed = [c for c in case.check_results if not c["passed"]]
    assert [c["key"] for c in failed] == ["insurance"]
    assert "register" not in {c["key"] for c in case.check_results}  # the register was not touched
    vehicle.refresh_from_db()
    assert vehicle.holder_family_name == "Verkäufer-Beispiel"
    assert vehicle.version == 1
    assert not RegisterOperation.objects.exists()
    worker, _device = ikfz.staff
    assert cases.worklist(worker).filter(case=case).exists()
    other_worker, _device = ikfz.dresden_staff
    assert not cases.worklist(other_worker).filter(case=case).exists()


def test_change_of_holder_to_another_district_with_a_new_plate(ikfz):
    max_testmann = make_citizen(
        first_name="Max",
        last_name="Testmann",
        birth_date=dt.date(1990, 4, 1),
        postal_code="01067",
        locality="Dresden",
    )
    vehicle = make_vehicle(plate="ERZ-VK 1")
    make_evb("UMZ0001")
    dialogue, findings, payment_request = run(
        max_testmann,
        "kfz-umschreibung",
        plate="ERZ-VK 1",
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
        details={
            "strasse": "Teststraße 7",
            "plz": "01067",
            "ort": "Dresden",
            "kennzeichen_wahl": "neu",
            "evb": "UMZ0001",
            "iban": IBAN,
            "kontoinhaber": "Max Testmann",
        },
    )
    assert all(f["passed"] for f in findings), findings
    assert payment_request.amount_cents == 1210 + 140 + 30 + 50  # 221.2.1 + seals, carrier, HU sticker
    assert payment_request.authority == ikfz.dresden
    pay(payment_request)
    case = service.submit(dialogue)
    assert case.decided_automatically
    assert case.authority == ikfz.dresden
    vehicle.refresh_from_db()
    assert vehicle.plate.startswith("DD-")
    assert vehicle.district_ags == "14612"
    assert vehicle.holder_family_name == "Testmann"
    assert DispatchItem.objects.get(case=case).documents == ["zb1", "zb2", "seals", "hu_sticker"]


def test_change_of_holder_across_districts_keeping_the_plate_costs_9_90(ikfz):
    lena = make_citizen(
        first_name="Lena",
        last_name="Probe",
        birth_date=dt.date(2001, 11, 30),
        postal_code="04109",
        locality="Leipzig",
    )
    vehicle = make_vehicle(plate="ERZ-KB 2")
    make_evb("UMZ0002")
    dialogue, _findings, payment_request = run(
        lena,
        "kfz-umschreibung",
        plate="ERZ-KB 2",
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
        details={
            "strasse": "Probeweg 3",
            "plz": "04109",
            "ort": "Leipzig",
            "kennzeichen_wahl": "behalten",
            "evb": "UMZ0002",
            "iban": IBAN,
            "kontoinhaber": "Lena Probe",
        },
    )
    assert payment_request.amount_cents == 990
    pay(payment_request)
    case = service.submit(dialogue)
    assert case.decided_automatically
    vehicle.refresh_from_db()
    assert vehicle.plate == "ERZ-KB 2"
    assert vehicle.district_ags == "14713"
    assert DispatchItem.objects.get(case=case).documents == ["zb1", "zb2"]


def test_expired_inspection_sends_the_change_of_holder_to_a_case_worker(ikfz):
    vehicle = make_vehicle(next_inspection=timezone.localdate() - dt.timedelta(days=40))
    make_evb("HUX0001")
    dialogue, findings, payment_request = run(
        ikfz.erika,
        "kfz-umschreibung",
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
        details=address(kennzeichen_wahl="behalten", evb="HUX0001", iban=IBAN, kontoinhaber="Erika"),
    )
    assert [f["key"] for f in findings if not f["passed"]] == ["inspection"]
    pay(payment_request)
    case = service.submit(dialogue)
    assert case.state == "in_review"
    assert any(c["key"] == "inspection" and "abgelaufen" in c["message"] for c in case.check_results)
    vehicle.refresh_from_db()
    assert vehicle.version == 1


def test_tax_arrears_send_the_re_registration_to_a_case_worker(ikfz):
    vehicle = make_vehicle(status=Vehicle.Status.DEREGISTERED, plate="", tax_arrears=True)
    make_evb("TAX0001")
    dialogue, findings, payment_request = run(
        ikfz.erika,
        "kfz-wiederzulassung",
        vin=vehicle.vin,
        codes=SecurityCodes(zb2=codes_of(vehicle).zb2),
        details=address(kennzeichen_wahl="neu", evb="TAX0001", iban=IBAN, kontoinhaber="Erika"),
    )
    tax = next(f for f in findings if f["key"] == "tax")
    assert not tax["passed"]
    assert "Kraftfahrzeugsteuer-Rückstände" in tax["message"]
    pay(payment_request)
    case = service.submit(dialogue)
    assert case.state == "in_review"
    assert not case.decided_automatically
    vehicle.refresh_from_db()
    assert vehicle.status == "deregistered"
    assert vehicle.version == 1


def test_tax_arrears_of_the_new_holder_count_for_a_change_of_holder(ikfz):
    debtor = make_citizen(
        first_name="Theo",
        last_name="Steuerschuld-Beispiel",
        birth_date=dt.date(1970, 1, 1),
        postal_code="09456",
        locality="Annaberg-Buchholz",
    )
    TaxDebtor.objects.create(
        given_name="Theo", family_name="Steuerschuld-Beispiel", birth_date=dt.date(1970, 1, 1)
    )
    vehicle = make_vehicle()
    make_evb("TAX0002")
    _dialogue, findings, _payment_request = run(
        debtor,
        "kfz-umschreibung",
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
        details=address(kennzeichen_wahl="behalten", evb="TAX0002", iban=IBAN, kontoinhaber="Theo"),
    )
    assert not next(f for f in findings if f["key"] == "tax")["passed"]


def test_address_change_within_the_district_for_the_holder(ikfz):
    vehicle = make_vehicle(plate="ERZ-AE 4")
    dialogue, findings, payment_request = run(
        ikfz.erika,
        "kfz-adressaenderung",
        plate="ERZ-AE 4",
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
        details={
            "strasse": "Bergstraße 9",
            "plz": "09456",
            "ort": "Annaberg-Buchholz",
            "kennzeichen_wahl": "behalten",
        },
    )
    assert all(f["passed"] for f in findings)
    assert payment_request.amount_cents == 430
    pay(payment_request)
    case = service.submit(dialogue)
    assert case.decided_automatically
    vehicle.refresh_from_db()
    assert vehicle.holder_street == "Bergstraße 9"
    assert vehicle.plate == "ERZ-AE 4"


def test_address_change_by_someone_who_is_not_the_holder_is_checked_by_staff(ikfz):
    vehicle = make_vehicle()
    stranger = make_citizen(first_name="Fritz", last_name="Fremd-Test", birth_date=dt.date(1985, 5, 5))
    _dialogue, findings, _payment_request = run(
        stranger,
        "kfz-adressaenderung",
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
        details={
            "strasse": "Bergstraße 9",
            "plz": "09456",
            "ort": "Annaberg-Buchholz",
            "kennzeichen_wahl": "behalten",
        },
    )
    holder = next(f for f in findings if f["key"] == "holder")
    assert not holder["passed"]
    assert "nicht als Halter" in holder["message"]


def test_address_change_within_the_district_keeps_the_plate(ikfz):
    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-adressaenderung")
    service.verify_vehicle(
        dialogue,
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=codes_of(vehicle).zb1, zb2=codes_of(vehicle).zb2),
    )
    with pytest.raises(service.DialogueError) as exc:
        service.save_details(
            dialogue, ikfz.erika, {"strasse": "B 1", "plz": "09456", "ort": "A", "kennzeichen_wahl": "neu"}
        )
    assert "bleibt das Kennzeichen" in exc.value.errors["kennzeichen_wahl"]


def test_new_registration_with_a_wish_plate(ikfz):
    vehicle = make_vehicle(status=Vehicle.Status.NEW, plate="")
    make_evb("NEU0009")
    dialogue, findings, payment_request = run(
        ikfz.erika,
        "kfz-neuzulassung",
        vin=vehicle.vin,
        zb2_number=vehicle.zb2_number,
        codes=SecurityCodes(zb2=codes_of(vehicle).zb2),
        details=address(
            kennzeichen_wahl="wunsch",
            wunschkennzeichen="erz eb 7",
            evb="NEU0009",
            iban=IBAN,
            kontoinhaber="Erika",
        ),
    )
    assert all(f["passed"] for f in findings), findings
    assert payment_request.amount_cents == 1280 + 140 + 30 + 50 + 1020
    pay(payment_request)
    case = service.submit(dialogue)
    assert case.decided_automatically
    vehicle.refresh_from_db()
    assert vehicle.plate == "ERZ-EB 7"
    assert vehicle.status == "registered"
    assert vehicle.first_registered_on == timezone.localdate()
    assert vehicle.next_inspection > timezone.localdate() + dt.timedelta(days=3 * 365 - 31)


def test_new_registration_needs_the_right_zb2_number(ikfz):
    vehicle = make_vehicle(status=Vehicle.Status.NEW, plate="")
    dialogue = service.start(ikfz.erika, "kfz-neuzulassung")
    outcome = service.verify_vehicle(
        dialogue, vin=vehicle.vin, zb2_number="AC0000000", codes=SecurityCodes(zb2=codes_of(vehicle).zb2)
    )
    assert not outcome.ok
    assert "Teil II passt nicht" in outcome.message


def test_wish_plate_of_another_district_or_taken_is_a_failed_check(ikfz):
    make_vehicle(plate="ERZ-XY 1")
    vehicle = make_vehicle(status=Vehicle.Status.NEW, plate="")
    make_evb("NEU0010")
    dialogue = service.start(ikfz.erika, "kfz-neuzulassung")
    service.verify_vehicle(
        dialogue,
        vin=vehicle.vin,
        zb2_number=vehicle.zb2_number,
        codes=SecurityCodes(zb2=codes_of(vehicle).zb2),
    )
    base = address(kennzeichen_wahl="wunsch", evb="NEU0010", iban=IBAN, kontoinhaber="Erika")
    findings = service.save_details(dialogue, ikfz.erika, {**base, "wunschkennzeichen": "ERZ-XY 1"})
    assert "schon vergeben" in next(f for f in findings if f["key"] == "plate")["message"]
    findings = service.save_details(dialogue, ikfz.erika, {**base, "wunschkennzeichen": "DD-XY 1"})
    assert "beginnt mit „ERZ“" in next(f for f in findings if f["key"] == "plate")["message"]


def test_invalid_iban_is_a_form_error(ikfz):
    vehicle = make_vehicle(status=Vehicle.Status.NEW, plate="")
    dialogue = service.start(ikfz.erika, "kfz-neuzulassung")
    service.verify_vehicle(
        dialogue,
        vin=vehicle.vin,
        zb2_number=vehicle.zb2_number,
        codes=SecurityCodes(zb2=codes_of(vehicle).zb2),
    )
    with pytest.raises(service.DialogueError) as exc:
        service.save_details(
            dialogue,
            ikfz.erika,
            address(kennzeichen_wahl="neu", evb="X", iban="DE88 3704 0044 0532 0130 00", kontoinhaber="E"),
        )
    assert "Prüfziffern der IBAN" in exc.value.errors["iban"]


def test_a_postal_code_outside_saxony_is_refused(ikfz):
    vehicle = make_vehicle(status=Vehicle.Status.NEW, plate="")
    dialogue = service.start(ikfz.erika, "kfz-neuzulassung")
    service.verify_vehicle(
        dialogue,
        vin=vehicle.vin,
        zb2_number=vehicle.zb2_number,
        codes=SecurityCodes(zb2=codes_of(vehicle).zb2),
    )
    with pytest.raises(service.DialogueError) as exc:
        service.save_details(
            dialogue,
            ikfz.erika,
            {
                "strasse": "A 1",
                "plz": "10115",
                "ort": "Berlin",
                "kennzeichen_wahl": "neu",
                "evb": "X",
                "iban": IBAN,
                "kontoinhaber": "E",
            },
        )
    assert "nicht in Sachsen" in exc.value.errors["plz"]


def test_sample_review_share_draws_decisions_for_review(ikfz, settings):
    settings.KFZ_SAMPLE_REVIEW_SHARE = 1.0
    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    service.verify_vehicle(
        dialogue,
        plate=vehicle.plate,
        codes=SecurityCodes(
            zb1=codes_of(vehicle).zb1,
            seal_front=codes_of(vehicle).seal_front,
            seal_rear=codes_of(vehicle).seal_rear,
        ),
    )
    service.save_details(dialogue, ikfz.erika, {"reservieren": False})
    pay(service.request_payment(dialogue, ikfz.erika, "niedrig"))
    case = service.submit(dialogue)
    assert case.sample_review
    worker, _device = ikfz.staff
    decision = cases.sample_review_list(worker).get(case=case)
    assert decision.review_due_on == timezone.localdate() + dt.timedelta(days=31)
    other, _device = ikfz.dresden_staff
    assert not cases.sample_review_list(other).filter(case=case).exists()
    settings.KFZ_SAMPLE_REVIEW_SHARE = 0.0
    vehicle2 = make_vehicle()
    dialogue2 = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    c2 = codes_of(vehicle2)
    service.verify_vehicle(
        dialogue2,
        plate=vehicle2.plate,
        codes=SecurityCodes(zb1=c2.zb1, seal_front=c2.seal_front, seal_rear=c2.seal_rear),
    )
    service.save_details(dialogue2, ikfz.erika, {"reservieren": False})
    pay(service.request_payment(dialogue2, ikfz.erika, "niedrig"))
    assert not service.submit(dialogue2).sample_review


def test_paid_signal_submits_in_the_background(ikfz):
    """The applicant closes the browser after paying: the payment signal queues the submission."""
    from django.db import connection
    from django.test import TestCase

    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    c = codes_of(vehicle)
    service.verify_vehicle(
        dialogue,
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=c.zb1, seal_front=c.seal_front, seal_rear=c.seal_rear),
    )
    service.save_details(dialogue, ikfz.erika, {"reservieren": False})
    payment_request = service.request_payment(dialogue, ikfz.erika, "niedrig")
    with TestCase.captureOnCommitCallbacks(using=connection.alias, execute=True):
        pay(payment_request)
    drain()
    dialogue.refresh_from_db()
    assert dialogue.status == Dialogue.Status.SUBMITTED
    assert Case.objects.get(pk=dialogue.case_id).decided_automatically
