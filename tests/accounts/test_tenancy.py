"""Tenancy API, acting context, trust levels and the transparency-log service, without HTTP where possible."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import timezone

from amtsweg.accounts import acting
from amtsweg.accounts.models import DataAccessRecord
from amtsweg.accounts.services import DataAccessNotAllowed, record_data_access
from amtsweg.accounts.tenancy import TenantQuerySet, authorities_for, organisations_for, tenant_queryset
from amtsweg.accounts.trust import TrustLevel, current_trust_level, require_trust_level, trust_level_required

from .factories import (
    login_citizen,
    make_access_record,
    make_authority,
    make_mandate,
    make_organisation,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db


def _request(client, path="/"):
    return client.get(path).wsgi_request


# --- trust levels
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "level"),
    [("hoch", 3), ("HOCH", 3), (" substanziell ", 2), ("1", 1), (2, 2), (TrustLevel.HOCH, 3)],
)
def test_trust_level_parse(raw, level):
    assert TrustLevel.parse(raw) == level


@pytest.mark.parametrize("raw", ["mittel", "", None, 0, 4, True, "9", 2.5, ["hoch"]])
def test_trust_level_parse_rejects_nonsense(raw):
    with pytest.raises(ValueError, match=r"trust level|not a valid"):
        TrustLevel.parse(raw)


def test_require_trust_level_steps_up_instead_of_failing(client):
    user = make_user()
    login_citizen(client, user, TrustLevel.NIEDRIG)
    request = _request(client, "/konto/daten/?x=1")
    assert current_trust_level(request) == TrustLevel.NIEDRIG
    response = require_trust_level(request, "substanziell")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/?stufe=substanziell&next=%2Fkonto%2Fdaten%2F%3Fx%3D1"
    assert require_trust_level(request, "niedrig") is None


def test_require_trust_level_for_anonymous_and_htmx(client):
    request = RequestFactory().get("/x/", HTTP_HX_REQUEST="true")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    request.session = {}
    request.htmx = True
    response = require_trust_level(request, TrustLevel.HOCH)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/anmelden/?stufe=hoch")


def test_decorator_marks_the_view_and_lets_enough_through(client):
    @trust_level_required("hoch")
    def view(request):
        return "ok"

    assert view.required_trust_level == TrustLevel.HOCH
    user = make_user()
    login_citizen(client, user, TrustLevel.HOCH)
    assert view(_request(client)) == "ok"


def test_step_up_page_names_the_levels(client):
    login_citizen(client, make_user(), TrustLevel.NIEDRIG)
    page = client.get("/anmelden/?stufe=hoch&next=/konto/daten/").content.decode()
    assert "Vertrauensniveau „hoch“" in page
    assert "derzeit mit „niedrig“" in page
    assert "Mit E-Mail-Adresse und Passwort" not in page  # the local login cannot deliver "hoch"


# --- tenancy
# --------------------------------------------------------------------------------------------------------
def test_authorities_for_follows_memberships_and_roles():
    a, b, c = make_authority(), make_authority(), make_authority()
    user, _d, _m = make_staff(a, ("case_worker",))
    from amtsweg.accounts.models import StaffMembership

    StaffMembership.objects.create(user=user, authority=b, auditor=True)
    StaffMembership.objects.create(user=user, authority=c, approver=True, is_active=False)
    assert set(authorities_for(user)) == {a, b}
    assert list(authorities_for(user, "auditor")) == [b]
    assert list(authorities_for(user, "approver")) == []
    assert list(authorities_for(make_user())) == []
    with pytest.raises(ImproperlyConfigured):
        authorities_for(user, "praktikant")


def test_for_staff_and_for_citizen_scope_the_transparency_log():
    a, b = make_authority(), make_authority()
    auditor, _d, _m = make_staff(a, ("auditor",))
    erika, max_ = make_user(), make_user()
    mine = make_access_record(erika, a)
    make_access_record(max_, b)
    assert list(DataAccessRecord.objects.for_staff(auditor, "auditor")) == [mine]
    assert list(DataAccessRecord.objects.for_staff(auditor, "case_worker")) == []
    assert list(DataAccessRecord.objects.for_citizen(erika)) == [mine]
    from django.contrib.auth.models import AnonymousUser

    assert list(DataAccessRecord.objects.for_citizen(AnonymousUser())) == []


def test_tenant_queryset_must_declare_its_fields():
    with pytest.raises(ImproperlyConfigured):
        TenantQuerySet(model=DataAccessRecord).for_staff(make_user())
    with pytest.raises(ImproperlyConfigured):
        TenantQuerySet(model=DataAccessRecord).for_citizen(make_user())
    qs_class = tenant_queryset(tenant_field="authority", owner_fields=["subject_user"])
    assert qs_class.tenant_field == "authority"
    assert qs_class.owner_fields == ("subject_user",)


def test_organisations_for_includes_valid_mandates_only():
    member, agent = make_user(), make_user()
    own = make_organisation(owner=member)
    principal = make_organisation(owner=make_user())
    expired = make_organisation(owner=make_user())
    make_mandate(principal, agent)
    make_mandate(expired, agent, valid_until=timezone.now() - timedelta(days=1))
    assert list(organisations_for(member)) == [own]
    assert list(organisations_for(agent)) == [principal]
    assert list(organisations_for(agent, include_mandates=False)) == []
    assert list(organisations_for(member, manage=True)) == [own]


def test_for_citizen_includes_organisation_records_via_organisation_fields():
    member, stranger = make_user(), make_user()
    organisation = make_organisation(owner=member)

    class OrgRecords(TenantQuerySet):
        owner_fields = ()
        organisation_fields = ("memberships__organisation",)

    from amtsweg.accounts.models import Organisation

    qs = OrgRecords(model=Organisation)
    assert list(qs.for_citizen(member)) == [organisation]
    assert list(qs.for_citizen(stranger)) == []


# --- acting context
# -------------------------------------------------------------------------------------------------
def test_acting_for_an_organisation_and_via_a_mandate(client):
    agent = make_user(first_name="Max", last_name="Testmann")
    organisation = make_organisation(owner=agent, name="Muster Bohr GmbH")
    principal = make_user(first_name="Erika", last_name="Beispiel")
    mandate = make_mandate(principal, agent, all_procedures=False, procedure_keys=["bohranzeige"])
    login_citizen(client, agent, TrustLevel.SUBSTANZIELL)
    request = _request(client)
    request.session = client.session

    context = acting.acting_context(request)
    assert context.organisation is None
    assert context.on_behalf_of is None
    assert context.as_record()["trust_level"] == "substanziell"

    context = acting.set_acting_for(request, f"org:{organisation.pk}")
    assert context.organisation == organisation
    assert context.as_record()["organisation_name"] == "Muster Bohr GmbH"

    context = acting.set_acting_for(request, f"mandate:{mandate.pk}")
    assert context.on_behalf_of == principal
    assert context.mandate == mandate
    assert context.may_submit("bohranzeige")
    assert not context.may_submit("gewerbe-anmeldung")
    assert context.as_record() == {
        "user_id": agent.pk,
        "user_name": "Max Testmann",
        "organisation_id": None,
        "organisation_name": "",
        "on_behalf_of_id": principal.pk,
        "on_behalf_of_name": "Erika Beispiel",
        "mandate_id": mandate.pk,
        "trust_level": "substanziell",
    }
    # The mandate is revoked: the next read falls back to acting for oneself.
    mandate.revoked_at = timezone.now()
    mandate.save()
    context = acting.acting_context(request)
    assert context.on_behalf_of is None
    assert context.mandate is None
    assert acting.SESSION_KEY not in request.session


@pytest.mark.parametrize(
    "value", ["org:999999", "mandate:999999", "org:abc", "person:1", "org:" + "9" * 40, ""]
)
def test_acting_for_something_not_allowed(client, value):
    user = make_user()
    login_citizen(client, user)
    request = _request(client)
    request.session = client.session
    with pytest.raises(acting.ActingChoiceError):
        acting.set_acting_for(request, value)


def test_switch_acting_view(client):
    user = make_user()
    organisation = make_organisation(owner=user, name="Friseursalon Haarscharf Beispiel")
    login_citizen(client, user)
    response = client.post("/konto/handeln-fuer/", {"acting_for": f"org:{organisation.pk}"})
    assert response.status_code == 302
    assert "Friseursalon Haarscharf Beispiel" in client.get("/konto/").content.decode()
    other = make_organisation(owner=make_user())
    client.post("/konto/handeln-fuer/", {"acting_for": f"org:{other.pk}"})
    assert client.session["amtsweg.acting_for"] == {"organisation": organisation.pk}


# --- transparency log service
# ----------------------------------------------------------------------------------------
def test_record_data_access_by_a_member():
    authority = make_authority("Landratsamt Testkreis")
    worker, _d, _m = make_staff(authority)
    citizen = make_user()
    record = record_data_access(citizen, authority, worker, "Prüfung der Bohranzeige", "BOHR-2026-0001")
    assert record.subject_user == citizen
    assert record.actor == worker
    assert DataAccessRecord.objects.for_citizen(citizen).get() == record


def test_record_data_access_refuses_outsiders_and_missing_purpose():
    authority, other = make_authority(), make_authority()
    outsider, _d, _m = make_staff(other)
    citizen = make_user()
    with pytest.raises(DataAccessNotAllowed):
        record_data_access(citizen, authority, outsider, "Neugier")
    with pytest.raises(ValueError, match="purpose"):
        record_data_access(citizen, authority, None, "   ")
    assert DataAccessRecord.objects.count() == 0
