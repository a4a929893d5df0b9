"""Test world and data for the Gewerbeanzeige procedures (all people and businesses are invented).

On top of the engine's world (Freiberg, 09599, Landkreis Mittelsachsen) it adds the catalogue services and fee
rules of the three procedures, the city of Dresden (another municipality and district, for moves), the
recipient address book with SANDBOX keys, and runs HTTP between the outbox and the SANDBOX receiver through
Django's test client.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

ALL_CHECKS = (
    "taetigkeit",
    "identitaet",
    "erlaubnis",
    "aufenthaltstitel",
    "zustaendigkeit",
    "doppelt",
    "minderjaehrig",
)


def client_transport(url: str, body: bytes, headers: dict):
    from amtsweg.exchange import transport

    parts = urlsplit(url)
    if parts.netloc != "testserver":
        raise transport.TransportError(f"{url}: nicht erreichbar (Test)")
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "content-type"
    }
    response = Client().generic("POST", parts.path, data=body, content_type=headers["Content-Type"], **extra)
    return transport.Response(response.status_code, response.content, dict(response.headers))


@pytest.fixture
def exchange_in_process(settings, tmp_path_factory):
    from amtsweg.exchange import crypto, transport

    settings.EXCHANGE_KEY_DIR = tmp_path_factory.mktemp("exchange-keys")
    settings.EXCHANGE_AUTO_KEYS = True
    settings.EXCHANGE_SANDBOX_ENABLED = True
    crypto.clear_cache()
    transport.set_transport(client_transport)
    yield
    transport.set_transport(None)
    crypto.clear_cache()


@dataclass
class GewerbeWorld:
    base: object
    stadt: object  # Stadtverwaltung Freiberg (fictional data)
    dresden: object  # Landeshauptstadt Dresden
    citizen: object
    staff: object
    staff_device: object
    dresden_staff: object


def make_gewerbe_world(base) -> GewerbeWorld:
    from engine_fixtures import staff

    from amtsweg.catalog.models import Service
    from amtsweg.directory.models import Authority, Office
    from amtsweg.exchange.addressbook import load_address_book
    from amtsweg.exchange.services import ensure_sandbox_keys
    from amtsweg.payments.models import FeeRule
    from amtsweg.regions.models import District, Place, PostalCode

    for key, label in (
        ("gewerbe-anmelden", "anmeldung"),
        ("gewerbe-ummelden", "ummeldung"),
        ("gewerbe-abmelden", "abmeldung"),
    ):
        Service.objects.create(
            key=key,
            name=f"Gewerbe {label}",
            level="gemeinde",
            short_text="Test.",
            fee_kind="range",
            online_procedure=f"gewerbe-{label}",
        )
    for procedure_key, cents in (
        ("gewerbe-anmeldung", 3000),
        ("gewerbe-ummeldung", 2200),
        ("gewerbe-abmeldung", 2200),
    ):
        FeeRule.objects.create(
            procedure_key=procedure_key,
            label="Gewerbeanzeige",
            kind="range",
            amount_cents=cents,
            min_cents=2200,
            max_cents=11200,
            legal_basis="10. SächsKVZ lfd. Nr. 46",
        )
    district = District.objects.create(
        ags="14612",
        name="Dresden",
        kind=District.Kind.KREISFREIE_STADT,
        nuts3="DED21",
        seat="Dresden",
        plate="DD",
        lat=51.05,
        lon=13.74,
    )
    plz = PostalCode.objects.create(code="01067", district=district)
    place = Place.objects.create(
        name="Dresden", kind=Place.Kind.MUNICIPALITY, district=district, ags8="14612000"
    )
    place.postal_codes.add(plz)
    dresden = Authority.objects.create(
        key="stadt-dresden-test",
        name="Landeshauptstadt Dresden (Test)",
        level=Authority.Level.KREIS,
        kind=Authority.Kind.STADTVERWALTUNG,
        district=district,
        ags="14612",
    )
    Office.objects.create(
        authority=dresden,
        name="Rathaus",
        street="Dr.-Külz-Ring 19",
        postal_code="01067",
        city="Dresden",
        is_main=True,
    )
    load_address_book()
    ensure_sandbox_keys()
    user, device = base.stadt_staff
    citizen = base.citizen
    citizen.birth_date = dt.date(1990, 2, 3)
    citizen.save()
    return GewerbeWorld(base, base.stadt, dresden, citizen, user, device, staff(dresden, ("case_worker",))[0])


@pytest.fixture
def gewerbe_world(world, exchange_in_process):
    return make_gewerbe_world(world)


def anmeldung_values(**overrides) -> dict:
    """A sole trader opens a hairdresser's salon in Freiberg (fictional)."""
    values = {
        "rechtsform": "einzel",
        "registerart": "keine",
        "p1_funktion": "inhaber",
        "p1_familienname": "Kammkraus",
        "p1_vornamen": "Wilma",
        "p1_geschlecht": "2",
        "p1_geburtsdatum": "1990-02-03",
        "p1_geburtsort": "Freiberg",
        "p1_geburtsland": "Deutschland",
        "p1_staatsangehoerigkeit": "000",
        "p1_strasse": "Am Scherenweg 7",
        "p1_plz": "09599",
        "p1_ort": "Freiberg",
        "p1_email": "wilma@lockenpracht.example",
        "geschaeftsbezeichnung": "Salon Lockenpracht",
        "betrieb_strasse": "Kammgasse 12",
        "betrieb_plz": "09599",
        "betrieb_ort": "Freiberg",
        "niederlassung": "1",
        "wz": "96021",
        "taetigkeit": "Friseursalon für Damen und Herren",
        "weitere_taetigkeiten": "Verkauf von Haarpflegemitteln",
        "betriebsart": ["handwerk"],
        "nebenerwerb": "nein",
        "beginn": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        "vollzeit": 1,
        "teilzeit": 2,
        "grund": "01",
        "erlaubnis": "nicht_erforderlich",
        "handwerkskarte": "liegt_vor",
        "hwk_datum": "2024-05-02",
        "hwk_kammer": "Handwerkskammer Chemnitz",
        "aufenthaltstitel": "nicht_erforderlich",
        "richtig": True,
    }
    values.update(overrides)
    return values


def abmeldung_values(**overrides) -> dict:
    values = anmeldung_values()
    for name in (
        "grund",
        "erlaubnis",
        "handwerkskarte",
        "hwk_datum",
        "hwk_kammer",
        "aufenthaltstitel",
        "beginn",
    ):
        values.pop(name, None)
    values.update({"ende": timezone.localdate().isoformat(), "grund": "01", "ursache": "14"})
    values.update(overrides)
    return values


def acting(user, level="substanziell", **kwargs):
    from engine_fixtures import Acting

    return Acting(user, level, **kwargs)


def fill_draft(user, key: str, values: dict, act=None):
    from amtsweg.cases import services
    from amtsweg.procedures import registry

    act = act or acting(user)
    procedure = registry.get(key)
    draft = services.start_draft(user, key, act)
    for index, step in enumerate(procedure.steps):
        cleaned = {f.name: values.get(f.name) for f in step.fields if f.kind != "file"}
        services.save_step_values(draft, index, cleaned, complete=True)
    draft.refresh_from_db()
    return draft


def submit_values(user, key: str, values: dict, act=None):
    from amtsweg.cases import services

    act = act or acting(user)
    draft = fill_draft(user, key, values, act)
    case, _created = services.submit(draft, user, act, uuid.uuid4())
    return case


def pay(case) -> None:
    from django.db import transaction

    from amtsweg.payments import signals
    from amtsweg.payments.models import PaymentRequest

    request = PaymentRequest.objects.get(reference=case.reference)
    with transaction.atomic():
        signals.payment_request_paid.send(
            sender=PaymentRequest, payment_request=request, payment=None, reference=request.reference
        )
    case.refresh_from_db()


def drain(rounds: int = 6) -> None:
    """The engine's outbox, the exchange deliveries and their retries, with the real database worker."""
    from engine_fixtures import drain as engine_drain

    from amtsweg.exchange import services as exchange

    engine_drain(rounds)
    exchange.sweep(older_than_seconds=-3600)
    engine_drain(rounds)
