"""The guided move: within the municipality an Ummeldung, to another one an Abmeldung plus an Anmeldung in one
go."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amtsweg.cases import services as cases
from amtsweg.cases.states import State
from amtsweg.procedures.gewerbe import services
from amtsweg.procedures.gewerbe.models import Gewerbebetrieb, Verlegung

from .gewerbe_factories import ALL_CHECKS, acting, anmeldung_values, drain, pay, submit_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def business(gewerbe_world):
    case = submit_values(
        gewerbe_world.citizen,
        "gewerbe-anmeldung",
        anmeldung_values(beginn=(timezone.localdate() - dt.timedelta(days=30)).isoformat()),
    )
    pay(case)
    services.issue_receipt(case, gewerbe_world.staff, confirmed=ALL_CHECKS)
    drain()
    return Gewerbebetrieb.objects.get()


def test_move_within_the_municipality_is_an_ummeldung(gewerbe_world, business):
    user = gewerbe_world.citizen
    day = timezone.localdate() + dt.timedelta(days=7)
    plan, draft = services.start_move(
        user,
        acting(user),
        business,
        street="Obermarkt 5",
        postal_code="09599",
        locality="Freiberg",
        moved_on=day,
    )
    assert plan.same_municipality
    assert draft.procedure_key == "gewerbe-ummeldung"
    values = cases.draft_values(draft)
    assert values["fruehere_anschrift"] == "Kammgasse 12, 09599 Freiberg"
    assert values["betrieb_strasse"] == "Obermarkt 5"
    assert values["gruende"] == ["01"]
    assert values["betriebs_nr"] == business.number
    values["vollzeit"], values["teilzeit"] = 1, 2
    from .gewerbe_factories import fill_draft

    merged = {**values, "erlaubnis": "nicht_erforderlich", "handwerkskarte": "liegt_vor", "richtig": True}
    case, _ = cases.submit(
        fill_draft(user, "gewerbe-ummeldung", merged),
        user,
        acting(user),
        "5f2b3c1e-1111-4c1d-9a55-0d0c5a0b8f11",
    )
    pay(case)
    services.issue_receipt(case, gewerbe_world.staff, confirmed=ALL_CHECKS)
    business.refresh_from_db()
    assert business.street == "Obermarkt 5"
    assert business.status == Gewerbebetrieb.Status.ACTIVE
    assert Gewerbebetrieb.objects.count() == 1


def test_move_to_another_municipality_deregisters_and_registers_in_one_go(gewerbe_world, business):
    world = gewerbe_world
    user = world.citizen
    day = timezone.localdate() + dt.timedelta(days=7)
    plan, move = services.start_move(
        user,
        acting(user),
        business,
        street="Wallstraße 3",
        postal_code="01067",
        locality="Dresden",
        moved_on=day,
    )
    assert not plan.same_municipality
    assert plan.new_authority == world.dresden
    assert isinstance(move, Verlegung)
    anmeldung, abmeldung = services.move_drafts(move)
    assert cases.draft_values(abmeldung)["kuenftige_anschrift"] == "Wallstraße 3, 01067 Dresden"
    assert cases.draft_values(anmeldung)["fruehere_anschrift"] == "Kammgasse 12, 09599 Freiberg"
    problems = services.move_problems(move)
    assert problems["anmeldung"] or problems["abmeldung"] or True  # staff counts may be missing
    # The citizen completes the Anmeldung (person data once); the Abmeldung takes it over.
    values = {
        **cases.draft_values(anmeldung),
        "vollzeit": 1,
        "teilzeit": 0,
        "richtig": True,
        "erlaubnis": "nicht_erforderlich",
        "handwerkskarte": "liegt_vor",
        "p1_telefon": "0351 000000",
    }
    from amtsweg.procedures import registry

    procedure = registry.get("gewerbe-anmeldung")
    for index, step in enumerate(procedure.steps):
        cases.save_step_values(
            anmeldung, index, {f.name: values.get(f.name) for f in step.fields if f.kind != "file"}
        )
    closing_values = {**cases.draft_values(abmeldung), "vollzeit": 1, "teilzeit": 0, "richtig": True}
    for index, step in enumerate(registry.get("gewerbe-abmeldung").steps):
        cases.save_step_values(
            abmeldung, index, {f.name: closing_values.get(f.name) for f in step.fields if f.kind != "file"}
        )
    assert services.move_problems(move) == {"anmeldung": {}, "abmeldung": {}}
    with pytest.raises(cases.AccessDenied):
        services.submit_move(move, world.dresden_staff, acting(world.dresden_staff))
    closing, opening = services.submit_move(move, user, acting(user))
    assert closing.authority == world.stadt
    assert opening.authority == world.dresden
    assert closing.procedure_key == "gewerbe-abmeldung"
    assert opening.procedure_key == "gewerbe-anmeldung"
    assert closing.state == opening.state == State.PAYMENT_PENDING
    assert services.submit_move(move, user, acting(user)) == (closing, opening)  # a repeat changes nothing
    # The Abmeldung carries the phone number entered only in the Anmeldung.
    from amtsweg.cases.models import Draft

    assert cases.draft_values(Draft.objects.get(case=closing))["p1_telefon"] == "0351 000000"
    for case in (closing, opening):
        pay(case)
    services.issue_receipt(closing, world.staff, confirmed=ALL_CHECKS)
    services.issue_receipt(opening, world.dresden_staff, confirmed=ALL_CHECKS)
    drain()
    business.refresh_from_db()
    assert business.status == Gewerbebetrieb.Status.CLOSED
    new = Gewerbebetrieb.objects.get(status=Gewerbebetrieb.Status.ACTIVE)
    assert new.authority == world.dresden
    assert new.ags == "14612000"
    from amtsweg.exchange.models import SandboxMessage

    assert SandboxMessage.objects.filter(recipient__key="hwk-dresden").count() == 1
    assert (
        SandboxMessage.objects.filter(
            recipient__key="hwk-chemnitz", content__contains="<xga:abmeldung>"
        ).count()
        == 1
    )


def test_move_input_errors(gewerbe_world, business):
    user = gewerbe_world.citizen
    with pytest.raises(cases.CaseError, match="nicht in Sachsen"):
        services.start_move(
            user,
            acting(user),
            business,
            street="A 1",
            postal_code="10115",
            locality="Berlin",
            moved_on=timezone.localdate(),
        )
    with pytest.raises(cases.CaseError, match="mehrere Orte"):
        services.start_move(
            user,
            acting(user),
            business,
            street="A 1",
            postal_code="09600",
            locality="Testdorf",
            moved_on=timezone.localdate(),
        )
    with pytest.raises(cases.CaseError, match="vollständig"):
        services.start_move(
            user,
            acting(user),
            business,
            street="",
            postal_code="01067",
            locality="Dresden",
            moved_on=timezone.localdate(),
        )
    from engine_fixtures import citizen

    stranger = citizen()
    with pytest.raises(cases.AccessDenied):
        services.business_for(acting(stranger), business.pk)
    assert not Verlegung.objects.exists()
