"""The engine carries the three shapes end to end (on SQLite and PostgreSQL): reviewed, routed with follow-up,
automatic with payment first and sample review."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from engine_fixtures import Acting, drain, full_values, small_pdf

from amtsweg.accounts.models import DataAccessRecord
from amtsweg.cases import services
from amtsweg.cases.models import (
    AuditEvent,
    Case,
    CaseDeadline,
    Decision,
    EncryptedPayload,
    FollowUpSubmission,
    OutboxMessage,
)
from amtsweg.cases.states import State
from amtsweg.procedures import registry

pytestmark = pytest.mark.django_db


def fill(user, key, files=None, **overrides):
    """A complete draft through the service functions (the HTTP path has its own tests)."""
    draft = services.start_draft(user, key, Acting(user))
    procedure = registry.get(key)
    values = full_values(key, **overrides)
    for index, step in enumerate(procedure.steps):
        cleaned = {}
        for item in step.fields:
            if item.kind == "file":
                continue
            value = values.get(item.name)
            if item.kind == "date" and value:
                value = dt.date.fromisoformat(value)
            cleaned[item.name] = value
        services.save_step_values(draft, index, cleaned)
        for item in step.fields:
            if item.kind == "file" and files and item.name in files:
                services.add_files(draft, item.name, files[item.name])
    draft.refresh_from_db()
    return draft


def upload(name="ausweis.pdf", data=None):
    return SimpleUploadedFile(name, data if data is not None else small_pdf())


def test_shape_a_reviewed_by_a_case_worker(world):
    user = world.citizen
    draft = fill(user, "test-gewerbe", files={"ausweis": [upload()]})
    case, created = services.submit(draft, user, Acting(user), uuid.uuid4())
    assert created
    assert case.number == f"STADT-FREIBERG-{dt.date.today().year}-000001"
    assert case.authority == world.stadt
    assert case.state == State.IN_REVIEW
    assert case.due_on is not None
    drain()
    assert OutboxMessage.objects.filter(case=case).exclude(status="done").count() == 0
    from amtsweg.payments.services import request_for_reference
    from amtsweg.postbox.services import deliveries_for_reference

    assert request_for_reference(case.reference).amount_cents == 2600
    receipt = deliveries_for_reference(case.reference).get()
    assert receipt.document.doc_type == "eingangsbestaetigung"

    staff, _device = world.stadt_staff
    assert list(services.worklist(staff).values_list("case_id", flat=True)) == [case.pk]
    content = services.read_submission(case, staff, "Prüfung der Gewerbeanzeige")
    assert content["submission"]["values"]["betriebsname"] == "Friseursalon Zauberschnitt-Quirlwitz"
    assert DataAccessRecord.objects.filter(subject_user=user, authority=world.stadt, actor=staff).count() == 1
    attachment_id = content["submission"]["values"]["ausweis"][0]["id"]
    data, meta = services.read_attachment(case, staff, attachment_id, "Ausweis prüfen")
    assert data == small_pdf()
    assert meta["name"] == "ausweis.pdf"
    assert "key" not in meta

    inquiry = services.request_information(
        case,
        staff,
        fields=["taetigkeit"],
        documents=["ausweis"],
        note="Bitte genauer beschreiben.",
        deadline=dt.date.today() + dt.timedelta(days=14),
    )
    case.refresh_from_db()
    assert case.state == State.INFORMATION_REQUESTED
    drain()
    services.answer_information_request(
        inquiry,
        user,
        {"taetigkeit": "Damen- und Herrenfriseur"},
        ["taetigkeit", "ausweis"],
        {"ausweis": [upload("neu.pdf")]},
    )
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW
    content = services.read_submission(case, staff, "Antwort lesen")
    assert content["answers"][0]["values"]["taetigkeit"] == "Damen- und Herrenfriseur"
    assert AuditEvent.objects.filter(case=case, kind="information_answered").count() == 1

    decision = services.decide(case, staff, "acknowledged", summary="Gewerbeanzeige bestätigt.")
    case.refresh_from_db()
    assert case.state == State.DECIDED
    drain()
    decision.refresh_from_db()
    assert decision.document_id is not None
    case.refresh_from_db()
    assert case.state == State.DELIVERED
    services.transition(case, State.CLOSED, staff)
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert case.retain_until is not None
    kinds = list(case.audit_events.order_by("chain", "seq").values_list("kind", flat=True))
    assert kinds[0] == "submitted"
    assert "decided" in kinds
    assert "data_access" in kinds


def test_shape_b_routed_to_several_authorities_with_follow_up(world):
    user = world.citizen
    draft = fill(user, "test-bohrung")
    case, _created = services.submit(draft, user, Acting(user), uuid.uuid4())
    parts = {p.authority.key: p for p in case.parts.all()}
    assert set(parts) == {"landratsamt-mittelsachsen", "lfulg", "oberbergamt"}
    assert parts["landratsamt-mittelsachsen"].is_lead
    assert parts["landratsamt-mittelsachsen"].number == case.number
    assert parts["lfulg"].number.startswith("LFULG-")
    assert all(p.state == State.IN_REVIEW for p in parts.values())
    assert EncryptedPayload.objects.filter(case=case, kind="submission").count() == 3
    assert FollowUpSubmission.objects.get(case=case).due_on == dt.date(2027, 6, 8)
    assert CaseDeadline.objects.filter(case=case, key="start").exists()
    drain()

    # Each authority sees the case and works its own part.
    lfulg_user = world.lfulg_staff[0]
    oba_user = world.oba_staff[0]
    assert services.worklist(lfulg_user).filter(case=case).count() == 1
    oba_view = services.read_submission(case, oba_user, "Bergrechtliche Prüfung")
    assert set(oba_view["submission"]["values"]) == {"bezeichnung", "plz", "tiefe", "beginn", "ende"}
    lfulg_view = services.read_submission(case, lfulg_user, "Geologische Prüfung")
    assert lfulg_view["submission"]["route"] == "Geologie"
    assert oba_view["submission"]["route"] == "Bergbau"

    services.decide(case, world.lra_staff[0], "acknowledged")
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW  # the other parts are still open
    services.decide(case, lfulg_user, "acknowledged")
    services.decide(case, oba_user, "acknowledged")
    drain()
    case.refresh_from_db()
    assert set(case.parts.values_list("state", flat=True)) == {State.FOLLOW_UP_PENDING}
    assert case.state == State.FOLLOW_UP_PENDING

    services.submit_follow_up(case, user, "ergebnisse", {"schichten": "0–2 m Lehm; 2–120 m Gneis"})
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW
    results = services.read_submission(case, lfulg_user, "Ergebnisse archivieren")
    assert results["follow_ups"][0]["values"]["schichten"].endswith("Gneis")
    for staff_user in (world.lra_staff[0], lfulg_user, oba_user):
        services.transition(case, State.CLOSED, staff_user)
    case.refresh_from_db()
    assert case.state == State.CLOSED


def test_shape_c_automatic_decision_after_payment_with_sample_review(world, monkeypatch):
    user = world.citizen
    monkeypatch.setattr(
        "amtsweg.cases.services.random.random", lambda: 0.1
    )  # drawn for the sample (share 0.5)
    draft = fill(user, "test-abmeldung")
    case, _created = services.submit(draft, user, Acting(user, "substanziell"), uuid.uuid4())
    assert case.state == State.PAYMENT_PENDING
    assert case.planned_outcome == "granted"
    from amtsweg.payments.models import PaymentRequest

    request = PaymentRequest.objects.get(reference=case.reference)  # created at once, the citizen pays now
    assert request.amount_cents == 210
    assert services.on_payment_paid(case.reference) is True
    assert services.on_payment_paid(case.reference) is False  # idempotent
    case.refresh_from_db()
    assert case.state == State.DECIDED
    assert case.decided_automatically
    assert case.sample_review
    drain()
    decision = Decision.objects.get(case=case)
    assert decision.automatic
    assert decision.document_id is not None
    reviewer = world.lra_staff[0]
    assert list(services.sample_review_list(reviewer)) == [decision]
    services.complete_sample_review(decision, reviewer, "confirmed")
    assert list(services.sample_review_list(reviewer)) == []


def test_shape_c_failed_check_goes_to_a_case_worker(world):
    user = world.citizen
    draft = fill(user, "test-abmeldung", code="FALSCH")
    case, _created = services.submit(draft, user, Acting(user, "substanziell"), uuid.uuid4())
    services.on_payment_paid(case.reference)
    case.refresh_from_db()
    assert case.state == State.IN_REVIEW
    assert not case.decided_automatically
    assert {r["key"]: r["passed"] for r in case.check_results} == {"code": False, "kennzeichen": True}
    assert Case.objects.filter(pk=case.pk, decisions__isnull=False).count() == 0
