"""Factories for the tenant-isolation matrix (tests/isolation_registry.py): a drilling notification of a
citizen,
and one received by an authority. Built directly (no encryption needed for these pages)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal


def _case(applicant, authority):
    from django.utils import timezone

    from amtsweg.accounts.models import User
    from amtsweg.cases.models import Case, CasePart, FollowUpSubmission
    from amtsweg.directory.models import Authority
    from amtsweg.procedures.bohrung.models import Bohrung

    if applicant is None:
        n = uuid.uuid4().hex[:8]
        applicant = User.objects.create(username=f"bohr-{n}", email=f"bohr-{n}@example.org")
    if authority is None:
        n = uuid.uuid4().hex[:8]
        authority = Authority.objects.create(key=f"iso-lfulg-{n}", name=f"Testbehörde {n}")
    number = f"ISO-BOHR-{uuid.uuid4().hex[:10].upper()}"
    case = Case.objects.create(
        number=number,
        procedure_key="bohranzeige",
        authority=authority,
        applicant=applicant,
        trust_level="substanziell",
        idempotency_key=uuid.uuid4(),
        state="follow_up_pending",
    )
    CasePart.objects.create(
        case=case,
        authority=authority,
        number=number,
        label="Geologie",
        is_lead=True,
        state="follow_up_pending",
    )
    today = timezone.localdate()
    Bohrung.objects.create(
        case=case,
        purpose="erdwaermesonde",
        depth_m=Decimal("120"),
        easting=Decimal("383498.18"),
        northing=Decimal("5641335.80"),
        input_crs="wgs84",
        lat=50.9119,
        lon=13.3428,
        district_ags="14522",
        district_name="Mittelsachsen",
        municipality="Freiberg",
        planned_start=today - dt.timedelta(days=200),
        planned_end=today - dt.timedelta(days=190),
        objection_until=today - dt.timedelta(days=170),
    )
    FollowUpSubmission.objects.create(case=case, key="ergebnisse", due_on=today - dt.timedelta(days=5))
    return case


def case_of(user) -> dict:
    return {"public_id": _case(user, None).public_id}


def case_number_at(authority) -> str:
    return _case(None, authority).number
