"""The settings per authority that the authority administration edits: processing targets, four eyes,
absences with substitutes, letter settings."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from engine_fixtures import Acting, staff
from test_procedure_shapes import fill, upload

from amtsweg.backoffice import services
from amtsweg.backoffice.models import Absence, LetterSettings, ProcedureSetting
from amtsweg.cases import services as case_services

pytestmark = pytest.mark.django_db


def test_processing_target_falls_back_to_the_procedure(world):
    assert services.processing_target(world.stadt, "test-gewerbe") == 3
    assert services.processing_target(world.stadt, "gibt-es-nicht") is None
    ProcedureSetting.objects.create(authority=world.stadt, procedure_key="test-gewerbe", processing_days=7)
    assert services.processing_target(world.stadt, "test-gewerbe") == 7
    # Another authority keeps the procedure's target.
    assert services.processing_target(world.landratsamt, "test-gewerbe") == 3


def test_configured_target_sets_the_due_date_of_new_cases(world):
    ProcedureSetting.objects.create(authority=world.stadt, procedure_key="test-gewerbe", processing_days=30)
    draft = fill(world.citizen, "test-gewerbe", files={"ausweis": [upload()]})
    case, _ = case_services.submit(draft, world.citizen, Acting(world.citizen), uuid.uuid4())
    part = case.parts.get()
    # 30 working days are at least six weeks; the procedure's own 3 days would be under a week.
    assert (part.due_on - case.submitted_at.date()).days >= 40
    assert case.deadlines.get(key="processing").due_on == part.due_on


def test_second_approval_is_per_authority_and_procedure(world):
    assert services.requires_second_approval(world.stadt, "test-gewerbe") is False
    ProcedureSetting.objects.create(authority=world.stadt, procedure_key="test-gewerbe", second_approval=True)
    assert services.requires_second_approval(world.stadt, "test-gewerbe") is True
    assert services.requires_second_approval(world.stadt, "test-bohrung") is False
    assert services.requires_second_approval(world.landratsamt, "test-gewerbe") is False
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureSetting.objects.create(authority=world.stadt, procedure_key="test-gewerbe")


def test_substitute_for_follows_absences(world):
    worker = world.stadt_staff[0]
    sub, _ = staff(world.stadt)
    sub2, _ = staff(world.stadt)
    day = dt.date(2026, 7, 15)
    assert services.substitute_for(worker, world.stadt, day) == worker
    Absence.objects.create(
        user=worker, authority=world.stadt, starts_on=dt.date(2026, 7, 1), ends_on=day, substitute=sub
    )
    assert services.substitute_for(worker, world.stadt, day) == sub
    assert services.substitute_for(worker, world.stadt, day + dt.timedelta(days=1)) == worker
    # Absence is per authority.
    assert services.substitute_for(worker, world.landratsamt, day) == worker
    # Chains are followed; a cycle ends with the original person.
    Absence.objects.create(user=sub, authority=world.stadt, starts_on=day, ends_on=day, substitute=sub2)
    assert services.substitute_for(worker, world.stadt, day) == sub2
    Absence.objects.create(user=sub2, authority=world.stadt, starts_on=day, ends_on=day, substitute=worker)
    assert services.substitute_for(worker, world.stadt, day) == worker


def test_absence_dates_and_self_substitution_are_refused(world):
    worker = world.stadt_staff[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Absence.objects.create(
            user=worker,
            authority=world.stadt,
            starts_on=dt.date(2026, 7, 2),
            ends_on=dt.date(2026, 7, 1),
            substitute=world.lra_staff[0],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Absence.objects.create(
            user=worker,
            authority=world.stadt,
            starts_on=dt.date(2026, 7, 1),
            ends_on=dt.date(2026, 7, 1),
            substitute=worker,
        )


def test_letter_settings_default_and_stored(world):
    default = services.letter_settings(world.stadt)
    assert default.pk is None
    assert default.letterhead_lines[0] == "Stadtverwaltung Freiberg"
    LetterSettings.objects.create(
        authority=world.stadt,
        signatory_name="Dr. Max Beispiel",
        signatory_title="Oberbürgermeister",
        letterhead="Stadt Freiberg\nOrdnungsamt\n",
        footer="Obermarkt 24 · 09599 Freiberg",
    )
    stored = services.letter_settings(world.stadt)
    assert stored.signatory_name == "Dr. Max Beispiel"
    assert stored.letterhead_lines == ["Stadt Freiberg", "Ordnungsamt"]
    assert stored.footer_lines == ["Obermarkt 24 · 09599 Freiberg"]


def test_demo_loader_is_idempotent_and_fictional(world):
    from amtsweg.backoffice.demo import load_backoffice_settings

    assert load_backoffice_settings()
    load_backoffice_settings()
    stored = LetterSettings.objects.get(authority=world.stadt)
    assert "fiktiv" in stored.signatory_name
    assert LetterSettings.objects.filter(authority=world.stadt).count() == 1
