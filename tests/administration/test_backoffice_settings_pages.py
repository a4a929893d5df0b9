"""Administration pages on the back office's settings models: processing targets and four eyes, letterhead and
signatory, absences with a named substitute."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import login_staff, make_authority, make_staff
from amtsweg.administration import services
from amtsweg.administration.services import AdminError
from amtsweg.backoffice import services as backoffice
from amtsweg.backoffice.models import Absence, LetterSettings, ProcedureSetting
from amtsweg.cases.models import AuditEvent
from amtsweg.procedures import registry

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def world():
    home, foreign = make_authority("Landratsamt Musterkreis"), make_authority("Landratsamt Anderskreis")
    admin, device, _membership = make_staff(home, ("authority_admin",))
    worker, _d, _m = make_staff(home, ("case_worker",))
    colleague, _d, _m = make_staff(home, ("case_worker",))
    stranger, _d, _m = make_staff(foreign, ("case_worker",))

    class World:
        pass

    w = World()
    w.home, w.foreign, w.admin, w.device = home, foreign, admin, device
    w.worker, w.colleague, w.stranger = worker, colleague, stranger
    return w


def _url(world, name, **kwargs):
    return reverse(f"administration:{name}", kwargs={"authority_id": world.home.pk, **kwargs})


def _procedure_key():
    return sorted(p.key for p in registry.all_procedures())[0]


@pytest.mark.parametrize("name", ["procedures", "letter", "absences"])
def test_pages_are_deny_by_default(client, world, name):
    worker_device = make_staff(world.home, ("case_worker", "approver", "auditor"))
    login_staff(client, worker_device[0], worker_device[1])
    assert client.get(_url(world, name)).status_code == 403
    client.logout()
    login_staff(client, world.admin, world.device)
    assert client.get(_url(world, name)).status_code == 200
    foreign = reverse(f"administration:{name}", kwargs={"authority_id": world.foreign.pk})
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, {}).status_code == 404


# --- processing targets and four eyes ---------------------------------------------------------------------


def test_processing_target_and_four_eyes_are_saved_and_used(client, world):
    key = _procedure_key()
    login_staff(client, world.admin, world.device)
    response = client.post(
        _url(world, "procedures"), {"procedure_key": key, "processing_days": "7", "second_approval": "on"}
    )
    assert response.status_code == 302
    setting = ProcedureSetting.objects.get(authority=world.home, procedure_key=key)
    assert (setting.processing_days, setting.second_approval) == (7, True)
    assert backoffice.processing_target(world.home, key) == 7
    assert backoffice.requires_second_approval(world.home, key) is True
    assert backoffice.requires_second_approval(world.foreign, key) is False
    event = AuditEvent.objects.get(authority=world.home, kind="admin.procedure_setting")
    assert event.detail["after"] == {"processing_days": 7, "second_approval": True}
    # empty target: the procedure's own target applies again; unchecked box switches four eyes off
    client.post(_url(world, "procedures"), {"procedure_key": key, "processing_days": ""})
    assert backoffice.processing_target(world.home, key) == registry.get(key).processing_days
    assert backoffice.requires_second_approval(world.home, key) is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"processing_days": "0"}, "größer oder gleich 1"),
        ({"processing_days": "366"}, "kleiner oder gleich 365"),
        ({"processing_days": "sieben"}, "ganze Zahl"),
        ({"procedure_key": "gibt-es-nicht"}, "nicht bekannt"),
    ],
)
def test_bad_procedure_settings_are_refused(client, world, data, message):
    login_staff(client, world.admin, world.device)
    payload = {"procedure_key": _procedure_key(), "processing_days": "5", **data}
    response = client.post(_url(world, "procedures"), payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProcedureSetting.objects.exists()


# --- letterhead -------------------------------------------------------------------------------------------


def test_letter_settings_are_saved_and_audited_without_their_text(client, world):
    login_staff(client, world.admin, world.device)
    assert "Landratsamt Musterkreis" in client.get(_url(world, "letter")).content.decode()  # default
    response = client.post(
        _url(world, "letter"),
        {
            "letterhead": "Landratsamt Musterkreis\nOrdnungsamt\n\nMusterstraße 1, 01234 Musterstadt",
            "signatory_name": "Dr. Erika Muster",
            "signatory_title": "Leiterin des Ordnungsamts",
            "footer": "",
        },
    )
    assert response.status_code == 302
    stored = backoffice.letter_settings(world.home)
    assert stored.letterhead_lines == [
        "Landratsamt Musterkreis",
        "Ordnungsamt",
        "Musterstraße 1, 01234 Musterstadt",
    ]
    assert (stored.signatory_name, stored.signatory_title) == (
        "Dr. Erika Muster",
        "Leiterin des Ordnungsamts",
    )
    event = AuditEvent.objects.get(authority=world.home, kind="admin.letter_settings")
    assert event.detail == {"changed": ["letterhead", "signatory_name", "signatory_title"]}
    assert not LetterSettings.objects.filter(authority=world.foreign).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"letterhead": ""}, "zwingend erforderlich"),
        ({"letterhead": "\n".join(f"Zeile {n}" for n in range(7))}, "höchstens 6 Zeilen"),
        ({"letterhead": "x" * 121}, "höchstens 120 Zeichen"),
        ({"signatory_title": ""}, "gemeinsam an"),
    ],
)
def test_bad_letter_settings_are_refused(client, world, data, message):
    login_staff(client, world.admin, world.device)
    payload = {
        "letterhead": "Landratsamt",
        "signatory_name": "A. Muster",
        "signatory_title": "Leitung",
        **data,
    }
    response = client.post(_url(world, "letter"), payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LetterSettings.objects.exists()


# --- absences ---------------------------------------------------------------------------------------------


def _absence(world, **overrides):
    values = {
        "user_id": world.worker.pk,
        "starts_on": TODAY,
        "ends_on": TODAY + dt.timedelta(days=4),
        "substitute_id": world.colleague.pk,
        "today": TODAY,
    }
    values.update(overrides)
    return services.add_absence(world.home, world.admin, **values)


def test_absence_moves_new_assignments_to_the_substitute(client, world):
    login_staff(client, world.admin, world.device)
    start = timezone.localdate()
    response = client.post(
        _url(world, "absences"),
        {
            "user": world.worker.pk,
            "starts_on": start.isoformat(),
            "ends_on": (start + dt.timedelta(days=3)).strftime("%d.%m.%Y"),
            "substitute": world.colleague.pk,
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.user, absence.substitute, absence.authority) == (
        world.worker,
        world.colleague,
        world.home,
    )
    assert backoffice.substitute_for(world.worker, world.home, start) == world.colleague
    assert backoffice.substitute_for(world.worker, world.home, start + dt.timedelta(days=4)) == world.worker
    page = client.get(_url(world, "absences")).content.decode()
    assert world.colleague.display_name in page
    workload = {r.membership.user_id: r for r in services.workload(world.home) if r.membership}
    assert workload[world.worker.pk].substitute == world.colleague
    assert "abwesend bis" in client.get(_url(world, "workload")).content.decode()
    event = AuditEvent.objects.get(authority=world.home, kind="admin.absence_added")
    assert event.detail["substitute"] == world.colleague.pk
    assert client.post(_url(world, "absence_delete", absence_id=absence.pk)).status_code == 302
    assert not Absence.objects.exists()


def test_overlapping_absences_are_refused(world):
    _absence(world)
    with pytest.raises(AdminError, match="bereits eine Abwesenheit"):
        _absence(world, starts_on=TODAY + dt.timedelta(days=4), ends_on=TODAY + dt.timedelta(days=10))
    with pytest.raises(AdminError, match="bereits eine Abwesenheit"):
        _absence(world, starts_on=TODAY - dt.timedelta(days=2), ends_on=TODAY + dt.timedelta(days=1))
    _absence(world, starts_on=TODAY + dt.timedelta(days=5), ends_on=TODAY + dt.timedelta(days=6))  # adjacent
    _absence(world, user_id=world.colleague.pk, substitute_id=world.worker.pk)  # another person may overlap
    assert Absence.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"substitute_id": "worker"}, "andere Person"),
        ({"substitute_id": "stranger"}, "Die Vertretung muss ein aktiver Beschäftigter Ihrer Behörde sein"),
        ({"user_id": "stranger"}, "Die abwesende Person muss ein aktiver Beschäftigter"),
        ({"substitute_id": "admin"}, "Rolle Sachbearbeitung"),
        ({"ends_on": TODAY - dt.timedelta(days=1)}, "nicht vor ihrem Beginn"),
        (
            {"starts_on": TODAY - dt.timedelta(days=9), "ends_on": TODAY - dt.timedelta(days=2)},
            "Vergangenheit",
        ),
    ],
)
def test_bad_absences_are_refused(world, overrides, message):
    people = {"worker": world.worker, "stranger": world.stranger, "admin": world.admin}
    values = {key: people[value].pk if value in people else value for key, value in overrides.items()}
    with pytest.raises(AdminError, match=message):
        _absence(world, **values)
    assert not Absence.objects.exists()


def test_absence_form_refuses_other_authoritys_people_and_ids(client, world):
    foreign_worker, _d, _m = make_staff(world.foreign, ("case_worker",))
    foreign_absence = Absence.objects.create(
        authority=world.foreign,
        user=world.stranger,
        substitute=foreign_worker,
        starts_on=TODAY,
        ends_on=TODAY,
    )
    login_staff(client, world.admin, world.device)
    start = timezone.localdate().isoformat()
    response = client.post(
        _url(world, "absences"),
        {"user": world.worker.pk, "starts_on": start, "ends_on": start, "substitute": world.stranger.pk},
    )
    assert response.status_code == 400
    assert "gültige Auswahl" in response.content.decode()
    response = client.post(
        _url(world, "absences"),
        {"user": world.worker.pk, "starts_on": start, "ends_on": start, "substitute": world.worker.pk},
    )
    assert response.status_code == 400
    assert "andere Person" in response.content.decode()
    assert client.post(_url(world, "absence_delete", absence_id=foreign_absence.pk)).status_code == 404
    assert Absence.objects.filter(pk=foreign_absence.pk).exists()
    assert not Absence.objects.filter(authority=world.home).exists()
    assert world.stranger.display_name not in client.get(_url(world, "absences")).content.decode()


def test_deactivated_staff_cannot_be_named_substitute(world):
    from amtsweg.accounts.models import StaffMembership

    StaffMembership.objects.filter(user=world.colleague, authority=world.home).update(is_active=False)
    with pytest.raises(AdminError, match="aktiver Beschäftigter"):
        _absence(world)


def test_demo_loader_is_idempotent_and_gives_a_state_level_user():
    from amtsweg.accounts.demo import load_accounts
    from amtsweg.accounts.models import User
    from amtsweg.administration.demo import load_administration_demo
    from amtsweg.reporting.services import is_state_level

    load_accounts()
    first = load_administration_demo()
    second = load_administration_demo()
    assert first == second
    assert Absence.objects.count() == 1
    assert LetterSettings.objects.count() == 1
    assert is_state_level(User.objects.get(username="demo-land-statistik"))
    assert not is_state_level(User.objects.get(username="demo-stadt-leitung"))
