"""Public surface of the postbox: issue documents, deliver them, record evidence, compute notification dates.

    from amtsweg.documents.services import DocumentSpec
    from amtsweg.postbox.services import Recipient, issue

    delivery = issue(spec, Recipient("Erika Muster", ["Hauptstraße 1", "01067 Dresden"], user=user),
                     reference="case:1234")
    delivery.channel            # "postbox" or "post" (print queue)
    delivery.notification_date  # set once known; `signals.delivery_notified` is sent then

The case engine connects to `signals.delivery_notified` (and `delivery_fell_back_to_paper`) and never
touches these models. Everything here is independent of cases: `reference` is an opaque string.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.documents import services as documents
from amtsweg.postbox import dates, signals
from amtsweg.postbox.models import Delivery, Evidence, Mailbox, Message, NoticePreference

logger = logging.getLogger("amtsweg.postbox")
MAX_NOTICE_ATTEMPTS = 5


class DeliveryError(ValueError):
    """Bad input to a postbox function; German message."""


class DeliveryAccessDenied(PermissionError):
    """The user may not open this delivery or message (views answer 404)."""


@dataclass
class Recipient:
    """Who receives a document: a name and postal address (always, for the paper fallback) and, if they have
    an account, the user or organisation whose postbox receives it."""

    name: str
    address_lines: Sequence[str] = field(default_factory=list)
    user: object | None = None
    organisation: object | None = None

    def letter_lines(self) -> list[str]:
        return [self.name, *self.address_lines]


def _check_recipient(recipient) -> None:
    if not isinstance(recipient, Recipient):
        raise DeliveryError(_("Ungültige Empfängerangaben."))
    if not isinstance(recipient.name, str) or not recipient.name.strip() or len(recipient.name) > 60:
        raise DeliveryError(_("Der Name des Empfängers fehlt oder ist länger als 60 Zeichen."))
    lines = recipient.address_lines
    if (
        not isinstance(lines, list | tuple)
        or not all(isinstance(line, str) for line in lines)
        or len(lines) > 5
    ):
        raise DeliveryError(_("Die Anschrift muss aus höchstens fünf Textzeilen bestehen."))
    if recipient.user is not None and recipient.organisation is not None:
        raise DeliveryError(_("Ein Dokument geht entweder an eine Person oder an eine Organisation."))


def mailbox_for(*, user=None, organisation=None) -> Mailbox | None:
    """The postbox of a person or organisation (created on first use), or None for neither."""
    if organisation is not None:
        return Mailbox.objects.get_or_create(organisation=organisation)[0]
    if user is not None:
        if not getattr(user, "pk", None) or not user.is_active or getattr(user, "deleted_at", None):
            return None
        return Mailbox.objects.get_or_create(user=user)[0]
    return None


def mask_email(address: str) -> str:
    local, _sep, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def session_hash(session_key: str | None) -> str:
    """Evidence stores a hash of the session key, never the key itself (it would allow session hijacking)."""
    if not session_key:
        return ""
    return hashlib.sha256(f"amtsweg-session:{session_key}".encode()).hexdigest()


# --- Evidence ------------------------------------------------------------------------------------------


def _append(
    delivery: Delivery, event: str, *, at=None, actor=None, trust_level="", session_key=None, **details
):
    """Append one evidence entry (callers hold the delivery row lock)."""
    last = Evidence.objects.filter(delivery=delivery).order_by("-sequence").first()
    document = delivery.document
    entry = Evidence(
        delivery=delivery,
        sequence=(last.sequence + 1) if last else 1,
        event=event,
        occurred_at=at or timezone.now(),
        document_sha256=document.sha256,
        seal_subject=document.seal_certificate.subject[:500],
        seal_serial=document.seal_certificate.serial,
        seal_level=document.seal_level,
        channel=delivery.channel,
        rule=delivery.rule,
        actor_id=getattr(actor, "pk", None),
        actor_label=(getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[:200]
        if actor
        else "",
        trust_level=str(trust_level or ""),
        session_hash=session_hash(session_key),
        details={
            key: (value.isoformat() if isinstance(value, dt.date) else value)
            for key, value in details.items()
        },
        previous_hash=last.entry_hash if last else "",
    )
    entry.save()
    return entry


def verify_evidence_chain(delivery: Delivery) -> bool:
    """True if no evidence entry of the delivery was changed, removed or reordered."""
    previous = ""
    for number, entry in enumerate(Evidence.objects.filter(delivery=delivery).order_by("sequence"), start=1):
        if (
            entry.sequence != number
            or entry.previous_hash != previous
            or entry.compute_hash() != entry.entry_hash
        ):
            return False
        previous = entry.entry_hash
    return True


def _locked(delivery) -> Delivery:
    return (
        # of=("self",): lock only the delivery; locking the joined authority row as well made concurrent
        # deliveries of one authority deadlock.
        Delivery.objects.select_for_update(of=("self",))
        .select_related("document__seal_certificate", "authority")
        .get(pk=delivery.pk if isinstance(delivery, Delivery) else delivery)
    )


def _holiday_region(authority) -> tuple[str | None, str | None]:
    """Where the authority sits, for its local holidays (Corpus Christi in some Sorbian municipalities)."""
    from amtsweg.directory.services import holiday_region_for_authority

    region = holiday_region_for_authority(authority)
    return region.ags8, region.locality


def _set_notified(delivery: Delivery, outcome: dates.Notification, *, now) -> None:
    """Store the notification date, the rule and the end of the objection period; send the signal once."""
    delivery.notification_date = outcome.date
    delivery.notification_rule = outcome.rule
    if delivery.document.remedy_template_id:
        ags8, locality = _holiday_region(delivery.authority)
        delivery.remedy_period_end = dates.objection_period_end(outcome.date, ags8=ags8, locality=locality)
    if delivery.channel == Delivery.Channel.POSTBOX:
        delivery.status = Delivery.Status.NOTIFIED
    _append(
        delivery,
        Evidence.Event.NOTIFIED,
        at=now,
        notification_date=outcome.date,
        rule=outcome.rule,
        legal_basis=outcome.legal_basis,
        remedy_period_end=delivery.remedy_period_end,
    )
    first_time = delivery.notified_signal_at is None
    delivery.notified_signal_at = delivery.notified_signal_at or now
    delivery.save()
    if first_time:
        signals.delivery_notified.send(
            sender=Delivery,
            reference=delivery.reference,
            date=outcome.date,
            rule=outcome.rule,
            remedy_period_end=delivery.remedy_period_end,
            delivery=delivery,
        )


# --- Issue ---------------------------------------------------------------------------------------------


def issue(
    document_spec,
    recipient: Recipient,
    reference: str,
    *,
    rule: str = dates.POSTBOX_ACCOUNT,
    subject: str | None = None,
    text: str = "",
    replies_allowed: bool = False,
) -> Delivery:
    """Render, seal and store the document, then deliver it to the recipient's postbox or the print queue.

    `rule` is the notification rule for electronic delivery: "postbox_account" (account postbox, the default
    in Saxony) or "portal_retrieval" (§ 41 Abs. 2a VwVfG); "post" sends a letter in any case. Without an
    electronic access (no account, or access closed) the document goes to the print queue.
    Raises (before anything is stored): DeliveryError, documents' DocumentSpecError, TemplateNotFound,
    MissingData, SealRefused.
    """
    if rule not in dates.RULES:
        raise DeliveryError(_("Unbekannte Bekanntgaberegel: %s") % rule)
    if not isinstance(reference, str) or not reference or len(reference) > 200:
        raise DeliveryError(_("Der Bezug muss ein Text mit 1 bis 200 Zeichen sein."))
    _check_recipient(recipient)
    if subject is not None and (not isinstance(subject, str) or len(subject) > 300):
        raise DeliveryError(_("Der Betreff darf höchstens 300 Zeichen haben."))
    if not isinstance(text, str) or len(text) > 20_000:
        raise DeliveryError(_("Der Nachrichtentext darf höchstens 20.000 Zeichen haben."))
    if not document_spec.recipient_lines:
        document_spec = dataclasses.replace(document_spec, recipient_lines=recipient.letter_lines())

    produced = documents.produce(document_spec)  # raises before anything is stored

    with transaction.atomic():
        mailbox = mailbox_for(user=recipient.user, organisation=recipient.organisation)
        electronic = (
            rule != dates.POST and mailbox is not None and mailbox.is_open and mailbox.electronic_access
        )
        document = documents.store(produced, reference)
        now = timezone.now()
        delivery = Delivery.objects.create(
            reference=reference,
            document=document,
            authority=document.authority,
            mailbox=mailbox,
            recipient_name=recipient.name.strip(),
            postal_address=[line.strip() for line in recipient.address_lines if line.strip()],
            channel=Delivery.Channel.POSTBOX if electronic else Delivery.Channel.POST,
            rule=rule if electronic else dates.POST,
            status=Delivery.Status.PROVIDED if electronic else Delivery.Status.PRINT_QUEUED,
            provided_at=now if electronic else None,
            print_queued_at=None if electronic else now,
        )
        delivery = _locked(delivery)
        if mailbox is not None:
            message = Message.objects.create(
                mailbox=mailbox,
                authority=document.authority,
                delivery=delivery,
                reference=reference,
                subject=(subject or document.title)[:300],
                body=text
                or (
                    _("Ihnen wurde ein Dokument bereitgestellt. Sie finden es als Anlage dieser Nachricht.")
                    if electronic
                    else _("Dieses Dokument erhalten Sie zusätzlich mit der Post.")
                ),
                replies_allowed=bool(replies_allowed),
            )
            message.documents.add(document)
        if electronic:
            _append(delivery, Evidence.Event.PROVIDED, at=now, mailbox=mailbox.pk)
            transaction.on_commit(lambda: _enqueue_notice(delivery.pk))
        else:
            reason = (
                _("Kein Zugang für elektronische Dokumente eröffnet.")
                if rule != dates.POST
                else _("Versand per Post verlangt.")
            )
            _append(delivery, Evidence.Event.PRINT_QUEUED, at=now, reason=reason)
    return delivery


def _enqueue_notice(delivery_id) -> None:
    from amtsweg.postbox.tasks import send_delivery_notice

    send_delivery_notice.enqueue(str(delivery_id))


# --- Notice --------------------------------------------------------------------------------------------


def notice_addresses(mailbox: Mailbox) -> list[str]:
    """Where the e-mail notice goes: the person's address; for organisations the functional address and every
    member who did not switch organisation notices off."""
    if mailbox.user_id:
        return [mailbox.user.email] if mailbox.user.email else []
    if not mailbox.organisation_id:
        return []
    addresses = [mailbox.notice_email] if mailbox.notice_email else []
    memberships = getattr(mailbox.organisation, "memberships", None)
    if memberships is not None:
        opted_out = set(
            NoticePreference.objects.filter(email_for_organisations=False).values_list("user_id", flat=True)
        )
        for membership in memberships.select_related("user"):
            user = membership.user
            if user.email and user.is_active and user.pk not in opted_out and user.email not in addresses:
                addresses.append(user.email)
    return addresses


def _notice_text(delivery: Delivery) -> tuple[str, str]:
    url = settings.BASE_URL.rstrip("/") + reverse("postbox:inbox")
    if delivery.rule == dates.PORTAL_RETRIEVAL:
        effect = _(
            "Bitte rufen Sie das Dokument innerhalb von zehn Tagen ab. "
            "Es gilt am Tag nach dem Abruf als bekannt gegeben."
        )
    else:
        effect = _("Das Dokument gilt am vierten Tag nach der Bereitstellung als bekannt gegeben.")
    subject = _("Neues Dokument in Ihrem amtsweg-Postfach")
    body = "\n\n".join(
        [
            _("Guten Tag,"),
            _(
                "ein neues Dokument liegt in Ihrem Postfach bei amtsweg. "
                "Aus Datenschutzgründen steht der Inhalt nicht in dieser E-Mail."
            ),
            effect,
            _("Sie finden das Dokument nach der Anmeldung hier:") + f"\n{url}",
            _("Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf."),
        ]
    )
    return subject, body


def send_notice(delivery_id) -> str:
    """Send the e-mail notice for an electronic delivery (task body; idempotent). Returns what happened."""
    with transaction.atomic():
        delivery = _locked(delivery_id)
        if (
            delivery.channel != Delivery.Channel.POSTBOX
            or delivery.notice_at
            or delivery.electronic_failed_at
        ):
            return "nothing to do"
        addresses = notice_addresses(delivery.mailbox)
        if not addresses:
            _append(delivery, Evidence.Event.NOTICE_FAILED, reason="keine E-Mail-Adresse")
            fall_back_to_paper(
                delivery, _("Keine E-Mail-Adresse für die Benachrichtigung hinterlegt."), locked=True
            )
            return "no address"
        delivery.notice_attempts += 1
        delivery.save(update_fields=["notice_attempts"])
        attempt = delivery.notice_attempts
    subject, body = _notice_text(delivery)
    try:
        for address in addresses:
            send_mail(subject, body, None, [address])
    except Exception as exc:
        with transaction.atomic():
            delivery = _locked(delivery_id)
            _append(delivery, Evidence.Event.NOTICE_FAILED, attempt=attempt, error=type(exc).__name__)
            if attempt >= MAX_NOTICE_ATTEMPTS:
                fall_back_to_paper(
                    delivery, _("Die Benachrichtigung konnte nicht versandt werden."), locked=True
                )
                logger.error(
                    "notice failed for good, sent to print queue", extra={"delivery": str(delivery.pk)}
                )
                return "failed"
        raise
    with transaction.atomic():
        delivery = _locked(delivery_id)
        if delivery.notice_at:
            return "already sent"
        now = timezone.now()
        delivery.notice_at = now
        delivery.notice_result = _("versandt an %s") % ", ".join(mask_email(a) for a in addresses)
        if delivery.rule == dates.PORTAL_RETRIEVAL:
            delivery.retrieval_deadline = dates.retrieval_deadline(now)
        delivery.save()
        _append(
            delivery,
            Evidence.Event.NOTICE_SENT,
            at=now,
            addresses=[mask_email(a) for a in addresses],
            retrieval_deadline=delivery.retrieval_deadline.isoformat()
            if delivery.retrieval_deadline
            else None,
        )
        outcome = dates.notification(
            delivery.rule,
            provided_at=delivery.provided_at,
            notice_at=now,
            retrieved_at=delivery.first_retrieved_at,
        )
        if outcome.date is not None:
            _set_notified(delivery, outcome, now=now)
    return "sent"


# --- Retrieval -----------------------------------------------------------------------------------------


def record_retrieval(delivery, *, user, session_key: str | None, trust_level: str = "") -> Evidence:
    """Record that `user` opened the delivered document in this session. Raises DeliveryAccessDenied for
    anyone who may not open it (nothing is recorded then)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise DeliveryAccessDenied(_("Nicht angemeldet."))
    pk = delivery.pk if isinstance(delivery, Delivery) else delivery
    if not Delivery.objects.for_citizen(user).filter(pk=pk).exists():
        logger.warning("retrieval denied", extra={"delivery": str(pk), "user_id": user.pk})
        raise DeliveryAccessDenied(_("Dieses Dokument gehört nicht zu Ihrem Postfach."))
    with transaction.atomic():
        delivery = _locked(pk)
        now = timezone.now()
        entry = _append(
            delivery,
            Evidence.Event.RETRIEVED,
            at=now,
            actor=user,
            trust_level=trust_level,
            session_key=session_key,
        )
        if delivery.first_retrieved_at is None:
            delivery.first_retrieved_at = now
            delivery.save(update_fields=["first_retrieved_at"])
        if (
            delivery.rule == dates.PORTAL_RETRIEVAL
            and delivery.channel == Delivery.Channel.POSTBOX
            and delivery.notification_date is None
            and delivery.electronic_failed_at is None
        ):
            outcome = dates.notification(
                dates.PORTAL_RETRIEVAL,
                notice_at=delivery.notice_at,
                retrieved_at=delivery.first_retrieved_at,
                now=now,
            )
            if outcome.date is not None:
                _set_notified(delivery, outcome, now=now)
    return entry


# --- Paper ---------------------------------------------------------------------------------------------


def fall_back_to_paper(delivery: Delivery, reason: str, *, locked: bool = False) -> Delivery:
    """Electronic delivery failed: the document goes to the print queue and will be notified by post."""
    with transaction.atomic():
        if not locked:
            delivery = _locked(delivery)
        if delivery.channel == Delivery.Channel.POST:
            return delivery
        now = timezone.now()
        delivery.electronic_failed_at = now
        delivery.electronic_failure = reason[:300]
        _append(delivery, Evidence.Event.ELECTRONIC_FAILED, at=now, reason=reason)
        delivery.channel = Delivery.Channel.POST
        delivery.rule = dates.POST
        delivery.status = Delivery.Status.PRINT_QUEUED
        delivery.print_queued_at = now
        delivery.save()
        _append(delivery, Evidence.Event.PRINT_QUEUED, at=now, reason=reason)
        signals.delivery_fell_back_to_paper.send(
            sender=Delivery, reference=delivery.reference, reason=reason, delivery=delivery
        )
    logger.info("delivery fell back to paper", extra={"delivery": str(delivery.pk), "reason": reason})
    return delivery


def mark_printed(delivery, *, by) -> Delivery:
    with transaction.atomic():
        delivery = _locked(delivery)
        if delivery.channel != Delivery.Channel.POST or delivery.status != Delivery.Status.PRINT_QUEUED:
            raise DeliveryError(_("Dieser Brief steht nicht (mehr) im Druckauftrag."))
        now = timezone.now()
        delivery.printed_at = now
        delivery.status = Delivery.Status.PRINTED
        delivery.save()
        _append(delivery, Evidence.Event.PRINTED, at=now, actor=by)
    return delivery


def mark_posted(delivery, *, posted_on: dt.date, by) -> Delivery:
    """The letter was handed to the post on `posted_on`: the `post` rule gives the notification date."""
    if not isinstance(posted_on, dt.date) or isinstance(posted_on, dt.datetime):
        raise DeliveryError(_("Bitte geben Sie das Datum der Einlieferung an."))
    today = timezone.localdate()
    with transaction.atomic():
        delivery = _locked(delivery)
        if delivery.channel != Delivery.Channel.POST or delivery.status not in (
            Delivery.Status.PRINT_QUEUED,
            Delivery.Status.PRINTED,
        ):
            raise DeliveryError(_("Dieser Brief wurde bereits als versandt erfasst."))
        queued_on = dates.local_date(delivery.print_queued_at or delivery.created_at)
        if posted_on > today or posted_on < queued_on:
            raise DeliveryError(
                _("Das Datum der Einlieferung muss zwischen dem %(from)s und heute liegen.")
                % {"from": queued_on.strftime("%d.%m.%Y")}
            )
        now = timezone.now()
        delivery.posted_on = posted_on
        delivery.status = Delivery.Status.POSTED
        delivery.printed_at = delivery.printed_at or now
        delivery.save()
        _append(delivery, Evidence.Event.POSTED, at=now, actor=by, posted_on=posted_on)
        _set_notified(delivery, dates.notification(dates.POST, posted_on=posted_on), now=now)
    return delivery


def check_deadlines(now: dt.datetime | None = None) -> int:
    """Periodic: portal retrievals whose ten days ran out go to paper. Returns how many."""
    now = now or timezone.now()
    overdue = Delivery.objects.filter(
        channel=Delivery.Channel.POSTBOX,
        rule=dates.PORTAL_RETRIEVAL,
        status=Delivery.Status.PROVIDED,
        first_retrieved_at__isnull=True,
        retrieval_deadline__lte=now,
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(overdue):
        fall_back_to_paper(pk, _("Nicht innerhalb von zehn Tagen nach der Benachrichtigung abgerufen."))
        count += 1
    return count


# --- Messages ------------------------------------------------------------------------------------------


def send_message(
    *, authority, recipient: Recipient, subject: str, text: str, reference: str = "", replies_allowed=False
):
    """A plain message without a document (e.g. an inquiry). None if the recipient has no open postbox."""
    _check_recipient(recipient)
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 300:
        raise DeliveryError(_("Der Betreff fehlt oder ist zu lang."))
    if not isinstance(text, str) or len(text) > 20_000:
        raise DeliveryError(_("Der Nachrichtentext darf höchstens 20.000 Zeichen haben."))
    mailbox = mailbox_for(user=recipient.user, organisation=recipient.organisation)
    if mailbox is None or not mailbox.is_open:
        return None
    message = Message.objects.create(
        mailbox=mailbox,
        authority=authority,
        reference=reference[:200],
        subject=subject.strip(),
        body=text,
        replies_allowed=bool(replies_allowed),
    )
    transaction.on_commit(lambda: _enqueue_message_notice(message.pk))
    return message


def _enqueue_message_notice(message_id) -> None:
    from amtsweg.postbox.tasks import send_message_notice

    send_message_notice.enqueue(str(message_id))


def send_message_notice(message_id) -> str:
    message = Message.objects.select_related("mailbox__user", "mailbox__organisation").get(pk=message_id)
    mailbox = message.mailbox
    if mailbox.user_id:
        preference = NoticePreference.objects.filter(user_id=mailbox.user_id).first()
        if preference is not None and not preference.email_for_messages:
            return "opted out"
    addresses = notice_addresses(mailbox)
    url = settings.BASE_URL.rstrip("/") + reverse("postbox:inbox")
    for address in addresses:
        send_mail(
            _("Neue Nachricht in Ihrem amtsweg-Postfach"),
            _(
                "Guten Tag,\n\nin Ihrem Postfach bei amtsweg liegt eine neue Nachricht.\n\n%(url)s\n\n"
                "Diese E-Mail wurde automatisch erstellt."
            )
            % {"url": url},
            None,
            [address],
        )
    return f"sent to {len(addresses)}"


def reply(message: Message, *, user, text: str) -> Message:
    """The citizen's reply to a message that allows replies; raises DeliveryAccessDenied / DeliveryError."""
    if not Message.objects.for_citizen(user).filter(pk=message.pk).exists():
        raise DeliveryAccessDenied(_("Diese Nachricht gehört nicht zu Ihrem Postfach."))
    if not message.replies_allowed or message.direction != Message.Direction.INCOMING:
        raise DeliveryError(_("Auf diese Nachricht kann nicht geantwortet werden."))
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise DeliveryError(_("Bitte schreiben Sie eine Antwort."))
    if len(text) > 5_000:
        raise DeliveryError(_("Die Antwort darf höchstens 5.000 Zeichen haben."))
    answer = Message.objects.create(
        mailbox=message.mailbox,
        direction=Message.Direction.OUTGOING,
        authority=message.authority,
        reply_to=message,
        sender_user=user,
        reference=message.reference,
        subject=(_("Antwort: %s") % message.subject)[:300],
        body=text,
        read_at=timezone.now(),
    )
    signals.message_replied.send(sender=Message, reference=message.reference, message=message, reply=answer)
    return answer


def deliveries_for_reference(reference: str):
    """Deliveries made for an opaque reference (e.g. a case), newest first: channel, rule, dates."""
    return Delivery.objects.filter(reference=reference).select_related("document").order_by("-created_at")


def messages_for_reference(reference: str, authority=None):
    """Plain messages (e.g. follow-up questions and the citizen's replies) sent for an opaque reference,
    optionally only those of one authority; oldest first."""
    queryset = Message.objects.filter(reference=reference)
    if authority is not None:
        queryset = queryset.filter(authority=authority)
    return queryset.order_by("created_at")
