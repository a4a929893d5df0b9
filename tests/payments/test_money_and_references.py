import pytest

from amtsweg.payments.money import decimal_to_cents, format_cents, format_plain, parse_euros
from amtsweg.payments.references import find_rf, format_rf, is_valid_iban, is_valid_rf, make_rf, new_rf


@pytest.mark.parametrize(
    ("cents", "text"),
    [(1280, "12,80 €"), (0, "0,00 €"), (5, "0,05 €"), (123450, "1.234,50 €"), (-210, "-2,10 €")],
)
def test_format_cents(cents, text):
    assert format_cents(cents) == text


def test_plain_format_for_csv_has_no_thousands_separator():
    assert format_plain(123450) == "1234,50"


@pytest.mark.parametrize(("text", "cents"), [("12,80", 1280), ("12.8", 1280), ("12 €", 1200), ("0,05", 5)])
def test_parse_euros(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("bad", ["", "abc", "12,805", "-3", "1e5", "12,80,1"])
def test_parse_euros_refuses_garbage(bad):
    with pytest.raises(ValueError, match="kein Eurobetrag"):
        parse_euros(bad)


def test_decimal_to_cents_is_exact_and_refuses_fractions_of_a_cent():
    assert decimal_to_cents("12.80") == 1280
    with pytest.raises(ValueError, match="Nachkommastellen"):
        decimal_to_cents("12.805")


def test_rf_reference_matches_the_iso_11649_example():
    # The example from ISO 11649 / EPC guidance.
    assert make_rf("539007547034") == "RF18539007547034"
    assert is_valid_rf("RF18 5390 0754 7034")
    assert format_rf("RF18539007547034") == "RF18 5390 0754 7034"


@pytest.mark.parametrize(
    "bad",
    ["RF19539007547034", "RF18539007547035", "XX18539007547034", "RF1", "RF18" + "1" * 22, "RF18-5390", ""],
)
def test_rf_reference_with_wrong_check_digits_or_shape_is_invalid(bad):
    assert not is_valid_rf(bad)


def test_new_rf_references_are_valid_and_unique():
    refs = {new_rf() for _ in range(200)}
    assert len(refs) == 200
    assert all(is_valid_rf(ref) and len(ref) == 16 for ref in refs)


def test_find_rf_in_free_text():
    assert find_rf("Gebuehr Zulassung RF18 5390 0754 7034 vielen Dank") == "RF18539007547034"
    assert find_rf("keine Referenz hier") is None
    assert find_rf("RF19539007547034") is None


def test_iban_check():
    assert is_valid_iban("DE89 3704 0044 0532 0130 00")
    assert not is_valid_iban("DE88370400440532013000")
    assert not is_valid_iban("DE8937040044053201300")  # too short for Germany
    assert not is_valid_iban("not an iban")
