"""Deregistration (Außerbetriebsetzung) through the i-Kfz dialogue: codes, fee first, automatic decision,
register change, sealed decision in the postbox; and the bad inputs of the issue."""

from __future__ import annotations

import pytest
from django.utils import timezone
from engine_fixtures import drain

from amtsweg.cases.models import Case, Decision
from amtsweg.payments.services import request_for_reference
from amtsweg.postbox.models import Delivery
from amtsweg.procedures.kfz import dialogue as service
from amtsweg.procedures.kfz.models import DecisionRecord, Dialogue, DispatchItem
from amtsweg.vehicle_register.checks import RULE_VERSION, add_months
from amtsweg.vehicle_register.interface import SecurityCodes
from amtsweg.vehicle_register.models import RegisterOperation, Vehicle

from .factories import codes_of, deregistration_codes, make_vehicle, pay

pytestmark = pytest.mark.django_db


def _through_payment(ikfz, vehicle, *, details=None, user=None):
    user = user or ikfz.erika
    dialogue = service.start(user, "kfz-ausserbetriebsetzung")
    outcome = service.verify_vehicle(
        dialogue, plate=vehicle.plate.lower(), codes=deregistration_codes(vehicle)
    )
    assert outcome.ok, outcome.message
    service.save_details(dialogue, user, details or {"reservieren": False})
    payment_request = service.request_payment(dialogue, user, "niedrig")
    return dialogue, payment_request


def test_deregistration_end_to_end_is_decided_at_once(ikfz):
    vehicle = make_vehicle(plate="ERZ-AB 101")
    dialogue, payment_request = _through_payment(ikfz, vehicle)
    assert payment_request.amount_cents == 210
    assert payment_request.authority == ikfz.erz
    pay(payment_request)
    dialogue.refresh_from_db()
    assert dialogue.status == Dialogue.Status.PAID
    case = service.submit(dialogue)

    assert case.decided_automatically
    assert case.outcome == "granted"
    assert case.state == "decided"
    assert case.authority == ikfz.erz
    assert case.procedure_key == "kfz-ausserbetriebsetzung"
    assert all(c["passed"] for c in case.check_results)
    assert [c["key"] for c in case.check_results][-1] == "register"
    vehicle.refresh_from_db()
    assert vehicle.status == "deregistered"
    assert vehicle.plate == ""
    assert vehicle.version == 2
    assert RegisterOperation.objects.get(vehicle=vehicle).operation_id == dialogue.operation_id
    record = DecisionRecord.objects.get(case=case)
    assert record.automatic
    assert record.outcome == "granted"
    assert record.rule_version == RULE_VERSION
    assert record.inputs["verified_version"] == 1
    assert record.inputs["register_version_after"] == 2
    assert record.inputs["fee_cents"] == 210
    assert record.register_operation == dialogue.operation_id
    assert not DispatchItem.objects.filter(case=case).exists()  # nothing to post after a deregistration
    dialogue.refresh_from_db()
    assert dialogue.status == Dialogue.Status.SUBMITTED
    assert dialogue.case == case
    assert bytes(dialogue.data_encrypted) == b""  # dialogue data deleted after the transfer

    drain()
    decision = Decision.objects.get(case=case)
    assert decision.automatic
    assert decision.document_id
    delivery = Delivery.objects.get(document_id=decision.document_id)
    assert delivery.channel == "postbox"
    assert delivery.mailbox.user == ikfz.erika
    assert delivery.document.seal_level
    assert delivery.document.doc_type == "bescheid"
    assert "ERZ-AB 101" in delivery.document.title


def test_the_same_submission_twice_gives_the_same_case_and_one_register_change(ikfz):
    vehicle = make_vehicle()
    dialogue, payment_request = _through_payment(ikfz, vehicle)
    pay(payment_request)
    first = service.submit(dialogue)
    second = service.submit(Dialogue.objects.get(pk=dialogue.pk))
    assert first.pk == second.pk
    assert Case.objects.filter(procedure_key="kfz-ausserbetriebsetzung").count() == 1
    assert RegisterOperation.objects.filter(vehicle=vehicle).count() == 1


def test_plate_reservation_costs_extra_and_is_registered(ikfz):
    vehicle = make_vehicle(plate="ERZ-RV 12")
    dialogue, payment_request = _through_payment(
        ikfz, vehicle, details={"reservieren": True, "reservierung_monate": 6}
    )
    assert payment_request.amount_cents == 210 + 260
    pay(payment_request)
    case = service.submit(dialogue)
    assert case.decided_automatically
    from amtsweg.vehicle_register.models import PlateReservation

    reservation = PlateReservation.objects.get(plate="ERZ-RV 12")
    assert reservation.until == add_months(timezone.localdate(), 6)
    assert reservation.holder_family_name == "Beispiel-Musterfrau"


def test_no_identification_needed_trust_level_niedrig(ikfz):
    from amtsweg.procedures import registry

    assert registry.get("kfz-ausserbetriebsetzung").trust_level == "niedrig"
    assert all(
        registry.get(k).trust_level == "substanziell"
        for k in ("kfz-wiederzulassung", "kfz-umschreibung", "kfz-adressaenderung", "kfz-neuzulassung")
    )


# --- bad input
# ----------------------------------------------------------------------------------------------------


def test_wrong_codes_are_counted_three_corrections_then_abort(ikfz):
    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    right = deregistration_codes(vehicle)
    wrong = SecurityCodes(zb1=right.zb1, seal_front=right.seal_front, seal_rear="ZZZ")
    messages = []
    for _ in range(3):
        outcome = service.verify_vehicle(dialogue, plate=vehicle.plate, codes=wrong)
        assert not outcome.ok
        assert not outcome.aborted
        messages.append(outcome.message)
    assert "noch 3 Korrekturversuche" in messages[0]
    assert "noch 1 Korrekturversuch." in messages[2]
    assert "Code der Stempelplakette hinten" in messages[0]
    final = service.verify_vehicle(dialogue, plate=vehicle.plate, codes=wrong)
    assert final.aborted
    assert "abgebrochen" in final.message
    dialogue.refresh_from_db()
    assert dialogue.status == Dialogue.Status.ABORTED
    assert dialogue.abort_reason == "codes"
    assert dialogue.wrong_entries == 4
    with pytest.raises(service.DialogueError, match="abgebrochen"):
        service.verify_vehicle(dialogue, plate=vehicle.plate, codes=right)  # even the right codes: too late
    vehicle.refresh_from_db()
    assert vehicle.status == "registered"
    assert vehicle.version == 1


def test_malformed_codes_are_typing_errors_and_not_counted(ikfz):
    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    outcome = service.verify_vehicle(
        dialogue, plate=vehicle.plate, codes=SecurityCodes(zb1="AB", seal_front="", seal_rear="12345")
    )
    assert not outcome.ok
    assert set(outcome.errors) == {"code_zb1", "code_seal_front", "code_seal_rear"}
    assert "7 Zeichen" in outcome.errors["code_zb1"]
    dialogue.refresh_from_db()
    assert dialogue.wrong_entries == 0


def test_codes_of_another_vehicle_are_wrong_codes(ikfz):
    mine, other = make_vehicle(), make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    outcome = service.verify_vehicle(dialogue, plate=mine.plate, codes=deregistration_codes(other))
    assert not outcome.ok
    assert "passen nicht zu diesem Fahrzeug" in outcome.message
    assert "genau dieses Fahrzeugs" in outcome.message
    dialogue.refresh_from_db()
    assert dialogue.wrong_entries == 1
    assert dialogue.vehicle_ref == ""
    for vehicle in (mine, other):
        vehicle.refresh_from_db()
        assert vehicle.status == "registered"
        assert vehicle.version == 1


def test_unknown_plate_is_not_an_attempt(ikfz):
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    outcome = service.verify_vehicle(
        dialogue, plate="ERZ-QQ 999", codes=SecurityCodes(zb1="ABCDEFG", seal_front="ABC", seal_rear="ABC")
    )
    assert not outcome.ok
    assert "kein zugelassenes Fahrzeug" in outcome.message
    dialogue.refresh_from_db()
    assert dialogue.wrong_entries == 0


def test_a_locked_vehicle_aborts_the_dialogue(ikfz, settings):
    settings.VEHICLE_REGISTER_LOCK_AFTER = 2
    vehicle = make_vehicle()
    wrong = SecurityCodes(zb1="AAAAAAA", seal_front="AAA", seal_rear="AAA")
    for _ in range(2):  # two other applications (e.g. someone guessing) fail
        service.verify_vehicle(
            service.start(ikfz.erika, "kfz-ausserbetriebsetzung"), plate=vehicle.plate, codes=wrong
        )
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    outcome = service.verify_vehicle(dialogue, plate=vehicle.plate, codes=deregistration_codes(vehicle))
    assert outcome.aborted
    assert "24 Stunden gesperrt" in outcome.message
    dialogue.refresh_from_db()
    assert dialogue.abort_reason == "locked"


def test_submitting_without_payment_is_refused(ikfz):
    vehicle = make_vehicle()
    dialogue, _payment_request = _through_payment(ikfz, vehicle)
    with pytest.raises(service.DialogueError, match="noch nicht bezahlt"):
        service.submit(dialogue)
    vehicle.refresh_from_db()
    assert vehicle.status == "registered"
    assert not Case.objects.exists()


def test_tampered_fee_amount_is_refused_and_changes_nothing(ikfz):
    vehicle = make_vehicle()
    dialogue, payment_request = _through_payment(ikfz, vehicle)
    # Somebody lowered the amount owed before paying (e.g. a manipulated row or a forged request).
    type(payment_request).objects.filter(pk=payment_request.pk).update(amount_cents=1)
    payment_request.refresh_from_db()
    pay(payment_request)
    with pytest.raises(service.DialogueError) as exc:
        service.submit(Dialogue.objects.get(pk=dialogue.pk))
    assert (
        "Der bezahlte Betrag (0,01 €) entspricht nicht der Gebühr für diesen Antrag (2,10 €)"
        in exc.value.message
    )
    vehicle.refresh_from_db()
    assert vehicle.status == "registered"
    assert vehicle.version == 1
    assert not Case.objects.exists()
    assert not RegisterOperation.objects.exists()


def test_the_amount_comes_from_the_server_not_from_the_form(ikfz, client):
    from engine_fixtures import login_citizen

    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    service.verify_vehicle(dialogue, plate=vehicle.plate, codes=deregistration_codes(vehicle))
    service.save_details(dialogue, ikfz.erika, {"reservieren": False})
    login_citizen(client, ikfz.erika, "niedrig")
    response = client.post(
        f"/antrag/kfz/{dialogue.pk}/pruefen/",
        {"bestaetigung": "on", "betrag": "1", "amount_cents": "1", "gebuehr": "0,01"},
    )
    assert response.status_code == 303
    assert request_for_reference(dialogue.reference).amount_cents == 210


def test_data_cannot_change_after_the_payment_was_requested(ikfz):
    vehicle = make_vehicle()
    dialogue, _payment_request = _through_payment(ikfz, vehicle)
    with pytest.raises(service.DialogueError, match="mit der Zahlung festgelegt"):
        service.save_details(
            Dialogue.objects.get(pk=dialogue.pk), ikfz.erika, {"reservieren": True, "reservierung_monate": 12}
        )


def test_concurrent_applications_only_the_first_changes_the_register(ikfz):
    """Two people with the codes both deregister: the later one loses the race on the register version and is
    decided by a case worker, with the failed check named; the register changed exactly once."""
    from engine_fixtures import citizen as make_citizen

    vehicle = make_vehicle()
    other = make_citizen()
    first, first_request = _through_payment(ikfz, vehicle)
    second, second_request = _through_payment(ikfz, vehicle, user=other)
    pay(first_request)
    pay(second_request)
    winner = service.submit(first)
    loser = service.submit(second)
    assert winner.decided_automatically
    assert winner.state == "decided"
    assert not loser.decided_automatically
    assert loser.state == "in_review"
    failed = [c for c in loser.check_results if not c["passed"]]
    assert failed
    assert failed[0]["key"] in ("state", "register")
    assert RegisterOperation.objects.filter(vehicle=vehicle).count() == 1
    vehicle.refresh_from_db()
    assert vehicle.version == 2


def test_codes_never_stored_or_logged_in_clear(ikfz, caplog):
    import logging

    from vehicle_register.factories import database_text

    caplog.set_level(logging.DEBUG)
    vehicle = make_vehicle()
    right = deregistration_codes(vehicle)
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    service.verify_vehicle(
        dialogue,
        plate=vehicle.plate,
        codes=SecurityCodes(zb1=right.zb1, seal_front=right.seal_front, seal_rear="XQ7"),
    )
    dialogue, payment_request = _through_payment(ikfz, vehicle)
    pay(payment_request)
    service.submit(dialogue)
    drain()
    dump = database_text()
    logs = caplog.text
    for code in right.given().values():
        assert code not in dump
        assert code not in logs


def test_aborted_dialogue_data_is_deleted_after_30_minutes_and_logs_after_six_months(ikfz):
    import datetime as dt

    from amtsweg.procedures.kfz.models import DialogueEvent

    vehicle = make_vehicle()
    dialogue = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    service.verify_vehicle(dialogue, plate=vehicle.plate, codes=deregistration_codes(vehicle))
    service.abort(dialogue)
    dialogue.refresh_from_db()
    assert dialogue.status == "aborted"
    assert bytes(dialogue.data_encrypted)
    now = timezone.now()
    assert service.purge(now + dt.timedelta(minutes=29))["dialogues_deleted"] == 0
    assert service.purge(now + dt.timedelta(minutes=31))["dialogues_deleted"] == 1
    assert not Dialogue.objects.filter(pk=dialogue.pk).exists()
    assert DialogueEvent.objects.filter(dialogue_id=dialogue.pk).exists()  # the log stays (no personal data)
    assert service.purge(now + dt.timedelta(days=184))["log_entries_deleted"] >= 3
    idle = service.start(ikfz.erika, "kfz-ausserbetriebsetzung")
    assert service.purge(now + dt.timedelta(minutes=61))["aborted_idle"] == 1
    idle.refresh_from_db()
    assert idle.status == "aborted"
    assert idle.abort_reason == "inactive"


def test_vehicle_state_is_checked_before_codes(ikfz):
    vehicle = make_vehicle(status=Vehicle.Status.DEREGISTERED, plate="")
    dialogue = service.start(ikfz.erika, "kfz-wiederzulassung")
    outcome = service.verify_vehicle(
        dialogue, vin=vehicle.vin, codes=SecurityCodes(zb2=codes_of(vehicle).zb2)
    )
    assert outcome.ok
    registered = make_vehicle()
    again = service.start(ikfz.erika, "kfz-wiederzulassung")
    outcome = service.verify_vehicle(again, vin=registered.vin, codes=SecurityCodes(zb2="AAAAAAAAAAAA"))
    assert not outcome.ok
    assert "Das Fahrzeug ist zugelassen" in outcome.message
    again.refresh_from_db()
    assert again.wrong_entries == 0


def test_a_database_conflict_is_retried(ikfz, monkeypatch):
    from django.db import OperationalError

    vehicle = make_vehicle()
    dialogue, payment_request = _through_payment(ikfz, vehicle)
    pay(payment_request)
    real = service._submit_once
    calls = []

    def flaky(dialogue, procedure):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("deadlock detected")
        return real(dialogue, procedure)

    monkeypatch.setattr(service, "_submit_once", flaky)
    case = service.submit(dialogue)
    assert len(calls) == 3
    assert case.decided_automatically


def test_a_lasting_database_conflict_queues_the_submission(ikfz, client, monkeypatch):
    from django.db import OperationalError
    from django_tasks_db.models import DBTaskResult
    from engine_fixtures import login_citizen

    vehicle = make_vehicle()
    dialogue, payment_request = _through_payment(ikfz, vehicle)
    pay(payment_request)
    DBTaskResult.objects.all().delete()

    def always(dialogue, procedure):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(service, "_submit_once", always)
    monkeypatch.setattr(service.time, "sleep", lambda seconds: None)
    login_citizen(client, ikfz.erika, "niedrig")
    response = client.post(f"/antrag/kfz/{dialogue.pk}/absenden/")
    assert response.status_code == 422
    assert "automatisch übermittelt" in response.content.decode()
    assert DBTaskResult.objects.filter(task_path__endswith="submit_paid_dialogue").exists()
    vehicle.refresh_from_db()
    assert vehicle.status == "registered"
