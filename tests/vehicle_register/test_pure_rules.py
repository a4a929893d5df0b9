"""Pure rules of the register component: VIN, plates, IBAN, attempt counting and the check findings."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.vehicle_register import checks, iban, plates, vin
from amtsweg.vehicle_register.interface import (
    CodeVerification,
    Holder,
    InsuranceStatus,
    SecurityCodes,
    VehicleRecord,
)

# --- VIN
# -------------------------------------------------------------------------------------------------------


def test_vin_check_digit_of_a_published_example():
    # The worked example of the North American check-digit rule (49 CFR 565).
    assert vin.check_digit("1M8GDM9AXKP042788") == "X"
    assert vin.has_valid_check_digit("1M8GDM9AXKP042788")
    assert not vin.has_valid_check_digit("1M8GDM9A1KP042788")


@pytest.mark.parametrize(
    "value",
    ["", "SHORT", "1M8GDM9AXKP04278I", "1M8GDM9AXKP04278O", "1M8GDM9AXKP04278Q", "1M8GDM9AXKP0427888"],
)
def test_vin_structure_refuses_wrong_length_and_i_o_q(value):
    assert not vin.is_valid_structure(value)


def test_normalize_vin_handles_spaces_case_and_non_strings():
    assert vin.normalize_vin(" 1m8g-dm9a xkp042788 ") == "1M8GDM9AXKP042788"
    assert vin.normalize_vin(None) == ""
    assert vin.normalize_vin(12345) == ""


@given(st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=17, max_size=17))
def test_with_check_digit_always_yields_a_valid_vin(raw):
    assert vin.has_valid_check_digit(vin.with_check_digit(raw))


# --- plates
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("ERZ-AB 123", "ERZ-AB 123"),
        ("erz ab123", "ERZ-AB 123"),
        ("ERZ:AB-123", "ERZ-AB 123"),
        ("dd-x 1", "DD-X 1"),
        ("L-LP 2001E", "L-LP 2001E"),
        ("PIR-OL 55H", "PIR-OL 55H"),
    ],
)
def test_plates_are_parsed_to_the_canonical_form(typed, canonical):
    assert str(plates.parse_plate(typed)) == canonical


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", "Bitte geben Sie das Kennzeichen an"),
        ("ERZAB123", "kein gültiges Kennzeichen"),  # no separator after the district code: ambiguous
        ("ERZ-AB 0123", "kein gültiges Kennzeichen"),  # leading zero
        ("ERZ-ABC 12", "kein gültiges Kennzeichen"),  # three recognition letters
        ("TDO-AB 1234", "höchstens acht"),  # 9 characters
        ("DD-SS 12", "wird nicht vergeben"),
        ("ERZ-AB 123X", "kein gültiges Kennzeichen"),
        ("x" * 500, "höchstens acht"),
    ],
)
def test_bad_plates_get_a_clear_german_message(typed, fragment):
    with pytest.raises(plates.PlateFormatError) as exc:
        plates.parse_plate(typed)
    assert fragment in str(exc.value)


def test_a_new_plate_must_carry_the_district_code():
    plate = plates.parse_plate("DD-AB 12")
    plates.check_plate_for_district(plate, {"DD"})
    with pytest.raises(plates.PlateFormatError, match="beginnt mit „ERZ“"):
        plates.check_plate_for_district(plate, {"ERZ"})


def test_non_string_plate_input_is_refused():
    assert plates.normalize_plate(None) == ""
    assert plates.normalize_plate(["ERZ-AB 1"]) == ""


# --- IBAN
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["DE89 3704 0044 0532 0130 00", "de89370400440532013000", "AT611904300234573201", "NL91ABNA0417164300"],
)
def test_valid_ibans(value):
    assert iban.iban_problem(value) == ""


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "empty"),
        (None, "empty"),
        ("DE88 3704 0044 0532 0130 00", "checksum"),
        ("DE89 3704 0044 0532 0130", "length"),
        ("US12 3456 7890 1234 5678 90", "country"),
        ("3704 0044 0532 0130 00", "format"),
        ("DE89-3704-0044-0532-0130-00!", "format"),
    ],
)
def test_invalid_ibans(value, problem):
    assert iban.iban_problem(value) == problem


@given(st.text(alphabet="0123456789", min_size=18, max_size=18))
def test_one_changed_digit_breaks_the_checksum(bban):
    check = 98 - iban.mod97("DE00" + bban)
    valid = f"DE{check:02d}{bban}"
    assert iban.iban_problem(valid) == ""
    position = 4 + int(bban[0])
    changed = valid[:position] + str((int(valid[position]) + 1) % 10) + valid[position + 1 :]
    assert iban.iban_problem(changed) == "checksum"


def test_iban_finding_messages_are_german():
    assert checks.iban_finding("DE88370400440532013000").message.startswith(
        "Die Prüfziffern der IBAN stimmen nicht"
    )
    assert checks.iban_finding("DE89370400440532013000").passed


# --- attempts
# ------------------------------------------------------------------------------------------------------


def test_three_corrections_then_abort():
    assert [checks.corrections_left(n) for n in range(5)] == [3, 3, 2, 1, 0]
    assert [checks.must_abort(n) for n in range(5)] == [False, False, False, False, True]


def test_codes_finding_counts_down_and_aborts():
    wrong = CodeVerification(ok=False, wrong=("zb1",), version=1)
    first = checks.codes_finding(wrong, 1)
    assert "noch 3 Korrekturversuche" in first.message
    assert "Sicherheitscode der Zulassungsbescheinigung Teil I" in first.message
    assert "noch 1 Korrekturversuch." in checks.codes_finding(wrong, 3).message
    aborted = checks.codes_finding(wrong, 4)
    assert not aborted.passed
    assert "abgebrochen" in aborted.message
    assert checks.codes_finding(CodeVerification(ok=True, version=1), 2).passed


def test_security_codes_never_show_in_repr_or_str():
    codes = SecurityCodes(zb1="A7K3M9Q", seal_front="X2B", seal_rear="Y3C")
    for text in (repr(codes), str(codes), f"{codes}", repr([codes])):
        assert "A7K3M9Q" not in text
        assert "X2B" not in text
        assert "Y3C" not in text
    assert "zb1=***" in repr(codes)


# --- findings
# ------------------------------------------------------------------------------------------------------


def test_inspection_valid_through_the_due_month_then_expired():
    due = checks.month_end(2026, 11)
    assert checks.inspection_finding(due, dt.date(2026, 11, 30)).passed
    expired = checks.inspection_finding(due, dt.date(2026, 12, 1))
    assert not expired.passed
    assert "11/2026 fällig und ist abgelaufen" in expired.message
    assert not checks.inspection_finding(None, dt.date(2026, 1, 1)).passed


def test_reregistration_only_within_seven_years():
    today = dt.date(2026, 11, 28)
    assert checks.reregistration_window_finding(dt.date(2019, 11, 28), today).passed
    assert not checks.reregistration_window_finding(dt.date(2019, 11, 27), today).passed
    assert checks.reregistration_window_finding(dt.date(2020, 2, 29), dt.date(2027, 2, 28)).passed


def test_tax_and_insurance_findings():
    assert not checks.tax_finding(True).passed
    assert "Kraftfahrzeugsteuer-Rückstände" in checks.tax_finding(True).message
    assert checks.tax_finding(False).passed
    assert checks.insurance_finding(InsuranceStatus(True, "ok")).passed
    for reason, fragment in [
        ("expired", "abgelaufen"),
        ("unknown", "keine Versicherungsbestätigung"),
        ("other_vehicle", "anderes Fahrzeug"),
        ("used", "schon für eine andere"),
    ]:
        finding = checks.insurance_finding(InsuranceStatus(False, reason))
        assert not finding.passed
        assert fragment in finding.message


def test_plate_finding_format_district_and_availability():
    assert checks.plate_finding("ERZ-AB 12", district_codes={"ERZ"}, available=True).passed
    assert "beginnt mit" in checks.plate_finding("DD-AB 12", district_codes={"ERZ"}, available=True).message
    assert (
        "schon vergeben" in checks.plate_finding("ERZ-AB 12", district_codes={"ERZ"}, available=False).message
    )


def test_holder_matching_needs_names_and_birth_date():
    erika = Holder("Erika", "Beispiel-Musterfrau", dt.date(1964, 8, 12))
    assert checks.holder_finding(Holder("erika", "BEISPIEL-MUSTERFRAU", dt.date(1964, 8, 12)), erika).passed
    assert not checks.holder_finding(
        Holder("Erika", "Beispiel-Musterfrau", dt.date(1964, 8, 13)), erika
    ).passed
    assert not checks.holder_finding(
        Holder("Erika", "Beispiel-Musterfrau", None), Holder("Erika", "Beispiel-Musterfrau", None)
    ).passed
    assert not checks.holder_finding(erika, None).passed


def test_state_finding_names_the_state():
    record = VehicleRecord(
        ref="x",
        vin="",
        plate="",
        district_ags="",
        status="deregistered",
        holder=None,
        make="",
        model="",
        vehicle_class="",
        zb1_number="",
        zb2_number="",
        next_inspection=None,
        first_registered_on=None,
        deregistered_on=None,
        seals_present=False,
        version=1,
    )
    finding = checks.state_finding(record, ("registered",), "Außerbetriebsetzung")
    assert not finding.passed
    assert "außer Betrieb gesetzt" in finding.message


def test_add_months_clamps_to_month_end():
    assert checks.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert checks.add_months(dt.date(2026, 11, 28), 12) == dt.date(2027, 11, 28)
    assert checks.month_end(2028, 2) == dt.date(2028, 2, 29)


def test_reservation_between_one_and_twelve_months():
    assert checks.reservation_months_finding(12).passed
    assert "12 Monate" in checks.reservation_months_finding(12).message
    for months in (0, 13, -1):
        finding = checks.reservation_months_finding(months)
        assert not finding.passed
        assert "höchstens zwölf Monate" in finding.message
