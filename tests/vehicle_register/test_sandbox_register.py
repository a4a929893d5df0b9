"""The SANDBOX register behind the interface: lookups, code checks with lock-out, insurance, tax, plates,
changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amtsweg.vehicle_register import codes
from amtsweg.vehicle_register.checks import add_months
from amtsweg.vehicle_register.interface import (
    CodesLocked,
    Holder,
    InvalidState,
    OperationMismatch,
    PlateUnavailable,
    RegisterError,
    RegisterUnavailable,
    SecurityCodes,
    VehicleRegister,
    VersionConflict,
)
from amtsweg.vehicle_register.models import (
    CodeAttempt,
    InsuranceConfirmation,
    PlateReservation,
    RegisterOperation,
    TaxDebtor,
    Vehicle,
)
from amtsweg.vehicle_register.services import get_register

from .factories import BUYER, ERIKA, codes_of, make_evb, make_vehicle

pytestmark = pytest.mark.django_db
DEREGISTER = ("zb1", "seal_front", "seal_rear")


@pytest.fixture
def register() -> VehicleRegister:
    return get_register()


def test_the_sandbox_implements_the_interface(register):
    assert isinstance(register, VehicleRegister)
    assert register.is_sandbox
    assert "SANDBOX" in register.label


def test_no_sandbox_outside_demo_and_tests(settings):
    settings.VEHICLE_REGISTER_SANDBOX = False
    with pytest.raises(RegisterUnavailable, match="nicht angebunden"):
        get_register()


def test_lookup_by_plate_or_vin_never_exposes_hashes(register):
    vehicle = make_vehicle(plate="ERZ-AB 123")
    record = register.lookup(plate="erz ab123")
    assert record.vin == vehicle.vin
    assert record.plate == "ERZ-AB 123"
    assert record.status == "registered"
    assert register.lookup(vin=vehicle.vin.lower()).ref == record.ref
    assert register.lookup(plate="ERZ-ZZ 999") is None
    assert register.lookup(plate="kein kennzeichen") is None
    assert register.lookup() is None
    assert "hash" not in " ".join(record.__dataclass_fields__)
    assert record.holder.same_person(ERIKA)


def test_right_codes_pass_and_are_logged_without_codes(register):
    vehicle = make_vehicle()
    result = register.verify_codes(str(vehicle.public_id), codes_of(vehicle), DEREGISTER)
    assert result.ok
    assert result.version == vehicle.version
    attempt = CodeAttempt.objects.get(vehicle=vehicle)
    assert attempt.ok
    assert attempt.wrong == []


def test_wrong_codes_are_named_and_counted_per_vehicle(register):
    vehicle = make_vehicle()
    given = codes_of(vehicle)
    wrong = SecurityCodes(zb1=given.zb1, seal_front="AAA", seal_rear=given.seal_rear)
    result = register.verify_codes(str(vehicle.public_id), wrong, DEREGISTER)
    assert not result.ok
    assert result.wrong == ("seal_front",)
    assert result.failures_left == 9
    assert CodeAttempt.objects.filter(vehicle=vehicle, failed=True).count() == 1


def test_codes_of_another_vehicle_do_not_match(register):
    mine, other = make_vehicle(), make_vehicle()
    result = register.verify_codes(str(mine.public_id), codes_of(other), DEREGISTER)
    assert not result.ok
    assert set(result.wrong) == set(DEREGISTER)


def test_too_many_wrong_codes_lock_the_vehicle_for_a_day(register, settings):
    settings.VEHICLE_REGISTER_LOCK_AFTER = 3
    vehicle = make_vehicle()
    for _ in range(3):
        register.verify_codes(
            str(vehicle.public_id),
            SecurityCodes(zb1="AAAAAAA", seal_front="AAA", seal_rear="AAA"),
            DEREGISTER,
        )
    with pytest.raises(CodesLocked, match="24 Stunden gesperrt"):
        register.verify_codes(str(vehicle.public_id), codes_of(vehicle), DEREGISTER)
    CodeAttempt.objects.filter(vehicle=vehicle).update(at=timezone.now() - dt.timedelta(hours=25))
    assert register.verify_codes(str(vehicle.public_id), codes_of(vehicle), DEREGISTER).ok


def test_used_up_codes_are_unusable_not_wrong(register):
    vehicle = make_vehicle(status=Vehicle.Status.DEREGISTERED, plate="")
    result = register.verify_codes(str(vehicle.public_id), SecurityCodes(zb1="AAAAAAA"), ("zb1",))
    assert not result.ok
    assert result.unusable == ("zb1",)
    assert result.wrong == ()
    assert not CodeAttempt.objects.filter(vehicle=vehicle, failed=True).exists()


def test_key_rotation_old_hashes_still_verify_and_are_rehashed(register, settings):
    old_key = "a" * 64
    settings.VEHICLE_REGISTER_CODE_KEYS = f"k1:{old_key}"
    vehicle = make_vehicle()
    given = codes_of(vehicle)
    assert vehicle.zb1_code_hash.startswith("k1$")
    settings.VEHICLE_REGISTER_CODE_KEYS = f"k2:{'b' * 64},k1:{old_key}"
    assert register.verify_codes(str(vehicle.public_id), given, DEREGISTER).ok
    vehicle.refresh_from_db()
    assert vehicle.zb1_code_hash.startswith("k2$")
    assert vehicle.seal_rear_hash.startswith("k2$")
    settings.VEHICLE_REGISTER_CODE_KEYS = f"k2:{'b' * 64}"
    assert register.verify_codes(str(vehicle.public_id), given, DEREGISTER).ok


def test_a_hash_is_useless_without_the_key(settings):
    settings.VEHICLE_REGISTER_CODE_KEYS = f"k1:{'c' * 64}"
    stored = codes.code_hash("zb1", "SBXM0000RS0000001", "ABCDEFG")
    settings.VEHICLE_REGISTER_CODE_KEYS = f"k1:{'d' * 64}"
    assert not codes.code_matches(stored, "zb1", "SBXM0000RS0000001", "ABCDEFG")
    assert not codes.code_matches("", "zb1", "SBXM0000RS0000001", "ABCDEFG")
    assert not codes.code_matches("zz$00", "zb1", "SBXM0000RS0000001", "ABCDEFG")
    assert not codes.code_matches(stored, "zb1", "SBXM0000RS0000001", None)


def test_insurance_confirmations(register):
    vehicle = make_vehicle()
    other = make_vehicle()
    make_evb("GUT0001")
    make_evb("ALT0002", expired=True)
    make_evb("FIX0003", vin=other.vin)
    today = timezone.localdate()
    assert register.check_insurance("gut 0001", vin=vehicle.vin, on=today).valid
    assert register.check_insurance("ALT0002", vin=vehicle.vin, on=today).reason == "expired"
    assert register.check_insurance("FIX0003", vin=vehicle.vin, on=today).reason == "other_vehicle"
    assert register.check_insurance("NIX0000", vin=vehicle.vin, on=today).reason == "unknown"
    assert register.check_insurance("zu-lang-1234", vin=vehicle.vin, on=today).reason == "format"
    InsuranceConfirmation.objects.filter(evb="GUT0001").update(used_by=other)
    assert register.check_insurance("GUT0001", vin=vehicle.vin, on=today).reason == "used"


def test_tax_arrears_of_vehicle_or_person(register):
    clean = make_vehicle()
    owing = make_vehicle(tax_arrears=True)
    TaxDebtor.objects.create(
        given_name="Theo", family_name="Steuerschuld-Beispiel", birth_date=dt.date(1970, 1, 1)
    )
    assert not register.has_tax_arrears(ref=str(clean.public_id))
    assert register.has_tax_arrears(ref=str(owing.public_id))
    assert register.has_tax_arrears(person=Holder("theo", "STEUERSCHULD-BEISPIEL", dt.date(1970, 1, 1)))
    assert not register.has_tax_arrears(person=BUYER)


def test_deregistration_clears_plate_and_used_codes_and_bumps_the_version(register):
    vehicle = make_vehicle(plate="ERZ-AB 1")
    result = register.deregister(
        str(vehicle.public_id),
        expected_version=1,
        operation_id="op-1",
        authority_key="landratsamt-erzgebirgskreis",
    )
    assert not result.replayed
    assert result.kind == "deregister"
    assert result.issued_documents == ()
    vehicle.refresh_from_db()
    assert vehicle.status == "deregistered"
    assert vehicle.plate == ""
    assert vehicle.version == 2
    assert vehicle.deregistered_on == timezone.localdate()
    assert vehicle.zb1_code_hash == vehicle.seal_front_hash == vehicle.seal_rear_hash == ""
    assert vehicle.zb2_code_hash  # ZB II stays valid for a re-registration
    operation = RegisterOperation.objects.get(operation_id="op-1")
    assert (operation.from_version, operation.to_version, operation.detail["plate"]) == (1, 2, "ERZ-AB 1")
    assert register.plate_available("ERZ-AB 1")


def test_deregistration_is_idempotent_per_operation_id(register):
    vehicle = make_vehicle()
    first = register.deregister(
        str(vehicle.public_id), expected_version=1, operation_id="op-2", authority_key="x"
    )
    again = register.deregister(
        str(vehicle.public_id), expected_version=1, operation_id="op-2", authority_key="x"
    )
    assert again.replayed
    assert again.vehicle.version == first.vehicle.version == 2
    assert RegisterOperation.objects.filter(vehicle=vehicle).count() == 1
    other = make_vehicle()
    with pytest.raises(OperationMismatch):
        register.deregister(str(other.public_id), expected_version=1, operation_id="op-2", authority_key="x")


def test_a_stale_version_is_refused_and_changes_nothing(register):
    vehicle = make_vehicle()
    Vehicle.objects.filter(pk=vehicle.pk).update(version=5)
    with pytest.raises(VersionConflict, match="inzwischen durch einen anderen Antrag"):
        register.deregister(
            str(vehicle.public_id), expected_version=1, operation_id="op-3", authority_key="x"
        )
    vehicle.refresh_from_db()
    assert vehicle.status == "registered"
    assert vehicle.version == 5
    assert not RegisterOperation.objects.exists()


def test_deregistering_twice_is_invalid(register):
    vehicle = make_vehicle()
    register.deregister(str(vehicle.public_id), expected_version=1, operation_id="a", authority_key="x")
    with pytest.raises(InvalidState, match="nicht zugelassen"):
        register.deregister(str(vehicle.public_id), expected_version=2, operation_id="b", authority_key="x")


def test_plate_reservation_with_deregistration_at_most_twelve_months(register):
    vehicle = make_vehicle(plate="ERZ-RS 7")
    with pytest.raises(RegisterError, match="höchstens zwölf Monate"):
        register.deregister(
            str(vehicle.public_id),
            expected_version=1,
            operation_id="r1",
            authority_key="x",
            reserve_until=add_months(timezone.localdate(), 13),
        )
    vehicle.refresh_from_db()
    assert vehicle.status == "registered"
    assert vehicle.version == 1
    until = add_months(timezone.localdate(), 12)
    result = register.deregister(
        str(vehicle.public_id), expected_version=1, operation_id="r2", authority_key="x", reserve_until=until
    )
    assert result.vehicle.reserved_plate == "ERZ-RS 7"
    assert result.vehicle.reserved_until == until
    assert not register.plate_available("ERZ-RS 7")
    assert not register.plate_available("ERZ-RS 7", holder=BUYER)
    assert register.plate_available("ERZ-RS 7", holder=ERIKA)


def test_re_registration_with_the_reserved_plate(register, regions):
    vehicle = make_vehicle(plate="ERZ-WZ 8")
    make_evb("NEU0001")
    until = add_months(timezone.localdate(), 3)
    register.deregister(
        str(vehicle.public_id), expected_version=1, operation_id="w1", authority_key="x", reserve_until=until
    )
    with pytest.raises(PlateUnavailable, match="für jemand anderen reserviert"):
        register.register(
            str(vehicle.public_id),
            expected_version=2,
            operation_id="w2",
            authority_key="x",
            holder=BUYER,
            plate="ERZ-WZ 8",
            district_ags="14521",
            evb="NEU0001",
        )
    result = register.register(
        str(vehicle.public_id),
        expected_version=2,
        operation_id="w3",
        authority_key="x",
        holder=ERIKA,
        plate="ERZ-WZ 8",
        district_ags="14521",
        evb="NEU0001",
    )
    assert result.vehicle.status == "registered"
    assert result.vehicle.plate == "ERZ-WZ 8"
    assert set(result.issued_documents) == {"zb1", "zb2", "seals"}
    assert PlateReservation.objects.get(plate="ERZ-WZ 8").released_at is not None
    assert InsuranceConfirmation.objects.get(evb="NEU0001").used_by_id == vehicle.pk
    vehicle.refresh_from_db()
    assert vehicle.code_generations == {"zb1": 2, "zb2": 2, "seal_front": 2, "seal_rear": 2}
    assert register.verify_codes(str(vehicle.public_id), codes_of(vehicle), codes.KINDS).ok


def test_change_of_holder_keeps_or_changes_the_plate(register, regions):
    keep = make_vehicle(plate="ERZ-KP 1")
    change = make_vehicle(plate="ERZ-KP 2")
    make_evb("HAL0001")
    make_evb("HAL0002")
    kept = register.change_holder(
        str(keep.public_id),
        expected_version=1,
        operation_id="h1",
        authority_key="x",
        holder=BUYER,
        plate="ERZ-KP 1",
        district_ags="14521",
        evb="HAL0001",
    )
    assert kept.vehicle.plate == "ERZ-KP 1"
    assert kept.vehicle.holder.same_person(BUYER)
    assert kept.issued_documents == ("zb1", "zb2")
    new_plate = register.suggest_plate("14522")
    assert new_plate.startswith("FG-")
    changed = register.change_holder(
        str(change.public_id),
        expected_version=1,
        operation_id="h2",
        authority_key="x",
        holder=BUYER,
        plate=new_plate,
        district_ags="14522",
        evb="HAL0002",
    )
    assert changed.vehicle.plate == new_plate
    assert changed.vehicle.district_ags == "14522"
    assert changed.issued_documents == ("zb1", "zb2", "seals")
    assert register.plate_available("ERZ-KP 2")
    # An already used eVB cannot be used for another vehicle.
    third = make_vehicle()
    with pytest.raises(RegisterError, match="eVB"):
        register.change_holder(
            str(third.public_id),
            expected_version=1,
            operation_id="h3",
            authority_key="x",
            holder=BUYER,
            plate=third.plate,
            district_ags="14521",
            evb="HAL0001",
        )


def test_taking_a_plate_that_is_on_another_vehicle_fails_cleanly(register):
    make_vehicle(plate="ERZ-BE 5")
    vehicle = make_vehicle(plate="ERZ-BE 6")
    make_evb("BES0001")
    with pytest.raises(PlateUnavailable):
        register.change_holder(
            str(vehicle.public_id),
            expected_version=1,
            operation_id="p1",
            authority_key="x",
            holder=BUYER,
            plate="ERZ-BE 5",
            district_ags="14521",
            evb="BES0001",
        )
    vehicle.refresh_from_db()
    assert vehicle.plate == "ERZ-BE 6"
    assert vehicle.version == 1
    assert not RegisterOperation.objects.filter(operation_id="p1").exists()


def test_change_of_address_only_for_the_holder(register):
    vehicle = make_vehicle(plate="ERZ-AD 1")
    moved = Holder(
        ERIKA.given_name, ERIKA.family_name, ERIKA.birth_date, "Bergstraße 9", "09456", "Annaberg-Buchholz"
    )
    result = register.change_address(
        str(vehicle.public_id),
        expected_version=1,
        operation_id="a1",
        authority_key="x",
        holder=moved,
        plate="ERZ-AD 1",
        district_ags="14521",
    )
    assert result.vehicle.holder.street == "Bergstraße 9"
    with pytest.raises(InvalidState, match="eingetragenen Halter"):
        register.change_address(
            str(vehicle.public_id),
            expected_version=2,
            operation_id="a2",
            authority_key="x",
            holder=BUYER,
            plate="ERZ-AD 1",
            district_ags="14521",
        )


def test_first_registration_of_a_new_vehicle(register, regions):
    vehicle = make_vehicle(status=Vehicle.Status.NEW)
    make_evb("ERS0001")
    plate = register.suggest_plate("14612")
    inspection = add_months(timezone.localdate(), 36)
    result = register.register(
        str(vehicle.public_id),
        expected_version=1,
        operation_id="n1",
        authority_key="stadt-dresden",
        holder=BUYER,
        plate=plate,
        district_ags="14612",
        evb="ERS0001",
        next_inspection=inspection,
    )
    assert result.vehicle.status == "registered"
    assert result.vehicle.first_registered_on == timezone.localdate()
    assert result.vehicle.next_inspection == inspection
    assert result.detail["registration"] == "first"
