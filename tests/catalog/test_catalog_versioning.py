"""Every edit of a service leaves a version with timestamp, author and the full description."""

import json

import pytest
from django.contrib.auth import get_user_model

from amtsweg.catalog import services
from amtsweg.catalog.models import LifeSituation, Service, ServiceVersion
from amtsweg.catalog.versioning import editing, history


@pytest.mark.django_db
def test_update_service_records_one_version_with_author(sample_catalog):
    services.update_service(
        "gewerbe-anmelden",
        {"processing_time": "Sofort.", "life_situations": ["auto-und-verkehr"]},
        author="erika",
    )
    versions = list(ServiceVersion.objects.filter(service__key="gewerbe-anmelden").order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    latest = versions[-1]
    assert latest.author == "erika"
    assert latest.data["processing_time"] == "Sofort."
    assert latest.data["life_situations"] == ["auto-und-verkehr"]
    assert versions[0].data["processing_time"].startswith("In der Regel")  # the old text is kept
    rows = history(Service.objects.get(key="gewerbe-anmelden"))
    assert rows[0]["changed_fields"] == ["life_situations", "processing_time"]


@pytest.mark.django_db
def test_plain_save_outside_the_service_layer_is_versioned_too(sample_catalog):
    service = Service.objects.get(key="bohranzeige")
    service.remarks = "Neu: auch für Brunnen."
    service.save()
    assert service.versions.count() == 2
    assert service.versions.first().data["remarks"] == "Neu: auch für Brunnen."
    service.save()  # nothing changed: no new version
    assert service.versions.count() == 2


@pytest.mark.django_db
def test_changing_life_situations_from_the_other_side_is_versioned(sample_catalog):
    situation = LifeSituation.objects.get(key="bauen-und-wohnen")
    with editing("redaktion"):
        situation.services.add(Service.objects.get(key="gewerbe-anmelden"))
    latest = ServiceVersion.objects.filter(service__key="gewerbe-anmelden").order_by("-number").first()
    assert latest.number == 2
    assert latest.author == "redaktion"
    assert latest.data["life_situations"] == ["bauen-und-wohnen", "unternehmen-gruenden"]


@pytest.mark.django_db
def test_failed_edit_leaves_no_version(sample_catalog):
    with pytest.raises(services.CatalogError):
        services.update_service("gewerbe-anmelden", {"key": "anders"}, author="erika")
    with pytest.raises(services.UnknownService):
        services.update_service("gibt-es-nicht", {"remarks": "x"}, author="erika")
    with pytest.raises(services.CatalogError, match="ungültig"):
        services.update_service("gewerbe-anmelden", {"level": "galaxie"}, author="erika")
    assert ServiceVersion.objects.filter(service__key="gewerbe-anmelden").count() == 1
    assert Service.objects.get(key="gewerbe-anmelden").level == "gemeinde"


@pytest.mark.django_db
def test_admin_edit_records_the_operator_and_shows_history(rf, sample_catalog):
    """The operators' admin saves through `editing`, so the version names the operator (the admin's
    second-factor gate is django-otp's business; the view is called directly here)."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from amtsweg.catalog.admin import ServiceAdmin

    operator = get_user_model().objects.create_superuser(
        "betrieb", "betrieb@example.org", "ein-langes-passwort-42"
    )
    service = Service.objects.get(key="fahrzeug-ausser-betrieb")
    model_admin = ServiceAdmin(Service, admin.site)

    def request(method, data=None):
        req = getattr(rf, method)(f"/betrieb/admin/catalog/service/{service.pk}/change/", data or {})
        req.user = operator
        req.user.is_verified = lambda: (
            True
        )  # as django-otp's middleware marks an operator with a second factor
        req.session = SessionStore()
        req._messages = FallbackStorage(req)
        req._dont_enforce_csrf_checks = True
        return req

    page = model_admin.changeform_view(request("get"), str(service.pk))
    form = page.context_data["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name == "life_situations":
            data[name] = [str(s.pk) for s in service.life_situations.all()]
        elif isinstance(value, list | dict):
            data[name] = json.dumps(value)
        else:
            data[name] = "" if value is None else value
    data["remarks"] = "Geändert im Betrieb."
    version_pk = service.versions.first().pk
    data.update({"versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "1", "versions-MIN_NUM_FORMS": "0",
                 "versions-MAX_NUM_FORMS": "1000", "versions-0-id": str(version_pk),
                 "versions-0-service": str(service.pk)})  # fmt: skip
    response = model_admin.changeform_view(request("post", data), str(service.pk))
    assert response.status_code == 302, getattr(response, "context_data", {}).get("errors")
    latest = service.versions.order_by("-number").first()
    assert latest.number == 2
    assert latest.author == "betrieb"
    assert latest.data["remarks"] == "Geändert im Betrieb."
    assert "remarks" in str(model_admin.changes(service))
