"""Mailboxes, messages, deliveries and the immutable delivery evidence (Abrufbestätigung).

Access: a mailbox belongs to one person (`accounts.User`) or one organisation (`accounts.Organisation`);
citizens reach messages and deliveries only through `.for_citizen(user)` (own mailbox and the mailboxes of
organisations they are a member of or hold a mandate for), staff through `.for_staff(user)` (their
authorities).
"""

from __future__ import annotations

import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import TenantQuerySet
from amtsweg.postbox import dates


class MailboxQuerySet(TenantQuerySet):
    owner_fields = ("user",)
    organisation_fields = ("organisation",)


class Mailbox(models.Model):
    """The postbox of a person or an organisation. Without an owner (account deleted) it is closed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailbox",
    )
    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("Organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mailbox",
    )
    # Access for electronic documents (§ 3a Abs. 1 VwVfG; presumed for account postboxes, § 9 Abs. 1 OZG).
    electronic_access = models.BooleanField(_("Zugang für elektronische Dokumente eröffnet"), default=True)
    access_changed_at = models.DateTimeField(_("Zugang geändert am"), default=timezone.now)
    notice_email = models.EmailField(
        _("Adresse für Benachrichtigungen"),
        blank=True,
        help_text=_("Für Organisationen; bei Personen wird die E-Mail-Adresse des Kontos verwendet."),
    )
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("Postfach")
        verbose_name_plural = _("Postfächer")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(user__isnull=False) & Q(organisation__isnull=False)),
                name="postbox_mailbox_one_owner",
            )
        ]

    def __str__(self):
        return self.owner_label or _("geschlossenes Postfach")

    @property
    def owner_label(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        if self.user_id:
            return getattr(self.user, "display_name", None) or self.user.get_username()
        return ""

    @property
    def is_open(self) -> bool:
        return bool(self.user_id or self.organisation_id)


class NoticePreference(models.Model):
    """What a person wants to be told by e-mail. Notices of documents with legal effect are always sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="postbox_preference"
    )
    email_for_messages = models.BooleanField(
        _("E-Mail auch bei Nachrichten ohne Dokument (z. B. Rückfragen, Hinweise)"), default=True
    )
    email_for_organisations = models.BooleanField(
        _("E-Mail bei neuen Dokumenten in Postfächern meiner Organisationen"), default=True
    )
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Benachrichtigungseinstellung")
        verbose_name_plural = _("Benachrichtigungseinstellungen")

    def __str__(self):
        return str(self.user)


class DeliveryQuerySet(TenantQuerySet):
    tenant_field = "authority"
    owner_fields = ("mailbox__user",)
    organisation_fields = ("mailbox__organisation",)


class Delivery(models.Model):
    """One document on its way to one recipient: channel, times, the rule used and the resulting dates."""

    class Channel(models.TextChoices):
        POSTBOX = "postbox", _("elektronisch (Postfach)")
        POST = "post", _("Brief (Post)")

    class Status(models.TextChoices):
        PROVIDED = "provided", _("bereitgestellt")
        NOTIFIED = "notified", _("bekannt gegeben")
        PRINT_QUEUED = "print_queued", _("im Druckauftrag")
        PRINTED = "printed", _("gedruckt")
        POSTED = "posted", _("zur Post gegeben")

    RULE_CHOICES = [(rule, dates.RULE_LABELS[rule]) for rule in dates.RULES]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("Bezug"), max_length=200, db_index=True)
    document = models.OneToOneField(
        "documents.Document", verbose_name=_("Dokument"), on_delete=models.PROTECT, related_name="delivery"
    )
    authority = models.ForeignKey(
        "directory.Authority", verbose_name=_("Behörde"), on_delete=models.PROTECT, related_name="deliveries"
    )
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("Postfach"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    recipient_name = models.CharField(_("Empfänger"), max_length=200)
    postal_address = models.JSONField(_("Postanschrift"), default=list, blank=True)
    channel = models.CharField(_("Zustellweg"), max_length=10, choices=Channel.choices)
    rule = models.CharField(_("Bekanntgaberegel"), max_length=20, choices=RULE_CHOICES)
    status = models.CharField(_("Stand"), max_length=20, choices=Status.choices)
    provided_at = models.DateTimeField(_("bereitgestellt am"), null=True, blank=True)
    notice_at = models.DateTimeField(_("benachrichtigt am"), null=True, blank=True)
    notice_result = models.CharField(_("Ergebnis der Benachrichtigung"), max_length=200, blank=True)
    notice_attempts = models.PositiveSmallIntegerField(_("Benachrichtigungsversuche"), default=0)
    retrieval_deadline = models.DateTimeField(_("Abruf möglich bis"), null=True, blank=True)
    first_retrieved_at = models.DateTimeField(_("erstmals abgerufen am"), null=True, blank=True)
    electronic_failed_at = models.DateTimeField(
        _("elektronische Zustellung gescheitert am"), null=True, blank=True
    )
    electronic_failure = models.CharField(_("Grund"), max_length=300, blank=True)
    print_queued_at = models.DateTimeField(_("in den Druckauftrag am"), null=True, blank=True)
    printed_at = models.DateTimeField(_("gedruckt am"), null=True, blank=True)
    posted_on = models.DateField(_("zur Post gegeben am"), null=True, blank=True)
    notification_date = models.DateField(_("Tag der Bekanntgabe"), null=True, blank=True)
    notification_rule = models.CharField(
        _("angewandte Regel"), max_length=20, choices=RULE_CHOICES, blank=True
    )
    remedy_period_end = models.DateField(_("Ende der Widerspruchsfrist"), null=True, blank=True)
    notified_signal_at = models.DateTimeField(_("Bekanntgabe gemeldet am"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zustellung")
        verbose_name_plural = _("Zustellungen")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "rule"]),
            models.Index(fields=["authority", "status"]),
        ]

    def __str__(self):
        return f"{self.document.title} → {self.recipient_name}"

    @property
    def legal_basis(self) -> str:
        return dates.LEGAL_BASIS.get(self.notification_rule or self.rule, "")


class MessageQuerySet(TenantQuerySet):
    tenant_field = "authority"
    owner_fields = ("mailbox__user",)
    organisation_fields = ("mailbox__organisation",)

    def inbox(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def unread(self):
        return self.filter(read_at__isnull=True, direction=Message.Direction.INCOMING)


class Message(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "in", _("von der Behörde")
        OUTGOING = "out", _("an die Behörde")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("Postfach"), on_delete=models.PROTECT, related_name="messages"
    )
    direction = models.CharField(
        _("Richtung"), max_length=3, choices=Direction.choices, default=Direction.INCOMING
    )
    authority = models.ForeignKey(
        "directory.Authority",
        verbose_name=_("Behörde"),
        on_delete=models.PROTECT,
        related_name="postbox_messages",
    )
    delivery = models.OneToOneField(
        Delivery,
        verbose_name=_("Zustellung"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="message",
    )
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("Antwort auf"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Absender/in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(_("Bezug"), max_length=200, blank=True, db_index=True)
    subject = models.CharField(_("Betreff"), max_length=300)
    body = models.TextField(_("Text"), blank=True, max_length=20_000)
    replies_allowed = models.BooleanField(_("Antwort möglich"), default=False)
    documents = models.ManyToManyField("documents.Document", verbose_name=_("Anlagen"), blank=True)
    created_at = models.DateTimeField(_("eingegangen"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("gelesen am"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archiviert am"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["mailbox", "archived_at", "-created_at"])]

    def __str__(self):
        return self.subject


class ImmutableError(Exception):
    """Evidence records are append-only."""


class EvidenceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Zustellnachweise können nicht geändert werden.")

    def delete(self):
        raise ImmutableError("Zustellnachweise können nicht gelöscht werden.")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableError("Zustellnachweise können nicht geändert werden.")


class Evidence(models.Model):
    """Zustell- und Abrufnachweis: one append-only entry per event of a delivery, hash-chained per delivery.

    Every entry repeats what a court would ask for: the document's hash and seal, the channel and the rule;
    plus the event's own facts (provision, notice and its result, each retrieval with identity, trust
    level and
    session, the computed notification date and end of the objection period, posting). Updates and deletes
    are refused by the model, the queryset and a database trigger.
    """

    class Event(models.TextChoices):
        PROVIDED = "provided", _("bereitgestellt")
        NOTICE_SENT = "notice_sent", _("benachrichtigt")
        NOTICE_FAILED = "notice_failed", _("Benachrichtigung gescheitert")
        RETRIEVED = "retrieved", _("abgerufen")
        NOTIFIED = "notified", _("bekannt gegeben")
        ELECTRONIC_FAILED = "electronic_failed", _("elektronische Zustellung gescheitert")
        PRINT_QUEUED = "print_queued", _("in den Druckauftrag")
        PRINTED = "printed", _("gedruckt")
        POSTED = "posted", _("zur Post gegeben")

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("Zustellung"), on_delete=models.PROTECT, related_name="evidence"
    )
    sequence = models.PositiveIntegerField(_("Nr."))
    event = models.CharField(_("Ereignis"), max_length=30, choices=Event.choices)
    occurred_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    document_sha256 = models.CharField(_("SHA-256 des Dokuments"), max_length=64)
    seal_subject = models.CharField(_("Siegel"), max_length=500)
    seal_serial = models.CharField(_("Seriennummer des Siegelzertifikats"), max_length=80)
    seal_level = models.CharField(_("Siegelformat"), max_length=20)
    channel = models.CharField(_("Zustellweg"), max_length=10)
    rule = models.CharField(_("Bekanntgaberegel"), max_length=20)
    # Who did it (snapshot, no foreign key: evidence outlives accounts).
    actor_id = models.BigIntegerField(_("Benutzer-ID"), null=True, blank=True)
    actor_label = models.CharField(_("Person"), max_length=200, blank=True)
    trust_level = models.CharField(_("Vertrauensniveau"), max_length=20, blank=True)
    session_hash = models.CharField(_("Sitzung (Hash)"), max_length=64, blank=True)
    details = models.JSONField(_("Einzelheiten"), default=dict, blank=True)
    previous_hash = models.CharField(_("Hash des Vorgängers"), max_length=64, blank=True)
    entry_hash = models.CharField(_("Hash des Eintrags"), max_length=64, unique=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zustellnachweis")
        verbose_name_plural = _("Zustellnachweise")
        ordering = ["delivery_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "sequence"], name="postbox_evidence_seq_uniq")
        ]

    def __str__(self):
        return f"{self.get_event_display()} {timezone.localtime(self.occurred_at):%d.%m.%Y %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("Zustellnachweise können nicht geändert werden.")
        self.entry_hash = self.compute_hash()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Zustellnachweise können nicht gelöscht werden.")

    def canonical(self) -> str:
        return json.dumps(
            {
                "delivery": str(self.delivery_id),
                "sequence": self.sequence,
                "event": self.event,
                "occurred_at": self.occurred_at.isoformat(),
                "document_sha256": self.document_sha256,
                "seal_subject": self.seal_subject,
                "seal_serial": self.seal_serial,
                "seal_level": self.seal_level,
                "channel": self.channel,
                "rule": self.rule,
                "actor_id": self.actor_id,
                "actor_label": self.actor_label,
                "trust_level": self.trust_level,
                "session_hash": self.session_hash,
                "details": self.details,
                "previous_hash": self.previous_hash,
            },
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()
