"""Factories for the tenant-isolation matrix (tests/isolation_registry.py): a case part of an authority,
shown in its worklist, and a decision draft waiting for approval. No keys needed: nothing is decrypted."""

from __future__ import annotations

import itertools
import uuid

_n = itertools.count(1)


def _part(authority):
    from amtsweg.accounts.models import User
    from amtsweg.cases.models import Case, CasePart

    n = next(_n)
    applicant = User.objects.create_user(username=f"bo-iso-{authority.pk}-{n}", last_name=f"Antrag{n}")
    number = f"BO-{authority.pk}-{n}-X"
    case = Case.objects.create(
        number=number,
        procedure_key="test-gewerbe",
        authority=authority,
        applicant=applicant,
        trust_level="niedrig",
        idempotency_key=uuid.uuid4(),
        state="in_review",
    )
    return CasePart.objects.create(
        case=case, authority=authority, number=number, is_lead=True, state="in_review"
    )


def case_number_at(authority) -> str:
    return _part(authority).number


def draft_awaiting_approval_at(authority) -> str:
    from amtsweg.backoffice.models import DecisionDraft
    from amtsweg.cases.models import Case

    part = _part(authority)
    DecisionDraft.objects.create(
        part=part,
        outcome=Case.Outcome.GRANTED,
        kid="test",
        jwe="not-decrypted-in-lists",
        status=DecisionDraft.Status.AWAITING_APPROVAL,
        needs_approval=True,
        drafted_by=part.case.applicant,
    )
    return part.number
