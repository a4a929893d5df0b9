"""State machine, outbox, follow-up questions through HTTP, the overdue lists and the draft purge."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from engine_fixtures import Acting, citizen, drain, login_citizen, small_pdf, staff
from test_procedure_shapes import fill

from amtsweg.cases import outbox, services, states
from amtsweg.cases.models import AuditEvent, Case, Draft, DraftFile, InformationRequest, OutboxMessage
from amtsweg.cases.states import State

pytestmark = pytest.mark.django_db


def submitted(world, key="test-gewerbe", **overrides):
    user = world.citizen
    files = {"ausweis": [SimpleUploadedFile("a.pdf", small_pdf())]} if key == "test-gewerbe" else None
    draft = fill(user, key, files=files, **overrides)
    level = "substanziell" if key == "test-abmeldung" else "niedrig"
    case, _created = services.submit(draft, user, Acting(user, level), uuid.uuid4())
    return case


def test_only_declared_transitions_exist(world):
    case = submitted(world)
    staff_user = world.stadt_staff[0]
    targets = {t.target for t in services.allowed_transitions(case, staff_user)}
    assert targets == {
        State.INFORMATION_REQUESTED,
        State.DECIDED,
        State.REJECTED,
        State.CLOSED,
        State.FOLLOW_UP_PENDING,
    }
    with pytest.raises(services.TransitionNotAllowed, match="nicht möglich"):
        services.transition(case, State.DELIVERED, staff_user)
    with pytest.raises(services.TransitionNotAllowed):
        services.transition(case, "erfunden", staff_user)
    # The citizen may only withdraw; staff of another authority may do nothing.
    assert {t.target for t in services.allowed_transitions(case, world.citizen)} == {State.WITHDRAWN}
    with pytest.raises(services.TransitionNotAllowed):
        services.decide(case, world.citizen, "granted")
    other, _device = staff(world.landratsamt)
    assert services.allowed_transitions(case, other) == []
    with pytest.raises(services.TransitionNotAllowed):
        services.transition(case, State.CLOSED, other)
    # Every declared transition names known states and actors.
    for transition in states.TRANSITIONS:
        assert transition.source in State.values
        assert transition.target in State.values
        assert transition.actors <= {"citizen", "staff", "system"}


def test_a_decision_cannot_be_issued_twice_and_stale_versions_are_refused(world):
    case = submitted(world)
    staff_user = world.stadt_staff[0]
    with pytest.raises(services.StaleCase, match="inzwischen"):
        services.decide(case, staff_user, "granted", expected_version=case.version - 1)
    services.decide(case, staff_user, "granted", expected_version=Case.objects.get(pk=case.pk).version)
    with pytest.raises(services.TransitionNotAllowed, match="bereits entschieden"):
        services.decide(case, staff_user, "granted")


def test_outbox_retry_never_sends_twice(world):
    calls = []

    @outbox.handler("test-mail")
    def flaky(message):
        calls.append(message.pk)
        if len(calls) == 1:
            raise ConnectionError("Mailserver nicht erreichbar")
        from django.core.mail import send_mail

        send_mail("Test", "Hallo", None, ["empfaenger@example.org"])
        return "sent"

    from django.db import transaction

    with transaction.atomic():
        message = outbox.enqueue("test-mail", payload={"n": 1})
    drain()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DONE
    assert message.attempts == 2
    assert len(calls) == 2
    assert len(mail.outbox) == 1
    # Running the task again (a duplicate delivery of the task) does nothing.
    assert outbox.process(message.pk) == "already done"
    from amtsweg.cases.tasks import process_outbox

    process_outbox.call(str(message.pk))
    assert len(mail.outbox) == 1
    assert len(calls) == 2


def test_outbox_enqueue_needs_the_state_change_transaction(world):
    from django.db import transaction

    with pytest.raises(outbox.UnknownOutboxKind), transaction.atomic():
        outbox.enqueue("gibt-es-nicht")


def test_follow_up_question_reopens_exactly_the_requested_fields(client, world):
    case = submitted(world)
    drain()
    staff_user = world.stadt_staff[0]
    with pytest.raises(services.CaseError, match="gibt es in diesem Verfahren nicht"):
        services.request_information(case, staff_user, fields=["erfunden"], note="x")
    with pytest.raises(services.CaseError, match="kein Dokument"):
        services.request_information(case, staff_user, documents=["taetigkeit"], note="x")
    with pytest.raises(services.CaseError, match="Zukunft"):
        services.request_information(
            case, staff_user, fields=["taetigkeit"], note="x", deadline=timezone.localdate()
        )
    inquiry = services.request_information(
        case, staff_user, fields=["taetigkeit"], documents=["ausweis"], note="Bitte genauer."
    )
    drain()
    from amtsweg.postbox.models import Message

    message = Message.objects.get(reference=case.reference, subject__startswith="Rückfrage")
    url = reverse("cases:answer", args=[case.public_id, inquiry.pk])
    assert url in message.body
    login_citizen(client, world.citizen)
    page = client.get(url).content.decode()
    assert 'name="taetigkeit"' in page
    assert "Friseurhandwerk, Haarpflege" in page
    assert 'name="betriebsname"' not in page
    assert 'name="ausweis"' in page
    # A tampered POST that also changes another field is refused.
    tampered = client.post(url, {"taetigkeit": "Herrenfriseur", "betriebsname": "Anderer Name"})
    assert tampered.status_code == 400
    inquiry.refresh_from_db()
    assert inquiry.status == InformationRequest.Status.OPEN
    answer = client.post(
        url, {"taetigkeit": "Herrenfriseur", "ausweis": SimpleUploadedFile("neu.pdf", small_pdf())}
    )
    assert answer.status_code == 303
    inquiry.refresh_from_db()
    case.refresh_from_db()
    assert inquiry.status == InformationRequest.Status.ANSWERED
    assert case.state == State.IN_REVIEW
    assert AuditEvent.objects.filter(case=case, kind="information_answered").count() == 1
    content = services.read_submission(case, staff_user, "Antwort")
    assert content["answers"][0]["values"]["taetigkeit"] == "Herrenfriseur"
    assert content["submission"]["values"]["taetigkeit"] == "Friseurhandwerk, Haarpflege"
    assert client.post(url, {"taetigkeit": "nochmal"}).status_code == 303
    assert InformationRequest.objects.get(pk=inquiry.pk).answered_at is not None
    # Another citizen cannot open the question.
    client.logout()
    login_citizen(client, citizen())
    assert client.get(url).status_code == 404


def test_overdue_lists_for_the_back_office(world):
    case = submitted(world)
    staff_user = world.stadt_staff[0]
    inquiry = services.request_information(
        case,
        staff_user,
        fields=["taetigkeit"],
        note="Bitte genauer.",
        deadline=timezone.localdate() + dt.timedelta(days=1),
    )
    later = timezone.localdate() + dt.timedelta(days=30)
    assert list(services.overdue_information_requests(staff_user, today=later)) == [inquiry]
    assert services.overdue_information_requests(world.lra_staff[0], today=later).count() == 0
    keys = set(services.overdue_deadlines(staff_user, today=later).values_list("key", flat=True))
    assert f"information:{inquiry.pk}" in keys
    assert "processing" in keys


def test_routed_case_follow_up_overdue_list(world):
    case = submitted(world, "test-bohrung")
    late = dt.date(2027, 7, 1)
    assert [f.case for f in services.overdue_follow_ups(world.lfulg_staff[0], today=late)] == [case]
    assert services.overdue_follow_ups(world.stadt_staff[0], today=late).count() == 0


def test_purge_drafts_after_thirty_days(world):
    user = world.citizen
    old = services.start_draft(user, "test-gewerbe")
    services.add_files(old, "ausweis", [SimpleUploadedFile("a.pdf", small_pdf())])
    fresh = services.start_draft(user, "test-gewerbe")
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    assert services.purge_drafts() == 1
    assert not Draft.objects.filter(pk=old.pk).exists()
    assert Draft.objects.filter(pk=fresh.pk).exists()
    assert not DraftFile.objects.exists()


def test_payment_first_case_waits_for_the_payment_signal(world):
    from amtsweg.payments import signals
    from amtsweg.payments.models import PaymentRequest

    case = submitted(world, "test-abmeldung")
    assert case.state == State.PAYMENT_PENDING
    request = PaymentRequest.objects.get(reference=case.reference)
    for _ in range(2):  # a duplicate notification changes nothing
        signals.payment_request_paid.send(
            sender=PaymentRequest, payment_request=request, payment=None, reference=request.reference
        )
    case.refresh_from_db()
    assert case.state == State.DECIDED
    assert AuditEvent.objects.filter(case=case, kind="payment_received").count() == 1


def test_withdrawal_cancels_the_open_fee(world):
    from amtsweg.payments.models import PaymentRequest

    case = submitted(world, "test-abmeldung")
    services.withdraw(case, world.citizen)
    drain()
    assert PaymentRequest.objects.get(reference=case.reference).state == "cancelled"
    with pytest.raises(services.TransitionNotAllowed):
        services.withdraw(case, world.citizen)


def test_follow_up_reminder_is_sent_once_before_the_deadline(world):
    from amtsweg.postbox.models import Message

    case = submitted(world, "test-bohrung")
    assert services.remind_follow_ups(today=dt.date(2027, 5, 1)) == 0  # due 08.06.2027, reminder from 25.05.
    assert services.remind_follow_ups(today=dt.date(2027, 5, 26)) == 1
    assert services.remind_follow_ups(today=dt.date(2027, 5, 27)) == 0
    drain()
    reminder = Message.objects.get(reference=case.reference, subject__startswith="Erinnerung")
    assert reverse("cases:follow_up", args=[case.public_id, "ergebnisse"]) in reminder.body


def test_assignment_within_the_authority_only(world):
    case = submitted(world)
    part = case.parts.get()
    worker = world.stadt_staff[0]
    services.assign(part, worker, worker)
    part.refresh_from_db()
    assert part.assignee == worker
    assert AuditEvent.objects.filter(case=case, kind="assigned").count() == 1
    with pytest.raises(services.CaseError, match="keine Vorgänge dieser Behörde"):
        services.assign(part, worker, world.lra_staff[0])
    with pytest.raises(services.AccessDenied):
        services.assign(part, world.lra_staff[0], world.lra_staff[0])
