"""Organisations with members and roles, mandates (Vollmachten)."""

from __future__ import annotations

import pytest

from amtsweg.accounts.models import Mandate, Organisation, OrganisationMembership
from amtsweg.accounts.trust import TrustLevel

from .factories import login_citizen, make_mandate, make_organisation, make_user

pytestmark = pytest.mark.django_db


def test_creating_an_organisation_needs_level_substanziell(client):
    user = make_user()
    login_citizen(client, user, TrustLevel.NIEDRIG)
    response = client.post("/konto/organisationen/", {"name": "Bohr AG", "kind": "drilling_firm"})
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/?stufe=substanziell")
    assert Organisation.objects.count() == 0
    login_citizen(client, user, TrustLevel.SUBSTANZIELL)
    response = client.post("/konto/organisationen/", {"name": "Bohr AG", "kind": "drilling_firm"})
    organisation = Organisation.objects.get()
    assert response["Location"] == f"/konto/organisationen/{organisation.pk}/"
    assert OrganisationMembership.objects.get().role == "owner"
    assert not organisation.is_verified


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "kind": "company"},
        {"name": "X", "kind": "raumschiff"},
        {"name": "x" * 400, "kind": "company"},
    ],
)
def test_bad_organisation_input_creates_nothing(client, data):
    login_citizen(client, make_user(), TrustLevel.SUBSTANZIELL)
    assert client.post("/konto/organisationen/", data).status_code == 400
    assert Organisation.objects.count() == 0


def test_owner_adds_and_manages_members(client):
    owner = make_user()
    colleague = make_user("kollegin@example.org")
    organisation = make_organisation(owner=owner)
    login_citizen(client, owner)
    client.post(
        f"/konto/organisationen/{organisation.pk}/mitglieder/",
        {"email": "KOLLEGIN@example.org", "role": "admin"},
    )
    membership = OrganisationMembership.objects.get(user=colleague)
    assert membership.role == "admin"
    client.post(
        f"/konto/organisationen/{organisation.pk}/mitglieder/{membership.pk}/",
        {"action": "role", "role": "member"},
    )
    membership.refresh_from_db()
    assert membership.role == "member"
    client.post(f"/konto/organisationen/{organisation.pk}/mitglieder/{membership.pk}/", {"action": "remove"})
    assert not OrganisationMembership.objects.filter(pk=membership.pk).exists()


def test_unknown_member_address_is_reported(client):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    login_citizen(client, owner)
    response = client.post(
        f"/konto/organisationen/{organisation.pk}/mitglieder/",
        {"email": "niemand@example.org", "role": "member"},
        follow=True,
    )
    assert "kein eindeutiges Konto" in response.content.decode()
    assert OrganisationMembership.objects.count() == 1


def test_plain_members_cannot_manage_and_admins_cannot_touch_owners(client):
    owner, admin, member = make_user(), make_user(), make_user()
    organisation = make_organisation(owner=owner)
    OrganisationMembership.objects.create(organisation=organisation, user=admin, role="admin")
    plain = OrganisationMembership.objects.create(organisation=organisation, user=member, role="member")
    owner_membership = OrganisationMembership.objects.get(user=owner)
    login_citizen(client, member)
    denied = client.post(
        f"/konto/organisationen/{organisation.pk}/mitglieder/", {"email": "x@example.org", "role": "member"}
    )
    assert denied.status_code == 403
    assert "Nur Inhaber/innen und Verwalter/innen" in denied.content.decode()
    client.logout()
    login_citizen(client, admin)
    assert (
        client.post(
            f"/konto/organisationen/{organisation.pk}/mitglieder/{owner_membership.pk}/", {"action": "remove"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/konto/organisationen/{organisation.pk}/mitglieder/{plain.pk}/",
            {"action": "role", "role": "owner"},
        ).status_code
        == 403
    )
    assert OrganisationMembership.objects.get(pk=owner_membership.pk).role == "owner"


def test_the_last_owner_stays(client):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    membership = OrganisationMembership.objects.get()
    login_citizen(client, owner)
    client.post(f"/konto/organisationen/{organisation.pk}/mitglieder/{membership.pk}/", {"action": "remove"})
    client.post(
        f"/konto/organisationen/{organisation.pk}/mitglieder/{membership.pk}/",
        {"action": "role", "role": "member"},
    )
    assert OrganisationMembership.objects.get().role == "owner"


def test_granting_a_mandate_needs_substanziell_and_records_the_scope(client):
    erika = make_user("erika@example.org")
    make_user("max@example.org", first_name="Max")
    login_citizen(client, erika, TrustLevel.NIEDRIG)
    step_up = client.get("/konto/vollmachten/neu/")
    assert step_up.status_code == 302
    assert "stufe=substanziell" in step_up["Location"]
    login_citizen(client, erika, TrustLevel.SUBSTANZIELL)
    response = client.post(
        "/konto/vollmachten/neu/",
        {
            "principal": "self",
            "agent_email": "max@example.org",
            "procedure_keys": "bohranzeige, gewerbe-anmeldung",
        },
    )
    mandate = Mandate.objects.get()
    assert response["Location"] == f"/konto/vollmachten/{mandate.pk}/"
    assert mandate.principal_user == erika
    assert mandate.procedure_keys == ["bohranzeige", "gewerbe-anmeldung"]
    assert mandate.covers("bohranzeige")
    assert not mandate.covers("kfz-zulassung")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"principal": "self", "agent_email": "niemand@example.org", "all_procedures": "on"},
            "kein eindeutiges Konto",
        ),
        ({"principal": "self", "agent_email": "erika@example.org", "all_procedures": "on"}, "nicht selbst"),
        ({"principal": "self", "agent_email": "max@example.org"}, "für alle Leistungen"),
        (
            {"principal": "self", "agent_email": "max@example.org", "procedure_keys": "<script>"},
            "keine gültige",
        ),
        ({"principal": "org:999", "agent_email": "max@example.org", "all_procedures": "on"}, "Auswahl"),
        (
            {
                "principal": "self",
                "agent_email": "max@example.org",
                "all_procedures": "on",
                "valid_until": "2001-01-01",
            },
            "Zukunft",
        ),
    ],
)
def test_bad_mandates_are_refused(client, data, message):
    erika = make_user("erika@example.org")
    make_user("max@example.org")
    login_citizen(client, erika, TrustLevel.SUBSTANZIELL)
    response = client.post("/konto/vollmachten/neu/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Mandate.objects.count() == 0


def test_organisation_managers_grant_mandates_for_their_organisation(client):
    owner = make_user()
    organisation = make_organisation(owner=owner, name="Planungsbüro Beispiel")
    make_user("planer@example.org")
    login_citizen(client, owner, TrustLevel.SUBSTANZIELL)
    client.post(
        "/konto/vollmachten/neu/",
        {"principal": f"org:{organisation.pk}", "agent_email": "planer@example.org", "all_procedures": "on"},
    )
    assert Mandate.objects.get().principal_organisation == organisation


def test_principal_revokes_and_agent_sees_it(client):
    erika, max_ = make_user(), make_user()
    mandate = make_mandate(erika, max_)
    login_citizen(client, max_)
    assert "gültig" in client.get(f"/konto/vollmachten/{mandate.pk}/").content.decode()
    client.logout()
    login_citizen(client, erika)
    client.post(f"/konto/vollmachten/{mandate.pk}/widerrufen/")
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    assert "widerrufen am" in client.get(f"/konto/vollmachten/{mandate.pk}/").content.decode()


def test_get_on_a_revoke_url_changes_nothing(client):
    erika, max_ = make_user(), make_user()
    mandate = make_mandate(erika, max_)
    login_citizen(client, erika)
    assert client.get(f"/konto/vollmachten/{mandate.pk}/widerrufen/").status_code == 405
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
