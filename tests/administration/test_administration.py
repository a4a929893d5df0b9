"""Authority administration: deny by default, own authority only, legal fee ranges, hours, keys, audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import login_staff, make_authority, make_staff, make_user
from amtsweg.accounts.models import StaffMembership, User
from amtsweg.administration import services
from amtsweg.administration.services import AdminError
from amtsweg.cases.models import AuditEvent, AuthorityKey
from amtsweg.directory.models import Office, SpecialDay, WeeklyHours
from amtsweg.payments.models import FeeKind, FeeRule

from .factories import make_office, make_part, make_special_day, make_weekly_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.CASES_KEY_DIR = tmp_path / "keys"
    settings.CASES_RSA_BITS = 2048
    home, foreign = make_authority("Stadtverwaltung Musterstadt"), make_authority("Gemeinde Anderswo")
    admin, device, membership = make_staff(home, ("authority_admin",))

    class World:
        pass

    w = World()
    w.home, w.foreign, w.admin, w.device, w.membership = home, foreign, admin, device, membership
    return w


def _login(client, world):
    return login_staff(client, world.admin, world.device)


def _events(authority, kind):
    return list(AuditEvent.objects.filter(authority=authority, kind=f"admin.{kind}"))


ALL_PAGES = ["overview", "staff", "fees", "hours", "keys", "workload"]


# --- access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_PAGES)
def test_pages_are_for_the_authoritys_administrators_only(client, world, name):
    url = reverse(f"administration:{name}", kwargs={"authority_id": world.home.pk})
    assert client.get(url).status_code == 302  # anonymous: to the staff login
    worker, device, _m = make_staff(world.home, ("case_worker", "approver", "auditor"))
    login_staff(client, worker, device)
    response = client.get(url)
    assert response.status_code == 403
    assert "nötige Rolle" in response.content.decode()
    client.logout()
    _login(client, world)
    assert client.get(url).status_code == 200
    foreign_url = reverse(f"administration:{name}", kwargs={"authority_id": world.foreign.pk})
    assert client.get(foreign_url).status_code == 404


def test_admin_role_at_another_authority_does_not_open_this_one(client, world):
    # admin at home, case worker at foreign: the foreign authority's administration stays closed
    StaffMembership.objects.create(user=world.admin, authority=world.foreign, case_worker=True)
    _login(client, world)
    assert (
        client.get(reverse("administration:staff", kwargs={"authority_id": world.foreign.pk})).status_code
        == 404
    )


def test_without_second_factor_the_login_is_asked_for(client, world):
    client.force_login(world.admin, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    response = client.get(reverse("administration:overview", kwargs={"authority_id": world.home.pk}))
    assert response.status_code == 302
    assert reverse("accounts:staff_login") in response["Location"]


def test_deactivated_administrator_is_refused(client, world):
    StaffMembership.objects.filter(pk=world.membership.pk).update(is_active=False)
    _login(client, world)
    response = client.get(reverse("administration:index"))
    assert response.status_code == 302  # the session of someone who is no longer staff ends
    assert reverse("accounts:staff_login") in response["Location"]


def test_index_redirects_to_the_only_authority(client, world):
    _login(client, world)
    response = client.get(reverse("administration:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("administration:overview", kwargs={"authority_id": world.home.pk})


# --- staff and roles --------------------------------------------------------------------------------------


def test_invite_creates_account_membership_mail_and_audit(client, world, django_capture_on_commit_callbacks):
    _login(client, world)
    url = reverse("administration:staff", kwargs={"authority_id": world.home.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "first_name": "Berta",
                "last_name": "Beispiel",
                "username": "b.beispiel",
                "email": "B.Beispiel@musterstadt.example",
                "roles": ["case_worker", "approver"],
            },
        )
    assert response.status_code == 302
    user = User.objects.get(username="b.beispiel")
    assert user.email == "b.beispiel@musterstadt.example"
    assert not user.has_usable_password()  # the administrator never knows the password
    membership = StaffMembership.objects.get(user=user)
    assert membership.authority == world.home
    assert membership.roles == ["case_worker", "approver"]
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert "/passwort-vergessen/" in link
    # the link sets a password; then the staff login asks for the authenticator enrolment
    form = client.get(link, follow=True)
    assert form.status_code == 200
    client.logout()
    event = _events(world.home, "staff_invited")[0]
    assert event.detail["roles"] == ["case_worker", "approver"]
    assert event.actor == world.admin
    assert "Beispiel" not in str(event.detail)  # no personal data in the audit trail


def test_invited_person_sets_password_and_is_asked_to_enrol_totp(client, world):
    membership = services.invite_staff(
        world.home, world.admin, username="neu", first_name="Nina", last_name="Neu",
        email="neu@musterstadt.example", roles=["case_worker"],
    )  # fmt: skip
    link = services.invitation_link(membership.user)
    response = client.get(link, follow=True)
    set_url = response.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "Ein-langes-Passwort-2026", "new_password2": "Ein-langes-Passwort-2026"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("accounts:staff_login"), {"username": "neu", "password": "Ein-langes-Passwort-2026"}
    )
    assert response["Location"] == reverse("accounts:staff_enrol")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"roles": []}, "mindestens eine Rolle"),
        ({"roles": ["superuser"]}, "gültige Auswahl"),
        ({"email": "kein-mail"}, "E-Mail"),
        ({"username": "mit leerzeichen"}, "Nur Buchstaben"),
    ],
)
def test_invite_bad_input_is_refused(client, world, data, message):
    _login(client, world)
    payload = {
        "first_name": "A",
        "last_name": "B",
        "username": "ab",
        "email": "ab@example.org",
        "roles": ["case_worker"],
    }
    payload.update(data)
    response = client.post(reverse("administration:staff", kwargs={"authority_id": world.home.pk}), payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="ab").exists()


def test_existing_account_cannot_be_taken_over(client, world):
    citizen = make_user("buerger@example.org")
    other_staff, _d, _m = make_staff(world.foreign, ("case_worker",))
    _login(client, world)
    url = reverse("administration:staff", kwargs={"authority_id": world.home.pk})
    for username, email in (("x1", citizen.email), (other_staff.username, "x2@example.org")):
        response = client.post(
            url,
            {
                "first_name": "A",
                "last_name": "B",
                "username": username,
                "email": email,
                "roles": ["case_worker"],
            },
        )
        assert response.status_code == 400
        assert "bereits ein Konto" in response.content.decode()
    assert not StaffMembership.objects.filter(user=citizen).exists()
    assert not StaffMembership.objects.filter(user=other_staff, authority=world.home).exists()


def test_change_roles_and_deactivate(client, world):
    _worker, _d, membership = make_staff(world.home, ("case_worker",))
    _login(client, world)
    url = reverse(
        "administration:staff_member", kwargs={"authority_id": world.home.pk, "membership_id": membership.pk}
    )
    assert client.post(url, {"action": "roles", "roles": ["case_worker", "approver"]}).status_code == 302
    membership.refresh_from_db()
    assert membership.roles == ["case_worker", "approver"]
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert _events(world.home, "staff_roles")[0].detail == {
        "membership": membership.pk,
        "before": ["case_worker"],
        "after": ["case_worker", "approver"],
    }
    assert _events(world.home, "staff_deactivated")[0].detail == {"membership": membership.pk}


def test_administrator_cannot_lock_themselves_out(client, world):
    _login(client, world)
    url = reverse(
        "administration:staff_member",
        kwargs={"authority_id": world.home.pk, "membership_id": world.membership.pk},
    )
    response = client.post(url, {"action": "deactivate"})
    assert response.status_code == 400
    assert "eigenen Zugang nicht deaktivieren" in response.content.decode()
    response = client.post(url, {"action": "roles", "roles": ["case_worker"]})
    assert response.status_code == 400
    assert "nicht selbst entziehen" in response.content.decode()
    world.membership.refresh_from_db()
    assert world.membership.is_active
    assert world.membership.authority_admin


def test_last_administrator_keeps_the_role(world):
    _other_admin, _d, other = make_staff(world.home, ("authority_admin",))
    services.change_roles(world.home, world.admin, other.pk, ["case_worker"])  # fine: world.admin remains
    services.change_roles(world.home, world.admin, other.pk, ["authority_admin"])
    StaffMembership.objects.filter(pk=world.membership.pk).update(is_active=False)
    with pytest.raises(AdminError, match="mindestens eine aktive Person"):
        services.change_roles(world.home, world.admin, other.pk, ["case_worker"])
    other.refresh_from_db()
    assert other.authority_admin


def test_memberships_of_another_authority_are_404_and_unchanged(client, world):
    _user, _d, foreign_membership = make_staff(world.foreign, ("case_worker",))
    _login(client, world)
    for kwargs in (
        {"authority_id": world.home.pk, "membership_id": foreign_membership.pk},
        {"authority_id": world.foreign.pk, "membership_id": foreign_membership.pk},
    ):
        url = reverse("administration:staff_member", kwargs=kwargs)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "deactivate"}).status_code == 404
        assert client.post(url, {"action": "roles", "roles": ["authority_admin"]}).status_code == 404
    foreign_membership.refresh_from_db()
    assert foreign_membership.is_active
    assert foreign_membership.roles == ["case_worker"]


def test_deactivation_touches_only_this_authority(world):
    worker, _d, membership = make_staff(world.home, ("case_worker",))
    elsewhere = StaffMembership.objects.create(user=worker, authority=world.foreign, case_worker=True)
    services.set_active(world.home, world.admin, membership.pk, False)
    elsewhere.refresh_from_db()
    assert elsewhere.is_active
    assert worker.is_active


# --- fees -------------------------------------------------------------------------------------------------


def _statewide_gewerbe_rule():
    return FeeRule.objects.create(
        procedure_key="gewerbe-anmeldung", authority=None, label="Gewerbeanmeldung (Standard)",
        kind=FeeKind.RANGE, amount_cents=3000, min_cents=2200, max_cents=11200,
        legal_basis="10. SächsKVZ Nr. 46",
    )  # fmt: skip


def test_fee_within_the_legal_range_is_saved_and_audited(client, world):
    _statewide_gewerbe_rule()
    _login(client, world)
    url = reverse("administration:fees", kwargs={"authority_id": world.home.pk})
    page = client.get(url).content.decode()
    assert "22,00 € – 112,00 €" in page
    assert "landesweiter Standardwert" in page
    response = client.post(url, {"procedure_key": "gewerbe-anmeldung", "amount": "45,50"})
    assert response.status_code == 302
    rule = FeeRule.objects.get(procedure_key="gewerbe-anmeldung", authority=world.home)
    assert (rule.kind, rule.amount_cents, rule.min_cents, rule.max_cents) == ("range", 4550, 2200, 11200)
    assert "SächsKVZ" in rule.legal_basis
    from amtsweg.payments.services import quote_fee

    assert quote_fee("gewerbe-anmeldung", world.home).total_cents == 4550
    assert quote_fee("gewerbe-anmeldung", world.foreign).total_cents == 3000  # others keep the standard
    services.set_fee(world.home, world.admin, "gewerbe-anmeldung", 2200)  # the bounds are lawful
    events = _events(world.home, "fee_set")
    assert [e.detail["after_cents"] for e in events] == [4550, 2200]
    assert events[1].detail["before_cents"] == 4550


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("15,00", "Der Betrag 15,00 € liegt außerhalb des gesetzlichen Rahmens von 22,00 € bis 112,00 €"),
        ("112,01", "außerhalb des gesetzlichen Rahmens"),
        ("-5", "Betrag in Euro"),
        ("zwanzig", "Betrag in Euro"),
        ("", "Betrag in Euro"),
    ],
)
def test_fee_outside_the_range_or_malformed_is_refused(client, world, amount, message):
    _login(client, world)
    url = reverse("administration:fees", kwargs={"authority_id": world.home.pk})
    response = client.post(url, {"procedure_key": "gewerbe-anmeldung", "amount": amount})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FeeRule.objects.filter(authority=world.home).exists()
    assert not _events(world.home, "fee_set")


def test_fees_without_a_range_cannot_be_set(client, world):
    FeeRule.objects.create(
        procedure_key="kfz-adressaenderung", label="Adressänderung (online)", kind=FeeKind.FIXED,
        amount_cents=430, legal_basis="GebOSt 225.1",
    )  # fmt: skip
    _login(client, world)
    url = reverse("administration:fees", kwargs={"authority_id": world.home.pk})
    assert "nicht von der Behörde festzulegen" in client.get(url).content.decode()
    response = client.post(url, {"procedure_key": "kfz-adressaenderung", "amount": "1,00"})
    assert response.status_code == 400
    assert "legt die Behörde keine Gebühr fest" in response.content.decode()
    response = client.post(url, {"procedure_key": "<script>", "amount": "30"})
    assert response.status_code == 400
    assert FeeRule.objects.get(procedure_key="kfz-adressaenderung").amount_cents == 430


def test_fee_ranges_come_from_configuration(world, settings, tmp_path):
    path = tmp_path / "ranges.json"
    path.write_text(
        '{"ranges": {"gewerbe-anmeldung": {"label": "Anmeldung", "min_cents": 5000, "max_cents": 6000, '
        '"legal_basis": "Neue KVZ"}}}',
        encoding="utf-8",
    )
    settings.ADMINISTRATION_FEE_RANGES_FILE = str(path)
    with pytest.raises(AdminError, match="50,00 € bis 60,00 €"):
        services.set_fee(world.home, world.admin, "gewerbe-anmeldung", 4000)
    assert services.set_fee(world.home, world.admin, "gewerbe-anmeldung", 5500).legal_basis == "Neue KVZ"


# --- hours and closures -----------------------------------------------------------------------------------


def test_weekly_hours_and_special_days(client, world):
    office = make_office(world.home, "Rathaus")
    _login(client, world)
    url = reverse("administration:hours", kwargs={"authority_id": world.home.pk})
    response = client.post(
        url,
        {
            "kind": "weekly",
            "weekly-office": office.pk,
            "weekly-weekday": 1,
            "weekly-opens": "09:00",
            "weekly-closes": "12:00",
        },
    )
    assert response.status_code == 302
    hours = WeeklyHours.objects.get(office=office)
    assert (hours.weekday, hours.opens, hours.closes) == (1, dt.time(9), dt.time(12))
    office.refresh_from_db()
    assert office.hours_source == Office.HoursSource.AUTHORITY
    day = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        url,
        {
            "kind": "special",
            "special-date": day.isoformat(),
            "special-closed": "on",
            "special-reason": "Brückentag",
        },
    )
    assert response.status_code == 302
    special = SpecialDay.objects.get(authority=world.home)
    assert special.closed
    assert special.office is None
    assert special.date == day
    page = client.get(url).content.decode()
    assert "Brückentag" in page
    assert "09:00–12:00" in page
    assert (
        client.post(
            reverse(
                "administration:hours_delete", kwargs={"authority_id": world.home.pk, "hours_id": hours.pk}
            )
        ).status_code
        == 302
    )
    assert not WeeklyHours.objects.filter(pk=hours.pk).exists()
    kinds = {e.kind for e in AuditEvent.objects.filter(authority=world.home)}
    assert {"admin.hours_added", "admin.special_day_added", "admin.hours_deleted"} <= kinds


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "weekly", "weekly-weekday": 1, "weekly-opens": "12:00", "weekly-closes": "09:00"},
            "nach der Öffnungszeit",
        ),
        (
            {"kind": "weekly", "weekly-weekday": 9, "weekly-opens": "09:00", "weekly-closes": "12:00"},
            "gültige Auswahl",
        ),
        (
            {"kind": "weekly", "weekly-weekday": 1, "weekly-opens": "25:00", "weekly-closes": "26:00"},
            "gültige Uhrzeit",
        ),
        ({"kind": "special", "special-date": "2020-01-02", "special-closed": "on"}, "in der Vergangenheit"),
        ({"kind": "special", "special-date": "31.02.2099", "special-closed": "on"}, "gültiges Datum"),
        (
            {"kind": "special", "special-date": "2099-01-02", "special-opens": "14:00"},
            "Öffnungs- und Schließzeit",
        ),
    ],
)
def test_bad_hours_are_refused(client, world, data, message):
    office = make_office(world.home)
    if data["kind"] == "weekly":
        data = {**data, "weekly-office": office.pk}
    _login(client, world)
    response = client.post(reverse("administration:hours", kwargs={"authority_id": world.home.pk}), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WeeklyHours.objects.exists()
    assert not SpecialDay.objects.exists()


def test_overlapping_weekly_hours_are_refused(world):
    office = make_office(world.home)
    services.add_weekly_hours(
        world.home, world.admin, office_id=office.pk, weekday=0, opens=dt.time(8), closes=dt.time(12)
    )
    with pytest.raises(AdminError, match="überschneidet sich"):
        services.add_weekly_hours(
            world.home, world.admin, office_id=office.pk, weekday=0, opens=dt.time(11), closes=dt.time(15)
        )
    services.add_weekly_hours(
        world.home, world.admin, office_id=office.pk, weekday=0, opens=dt.time(13), closes=dt.time(15)
    )


def test_another_authoritys_offices_hours_and_closures_are_out_of_reach(client, world):
    foreign_office = make_office(world.foreign)
    foreign_hours = make_weekly_hours(world.foreign)
    foreign_day = make_special_day(world.foreign)
    make_office(world.home)
    _login(client, world)
    response = client.post(
        reverse("administration:hours", kwargs={"authority_id": world.home.pk}),
        {
            "kind": "weekly",
            "weekly-office": foreign_office.pk,
            "weekly-weekday": 1,
            "weekly-opens": "09:00",
            "weekly-closes": "12:00",
        },
    )
    assert response.status_code == 400
    with pytest.raises(AdminError, match="gehört nicht zu Ihrer Behörde"):
        services.add_special_day(
            world.home, world.admin, day=timezone.localdate(), office_id=foreign_office.pk
        )
    home = world.home.pk
    for name, kwargs in (
        ("hours_delete", {"authority_id": home, "hours_id": foreign_hours.pk}),
        ("special_day_delete", {"authority_id": home, "special_day_id": foreign_day.pk}),
        ("hours_delete", {"authority_id": world.foreign.pk, "hours_id": foreign_hours.pk}),
    ):
        assert client.post(reverse(f"administration:{name}", kwargs=kwargs)).status_code == 404
        assert client.get(reverse(f"administration:{name}", kwargs=kwargs)).status_code in (404, 405)
    assert WeeklyHours.objects.filter(pk=foreign_hours.pk).exists()
    assert SpecialDay.objects.filter(pk=foreign_day.pk).exists()
    assert not WeeklyHours.objects.filter(office=foreign_office).exclude(pk=foreign_hours.pk).exists()


# --- keys -------------------------------------------------------------------------------------------------


def test_key_rotation_shows_fingerprints_and_keeps_old_keys(client, world):
    from amtsweg.cases import crypto

    first = crypto.create_key(world.home)
    _login(client, world)
    url = reverse("administration:keys", kwargs={"authority_id": world.home.pk})
    assert crypto.fingerprint(first) in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 400
    assert "bestätigen Sie den Schlüsselwechsel" in response.content.decode()
    assert AuthorityKey.objects.filter(authority=world.home).count() == 1
    response = client.post(url, {"confirm": "on"}, follow=True)
    keys = AuthorityKey.objects.filter(authority=world.home)
    assert keys.count() == 2
    new = keys.get(is_active=True)
    assert new.pk != first.pk
    first.refresh_from_db()
    assert not first.is_active
    assert first.retired_at is not None
    page = response.content.decode()
    assert crypto.fingerprint(new) in page
    assert crypto.fingerprint(first) in page
    assert _events(world.home, "key_rotated")[0].detail == {"kid": new.kid}
    assert not AuthorityKey.objects.filter(authority=world.foreign).exists()


def test_rotation_without_private_keys_is_refused_with_a_message(world, settings):
    settings.CASES_PRIVATE_KEYS = False
    with pytest.raises(AdminError, match="keine privaten Schlüssel"):
        services.rotate_key(world.home, world.admin)
    assert not _events(world.home, "key_rotated")


# --- workload ---------------------------------------------------------------------------------------------


def test_workload_counts_open_and_overdue_per_person(client, world):
    today = timezone.localdate()
    anna, _d, _m = make_staff(world.home, ("case_worker",))
    anna.first_name, anna.last_name = "Anna", "Arbeit"
    anna.save()
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    make_part(world.home, assignee=anna, due_on=yesterday)
    make_part(world.home, assignee=anna, due_on=tomorrow)
    make_part(world.home, assignee=anna, due_on=yesterday, state="information_requested")
    make_part(world.home, assignee=anna, due_on=yesterday, decided_at=timezone.now())  # decided: not open
    make_part(world.home, assignee=None, due_on=yesterday)
    make_part(world.foreign, assignee=anna, due_on=yesterday)  # another authority: not counted here
    rows = {(r.membership.user.last_name if r.membership else None): r for r in services.workload(world.home)}
    assert (rows["Arbeit"].open_count, rows["Arbeit"].overdue_count) == (3, 2)
    assert (rows[None].open_count, rows[None].overdue_count) == (1, 1)
    _login(client, world)
    page = client.get(
        reverse("administration:workload", kwargs={"authority_id": world.home.pk})
    ).content.decode()
    assert "Anna Arbeit" in page
    assert "nicht zugeteilt" in page


def test_reinvite_only_before_the_password_is_set(client, world, django_capture_on_commit_callbacks):
    membership = services.invite_staff(
        world.home, world.admin, username="spaet", first_name="Sina", last_name="Spät",
        email="spaet@musterstadt.example", roles=["case_worker"],
    )  # fmt: skip
    _login(client, world)
    url = reverse(
        "administration:staff_member", kwargs={"authority_id": world.home.pk, "membership_id": membership.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "reinvite"}).status_code == 302
    assert mail.outbox[-1].to == ["spaet@musterstadt.example"]
    assert _events(world.home, "staff_reinvited")
    membership.user.set_password("Gesetzt-2026-Passwort")
    membership.user.save()
    response = client.post(url, {"action": "reinvite"})
    assert response.status_code == 400
    assert "bereits festgelegt" in response.content.decode()


def test_second_factor_reset_stays_within_the_authority(client, world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    worker, _d, membership = make_staff(world.home, ("case_worker",))
    _login(client, world)
    url = reverse(
        "administration:staff_member", kwargs={"authority_id": world.home.pk, "membership_id": membership.pk}
    )
    assert client.post(url, {"action": "reset_2fa"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert _events(world.home, "staff_2fa_reset")[0].detail == {"membership": membership.pk}
    # someone who also works for another authority: refused, their devices stay
    shared, _d2, shared_membership = make_staff(world.home, ("case_worker",))
    StaffMembership.objects.create(user=shared, authority=world.foreign, case_worker=True)
    url = reverse(
        "administration:staff_member",
        kwargs={"authority_id": world.home.pk, "membership_id": shared_membership.pk},
    )
    response = client.post(url, {"action": "reset_2fa"})
    assert response.status_code == 400
    assert "auch zu einer anderen Behörde" in response.content.decode()
    assert TOTPDevice.objects.filter(user=shared).exists()
    with pytest.raises(AdminError, match="eigenen zweiten Faktor"):
        services.reset_second_factor(world.home, world.admin, world.membership.pk)
