"""GewA 1–3 validation: clear German messages for bad input (through the engine's review, as the citizen sees
it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amtsweg.cases import services
from amtsweg.cases.models import Case
from amtsweg.procedures import registry

from .gewerbe_factories import abmeldung_values, acting, anmeldung_values, fill_draft

pytestmark = pytest.mark.django_db


def problems(key: str, values: dict) -> dict[str, list[str]]:
    found = services.review_errors(registry.get(key), values)
    return {name: msgs for errors in found.values() for name, msgs in errors.items()}


def test_all_field_groups_of_the_federal_forms_are_declared():
    anmeldung = {f.name for f in registry.get("gewerbe-anmeldung").all_fields()}
    for name in (
        "rechtsform",
        "eingetragener_name",
        "registerart",
        "registergericht",
        "registernummer",
        "anzahl_personen",
        "p1_familienname",
        "p1_vornamen",
        "p1_geburtsname",
        "p1_geschlecht",
        "p1_geburtsdatum",
        "p1_geburtsort",
        "p1_geburtsland",
        "p1_staatsangehoerigkeit",
        "p1_strasse",
        "p1_plz",
        "p1_ort",
        "p1_telefon",
        "p1_email",
        "p2_familienname",
        "p4_funktion",
        "weitere_personen",
        "geschaeftsbezeichnung",
        "betrieb_strasse",
        "betrieb_plz",
        "niederlassung",
        "hauptniederlassung",
        "fruehere_anschrift",
        "taetigkeit",
        "nebenerwerb",
        "beginn",
        "betriebsart",
        "vollzeit",
        "teilzeit",
        "automaten",
        "reisegewerbe",
        "grund",
        "frueherer_inhaber",
        "erlaubnis",
        "handwerkskarte",
        "aufenthaltstitel",
        "at_selbststaendig",
        "richtig",
    ):
        assert name in anmeldung, name
    ummeldung = {f.name for f in registry.get("gewerbe-ummeldung").all_fields()}
    assert {"gruende", "bisherige_taetigkeit", "betriebs_nr", "fruehere_anschrift"} <= ummeldung
    abmeldung = {f.name for f in registry.get("gewerbe-abmeldung").all_fields()}
    assert {"ende", "grund", "ursache", "nachfolger", "kuenftige_anschrift"} <= abmeldung
    assert "handwerkskarte" not in abmeldung
    for key in ("gewerbe-anmeldung", "gewerbe-ummeldung", "gewerbe-abmeldung"):
        procedure = registry.get(key)
        assert procedure.payment_first
        assert procedure.has_fee
        assert procedure.processing_days == 3
        assert procedure.filers == {"person", "organisation", "on_behalf"}


def test_complete_values_pass(gewerbe_world):
    assert problems("gewerbe-anmeldung", anmeldung_values()) == {}
    assert problems("gewerbe-abmeldung", abmeldung_values()) == {}


@pytest.mark.parametrize(
    "text", ["alles", "Alles!", "Waren aller Art", "Dienstleistungen", "Handel und Dienstleistungen", "  "]
)
def test_vague_activity_is_refused(gewerbe_world, text):
    found = problems("gewerbe-anmeldung", anmeldung_values(taetigkeit=text))
    assert "taetigkeit" in found
    if text.strip():
        assert "genau" in found["taetigkeit"][0]


def test_specific_activity_is_fine(gewerbe_world):
    for text in ("Einzelhandel mit Kinderbekleidung im Internet", "Dienstleistungen im Bereich Gartenpflege"):
        assert "taetigkeit" not in problems("gewerbe-anmeldung", anmeldung_values(taetigkeit=text))


def test_start_date_limits_are_configurable(gewerbe_world, settings):
    today = timezone.localdate()
    old = (today - dt.timedelta(days=120)).isoformat()
    found = problems("gewerbe-anmeldung", anmeldung_values(beginn=old))
    assert "zurück" in found["beginn"][0]
    assert "beginn" not in problems(
        "gewerbe-anmeldung", anmeldung_values(beginn=old, datum_begruendung="Krankheit")
    )
    future = (today + dt.timedelta(days=400)).isoformat()
    assert "Zukunft" in problems("gewerbe-anmeldung", anmeldung_values(beginn=future))["beginn"][0]
    settings.GEWERBE_START_MAX_FUTURE_DAYS = 500
    assert "beginn" not in problems("gewerbe-anmeldung", anmeldung_values(beginn=future))
    settings.GEWERBE_START_MAX_PAST_DAYS = 30
    month_ago = (today - dt.timedelta(days=45)).isoformat()
    assert "beginn" in problems("gewerbe-anmeldung", anmeldung_values(beginn=month_ago))
    assert "ende" in problems(
        "gewerbe-abmeldung", abmeldung_values(ende=(today - dt.timedelta(days=60)).isoformat())
    )


def test_register_number_by_register_type(gewerbe_world):
    gmbh = dict(
        rechtsform="gmbh",
        eingetragener_name="Lockenpracht GmbH",
        registergericht="Amtsgericht Chemnitz",
        p1_funktion="vertreter",
        anzahl_personen=1,
    )
    assert (
        problems("gewerbe-anmeldung", anmeldung_values(**gmbh, registerart="HRB", registernummer="HRB 12345"))
        == {}
    )
    assert (
        problems("gewerbe-anmeldung", anmeldung_values(**gmbh, registerart="HRB", registernummer="12345 B"))
        == {}
    )
    found = problems(
        "gewerbe-anmeldung", anmeldung_values(**gmbh, registerart="HRB", registernummer="HRB ABC")
    )
    assert "passt nicht" in found["registernummer"][0]
    found = problems("gewerbe-anmeldung", anmeldung_values(**gmbh, registerart="HRA", registernummer="HRA 1"))
    assert "Handelsregister Abteilung B" in found["registerart"][0]
    found = problems("gewerbe-anmeldung", anmeldung_values(**gmbh, registerart="keine"))
    assert "in Gründung" in found["registerart"][0]
    assert (
        problems("gewerbe-anmeldung", anmeldung_values(**gmbh, registerart="keine", in_gruendung=True)) == {}
    )
    found = problems(
        "gewerbe-anmeldung",
        anmeldung_values(**dict(gmbh, registergericht=""), registerart="HRB", registernummer="HRB 1"),
    )
    assert "Registergericht" in found["registergericht"][0]
    eg = dict(gmbh, rechtsform="eg", eingetragener_name="Kamm eG", registerart="GnR")
    assert problems("gewerbe-anmeldung", anmeldung_values(**eg, registernummer="GnR 123")) == {}
    assert "registernummer" in problems("gewerbe-anmeldung", anmeldung_values(**eg, registernummer="1234567"))
    ek = problems("gewerbe-anmeldung", anmeldung_values(rechtsform="ek"))
    assert "registerart" in ek


def test_required_persons_by_legal_form(gewerbe_world):
    gbr = dict(rechtsform="gbr", p1_funktion="gesellschafter", anzahl_personen=2)
    found = problems("gewerbe-anmeldung", anmeldung_values(**gbr))
    assert "mindestens 2" in found["p2_familienname"][0]
    partner = dict(
        p2_funktion="gesellschafter",
        p2_familienname="Scherenschnitt",
        p2_vornamen="Otto",
        p2_geburtsdatum="1985-01-01",
    )
    assert problems("gewerbe-anmeldung", anmeldung_values(**gbr, **partner)) == {}
    found = problems("gewerbe-anmeldung", anmeldung_values(**dict(gbr, anzahl_personen=3), **partner))
    assert "alle" in found["anzahl_personen"][0]
    three = dict(gbr, anzahl_personen=3, weitere_personen="Haarfein, Ida, 01.01.1980, Gesellschafter")
    assert problems("gewerbe-anmeldung", anmeldung_values(**three, **partner)) == {}
    found = problems(
        "gewerbe-anmeldung", anmeldung_values(**dict(three, weitere_personen="nur ein Name"), **partner)
    )
    assert "Zeile 1" in found["weitere_personen"][0]
    half = dict(partner, p2_geburtsdatum=None)
    assert "p2_geburtsdatum" in problems("gewerbe-anmeldung", anmeldung_values(**gbr, **half))
    gmbh = dict(
        rechtsform="gmbh",
        eingetragener_name="X GmbH",
        registerart="HRB",
        registernummer="HRB 1",
        registergericht="Amtsgericht Dresden",
        anzahl_personen=1,
    )
    found = problems("gewerbe-anmeldung", anmeldung_values(**gmbh, p1_funktion="inhaber"))
    assert "nicht möglich" in found["p1_funktion"][0]
    found = problems("gewerbe-anmeldung", anmeldung_values(**partner))
    assert "p2_funktion" in found
    leader = dict(
        p2_funktion="betriebsleitung",
        p2_familienname="Meister",
        p2_vornamen="Max",
        p2_geburtsdatum="1970-01-01",
    )
    assert problems("gewerbe-anmeldung", anmeldung_values(**leader)) == {}


def test_business_outside_saxony_is_refused(gewerbe_world):
    found = problems("gewerbe-anmeldung", anmeldung_values(betrieb_plz="10115"))
    assert "nicht in Sachsen" in found["betrieb_plz"][0]
    found = problems("gewerbe-anmeldung", anmeldung_values(betrieb_plz="1234"))
    assert "betrieb_plz" in found


def test_residence_title_branch_and_reasons(gewerbe_world):
    found = problems("gewerbe-anmeldung", anmeldung_values(p1_staatsangehoerigkeit="332"))
    assert "Aufenthaltstitel" in found["aufenthaltstitel"][0]
    ok = anmeldung_values(
        p1_staatsangehoerigkeit="332",
        aufenthaltstitel="liegt_vor",
        at_datum="2020-01-01",
        at_behoerde="Stadt X",
    )
    assert problems("gewerbe-anmeldung", ok) == {}
    assert "at_behoerde" in problems("gewerbe-anmeldung", dict(ok, at_behoerde=""))
    assert "hauptniederlassung" in problems("gewerbe-anmeldung", anmeldung_values(niederlassung="2"))
    found = problems("gewerbe-anmeldung", anmeldung_values(niederlassung="2", hauptniederlassung="irgendwo"))
    assert "Straße Hausnummer, PLZ Ort" in found["hauptniederlassung"][0]
    assert "frueherer_inhaber" in problems("gewerbe-anmeldung", anmeldung_values(grund="07"))
    assert "kuenftige_anschrift" in problems("gewerbe-abmeldung", abmeldung_values(grund="02"))
    assert "nachfolger" in problems("gewerbe-abmeldung", abmeldung_values(grund="07"))


def test_ummeldung_to_another_municipality_is_a_move(gewerbe_world):
    values = abmeldung_values()
    values.pop("ende")
    values.update(
        gruende=["01"],
        beginn=timezone.localdate().isoformat(),
        erlaubnis="nicht_erforderlich",
        handwerkskarte="nicht_erforderlich",
        aufenthaltstitel="nicht_erforderlich",
    )
    found = problems(
        "gewerbe-ummeldung",
        dict(values, fruehere_anschrift="Kammgasse 12, 09599 Freiberg", betrieb_plz="01067"),
    )
    assert "andere Gemeinde" in found["betrieb_plz"][0]
    assert (
        problems("gewerbe-ummeldung", dict(values, fruehere_anschrift="Alte Gasse 1, 09599 Freiberg")) == {}
    )
    assert "fruehere_anschrift" in problems("gewerbe-ummeldung", values)


def test_wrong_types_and_huge_input_are_refused_without_a_case(gewerbe_world):
    user = gewerbe_world.citizen
    draft = fill_draft(
        user,
        "gewerbe-anmeldung",
        anmeldung_values(
            vollzeit="viele",
            teilzeit=-1,
            taetigkeit="x" * 5000,
            p1_geburtsdatum="2999-01-01",
            rechtsform="<script>",
        ),
    )
    with pytest.raises(services.CaseError) as raised:
        services.submit(draft, user, acting(user), "0b2d1c8e-6f0e-4d8c-9a55-0d0c5a0b8f11")
    errors = raised.value.errors
    assert {"vollzeit", "teilzeit", "taetigkeit", "p1_geburtsdatum", "rechtsform"} <= set(errors)
    assert Case.objects.count() == 0
