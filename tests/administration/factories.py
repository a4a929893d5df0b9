"""Test data for the authority administration and the statistics: plain functions, no fixture files."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.utils import timezone

from accounts.factories import make_staff, make_user
from amtsweg.cases.models import Case, CasePart, Decision
from amtsweg.directory.models import Office, SpecialDay, WeeklyHours

_counter = itertools.count(1)


def make_office(authority, name: str | None = None) -> Office:
    return Office.objects.create(authority=authority, name=name or f"Bürgerbüro {next(_counter)}")


def make_weekly_hours(authority) -> WeeklyHours:
    office = Office.objects.filter(authority=authority).first() or make_office(authority)
    return WeeklyHours.objects.create(office=office, weekday=1, opens=dt.time(9), closes=dt.time(12))


def make_special_day(authority, days_ahead: int = 10) -> SpecialDay:
    return SpecialDay.objects.create(
        authority=authority, date=timezone.localdate() + dt.timedelta(days=days_ahead), reason="Brückentag"
    )


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware datetime at `hour` o'clock Berlin time on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_part(
    authority,
    *,
    procedure_key="gewerbe-anmeldung",
    submitted_at=None,
    decided_at=None,
    closed_at=None,
    state=None,
    due_on=None,
    assignee=None,
    automatic=False,
    applicant=None,
) -> CasePart:
    """A case with one (lead) part at `authority`, written directly (no engine): for counting tests."""
    n = next(_counter)
    submitted_at = submitted_at or timezone.now()
    if state is None:
        state = "decided" if decided_at else ("closed" if closed_at else "in_review")
    case = Case.objects.create(
        number=f"T-{uuid.uuid4().hex[:12]}",
        procedure_key=procedure_key,
        authority=authority,
        applicant=applicant or make_user(),
        trust_level="substantiell",
        idempotency_key=uuid.uuid4(),
        state=state,
        submitted_at=submitted_at,
        decided_automatically=automatic,
        due_on=due_on,
    )
    part = CasePart.objects.create(
        case=case,
        authority=authority,
        number=f"{case.number}-{n}",
        is_lead=True,
        state=state,
        assignee=assignee,
        due_on=due_on,
        decided_at=decided_at,
        closed_at=closed_at,
    )
    if decided_at:
        Decision.objects.create(
            case=case, part=part, outcome="acknowledged", automatic=automatic, decided_at=decided_at
        )
    return part


# --- makers for tests/isolation_registry.py ---------------------------------------------------------------


def authority_kwargs(authority) -> dict:
    return {"authority_id": authority.pk}


def membership_kwargs(authority) -> dict:
    _user, _device, membership = make_staff(authority, ("case_worker",))
    return {"authority_id": authority.pk, "membership_id": membership.pk}


def colleague_marker_at(authority) -> str:
    user, _device, _membership = make_staff(authority, ("case_worker",))
    user.last_name = f"Personal-Marker-{authority.pk}"
    user.save(update_fields=["last_name"])
    return user.last_name


def office_marker_at(authority) -> str:
    return make_office(authority, name=f"Dienststelle-Marker-{authority.pk}").name
