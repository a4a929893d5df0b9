"""Tenant isolation matrix: every registered endpoint, tried with another citizen's and another authority's
IDs.

The endpoints live in tests/isolation_registry.py; apps add theirs there with one line.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from amtsweg.accounts.trust import TrustLevel
from isolation_registry import ENDPOINTS

from .factories import login_citizen, login_staff, make_authority, make_staff, make_user

pytestmark = pytest.mark.django_db
ALL_ROLES = ("case_worker", "approver", "authority_admin", "auditor", "assisted_operator")


def _by_kind(*kinds):
    return [pytest.param(e, id=e.id) for e in ENDPOINTS if e.kind in kinds]


def _request(client, endpoint, url):
    return getattr(client, endpoint.method)(url, endpoint.data)


def test_registry_covers_the_accounts_endpoints_with_ids():
    """Every accounts URL with an ID parameter is in the matrix (a new one without an entry fails here)."""
    from amtsweg.accounts.urls import urlpatterns

    registered = {e.url_name for e in ENDPOINTS}
    with_ids = {f"accounts:{p.name}" for p in urlpatterns if p.pattern.converters}
    missing = (
        with_ids
        - registered
        - {
            "accounts:oidc_start",
            "accounts:oidc_callback",
            "accounts:verify_email",
            "accounts:password_reset_confirm",
        }
    )
    assert not missing, f"not in tests/isolation_registry.py: {sorted(missing)}"


@pytest.mark.parametrize("endpoint", _by_kind("citizen"))
def test_another_citizens_object_is_404(client, endpoint):
    owner, intruder = make_user(), make_user()
    kwargs = endpoint.make(owner)
    url = reverse(endpoint.url_name, kwargs=kwargs)
    login_citizen(client, intruder, TrustLevel.HOCH)
    response = _request(client, endpoint, url)
    assert response.status_code == 404, f"{url} as another citizen: {response.status_code}"
    if endpoint.unchanged:
        assert endpoint.unchanged(kwargs), f"{url}: the foreign request changed data"
    client.logout()
    login_citizen(client, owner, TrustLevel.HOCH)
    assert _request(client, endpoint, url).status_code != 404, f"{url} must work for its owner"


@pytest.mark.parametrize("endpoint", _by_kind("citizen"))
def test_staff_of_an_authority_cannot_open_citizen_objects(client, endpoint):
    owner = make_user()
    kwargs = endpoint.make(owner)
    user, device, _m = make_staff(make_authority(), ALL_ROLES)
    login_staff(client, user, device)
    assert _request(client, endpoint, reverse(endpoint.url_name, kwargs=kwargs)).status_code in (302, 404)


@pytest.mark.parametrize("endpoint", _by_kind("staff"))
def test_another_authoritys_object_is_404(client, endpoint):
    home, foreign = make_authority(), make_authority()
    kwargs = endpoint.make(foreign)
    intruder, device, _m = make_staff(home, ALL_ROLES)
    login_staff(client, intruder, device)
    url = reverse(endpoint.url_name, kwargs=kwargs)
    response = _request(client, endpoint, url)
    assert response.status_code == 404, f"{url} as staff of another authority: {response.status_code}"
    if endpoint.unchanged:
        assert endpoint.unchanged(kwargs)
    client.logout()
    insider, insider_device, _m = make_staff(foreign, (endpoint.role,) if endpoint.role else ("case_worker",))
    login_staff(client, insider, insider_device)
    assert _request(client, endpoint, url).status_code == 200, (
        f"{url} must work for the authority's own staff"
    )


@pytest.mark.parametrize("endpoint", _by_kind("staff"))
def test_staff_object_ids_that_do_not_exist_are_404(client, endpoint):
    home = make_authority()
    kwargs = endpoint.make(home)
    user, device, _m = make_staff(home, ALL_ROLES)
    login_staff(client, user, device)
    missing = {key: 10**9 + n for n, key in enumerate(kwargs)}
    assert _request(client, endpoint, reverse(endpoint.url_name, kwargs=missing)).status_code == 404


@pytest.mark.parametrize("endpoint", _by_kind("citizen_page"))
def test_pages_without_ids_show_only_own_data(client, endpoint):
    me, other = make_user(), make_user()
    mine, theirs = endpoint.make(me), endpoint.make(other)
    login_citizen(client, me, TrustLevel.HOCH)
    body = client.get(reverse(endpoint.url_name)).content.decode()
    assert mine in body
    assert theirs not in body


@pytest.mark.parametrize("endpoint", _by_kind("staff_page"))
def test_staff_pages_show_only_own_authoritys_data(client, endpoint):
    home, foreign = make_authority(), make_authority()
    mine, theirs = endpoint.make(home), endpoint.make(foreign)
    user, device, _m = make_staff(home, (endpoint.role,) if endpoint.role else ("case_worker",))
    login_staff(client, user, device)
    kwargs = endpoint.own_kwargs(home) if endpoint.own_kwargs else {}
    body = client.get(reverse(endpoint.url_name, kwargs=kwargs)).content.decode()
    assert mine in body
    assert theirs not in body
