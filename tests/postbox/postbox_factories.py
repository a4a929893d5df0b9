"""Factories for postbox tests: users, organisations, issued deliveries, logged-in clients."""

from __future__ import annotations

import datetime as dt
import itertools
import time

from amtsweg.accounts.models import Organisation, OrganisationMembership, StaffMembership, User
from amtsweg.accounts.trust import SESSION_KEY as TRUST_SESSION_KEY
from amtsweg.directory.models import Authority, Office
from amtsweg.documents.services import DocumentSpec, Fee
from amtsweg.postbox.services import Recipient, issue

_numbers = itertools.count(1)


def user(email: str | None = "auto", **fields) -> User:
    n = next(_numbers)
    return User.objects.create_user(
        username=fields.pop("username", f"buerger-{n}"),
        email=f"buerger{n}@example.org" if email == "auto" else (email or ""),
        first_name=fields.pop("first_name", "Erika"),
        last_name=fields.pop("last_name", f"Muster{n}"),
        password="Kein-Passwort-2026!",
        **fields,
    )


def organisation(*members, name: str | None = None) -> Organisation:
    record = Organisation.objects.create(name=name or f"Bäckerei Müßig {next(_numbers)} GmbH")
    for member in members:
        OrganisationMembership.objects.create(organisation=record, user=member, role="member")
    return record


def authority(name: str | None = None, ags: str | None = None) -> Authority:
    n = next(_numbers)
    record = Authority.objects.create(
        key=f"postfach-behoerde-{n}",
        name=name or f"Landratsamt Postfachkreis {n}",
        kind=Authority.Kind.LANDRATSAMT,
        level=Authority.Level.KREIS,
    )
    Office.objects.create(
        authority=record,
        name="Hauptsitz",
        street="Markt 1",
        postal_code="02625",
        city="Bautzen",
        is_main=True,
    )
    return record


def spec(authority_obj: Authority, **overrides) -> DocumentSpec:
    values = {
        "doc_type": "bescheid",
        "authority": authority_obj,
        "data": {
            "betreff": "Bescheid über Ihre Gewerbeanmeldung",
            "anrede": "Sehr geehrte Damen und Herren,",
            "entscheidung": "Die Anmeldung wird bestätigt.",
            "begruendung": "Die Angaben sind vollständig.",
        },
        "fees": [Fee("Gewerbeanmeldung", 2600)],
        "file_number": "32-2026-7",
        "issued_on": dt.date(2026, 11, 27),
    }
    values.update(overrides)
    return DocumentSpec(**values)


def recipient(person=None, org=None, name="Erika Muster") -> Recipient:
    return Recipient(name, ["Hauptstraße 1", "02625 Bautzen"], user=person, organisation=org)


def issue_to(person=None, *, org=None, authority_obj=None, reference="vorgang:1", **kwargs):
    authority_obj = authority_obj or authority()
    return issue(spec(authority_obj), recipient(person, org), reference, **kwargs)


def login(client, person, level: int = 2):
    client.force_login(person)
    session = client.session
    session[TRUST_SESSION_KEY] = level
    session.save()
    return client


def staff(authority_obj: Authority, *, roles=("case_worker",)):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = user(username=f"staff-{next(_numbers)}")
    StaffMembership.objects.create(user=person, authority=authority_obj, **{role: True for role in roles})
    device = TOTPDevice.objects.create(user=person, name="Test-App", confirmed=True)
    return person, device


def login_staff(client, person, device):
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(person)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["amtsweg.staff_last_seen"] = int(time.time())
    session.save()
    return client
