"""Profile, data export (JSON and HTML), account deletion, transparency page."""

from __future__ import annotations

import json

import pytest

from amtsweg.accounts import privacy
from amtsweg.accounts.models import DataAccessRecord, ExternalIdentity, Mandate, OrganisationMembership, User
from amtsweg.accounts.trust import TrustLevel

from .factories import (
    PASSWORD,
    login_citizen,
    login_staff,
    make_access_record,
    make_authority,
    make_mandate,
    make_organisation,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def erika():
    user = make_user(
        "erika@example.org", first_name="Erika", last_name="Beispiel-Musterfrau", locality="Annaberg-Buchholz"
    )
    ExternalIdentity.objects.create(user=user, provider="sandbox", subject="sbx-1", trust_level=3)
    return user


def test_anonymous_visitors_are_sent_to_the_login(client):
    for path in [
        "/konto/",
        "/konto/daten/",
        "/konto/daten/export.json",
        "/konto/loeschen/",
        "/konto/transparenz/",
    ]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/anmelden/?next=")


def test_profile_shows_name_and_level(client, erika):
    login_citizen(client, erika, TrustLevel.HOCH)
    page = client.get("/konto/").content.decode()
    assert "Erika Beispiel-Musterfrau" in page
    assert 'data-testid="profile-trust-level">hoch<' in page


def test_self_entered_profile_can_be_edited_but_eid_data_cannot(client):
    user = make_user(first_name="Dora")
    login_citizen(client, user)
    response = client.post("/konto/", {"first_name": "Dorothea", "last_name": "Demo", "postal_code": "0945"})
    assert response.status_code == 400
    assert "fünfstellige Postleitzahl" in response.content.decode()
    client.post(
        "/konto/",
        {
            "first_name": "Dorothea",
            "last_name": "Demo",
            "postal_code": "09456",
            "locality": "Annaberg-Buchholz",
        },
    )
    user.refresh_from_db()
    assert user.first_name == "Dorothea"
    user.identity_verified_level = 3
    user.save()
    client.post("/konto/", {"first_name": "Gefälscht", "last_name": "Name"})
    user.refresh_from_db()
    assert user.first_name == "Dorothea"


def test_export_json_contains_everything_about_me_and_nothing_about_others(client, erika):
    authority = make_authority("Landratsamt Erzgebirgskreis")
    make_access_record(erika, authority, purpose="Prüfung der Bohranzeige")
    other = make_user("max@example.org", first_name="Max")
    make_access_record(other, authority, purpose="Geheimer Zweck von Max")
    make_organisation(owner=erika, name="Muster Bohr GmbH (Sandbox)")
    make_mandate(erika, other)
    login_citizen(client, erika, TrustLevel.HOCH)
    response = client.get("/konto/daten/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="amtsweg-meine-daten-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    sections = {s["schluessel"]: s["daten"] for s in data["abschnitte"]}
    assert sections["konto"]["Familienname"] == "Beispiel-Musterfrau"
    assert sections["konto"]["Anmeldewege"][0]["Anmeldedienst"] == "sandbox"
    assert sections["organisationen"]["Mitgliedschaften"][0]["Organisation"] == "Muster Bohr GmbH (Sandbox)"
    assert len(sections["organisationen"]["erteilte Vollmachten"]) == 1
    assert sections["datenzugriffe"]["Zugriffe"][0]["Zweck"] == "Prüfung der Bohranzeige"
    assert "Geheimer Zweck von Max" not in response.content.decode()
    assert "max@example.org" not in response.content.decode()


def test_export_html_is_readable(client, erika):
    login_citizen(client, erika, TrustLevel.HOCH)
    page = client.get("/konto/daten/").content.decode()
    assert "Auskunft nach Art. 15 DSGVO" in page
    assert "Beispiel-Musterfrau" in page
    assert "Konto und Profil" in page


def test_apps_contribute_export_sections_and_deletion_handlers(client, erika):
    @privacy.personal_data_section("testapp", title="Test-Abschnitt", order=60)
    def section(user):
        return {"Antrag": f"für {user.last_name}"}

    @privacy.on_account_deletion("testapp")
    def erase(user):
        return ["Anträge bleiben bei der Behörde (Test)."]

    try:
        data = privacy.export_personal_data(erika)
        assert {
            "schluessel": "testapp",
            "titel": "Test-Abschnitt",
            "daten": {"Antrag": "für Beispiel-Musterfrau"},
        } in data["abschnitte"]
        assert "Anträge bleiben bei der Behörde (Test)." in privacy.delete_account(erika)
    finally:
        privacy._sections.pop("testapp")
        privacy._deletion_handlers.pop("testapp")


def test_delete_account_erases_the_profile_and_keeps_what_the_law_requires(client, erika):
    authority = make_authority()
    record = make_access_record(erika, authority)
    agent = make_user()
    mandate = make_mandate(erika, agent)
    organisation = make_organisation(owner=erika)
    login_citizen(client, erika, TrustLevel.HOCH)
    page = client.get("/konto/loeschen/").content.decode()
    assert "Art. 17 Abs. 3 Buchst. b DSGVO" in page
    refused = client.post("/konto/loeschen/", {})
    assert refused.status_code == 400
    assert "Bitte bestätigen Sie" in refused.content.decode()
    assert User.objects.get(pk=erika.pk).deleted_at is None

    done = client.post("/konto/loeschen/", {"confirm": "on"})
    assert done.status_code == 200
    assert "Ihr Konto wurde gelöscht" in done.content.decode()
    erika.refresh_from_db()
    assert erika.deleted_at is not None
    assert not erika.is_active
    assert (erika.first_name, erika.last_name, erika.email, erika.locality) == ("", "", "", "")
    assert not erika.has_usable_password()
    assert not ExternalIdentity.objects.filter(user=erika).exists()
    assert not OrganisationMembership.objects.filter(organisation=organisation, user=erika).exists()
    assert Mandate.objects.get(pk=mandate.pk).revoked_at is not None
    assert DataAccessRecord.objects.filter(pk=record.pk).exists()
    assert "_auth_user_id" not in client.session
    assert client.get("/konto/").status_code == 302


def test_staff_accounts_cannot_delete_themselves(client):
    user, device, _m = make_staff(make_authority())
    login_staff(client, user, device)
    response = client.post("/konto/loeschen/", {"confirm": "on"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.deleted_at is None


def test_transparency_page_lists_only_my_records(client, erika):
    authority = make_authority("Landratsamt Erzgebirgskreis")
    make_access_record(erika, authority, purpose="Prüfung der Bohranzeige", reference="BOHR-1")
    make_access_record(make_user(), authority, purpose="Fremder Vorgang")
    login_citizen(client, erika)
    page = client.get("/konto/transparenz/").content.decode()
    assert "Landratsamt Erzgebirgskreis" in page
    assert "Prüfung der Bohranzeige" in page
    assert "BOHR-1" in page
    assert "Fremder Vorgang" not in page
    assert client.get("/konto/transparenz/?seite=abc").status_code == 200
    assert client.get("/konto/transparenz/?seite=99999").status_code == 200


def test_logout_requires_post_and_ends_the_session(client, erika):
    login_citizen(client, erika)
    assert client.get("/abmelden/").status_code == 405
    assert client.post("/abmelden/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert PASSWORD  # the factory password is never shown anywhere
