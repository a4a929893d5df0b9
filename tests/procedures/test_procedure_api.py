"""The plugin API: declarations are validated at registration; the documented minimal example runs."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from engine_fixtures import Acting

from amtsweg.cases import services
from amtsweg.procedures import registry
from amtsweg.procedures.base import Field, Procedure, Step
from amtsweg.procedures.examples.minimal import DogLicence


def _procedure(**attrs):
    base = {"key": "kaputt", "title": "Kaputt", "steps": (Step("a", "A", (Field("x", "text", "X"),)),)}
    base.update(attrs)
    return type("Broken", (Procedure,), base)


@pytest.mark.parametrize(
    "attrs",
    [
        {"key": "Nicht Slug"},
        {"steps": ()},
        {"filers": frozenset({"roboter"})},
        {"trust_level": "mittel"},
        {"sample_review_share": 1.5},
        {"steps": (Step("a", "A", (Field("x", "text", "X"), Field("x", "text", "X2"))),)},
        {"steps": (Step("a", "A", (Field("x", "zauberfeld", "X"),)),)},
        {"steps": (Step("a", "A", (Field("x", "choice", "X"),)),)},
        {"steps": (Step("a", "A", (Field("x", "file", "X"),)),)},
        {"place_field": "x"},
        {"steps": (Step("a", "A", (Field("x", "text", "X", prefill="passwort"),)),)},
    ],
)
def test_broken_declarations_are_refused_at_registration(attrs):
    with pytest.raises(ImproperlyConfigured):
        registry.register(_procedure(**attrs))
    assert not registry.is_registered(attrs.get("key", "kaputt"))


def test_unknown_procedure():
    with pytest.raises(registry.UnknownProcedure, match="gibt es nicht"):
        registry.get("gibt-es-nicht")
    with pytest.raises(registry.UnknownProcedure):
        registry.get(None)


@pytest.mark.django_db
def test_the_documented_minimal_example_runs_through_the_engine(world):
    from amtsweg.catalog.models import Service

    Service.objects.create(
        key="hundesteuer-anmeldung", name="Hundesteuer", level="gemeinde", short_text="Test.", fee_kind="free"
    )
    registry.register(DogLicence)
    try:
        user = world.citizen
        draft = services.start_draft(user, "hundesteuer-anmeldung", Acting(user))
        assert services.draft_values(draft) == {
            "name": f"Erika {user.last_name}",
            "plz": "09599",
        }  # prefilled
        services.save_step_values(draft, 0, {"name": "Erika Muster", "plz": "09599"})
        import datetime as dt

        services.save_step_values(draft, 1, {"rufname": "Bello", "seit": dt.date(2026, 1, 2), "chip": "123"})
        draft.refresh_from_db()
        problems = services.review_errors(DogLicence(), services.draft_values(draft))
        assert problems == {1: {"chip": ["Die Chipnummer hat 15 Ziffern."]}}
        with pytest.raises(services.CaseError, match="nicht vollständig"):
            services.submit(draft, user, Acting(user), uuid.uuid4())
        services.save_step_values(
            draft, 1, {"rufname": "Bello", "seit": dt.date(2026, 1, 2), "chip": "276098106543210"}
        )
        case, created = services.submit(draft, user, Acting(user), uuid.uuid4())
        assert created
        assert case.authority == world.stadt
        assert case.state == "in_review"
    finally:
        registry.unregister("hundesteuer-anmeldung")


@pytest.mark.django_db
def test_filers_are_enforced(world):
    from amtsweg.accounts.models import Organisation

    organisation = Organisation.objects.create(name="Bohr GmbH")
    with pytest.raises(services.CaseError, match="nicht für eine Organisation"):
        services.start_draft(
            world.citizen, "test-abmeldung", Acting(world.citizen, "substanziell", organisation=organisation)
        )
