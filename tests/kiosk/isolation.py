"""Factories for the tenant-isolation matrix (tests/isolation_registry.py): terminals, video requests and
assisted filings of an authority."""

from __future__ import annotations

import itertools
import uuid

_n = itertools.count(1)


def _site(authority):
    from amtsweg.assisted.models import Site
    from amtsweg.regions.models import District

    district, _ = District.objects.get_or_create(
        ags="14522",
        defaults={
            "name": "Mittelsachsen",
            "kind": District.Kind.LANDKREIS,
            "nuts3": "DED43",
            "seat": "Freiberg",
            "plate": "FG",
            "lat": 50.9,
            "lon": 13.3,
        },
    )
    n = next(_n)
    return Site.objects.create(
        authority=authority,
        kind=Site.Kind.TERMINAL,
        name=f"Terminalstandort Isolation {authority.pk}-{n}",
        slug=f"iso-terminal-{authority.pk}-{n}",
        street="Markt 1",
        postal_code="09599",
        city="Freiberg",
        district=district,
        lat=50.91,
        lon=13.34,
        video_consultation=True,
    )


def _terminal(authority):
    from amtsweg.kiosk.models import Terminal
    from amtsweg.kiosk.services import hash_token

    token = uuid.uuid4().hex
    return Terminal.objects.create(
        site=_site(authority),
        name=f"Gerät Isolation {uuid.uuid4().hex[:8]}",
        token_sha256=hash_token(token),
        token_hint=token[:8],
    )


def terminal_name_at(authority) -> str:
    return _terminal(authority).name


def waiting_video_at(authority) -> str:
    from amtsweg.kiosk.models import VideoRequest

    terminal = _terminal(authority)
    VideoRequest.objects.create(authority=authority, terminal=terminal)
    return terminal.site.name


def assisted_filing_at(authority) -> dict:
    from django.utils import timezone

    from amtsweg.accounts.models import User
    from amtsweg.assisted.models import AssistedFiling
    from amtsweg.cases.models import Case
    from amtsweg.procedures import registry

    applicant = User.objects.create(username=f"assistiert-iso-{uuid.uuid4().hex[:12]}", is_active=False)
    operator = User.objects.create(username=f"helfer-iso-{uuid.uuid4().hex[:12]}")
    case = Case.objects.create(
        number=f"ISO-{uuid.uuid4().hex[:12]}",
        procedure_key=registry.all_procedures()[0].key,
        authority=authority,
        applicant=applicant,
        trust_level="hoch",
        idempotency_key=uuid.uuid4(),
        content_sha256="0" * 64,
    )
    record = AssistedFiling.objects.create(
        case=case,
        idempotency_key=uuid.uuid4(),
        operator=operator,
        operator_authority=authority,
        channel="terminal",
        identification="ausweis_gesehen",
        consent_given=True,
        consent_at=timezone.now(),
        receipt="papier",
    )
    return {"pk": record.pk}


def terminal_of(authority) -> dict:
    return {"public_id": _terminal(authority).public_id}


def terminal_not_revoked(kwargs) -> bool:
    from amtsweg.kiosk.models import Terminal

    return Terminal.objects.get(public_id=kwargs["public_id"]).revoked_at is None
