"""issue() end to end: postbox or print queue, notice, evidence, notification dates, signals, fallbacks."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from postbox_factories import authority, issue_to, organisation, recipient, spec, user

from amtsweg.documents.models import Document
from amtsweg.documents.services import MissingData
from amtsweg.postbox import dates, services, signals
from amtsweg.postbox.models import Delivery, Evidence, ImmutableError, Mailbox, Message, NoticePreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified_calls():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    signals.delivery_notified.connect(receiver)
    yield calls
    signals.delivery_notified.disconnect(receiver)


def test_issue_to_a_citizen_provides_it_in_the_postbox(django_capture_on_commit_callbacks):
    person = user()
    with django_capture_on_commit_callbacks() as callbacks:
        delivery = issue_to(person, reference="vorgang:42")
    assert len(callbacks) == 1  # the notice is queued after commit
    assert delivery.channel == Delivery.Channel.POSTBOX
    assert delivery.rule == dates.POSTBOX_ACCOUNT
    assert delivery.status == Delivery.Status.PROVIDED
    assert delivery.provided_at is not None
    message = Message.objects.get(delivery=delivery)
    assert message.mailbox.user == person
    assert list(message.documents.all()) == [delivery.document]
    (entry,) = Evidence.objects.filter(delivery=delivery)
    assert entry.event == "provided"
    assert entry.document_sha256 == delivery.document.sha256
    assert entry.seal_serial == delivery.document.seal_certificate.serial
    assert entry.rule == "postbox_account"
    assert delivery.notification_date is None  # not before the notice went out


def test_notice_sets_the_date_sends_the_signal_once_and_never_the_content(notified_calls):
    person = user()
    delivery = issue_to(person, reference="vorgang:43")
    assert services.send_notice(delivery.pk) == "sent"
    delivery.refresh_from_db()
    (email,) = mail.outbox
    assert email.to == [person.email]
    assert email.subject == "Neues Dokument in Ihrem amtsweg-Postfach"
    assert "Ein neues Dokument" in email.body or "ein neues Dokument" in email.body
    for secret in ("Gewerbeanmeldung", "Landratsamt", "vollständig", delivery.document.verification_code):
        assert secret not in email.body
        assert secret not in email.subject
    expected = dates.local_date(max(delivery.provided_at, delivery.notice_at)) + dt.timedelta(days=4)
    assert delivery.notification_date == expected
    assert delivery.notification_rule == "postbox_account"
    assert delivery.status == "notified"
    assert delivery.remedy_period_end == dates.objection_period_end(expected)
    assert notified_calls == [
        {
            "signal": signals.delivery_notified,
            "reference": "vorgang:43",
            "date": expected,
            "rule": "postbox_account",
            "remedy_period_end": delivery.remedy_period_end,
            "delivery": mock.ANY,
        }
    ]
    assert (
        services.send_notice(delivery.pk) == "nothing to do"
    )  # idempotent: no second mail, no second signal
    assert len(mail.outbox) == 1
    assert len(notified_calls) == 1
    events = list(Evidence.objects.filter(delivery=delivery).values_list("event", flat=True))
    assert events == ["provided", "notice_sent", "notified"]
    assert services.verify_evidence_chain(delivery)


@pytest.mark.django_db(transaction=True)
def test_notice_task_runs_in_the_worker():
    """Issue commits, the notice is queued on commit, the database worker sends it (as in production)."""
    from amtsweg.documents.defaults import ensure_default_templates

    ensure_default_templates()  # transactional tests start without the data migrations' rows
    person = user()
    delivery = issue_to(person)
    worker_options = ["--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*"]
    call_command("db_worker", *worker_options, verbosity=0)
    delivery.refresh_from_db()
    assert delivery.notice_at is not None
    assert delivery.notification_date is not None
    assert len(mail.outbox) == 1


def test_portal_retrieval_rule(notified_calls):
    person = user()
    delivery = issue_to(person, rule=dates.PORTAL_RETRIEVAL)
    services.send_notice(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.notification_date is None
    assert delivery.retrieval_deadline is not None
    assert "innerhalb von zehn Tagen" in mail.outbox[0].body
    services.record_retrieval(delivery, user=person, session_key="sitzung-1", trust_level="substanziell")
    services.record_retrieval(delivery, user=person, session_key="sitzung-2", trust_level="hoch")
    delivery.refresh_from_db()
    assert delivery.notification_date == dates.local_date(delivery.first_retrieved_at) + dt.timedelta(days=1)
    assert delivery.notification_rule == "portal_retrieval"
    assert len(notified_calls) == 1
    retrievals = Evidence.objects.filter(delivery=delivery, event="retrieved").order_by("sequence")
    assert [(e.actor_id, e.trust_level) for e in retrievals] == [
        (person.pk, "substanziell"),
        (person.pk, "hoch"),
    ]
    assert all(len(e.session_hash) == 64 and "sitzung" not in e.session_hash for e in retrievals)
    assert retrievals[0].session_hash != retrievals[1].session_hash


def test_portal_retrieval_not_in_time_falls_back_to_paper():
    person = user()
    delivery = issue_to(person, rule=dates.PORTAL_RETRIEVAL)
    services.send_notice(delivery.pk)
    fallbacks = []
    signals.delivery_fell_back_to_paper.connect(lambda sender, **kw: fallbacks.append(kw), weak=False)
    try:
        delivery.refresh_from_db()
        assert services.check_deadlines(now=delivery.retrieval_deadline - dt.timedelta(seconds=1)) == 0
        assert services.check_deadlines(now=delivery.retrieval_deadline) == 1
    finally:
        signals.delivery_fell_back_to_paper.receivers.clear()
    delivery.refresh_from_db()
    assert delivery.channel == "post"
    assert delivery.rule == "post"
    assert delivery.status == "print_queued"
    assert "zehn Tagen" in delivery.electronic_failure
    assert fallbacks
    assert fallbacks[0]["reference"] == delivery.reference
    # a late retrieval is recorded but changes nothing
    services.record_retrieval(delivery, user=person, session_key="spät", trust_level="niedrig")
    delivery.refresh_from_db()
    assert delivery.notification_date is None
    events = list(Evidence.objects.filter(delivery=delivery).values_list("event", flat=True))
    assert events == ["provided", "notice_sent", "electronic_failed", "print_queued", "retrieved"]


def test_without_electronic_access_it_goes_to_the_print_queue(notified_calls):
    person = user()
    Mailbox.objects.create(user=person, electronic_access=False)
    delivery = issue_to(person)
    assert delivery.channel == "post"
    assert delivery.status == "print_queued"
    assert delivery.rule == "post"
    assert delivery.postal_address == ["Hauptstraße 1", "02625 Bautzen"]
    clerk = user()
    services.mark_printed(delivery, by=clerk)
    posted = services.mark_posted(delivery, posted_on=timezone.localdate(), by=clerk)
    assert posted.notification_date == dates.post_fiction_date(timezone.localdate())
    assert posted.notification_rule == "post"
    assert posted.status == "posted"
    assert notified_calls[0]["rule"] == "post"
    assert services.verify_evidence_chain(delivery)


def test_recipient_without_account_goes_to_paper():
    delivery = issue_to(None)
    assert delivery.channel == "post"
    assert delivery.mailbox is None
    assert not Message.objects.exists()


def test_explicit_post_rule_sends_a_letter_and_keeps_a_copy_in_the_postbox():
    person = user()
    delivery = issue_to(person, rule=dates.POST)
    assert delivery.channel == "post"
    assert Message.objects.get(delivery=delivery).mailbox.user == person


def test_mark_posted_rejects_bad_dates():
    delivery = issue_to(None)
    clerk = user()
    for bad in (timezone.localdate() + dt.timedelta(days=1), dt.date(2020, 1, 1), "2026-11-27", None):
        with pytest.raises(services.DeliveryError):
            services.mark_posted(delivery, posted_on=bad, by=clerk)
    services.mark_posted(delivery, posted_on=timezone.localdate(), by=clerk)
    with pytest.raises(services.DeliveryError, match="bereits"):
        services.mark_posted(delivery, posted_on=timezone.localdate(), by=clerk)


def test_no_email_address_falls_back_to_paper():
    person = user(email=None)
    delivery = issue_to(person)
    assert services.send_notice(delivery.pk) == "no address"
    delivery.refresh_from_db()
    assert delivery.channel == "post"
    assert delivery.status == "print_queued"
    assert not mail.outbox


def test_failing_mail_server_retries_then_falls_back_to_paper():
    person = user()
    delivery = issue_to(person)
    with mock.patch("amtsweg.postbox.services.send_mail", side_effect=OSError("SMTP down")):
        for _ in range(services.MAX_NOTICE_ATTEMPTS - 1):
            with pytest.raises(OSError, match="SMTP down"):
                services.send_notice(delivery.pk)
        assert services.send_notice(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.channel == "post"
    assert delivery.notice_at is None
    assert (
        Evidence.objects.filter(delivery=delivery, event="notice_failed").count()
        == services.MAX_NOTICE_ATTEMPTS
    )


def test_organisation_mailbox_notifies_members_and_functional_address():
    alice, bob, carol = user(), user(), user()
    company = organisation(alice, bob)
    NoticePreference.objects.create(user=bob, email_for_organisations=False)
    delivery = issue_to(org=company)
    Mailbox.objects.filter(pk=delivery.mailbox_id).update(notice_email="post@baeckerei.example")
    services.send_notice(delivery.pk)
    recipients = sorted(address for email in mail.outbox for address in email.to)
    assert recipients == sorted(["post@baeckerei.example", alice.email])
    assert carol.email not in recipients
    with pytest.raises(services.DeliveryAccessDenied):
        services.record_retrieval(delivery, user=carol, session_key="x")
    services.record_retrieval(delivery, user=bob, session_key="y", trust_level="substanziell")


def test_retrieval_by_someone_elses_session_is_refused_and_not_recorded():
    owner, stranger = user(), user()
    delivery = issue_to(owner)
    before = Evidence.objects.filter(delivery=delivery).count()
    for who in (stranger, None, mock.Mock(is_authenticated=False)):
        with pytest.raises(services.DeliveryAccessDenied):
            services.record_retrieval(delivery, user=who, session_key="fremd")
    assert Evidence.objects.filter(delivery=delivery).count() == before
    delivery.refresh_from_db()
    assert delivery.first_retrieved_at is None


def test_evidence_is_append_only_in_the_orm():
    delivery = issue_to(user())
    entry = Evidence.objects.get(delivery=delivery)
    entry.trust_level = "hoch"
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(ImmutableError):
        Evidence.objects.filter(pk=entry.pk).update(trust_level="hoch")
    with pytest.raises(ImmutableError):
        Evidence.objects.filter(pk=entry.pk).delete()
    assert Evidence.objects.get(pk=entry.pk).trust_level == ""


def test_evidence_is_append_only_in_the_database():
    delivery = issue_to(user())
    entry = Evidence.objects.get(delivery=delivery)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE postbox_evidence SET trust_level = 'hoch' WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM postbox_evidence WHERE id = %s", [entry.pk])
    assert Evidence.objects.filter(pk=entry.pk, trust_level="").exists()


def test_evidence_chain_detects_tampering():
    person = user()
    delivery = issue_to(person)
    services.send_notice(delivery.pk)
    assert services.verify_evidence_chain(delivery)
    entry = Evidence.objects.filter(delivery=delivery).order_by("sequence")[1]
    tampered = Evidence.objects.get(pk=entry.pk)
    tampered.details = {"addresses": ["x***@evil.example"]}
    with mock.patch.object(Evidence.objects, "filter") as fake:
        fake.return_value.order_by.return_value = [
            e if e.pk != entry.pk else tampered for e in Evidence.objects.all().order_by("sequence")
        ]
        assert not services.verify_evidence_chain(delivery)


def test_missing_data_fails_before_anything_is_stored():
    person = user()
    office = authority()
    with pytest.raises(MissingData):
        services.issue(spec(office, data={"betreff": "x"}), recipient(person), "vorgang:x")
    assert not Document.objects.exists()
    assert not Delivery.objects.exists()
    assert not Message.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rule": "einschreiben"}, "Bekanntgaberegel"),
        ({"reference": ""}, "Bezug"),
        ({"reference": "x" * 201}, "Bezug"),
        ({"subject": "x" * 301}, "Betreff"),
        ({"text": 5}, "Nachrichtentext"),
    ],
)
def test_issue_rejects_bad_arguments(kwargs, message):
    person = user()
    call = {"reference": "vorgang:1", **kwargs}
    reference = call.pop("reference")
    with pytest.raises(services.DeliveryError, match=message):
        services.issue(spec(authority()), recipient(person), reference, **call)
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        "Erika",
        services.Recipient("", ["x"]),
        services.Recipient("x" * 61, ["x"]),
        services.Recipient("Erika", "Hauptstraße 1"),
        services.Recipient("Erika", ["a"] * 6),
    ],
)
def test_issue_rejects_bad_recipients(bad):
    with pytest.raises(services.DeliveryError):
        services.issue(spec(authority()), bad, "vorgang:1")
    assert not Document.objects.exists()


def test_person_and_organisation_at_once_is_rejected():
    person = user()
    with pytest.raises(services.DeliveryError, match="entweder"):
        services.issue(spec(authority()), recipient(person, organisation(person)), "vorgang:1")


def test_reply_only_where_allowed():
    person, stranger = user(), user()
    delivery = issue_to(person, replies_allowed=True)
    message = Message.objects.get(delivery=delivery)
    replies = []
    signals.message_replied.connect(lambda sender, **kw: replies.append(kw), weak=False)
    try:
        answer = services.reply(message, user=person, text="Vielen Dank, ich verzichte auf Widerspruch.")
    finally:
        signals.message_replied.receivers.clear()
    assert answer.direction == "out"
    assert answer.reply_to == message
    assert replies[0]["reply"] == answer
    with pytest.raises(services.DeliveryAccessDenied):
        services.reply(message, user=stranger, text="Hallo")
    with pytest.raises(services.DeliveryError, match="Antwort"):
        services.reply(message, user=person, text="   ")
    with pytest.raises(services.DeliveryError, match=r"5\.000"):
        services.reply(message, user=person, text="x" * 5001)
    closed = Message.objects.get(delivery=issue_to(person, reference="vorgang:2"))
    with pytest.raises(services.DeliveryError, match="nicht geantwortet"):
        services.reply(closed, user=person, text="Hallo")


def test_send_message_respects_the_notice_preference():
    person = user()
    NoticePreference.objects.create(user=person, email_for_messages=False)
    message = services.send_message(
        authority=authority(), recipient=recipient(person), subject="Rückfrage", text="Bitte senden Sie …"
    )
    assert services.send_message_notice(message.pk) == "opted out"
    assert not mail.outbox
    other = user()
    message = services.send_message(
        authority=authority(), recipient=recipient(other), subject="Hinweis", text="…"
    )
    services.send_message_notice(message.pk)
    assert mail.outbox[0].to == [other.email]
    assert "Hinweis" not in mail.outbox[0].body


def test_deleted_account_leaves_the_evidence_intact():
    person = user()
    delivery = issue_to(person)
    services.record_retrieval(delivery, user=person, session_key="s", trust_level="hoch")
    person.delete()
    delivery.refresh_from_db()
    assert delivery.mailbox.user is None
    assert not delivery.mailbox.is_open
    assert Evidence.objects.filter(delivery=delivery, event="retrieved", actor_id__isnull=False).exists()
    assert services.verify_evidence_chain(delivery)


def test_deliveries_for_reference():
    person = user()
    first = issue_to(person, reference="vorgang:7")
    issue_to(person, reference="vorgang:8")
    assert list(services.deliveries_for_reference("vorgang:7")) == [first]


def test_demo_loader_is_idempotent():
    from amtsweg.postbox.demo import load_demo_delivery

    assert load_demo_delivery() == []  # nobody to deliver to yet
    user()
    authority()
    lines = load_demo_delivery()
    assert lines
    assert "Demo-Bescheid" in lines[0]
    assert load_demo_delivery() == []
    assert Delivery.objects.filter(reference="demo:bescheid-1").count() == 1
