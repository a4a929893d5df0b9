"""The citizen's pages through HTTP, including the bad input the issue lists: tampered step order, skipped
steps,
disguised uploads, double clicks and replays, other citizens' ids, a missing trust level, no half-created
cases."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from engine_fixtures import citizen, login_citizen, small_pdf

from amtsweg.cases import services
from amtsweg.cases.models import (
    Attachment,
    AuditEvent,
    Case,
    CasePart,
    Draft,
    EncryptedPayload,
    OutboxMessage,
)

pytestmark = pytest.mark.django_db

STEP_DATA = [
    {"vorname": "Erika", "nachname": "Musterfrau", "geburtsdatum": "1980-05-17"},
    {
        "betriebsname": "Salon Quirl",
        "taetigkeit": "Friseur",
        "plz": "09599",
        "beginn": "2026-12-01",
        "beschaeftigte": "2",
        "art": "handwerk",
    },
    {},
    {"richtig": "on"},
]


def start(client, key="test-gewerbe"):
    response = client.post(reverse("cases:start", args=[key]))
    assert response.status_code == 303
    return Draft.objects.latest("created_at")


def step_url(draft, index):
    return reverse("cases:step", args=[draft.pk, index])


def complete(client, draft):
    for index, data in enumerate(STEP_DATA):
        payload = dict(data, aktion="weiter")
        if index == 2:
            payload["ausweis"] = SimpleUploadedFile("ausweis.pdf", small_pdf())
        response = client.post(step_url(draft, index), payload)
        assert response.status_code == 303, response.content.decode()[:2000]


def test_start_needs_login_and_unknown_procedures_are_404(client, world):
    response = client.get(reverse("cases:start", args=["test-gewerbe"]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    login_citizen(client, world.citizen)
    assert client.get(reverse("cases:start", args=["gibt-es-nicht"])).status_code == 404


def test_full_application_through_http(client, world):
    login_citizen(client, world.citizen)
    page = client.get(reverse("cases:start", args=["test-gewerbe"]))
    assert "4 Schritte" in page.content.decode()
    draft = start(client)
    first = client.get(step_url(draft, 0)).content.decode()
    assert "Schritt 1 von 4" in first
    assert 'value="Erika"' in first
    complete(client, draft)
    review = client.get(reverse("cases:review", args=[draft.pk]))
    text = review.content.decode()
    assert "Salon Quirl" in text
    assert "Stadtverwaltung Freiberg" in text
    assert "26,00" in text
    assert "verbindlich" in text
    assert "§ 3a Abs. 5 VwVfG" in text
    key = str(uuid.uuid4())
    response = client.post(
        reverse("cases:review", args=[draft.pk]), {"einreichungsschluessel": key, "bestaetigung": "ja"}
    )
    assert response.status_code == 303
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    detail = client.get(response["Location"]).content.decode()
    assert case.number in detail
    assert "in Bearbeitung" in detail
    assert "Antrag zurückziehen" in detail
    assert case.number in client.get(reverse("cases:my_cases")).content.decode()
    copy = client.get(reverse("cases:copy", args=[case.public_id])).content.decode()
    assert "Salon Quirl" in copy


def test_double_click_and_replay_create_exactly_one_case(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    complete(client, draft)
    url = reverse("cases:review", args=[draft.pk])
    key = str(uuid.uuid4())
    first = client.post(url, {"einreichungsschluessel": key, "bestaetigung": "ja"})
    second = client.post(url, {"einreichungsschluessel": key, "bestaetigung": "ja"})
    replay_other_key = client.post(url, {"einreichungsschluessel": str(uuid.uuid4()), "bestaetigung": "ja"})
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"] == replay_other_key["Location"]
    # The same key used directly against the service also answers with the same case.
    case, created = services.submit(draft, world.citizen, None, key)
    assert not created
    assert case == Case.objects.get()


def test_missing_or_forged_idempotency_key_is_refused(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    complete(client, draft)
    response = client.post(
        reverse("cases:review", args=[draft.pk]),
        {"einreichungsschluessel": "kein-uuid", "bestaetigung": "ja"},
    )
    assert response.status_code == 422
    assert "Seite neu" in response.content.decode()
    assert not Case.objects.exists()


def test_confirmation_is_required(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    complete(client, draft)
    response = client.post(
        reverse("cases:review", args=[draft.pk]), {"einreichungsschluessel": str(uuid.uuid4())}
    )
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_tampered_step_order_and_skipped_steps(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    # Jumping ahead by URL: sent back to the first open step.
    response = client.get(step_url(draft, 3))
    assert response.status_code == 303
    assert response["Location"] == step_url(draft, 0)
    # Posting a later step's data directly: refused, nothing stored.
    response = client.post(step_url(draft, 3), {"richtig": "on", "aktion": "weiter"})
    assert response.status_code == 303
    assert response["Location"] == step_url(draft, 0)
    draft.refresh_from_db()
    assert draft.completed_steps == -1
    assert "richtig" not in services.draft_values(draft)
    # The review page before every step is done: redirected, and submitting is impossible.
    assert client.get(reverse("cases:review", args=[draft.pk]))["Location"] == step_url(draft, 0)
    response = client.post(
        reverse("cases:review", args=[draft.pk]),
        {"einreichungsschluessel": str(uuid.uuid4()), "bestaetigung": "ja"},
    )
    assert response.status_code == 303
    assert not Case.objects.exists()
    # Extra fields of other steps in a POST are ignored, not stored.
    client.post(step_url(draft, 0), dict(STEP_DATA[0], richtig="on", plz="99999", aktion="weiter"))
    draft.refresh_from_db()
    values = services.draft_values(draft)
    assert "richtig" not in values
    assert "plz" not in values
    assert values["vorname"] == "Erika"
    # Out of range: 404.
    assert client.get(step_url(draft, 99)).status_code == 404


def test_validation_errors_are_german_and_inline_check_works(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    client.post(step_url(draft, 0), dict(STEP_DATA[0], aktion="weiter"))
    response = client.post(
        step_url(draft, 1),
        {
            "betriebsname": "",
            "taetigkeit": "alles",
            "plz": "0959",
            "beginn": "31.02.2026",
            "aktion": "weiter",
        },
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "Bitte füllen Sie dieses Feld aus." in text
    assert "nicht „alles“" in text
    assert "fünf Ziffern" in text
    assert "gültiges Datum" in text
    inline = client.post(
        reverse("cases:check_field", args=[draft.pk, 1, "plz"]), {"plz": "12"}, HTTP_HX_REQUEST="true"
    )
    assert inline.status_code == 200
    assert "fünf Ziffern" in inline.content.decode()
    assert 'id="feld-plz"' in inline.content.decode()
    assert client.post(reverse("cases:check_field", args=[draft.pk, 1, "geheim"]), {}).status_code == 404
    # A postal code outside Saxony is explained, not guessed.
    response = client.post(step_url(draft, 1), dict(STEP_DATA[1], plz="10115", aktion="weiter"))
    assert response.status_code == 422
    assert "nicht in Sachsen" in response.content.decode()


def test_ambiguous_postal_code_asks_for_the_place(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    client.post(step_url(draft, 0), dict(STEP_DATA[0], aktion="weiter"))
    response = client.post(step_url(draft, 1), dict(STEP_DATA[1], plz="09600", aktion="weiter"))
    assert response.status_code == 422
    assert "Testdorf-Ost" in response.content.decode()
    response = client.post(
        step_url(draft, 1), dict(STEP_DATA[1], plz="09600", aktion="weiter", __place_id=str(world.dorf_a.pk))
    )
    assert response.status_code == 303
    draft.refresh_from_db()
    authority, _ags = services.find_authority(
        services.registry.get("test-gewerbe"), services.draft_values(draft)
    )
    assert authority.key == "gemeinde-testdorf-ost"


def test_disguised_and_oversized_uploads_are_refused_with_a_clear_message(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    complete_two = STEP_DATA[:2]
    for index, data in enumerate(complete_two):
        client.post(step_url(draft, index), dict(data, aktion="weiter"))
    exe = SimpleUploadedFile("ausweis.pdf", b"MZ" + b"\x00" * 4000, content_type="application/pdf")
    response = client.post(step_url(draft, 2), {"ausweis": exe, "aktion": "weiter"})
    assert response.status_code == 422
    assert "keine zulässige Datei" in response.content.decode()
    huge = SimpleUploadedFile(
        "riesig.pdf", small_pdf() + b"0" * (3 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(step_url(draft, 2), {"ausweis": huge, "aktion": "weiter"})
    assert response.status_code == 422
    assert "höchstens 2,0 MB" in response.content.decode()
    draft.refresh_from_db()
    assert services.draft_values(draft).get("ausweis", []) == []
    assert draft.completed_steps == 1


def test_another_citizens_draft_and_case_are_404(client, world):
    owner = world.citizen
    login_citizen(client, owner)
    draft = start(client)
    complete(client, draft)
    client.post(
        reverse("cases:review", args=[draft.pk]),
        {"einreichungsschluessel": str(uuid.uuid4()), "bestaetigung": "ja"},
    )
    other_draft = start(client)
    case = Case.objects.get()
    intruder = citizen(first_name="Ingo")
    client.logout()
    login_citizen(client, intruder)
    assert client.get(step_url(other_draft, 0)).status_code == 404
    assert client.post(step_url(other_draft, 0), dict(STEP_DATA[0], aktion="weiter")).status_code == 404
    assert client.post(reverse("cases:delete_draft", args=[other_draft.pk])).status_code == 404
    assert client.get(reverse("cases:review", args=[draft.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[case.public_id])).status_code == 404
    assert client.get(reverse("cases:copy", args=[case.public_id])).status_code == 404
    assert client.post(reverse("cases:withdraw", args=[case.public_id])).status_code == 404
    assert client.get(reverse("cases:after_payment", args=[case.public_id])).status_code == 404
    assert case.number not in client.get(reverse("cases:my_cases")).content.decode()
    case.refresh_from_db()
    assert case.state == "in_review"
    assert Draft.objects.filter(pk=other_draft.pk).exists()


def test_missing_trust_level_leads_to_step_up_not_a_dead_end(client, world):
    login_citizen(client, world.citizen, level="niedrig")
    response = client.get(reverse("cases:start", args=["test-abmeldung"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "stufe=substanziell" in response["Location"]
    assert "next=" in response["Location"]
    # Also the submission itself re-checks the session's level.
    draft = services.start_draft(world.citizen, "test-abmeldung")
    assert client.get(reverse("cases:review", args=[draft.pk])).status_code == 302
    with pytest.raises(services.CaseError, match="Vertrauensniveau"):
        services.submit(draft, world.citizen, None, uuid.uuid4(), trust_level="niedrig")
    assert not Case.objects.exists()


def test_no_half_created_case_when_something_fails_inside(client, world, monkeypatch):
    login_citizen(client, world.citizen)
    draft = start(client)
    complete(client, draft)

    def explode(*args, **kwargs):
        raise RuntimeError("Festplatte voll")

    monkeypatch.setattr("amtsweg.cases.services.outbox.enqueue", explode)
    with pytest.raises(RuntimeError):
        client.post(
            reverse("cases:review", args=[draft.pk]),
            {"einreichungsschluessel": str(uuid.uuid4()), "bestaetigung": "ja"},
        )
    for model in (Case, CasePart, EncryptedPayload, Attachment, OutboxMessage):
        assert not model.objects.exists(), model
    assert not AuditEvent.objects.filter(kind="submitted").exists()
    draft.refresh_from_db()
    assert draft.status == Draft.Status.OPEN
    assert services.draft_values(draft)["ausweis"]


def test_withdraw_while_allowed(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    complete(client, draft)
    client.post(
        reverse("cases:review", args=[draft.pk]),
        {"einreichungsschluessel": str(uuid.uuid4()), "bestaetigung": "ja"},
    )
    case = Case.objects.get()
    response = client.post(reverse("cases:withdraw", args=[case.public_id]))
    assert response.status_code == 303
    case.refresh_from_db()
    assert case.state == "withdrawn"
    assert case.closed_at is not None
    client.post(reverse("cases:withdraw", args=[case.public_id]))
    assert AuditEvent.objects.filter(case=case, to_state="withdrawn").count() == 1
    assert (
        "Antrag zurückziehen"
        not in client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    )


def test_save_and_resume_from_another_device(client, world, django_user_model):
    from django.test import Client

    login_citizen(client, world.citizen)
    draft = start(client)
    response = client.post(step_url(draft, 0), {"vorname": "Erika", "nachname": "", "aktion": "speichern"})
    assert response.status_code == 303
    other_device = login_citizen(Client(), world.citizen)
    listing = other_device.get(reverse("cases:my_cases")).content.decode()
    assert step_url(draft, 0) in listing
    page = other_device.get(step_url(draft, 0)).content.decode()
    assert 'value="Erika"' in page


def test_delete_draft(client, world):
    login_citizen(client, world.citizen)
    draft = start(client)
    assert client.post(reverse("cases:delete_draft", args=[draft.pk])).status_code == 303
    assert not Draft.objects.filter(pk=draft.pk).exists()
