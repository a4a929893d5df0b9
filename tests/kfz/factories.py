"""A small i-Kfz world: Saxony's districts, their 13 registration authorities, the catalogue services, the
GebOSt
fee rules (the payments demo loader), the document templates, citizens matching register holders and staff."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import uuid
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from amtsweg.vehicle_register.interface import SecurityCodes
from vehicle_register.factories import codes_of, make_evb, make_vehicle  # noqa: F401 (re-exported)


@pytest.fixture(autouse=True)
def kfz_settings(settings):
    settings.VEHICLE_REGISTER_SANDBOX = True
    settings.VEHICLE_REGISTER_BACKEND = "sandbox"
    settings.VEHICLE_REGISTER_CODE_KEYS = ""
    settings.VEHICLE_REGISTER_LOCK_AFTER = 10
    settings.KFZ_SAMPLE_REVIEW_SHARE = 0.0
    settings.KFZ_PROVISIONAL_PROOF_DAYS = 10


def district_authorities():
    """The 10 Landratsämter and 3 Stadtverwaltungen from the shipped directory data (one office each)."""
    from amtsweg.directory.loader import DATA_PATH
    from amtsweg.directory.models import Authority, Office
    from amtsweg.regions.models import District

    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    result = {}
    for item in data["authorities"]:
        if item.get("level") != "kreis":
            continue
        district = District.objects.get(ags=item["district"])
        authority, _created = Authority.objects.get_or_create(
            key=item["key"],
            defaults={
                "name": item["name"],
                "kind": item["kind"],
                "level": "kreis",
                "district": district,
                "ags": district.ags,
            },
        )
        office = (item.get("offices") or [{}])[0]
        Office.objects.get_or_create(
            authority=authority,
            is_main=True,
            defaults={
                "name": office.get("name", "Hauptsitz"),
                "street": office.get("street", "Hauptstraße 1"),
                "postal_code": office.get("postal_code", "01067"),
                "city": office.get("city", district.seat),
            },
        )
        result[district.ags] = authority
    return result


def ensure_templates():
    """Transactional tests start without the data migrations' rows: the general, receipt and proof
    templates."""
    from django.apps import apps

    from amtsweg.documents.defaults import ensure_default_templates

    ensure_default_templates()
    for module in (
        "amtsweg.cases.migrations.0002_receipt_template",
        "amtsweg.procedures.kfz.migrations.0002_provisional_proof_template",
    ):
        importlib.import_module(module).create(apps, None)


SERVICES = {
    "fahrzeug-ausser-betrieb": "kfz-ausserbetriebsetzung",
    "fahrzeug-wiederzulassen": "kfz-wiederzulassung",
    "fahrzeug-umschreiben": "kfz-umschreibung",
    "fahrzeug-adressaenderung": "kfz-adressaenderung",
    "fahrzeug-zulassen": "kfz-neuzulassung",
}


def citizen(
    given="Erika",
    family="Beispiel-Musterfrau",
    birth=dt.date(1964, 8, 12),
    postal_code="09456",
    locality="Annaberg-Buchholz",
    **extra,
):
    from engine_fixtures import citizen as make_citizen

    return make_citizen(
        first_name=given,
        last_name=family,
        birth_date=birth,
        street_address="Musterstraße 1",
        postal_code=postal_code,
        locality=locality,
        **extra,
    )


@pytest.fixture
def ikfz(db):
    from engine_fixtures import staff

    from amtsweg.catalog.models import Service
    from amtsweg.payments.demo import load_payment_demo

    call_command("load_regions", verbosity=0)
    authorities = district_authorities()
    for key, procedure in SERVICES.items():
        Service.objects.get_or_create(
            key=key,
            defaults={
                "name": f"Leistung {key}",
                "level": "kreis",
                "short_text": "Test.",
                "fee_kind": "free",
                "online_procedure": procedure,
            },
        )
    load_payment_demo()
    ensure_templates()
    erz = authorities["14521"]
    return SimpleNamespace(
        authorities=authorities,
        erz=erz,
        dresden=authorities["14612"],
        erika=citizen(),
        staff=staff(erz, ("case_worker",)),
        dresden_staff=staff(authorities["14612"], ("case_worker",)),
    )


def pay(payment_request, amount_cents=None):
    """Settle a payment request as the provider would (a paid attempt through the payments state machine)."""
    from amtsweg.payments import states
    from amtsweg.payments.models import Payment

    payment = Payment.objects.create(
        request=payment_request,
        provider="sandbox",
        amount_cents=amount_cents if amount_cents is not None else payment_request.amount_cents,
        booking_reference="AW-" + uuid.uuid4().hex[:12].upper(),
    )
    states.transition(payment, "pending", source="test")
    states.transition(payment, "paid", source="test")
    payment_request.refresh_from_db()
    return payment


def deregistration_codes(vehicle) -> SecurityCodes:
    c = codes_of(vehicle)
    return SecurityCodes(zb1=c.zb1, seal_front=c.seal_front, seal_rear=c.seal_rear)


def today():
    return timezone.localdate()
