"""Staff: two-step login with mandatory TOTP, recovery codes, enrolment, lock-out, networks, idle timeout."""

from __future__ import annotations

import logging
import re
import time

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts import staff as staff_module

from .factories import PASSWORD, login_staff, make_authority, make_staff, make_user, static_codes, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker():
    authority = make_authority("Stadtverwaltung Testhausen")
    user, device, _m = make_staff(authority, ("case_worker",), username="sb-test")
    return user, device, authority


def _password_step(client, username="sb-test", password=PASSWORD, next_url=None):
    url = "/verwaltung/anmelden/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password})


def test_password_alone_does_not_open_the_staff_area(client, worker):
    response = _password_step(client)
    assert response.status_code == 302
    assert response["Location"] == "/verwaltung/anmelden/code/"
    assert "_auth_user_id" not in client.session  # nobody is logged in yet
    home = client.get("/verwaltung/")
    assert home.status_code == 302
    assert home["Location"].startswith("/verwaltung/anmelden/?next=")
    assert client.get("/verwaltung/behoerden/1/").status_code == 302


def test_totp_code_completes_the_login(client, worker):
    _user, device, authority = worker
    _password_step(client, next_url=f"/verwaltung/behoerden/{authority.pk}/")
    response = client.post("/verwaltung/anmelden/code/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == f"/verwaltung/behoerden/{authority.pk}/"
    home = client.get("/verwaltung/").content.decode()
    assert "Stadtverwaltung Testhausen" in home
    assert "Sachbearbeitung" in home


def test_wrong_code_is_rejected_and_too_many_end_the_attempt(client, worker, caplog):
    caplog.set_level(logging.WARNING)
    _password_step(client)
    for _ in range(staff_module.MAX_CODE_ATTEMPTS - 1):
        response = client.post("/verwaltung/anmelden/code/", {"code": "000000"})
        assert response.status_code == 400
        assert "Der Code ist falsch oder abgelaufen" in response.content.decode()
        _reset_throttle()
    last = client.post("/verwaltung/anmelden/code/", {"code": "000000"})
    assert last.status_code == 302
    assert last["Location"] == "/verwaltung/anmelden/"
    assert "_auth_user_id" not in client.session
    assert client.get("/verwaltung/anmelden/code/")["Location"] == "/verwaltung/anmelden/"
    assert any("second factor rejected" in r.getMessage() for r in caplog.records)


def _reset_throttle():
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_quick_retry_after_a_wrong_code_is_asked_to_wait(client, worker):
    _user, device, _authority = worker
    _password_step(client)
    client.post("/verwaltung/anmelden/code/", {"code": "000000"})
    response = client.post("/verwaltung/anmelden/code/", {"code": totp_code(device)})
    assert response.status_code == 400
    assert "Bitte warten Sie einige Sekunden" in response.content.decode()
    _reset_throttle()
    assert client.post("/verwaltung/anmelden/code/", {"code": totp_code(device)}).status_code == 302


def test_a_totp_code_works_only_once(client, worker):
    _user, device, _authority = worker
    code = totp_code(device)
    _password_step(client)
    assert client.post("/verwaltung/anmelden/code/", {"code": code}).status_code == 302
    client.post("/verwaltung/abmelden/")
    _password_step(client)
    assert client.post("/verwaltung/anmelden/code/", {"code": code}).status_code == 400


def test_recovery_code_works_once(client, worker):
    user, _device, _authority = worker
    static_codes(user, ["rettung1234"])
    _password_step(client)
    assert client.post("/verwaltung/anmelden/code/", {"code": " RETTUNG1234 "}).status_code == 302
    client.post("/verwaltung/abmelden/")
    _password_step(client)
    assert client.post("/verwaltung/anmelden/code/", {"code": "rettung1234"}).status_code == 400


def test_code_step_without_password_step_is_refused(client, worker):
    _user, device, _a = worker
    response = client.post("/verwaltung/anmelden/code/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/verwaltung/anmelden/"
    assert "_auth_user_id" not in client.session


def test_non_staff_account_gets_the_generic_error(client):
    make_user("buerger@example.org", username="buerger")
    response = client.post("/verwaltung/anmelden/", {"username": "buerger", "password": PASSWORD})
    assert response.status_code == 400
    assert "keinen Zugang zur Verwaltung" in response.content.decode()


def test_first_login_enrols_totp_and_shows_recovery_codes(client):
    authority = make_authority()
    make_staff(authority, ("approver",), username="neu-im-amt", totp=False)
    response = _password_step(client, username="neu-im-amt")
    assert response["Location"] == "/verwaltung/anmelden/einrichten/"
    page = client.get("/verwaltung/anmelden/einrichten/").content.decode()
    assert "data:image/svg+xml" in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    device = TOTPDevice.objects.get(user__username="neu-im-amt", confirmed=False)
    assert len(secret) >= 32
    assert client.get("/verwaltung/").status_code == 302  # still locked out before confirming
    wrong = client.post("/verwaltung/anmelden/einrichten/", {"code": "123456"})
    assert wrong.status_code == 400
    assert "Der Code passt nicht" in wrong.content.decode()
    time.sleep(1.1)  # django-otp throttles: after one failure the next try must wait a second
    done = client.post("/verwaltung/anmelden/einrichten/", {"code": totp_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user__username="neu-im-amt").count() == 10
    assert client.get("/verwaltung/").status_code == 200


def test_enrolment_is_refused_once_a_device_exists(client, worker):
    _password_step(client)
    response = client.get("/verwaltung/anmelden/einrichten/")
    assert response["Location"] == "/verwaltung/anmelden/code/"


def test_role_is_checked(client, worker):
    user, device, authority = worker
    login_staff(client, user, device)
    response = client.get(f"/verwaltung/behoerden/{authority.pk}/zugriffe/")
    assert response.status_code == 403
    assert "fehlt Ihnen die nötige Rolle" in response.content.decode()


def test_staff_network_restriction(client, worker, settings):
    user, device, _authority = worker
    settings.STAFF_NETWORKS = ["10.20.0.0/16"]
    login = client.get("/verwaltung/anmelden/")
    assert login.status_code == 403
    assert "aus diesem Netz nicht erlaubt" in login.content.decode()
    assert (
        client.post("/verwaltung/anmelden/", {"username": "sb-test", "password": PASSWORD}).status_code == 403
    )
    login_staff(client, user, device)
    assert client.get("/verwaltung/", REMOTE_ADDR="192.0.2.5").status_code == 403
    assert client.get("/verwaltung/", REMOTE_ADDR="10.20.3.4").status_code == 200
    # X-Forwarded-For is ignored unless the proxy is trusted.
    assert (
        client.get("/verwaltung/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="10.20.3.4").status_code
        == 403
    )
    settings.TRUST_PROXY_HEADERS = True
    assert (
        client.get(
            "/verwaltung/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 10.20.3.4"
        ).status_code
        == 200
    )


def test_idle_staff_session_is_ended(client, worker, settings):
    user, device, _authority = worker
    settings.STAFF_IDLE_SECONDS = 900
    login_staff(client, user, device)
    assert client.get("/verwaltung/").status_code == 200
    session = client.session
    session[staff_module.LAST_SEEN_KEY] = int(time.time()) - 901
    session.save()
    response = client.get("/verwaltung/")
    assert response.status_code == 302
    assert response["Location"] == "/verwaltung/anmelden/"
    assert "_auth_user_id" not in client.session
    follow = client.get(response["Location"]).content.decode()
    assert "nach längerer Inaktivität abgemeldet" in follow


def test_active_staff_session_stays(client, worker):
    user, device, _authority = worker
    login_staff(client, user, device)
    session = client.session
    session[staff_module.LAST_SEEN_KEY] = int(time.time()) - 600
    session.save()
    assert client.get("/verwaltung/").status_code == 200
    assert client.session[staff_module.LAST_SEEN_KEY] >= int(time.time()) - 2


def test_staff_login_brute_force_is_locked(client, worker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/verwaltung/anmelden/", {"username": "sb-test", "password": "geraten-999"})
    response = client.post("/verwaltung/anmelden/", {"username": "sb-test", "password": PASSWORD})
    assert response.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in response.content.decode()
    assert "amtsweg.staff_pending" not in client.session


def test_other_apps_staff_urls_are_closed_without_second_factor(client, worker):
    """The middleware closes all of /verwaltung/, also pages of apps that forget @staff_required."""
    user, _device, _authority = worker
    client.force_login(user, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    response = client.get("/verwaltung/irgendeine-seite/")
    assert response.status_code == 302
    assert response["Location"].startswith("/verwaltung/anmelden/")


def test_citizen_with_verified_device_but_no_membership_is_kept_out(client):
    user = make_user("buerger@example.org")
    device = TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    login_staff(client, user, device)
    assert client.get("/verwaltung/").status_code == 302


def test_admin_asks_for_the_second_factor(client):
    admin = make_user("admin@example.org", username="betrieb", is_superuser=True, is_staff=True)
    page = client.get("/betrieb/admin/login/")
    assert page.status_code == 200
    assert 'name="otp_token"' in page.content.decode()
    response = client.post("/betrieb/admin/login/", {"username": "betrieb", "password": PASSWORD})
    assert response.status_code == 200  # form shown again: no token, no device
    assert client.get("/betrieb/admin/").status_code == 302
    device = TOTPDevice.objects.create(user=admin, name="x", confirmed=True)
    client.post(
        "/betrieb/admin/login/",
        {
            "username": "betrieb",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": totp_code(device),
        },
    )
    assert client.get("/betrieb/admin/").status_code == 200


def test_demo_recovery_code_stays_usable_only_in_demo_mode(client, worker, settings):
    user, _device, _authority = worker
    demo = user.staticdevice_set.create(name=staff_module.DEMO_RECOVERY_DEVICE_NAME, confirmed=True)
    demo.token_set.create(token="demo-2fa-code")
    settings.DEMO = True
    for _ in range(2):
        _password_step(client)
        assert client.post("/verwaltung/anmelden/code/", {"code": "demo-2fa-code"}).status_code == 302
        client.post("/verwaltung/abmelden/")
    settings.DEMO = False
    _password_step(client)
    assert client.post("/verwaltung/anmelden/code/", {"code": "demo-2fa-code"}).status_code == 302
    client.post("/verwaltung/abmelden/")
    _password_step(client)
    assert client.post("/verwaltung/anmelden/code/", {"code": "demo-2fa-code"}).status_code == 400


def test_recovery_codes_can_be_renewed(client, worker):
    user, device, _authority = worker
    static_codes(user, ["alt-code-1"])
    login_staff(client, user, device)
    assert "noch 1 unbenutzten Code" in client.get("/verwaltung/wiederherstellungscodes/").content.decode()
    response = client.post("/verwaltung/wiederherstellungscodes/")
    assert len(re.findall(r"<li><code>", response.content.decode())) == 10
    assert not StaticToken.objects.filter(token="alt-code-1").exists()
