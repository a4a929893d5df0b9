"""Shared test setup for the case engine (imported by the conftests of tests/cases, tests/procedures, the e2e
test).

A small fictional world: Landkreis Mittelsachsen with Freiberg (09599) and two villages sharing 09600, their
authorities with offices, the state bodies LfULG and Oberbergamt, catalogue services and fee rules for the
three
test procedures, staff with TOTP, and a citizen with an address. Authority keys are RSA-2048 from a small pool
(key generation is the slow part; production uses 3072 bits).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import procedures_defs
import pytest
from django.core.management import call_command
from django.utils import timezone

_counter = itertools.count(1)
_KEY_POOL: list = []


@pytest.fixture(scope="session")
def key_pool():
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not _KEY_POOL:
        _KEY_POOL.extend(rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(6))
    return _KEY_POOL


@pytest.fixture(scope="session")
def shared_pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(scope="session")
def shared_key_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def engine_settings(settings, tmp_path, shared_pki_dir, shared_key_dir, key_pool, monkeypatch):
    from amtsweg.cases import crypto

    settings.DOCUMENTS_PKI_DIR = shared_pki_dir
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.DOCUMENTS_TIMESTAMPS = "local"
    settings.DOCUMENTS_AUTO_ISSUE_SEALS = True
    settings.BASE_URL = "http://testserver"
    settings.CASES_KEY_DIR = shared_key_dir
    settings.CASES_PRIVATE_KEYS = True
    settings.CASES_AUTO_KEYS = True
    settings.CASES_RSA_BITS = 2048
    settings.CASES_CLAMAV_SOCKET = ""
    settings.CASES_FINDER_CACHE_SECONDS = 0
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.PAYMENTS_SANDBOX_CHAOS = ""
    pool = itertools.cycle(key_pool)
    monkeypatch.setattr(crypto, "_generate_rsa", lambda bits: next(pool))
    crypto.clear_cache()
    yield
    crypto.clear_cache()


@pytest.fixture(autouse=True)
def test_procedures():
    from amtsweg.procedures import registry

    for procedure in procedures_defs.ALL:
        registry.register(procedure, replace=True)
    yield
    for procedure in procedures_defs.ALL:
        registry.unregister(procedure.key)


@dataclass
class World:
    district: object
    freiberg: object
    stadt: object
    landratsamt: object
    lfulg: object
    oberbergamt: object
    dorf_a: object
    citizen: object
    stadt_staff: tuple
    lra_staff: tuple
    lfulg_staff: tuple
    oba_staff: tuple


def _authority(key, name, level, kind, district=None, municipality=None, email=""):
    from amtsweg.directory.models import Authority, Office

    authority = Authority.objects.create(
        key=key, name=name, level=level, kind=kind, district=district, municipality=municipality, email=email
    )
    Office.objects.create(
        authority=authority,
        name="Hauptsitz",
        street="Obermarkt 24",
        postal_code="09599",
        city="Freiberg",
        is_main=True,
    )
    return authority


def staff(authority, roles=("case_worker",)):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amtsweg.accounts.models import StaffMembership, User

    n = next(_counter)
    user = User.objects.create_user(
        username=f"sb-{authority.key}-{n}",
        email=f"sb{n}@behoerde.example",
        first_name="Sabine",
        last_name=f"Sachbearbeiterin{n}",
    )
    StaffMembership.objects.create(user=user, authority=authority, **{role: True for role in roles})
    device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    return user, device


def citizen(**fields):
    from amtsweg.accounts.models import User

    n = next(_counter)
    values = {
        "username": f"buerger-{n}",
        "email": f"buerger{n}@example.org",
        "first_name": "Erika",
        "last_name": f"Musterfrau{n}",
        "street_address": "Burgstraße 1",
        "postal_code": "09599",
        "locality": "Freiberg",
        "email_verified_at": timezone.now(),
    }
    values.update(fields)
    user = User(**values)
    user.set_password("Kein-Passwort-2026!")
    user.save()
    return user


def make_world() -> World:
    from amtsweg.catalog.models import Service
    from amtsweg.directory.models import Authority
    from amtsweg.payments.models import FeeRule
    from amtsweg.regions.models import District, Place, PostalCode

    district = District.objects.create(
        ags="14522",
        name="Mittelsachsen",
        kind=District.Kind.LANDKREIS,
        nuts3="DED43",
        seat="Freiberg",
        plate="FG",
        lat=50.9,
        lon=13.3,
    )
    plz = PostalCode.objects.create(code="09599", district=district)
    shared = PostalCode.objects.create(code="09600", district=district)
    freiberg = Place.objects.create(
        name="Freiberg", kind=Place.Kind.MUNICIPALITY, district=district, ags8="14522180"
    )
    freiberg.postal_codes.add(plz)
    dorf_a = Place.objects.create(
        name="Testdorf-Ost", kind=Place.Kind.MUNICIPALITY, district=district, ags8="14522901"
    )
    dorf_b = Place.objects.create(
        name="Testdorf-West", kind=Place.Kind.MUNICIPALITY, district=district, ags8="14522902"
    )
    dorf_a.postal_codes.add(shared)
    dorf_b.postal_codes.add(shared)
    G, K, L = Authority.Level.GEMEINDE, Authority.Level.KREIS, Authority.Level.LAND
    stadt = _authority(
        "stadt-freiberg",
        "Stadtverwaltung Freiberg",
        G,
        Authority.Kind.GEMEINDEVERWALTUNG,
        district,
        freiberg,
        "gewerbe@freiberg.example",
    )
    _authority(
        "gemeinde-testdorf-ost",
        "Gemeinde Testdorf-Ost",
        G,
        Authority.Kind.GEMEINDEVERWALTUNG,
        district,
        dorf_a,
    )
    _authority(
        "gemeinde-testdorf-west",
        "Gemeinde Testdorf-West",
        G,
        Authority.Kind.GEMEINDEVERWALTUNG,
        district,
        dorf_b,
    )
    landratsamt = _authority(
        "landratsamt-mittelsachsen", "Landratsamt Mittelsachsen", K, Authority.Kind.LANDRATSAMT, district
    )
    lfulg = _authority(
        "lfulg", "Landesamt für Umwelt, Landwirtschaft und Geologie", L, Authority.Kind.LANDESBEHOERDE
    )
    oberbergamt = _authority("oberbergamt", "Sächsisches Oberbergamt", L, Authority.Kind.LANDESBEHOERDE)
    for key, level in (("test-gewerbe", "gemeinde"), ("test-bohrung", "kreis"), ("test-kfz", "kreis")):
        Service.objects.create(
            key=key,
            name=f"Leistung {key}",
            level=level,
            short_text="Test.",
            fee_kind="free",
            online_procedure=key,
        )
    FeeRule.objects.create(
        procedure_key="test-gewerbe",
        label="Gewerbeanzeige",
        kind="fixed",
        amount_cents=2600,
        legal_basis="10. SächsKVZ lfd. Nr. 46",
    )
    FeeRule.objects.create(
        procedure_key="test-abmeldung",
        label="Außerbetriebsetzung",
        kind="fixed",
        amount_cents=210,
        legal_basis="GebOSt 224.2",
    )
    return World(
        district=district,
        freiberg=freiberg,
        stadt=stadt,
        landratsamt=landratsamt,
        lfulg=lfulg,
        oberbergamt=oberbergamt,
        dorf_a=dorf_a,
        citizen=citizen(),
        stadt_staff=staff(stadt, ("case_worker", "approver")),
        lra_staff=staff(landratsamt),
        lfulg_staff=staff(lfulg),
        oba_staff=staff(oberbergamt),
    )


@pytest.fixture
def world(db):
    return make_world()


def login_citizen(client, user, level="niedrig"):
    from amtsweg.accounts.trust import TrustLevel, set_session_trust_level

    client.force_login(user, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    session = client.session

    class _Request:
        pass

    request = _Request()
    request.session = session
    set_session_trust_level(request, TrustLevel.parse(level), "test")
    session.save()
    return client


def login_staff(client, user, device):
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(user, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["amtsweg.staff_last_seen"] = int(time.time())
    session.save()
    return client


class Acting:
    """A stand-in for accounts.ActingContext in service-level tests (the citizen acting for themselves)."""

    def __init__(self, user, level="niedrig", organisation=None, on_behalf_of=None, mandate=None):
        from amtsweg.accounts.trust import TrustLevel

        self.user = user
        self.organisation = organisation
        self.on_behalf_of = on_behalf_of
        self.mandate = mandate
        self.trust_level = TrustLevel.parse(level)

    def may_submit(self, key):
        return True

    def as_record(self):
        return {
            "user_id": self.user.pk,
            "organisation_id": None,
            "on_behalf_of_id": None,
            "mandate_id": None,
            "trust_level": self.trust_level.key,
        }


def drain(rounds: int = 5):
    """Run every queued side effect with the real task worker (outbox tasks, their retries, postbox notices).

    Tests run inside a transaction, so on-commit callbacks (which enqueue tasks) are captured and executed
    here.
    """
    from unittest import mock

    from django.db import connection
    from django.test import TestCase
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    from amtsweg.cases import outbox

    # The worker closes "obsolete" connections between tasks; inside a test transaction on PostgreSQL that
    # would close the test's own connection (SQLite's in-memory test database is never closed).
    patch = mock.patch.object(db_worker, "close_old_connections", return_value=None)
    with patch:
        _drain(rounds, connection, TestCase, DBTaskResult, outbox)


def _drain(rounds, connection, TestCase, DBTaskResult, outbox):
    for _ in range(rounds):
        with TestCase.captureOnCommitCallbacks(using=connection.alias, execute=True):
            outbox.sweep(older_than_seconds=-3600)
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
            call_command(
                "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*", verbosity=0
            )


def small_pdf(text: str = "Ausweis") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def pdf_with_javascript(escaped: bool = False) -> bytes:
    name = b"/J#61vaScript" if escaped else b"/JavaScript"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Type /Action /S " + name + b" /" + b"JS (app.alert\\(1\\)) >>",
    ]
    return _pdf(objects)


def encrypted_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        (
            b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O (xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx) /U "
            b"(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx) >>"
        ),
    ]
    return _pdf(
        objects,
        b"/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ",
    )


def jpeg_with_gps() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Kamera-Hersteller"
    gps = {1: "N", 2: (50.0, 55.0, 12.0), 3: "E", 4: (13.0, 20.0, 30.0)}
    exif[0x8825] = gps
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


def full_values(procedure_key: str, **overrides) -> dict:
    """Complete valid draft values (JSON form) for a test procedure."""
    values = {
        "test-gewerbe": {
            "vorname": "Erika",
            "nachname": "Musterfrau",
            "geburtsdatum": "1980-05-17",
            "betriebsname": "Friseursalon Zauberschnitt-Quirlwitz",
            "taetigkeit": "Friseurhandwerk, Haarpflege",
            "plz": "09599",
            "beginn": "2026-12-01",
            "beschaeftigte": 2,
            "art": "handwerk",
            "ausweis": [],
            "richtig": True,
        },
        "test-bohrung": {
            "bezeichnung": "Erdwärmesonde Quirlwitz-7",
            "plz": "09599",
            "tiefe": "120",
            "beginn": "2027-03-01",
            "ende": "2027-03-10",
            "lageplan": [],
        },
        "test-abmeldung": {"kennzeichen": "FG-QX 4711", "code": "GUT-123", "plz": "09599"},
    }[procedure_key]
    values.update(overrides)
    return values
