"""SANDBOX seed: fictional vehicles in every Saxon district, insurance confirmations and one tax debtor.

Everything is invented: holders are called "Beispiel…", "Muster…", "Test…" or "Probe…", VINs use the made-up
manufacturer code "SBX" (with a correct check digit, so the structure is valid), plates come from the district
codes of domain.md § 6. The data is deterministic (seeded by the district key), and `seed()` only creates what
is
missing, so running it twice changes nothing, and vehicles changed by demo applications stay as they are.

Demo vehicles for the sandbox eID people (their names and birth dates match `sandbox_eid.identities`):
Erika Beispiel-Musterfrau (Erzgebirgskreis) owns ERZ-EB 101 and ERZ-EB 102, has a deregistered car whose plate
ERZ-EB 103 is reserved for her, and may buy ERZ-BV 55 from Bernd Verkäufer-Beispiel; Max Testmann (Dresden)
owns DD-MT 199; Lena Probe (Leipzig) owns L-LP 2001.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from amtsweg.vehicle_register import codes
from amtsweg.vehicle_register.checks import add_months, month_end
from amtsweg.vehicle_register.models import InsuranceConfirmation, PlateReservation, TaxDebtor, Vehicle
from amtsweg.vehicle_register.vin import SANDBOX_WMI, with_check_digit

GIVEN = [
    "Anna",
    "Bernd",
    "Clara",
    "Dieter",
    "Emma",
    "Frank",
    "Greta",
    "Heinz",
    "Ida",
    "Jonas",
    "Karla",
    "Lutz",
]
FAMILY = [
    "Beispielmann",
    "Mustermann",
    "Musterfrau",
    "Testmann",
    "Testfrau",
    "Probemann",
    "Beispiel-Schulze",
    "Muster-Krause",
]
MODELS = [
    ("Volkswagen", "Golf", "M1"),
    ("Skoda", "Octavia", "M1"),
    ("Opel", "Corsa", "M1"),
    ("BMW", "3er Touring", "M1"),
    ("Trabant", "601 S", "M1"),
    ("Simson", "S51", "L1e"),
    ("Renault", "Zoe", "M1"),
    ("Ford", "Transit", "N1"),
]
SERIAL_BASE = 100000
VALID_EVBS = [f"DEMO{n:03d}" for n in range(1, 41)]
EXPIRED_EVB = "ALT0001"


@dataclass(frozen=True)
class Person:
    given_name: str
    family_name: str
    birth_date: dt.date
    street: str
    postal_code: str
    locality: str


ERIKA = Person(
    "Erika", "Beispiel-Musterfrau", dt.date(1964, 8, 12), "Musterstraße 1", "09456", "Annaberg-Buchholz"
)
MAX = Person("Max", "Testmann", dt.date(1990, 4, 1), "Teststraße 7", "01067", "Dresden")
LENA = Person("Lena", "Probe", dt.date(2001, 11, 30), "Probeweg 3", "04109", "Leipzig")
SELLER = Person(
    "Bernd", "Verkäufer-Beispiel", dt.date(1958, 3, 3), "Handelsweg 5", "09456", "Annaberg-Buchholz"
)
TAX_DEBTOR = Person("Theo", "Steuerschuld-Beispiel", dt.date(1970, 1, 1), "Zollgasse 9", "09111", "Chemnitz")


def make_vin(model_code: str, year_char: str, serial: int) -> str:
    """'SBX' + 5 characters model code + check digit + model year + plant 'S' + 6-digit serial."""
    raw = f"{SANDBOX_WMI}{model_code[:5]:0<5}0{year_char}S{serial:06d}"
    return with_check_digit(raw)


def _code_fields(vin: str, kinds) -> dict:
    fields = {"zb1_code_hash": "", "zb2_code_hash": "", "seal_front_hash": "", "seal_rear_hash": ""}
    generations = {}
    for kind in kinds:
        generations[kind] = 1
        fields[
            {
                "zb1": "zb1_code_hash",
                "zb2": "zb2_code_hash",
                "seal_front": "seal_front_hash",
                "seal_rear": "seal_rear_hash",
            }[kind]
        ] = codes.code_hash(kind, vin, codes.sandbox_code(kind, vin, 1))
    fields["code_generations"] = generations
    return fields


def _vehicle(vin: str, **values) -> tuple[Vehicle, bool]:
    if Vehicle.objects.filter(vin=vin).exists():
        return Vehicle.objects.get(vin=vin), False
    status = values["status"]
    kinds = codes.KINDS if status == Vehicle.Status.REGISTERED else (codes.ZB2,)
    vehicle = Vehicle.objects.create(vin=vin, is_demo=True, **values, **_code_fields(vin, kinds))
    return vehicle, True


def _holder(person: Person) -> dict:
    return {
        "holder_given_name": person.given_name,
        "holder_family_name": person.family_name,
        "holder_birth_date": person.birth_date,
        "holder_street": person.street,
        "holder_postal_code": person.postal_code,
        "holder_locality": person.locality,
    }


def _district_address(district) -> tuple[str, str]:
    from amtsweg.regions.models import PostalCode
    from amtsweg.regions.services import places_for_postal_code

    postal = PostalCode.objects.filter(district=district).order_by("code").first()
    if postal is None:
        return "01067", district.seat
    places = places_for_postal_code(postal.code)
    return postal.code, (places[0].name if places else district.seat)


@transaction.atomic
def seed(per_district: int = 12) -> dict:
    """Create the fictional vehicles (idempotent). Returns counts."""
    from amtsweg.regions.services import all_districts

    today = timezone.localdate()
    created = 0
    districts = list(all_districts())
    for index, district in enumerate(districts):
        rng = random.Random(f"amtsweg-sandbox-vehicles-{district.ags}")  # noqa: S311 (fictional data)
        postal_code, locality = _district_address(district)
        used_plates: set[str] = set()
        for number in range(1, per_district + 1):
            make, model, vehicle_class = rng.choice(MODELS)
            person = Person(
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                dt.date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                f"Musterstraße {rng.randint(1, 120)}",
                postal_code,
                locality,
            )
            while True:
                letters = rng.choice("ABCDEFGHKLMNPRSTUVWXZ") + rng.choice("ABCDEFGHKLMNPRSTUVWXZ")
                plate = f"{district.plate}-{letters} {rng.randint(1, 999)}"
                if letters not in {"SS", "SA", "NS", "KZ", "HJ"} and plate not in used_plates:
                    used_plates.add(plate)
                    break
            model_index = MODELS.index((make, model, vehicle_class))
            vin = make_vin(f"M{model_index:02d}{index:02d}", "R", SERIAL_BASE + index * 100 + number)
            inspection = month_end(*_ym(add_months(today, rng.randint(2, 23))))
            values = {
                "make": make,
                "model": model,
                "vehicle_class": vehicle_class,
                "district_ags": district.ags,
                "zb1_number": f"AA{rng.randint(0, 9_999_999):07d}",
                "zb2_number": f"AB{rng.randint(0, 9_999_999):07d}",
                "first_registered_on": dt.date(rng.randint(2005, 2024), rng.randint(1, 12), 1),
                "next_inspection": inspection,
                **_holder(person),
            }
            if number == per_district - 1:  # deregistered a year ago: may be re-registered online
                values.update(
                    status=Vehicle.Status.DEREGISTERED,
                    plate="",
                    deregistered_on=today - dt.timedelta(days=365),
                )
            elif number == per_district:  # deregistered eight years ago: only at the office
                values.update(
                    status=Vehicle.Status.DEREGISTERED,
                    plate="",
                    deregistered_on=today - dt.timedelta(days=8 * 366),
                )
            else:
                values.update(status=Vehicle.Status.REGISTERED, plate=plate)
                if number == per_district - 3:
                    values["tax_arrears"] = True
                if number == per_district - 2:
                    values["next_inspection"] = month_end(*_ym(add_months(today, -3)))
            created += _vehicle(vin, **values)[1]
    created += _demo_people(today)
    created += _new_vehicles(today)
    evbs = _insurance(today)
    TaxDebtor.objects.get_or_create(
        given_name=TAX_DEBTOR.given_name, family_name=TAX_DEBTOR.family_name, birth_date=TAX_DEBTOR.birth_date
    )
    return {"vehicles_created": created, "vehicles": Vehicle.objects.count(), "evbs_created": evbs}


def _ym(day: dt.date) -> tuple[int, int]:
    return day.year, day.month


def _demo_people(today: dt.date) -> int:
    created = 0
    inspection = month_end(*_ym(add_months(today, 14)))
    demo = [
        ("ERZ-EB 101", ERIKA, "14521", ("Volkswagen", "Golf"), 1),
        ("ERZ-EB 102", ERIKA, "14521", ("Skoda", "Fabia"), 2),
        ("ERZ-BV 55", SELLER, "14521", ("Opel", "Astra"), 4),
        ("DD-MT 199", MAX, "14612", ("Renault", "Zoe"), 5),
        ("L-LP 2001", LENA, "14713", ("Simson", "S51"), 6),
    ]
    for plate, person, district, (make, model), serial in demo:
        vin = make_vin("DEM0" + str(serial), "S", 900000 + serial)
        _vehicle_obj, new = _vehicle(
            vin,
            status=Vehicle.Status.REGISTERED,
            plate=plate,
            district_ags=district,
            make=make,
            model=model,
            zb1_number=f"AA90000{serial:02d}",
            zb2_number=f"AB90000{serial:02d}",
            first_registered_on=dt.date(2019, 5, 1),
            next_inspection=inspection,
            **_holder(person),
        )
        created += new
    # Erika's deregistered car, its plate reserved for her until ten months from now.
    vin = make_vin("DEM03", "S", 900003)
    vehicle, new = _vehicle(
        vin,
        status=Vehicle.Status.DEREGISTERED,
        plate="",
        district_ags="14521",
        make="Trabant",
        model="601 S",
        zb1_number="AA9000003",
        zb2_number="AB9000003",
        first_registered_on=dt.date(1989, 6, 1),
        deregistered_on=today - dt.timedelta(days=60),
        next_inspection=month_end(*_ym(add_months(today, 9))),
        **_holder(ERIKA),
    )
    if new:
        PlateReservation.objects.create(
            plate="ERZ-EB 103",
            district_ags="14521",
            vehicle=vehicle,
            holder_given_name=ERIKA.given_name,
            holder_family_name=ERIKA.family_name,
            holder_birth_date=ERIKA.birth_date,
            until=add_months(today, 10),
            operation_id="seed",
        )
    return created + new


def _new_vehicles(today: dt.date) -> int:
    """Brand-new vehicles (never registered): a ZB II with a code, no holder, no plate."""
    created = 0
    for serial in range(1, 6):
        vin = make_vin("NEU0" + str(serial), "T", 800000 + serial)
        created += _vehicle(
            vin,
            status=Vehicle.Status.NEW,
            plate="",
            district_ags="",
            make="Sandbox Motors",
            model=f"Elektro {serial}",
            vehicle_class="M1",
            zb2_number=f"AC80000{serial:02d}",
        )[1]
    return created


def _insurance(today: dt.date) -> int:
    created = 0
    for evb in VALID_EVBS:
        _row, new = InsuranceConfirmation.objects.get_or_create(
            evb=evb,
            defaults={
                "insurer": "Beispiel-Versicherung AG (Sandbox)",
                "valid_from": today - dt.timedelta(days=30),
                "valid_until": add_months(today, 36),
            },
        )
        created += new
    _row, new = InsuranceConfirmation.objects.get_or_create(
        evb=EXPIRED_EVB,
        defaults={
            "insurer": "Muster-Versicherung VVaG (Sandbox)",
            "valid_from": today - dt.timedelta(days=400),
            "valid_until": today - dt.timedelta(days=200),
        },
    )
    return created + new
