"""Messages between authorities: the address book of recipients, the senders' signing keys, the outbox (which
is
also the transmission log) with its delivery attempts, and the SANDBOX stand-in receivers."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SANDBOX_ENDPOINT = "sandbox"


class Recipient(models.Model):
    """A body that receives messages (chamber, tax office, statistics office …), with its address and
    endpoint.

    `districts` lists the 5-digit district keys (AGS) the entry serves; empty means all of Saxony.
    `endpoint` is an https URL, or "sandbox" for the demo receiving inbox (/sandbox/empfang/).
    """

    key = models.SlugField(_("Schlüssel"), max_length=100, unique=True)
    kind = models.CharField(_("Art"), max_length=40, db_index=True)
    name = models.CharField(_("Bezeichnung"), max_length=300)
    districts = models.JSONField(_("Kreise (AGS)"), default=list, blank=True)
    dvdv_prefix = models.CharField(_("DVDV-Präfix"), max_length=20, default="xga")
    dvdv_key = models.CharField(_("Behördenkennung"), max_length=40)
    dvdv_list = models.CharField(_("Codeliste der Kennung"), max_length=200, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=120, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    endpoint = models.CharField(_("Empfangsadresse"), max_length=500, default=SANDBOX_ENDPOINT)
    public_jwk = models.JSONField(_("öffentlicher Schlüssel (JWK)"), default=dict, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    verified = models.BooleanField(
        _("Angaben bestätigt"),
        default=False,
        help_text=_("Anschrift, Kennung und Zuständigkeit vom Empfänger bestätigt."),
    )
    note = models.TextField(_("Hinweis"), blank=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Empfänger")
        verbose_name_plural = _("Empfänger")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_sandbox(self) -> bool:
        return self.endpoint == SANDBOX_ENDPOINT

    def serves(self, district_ags: str) -> bool:
        return not self.districts or district_ags in self.districts


class SenderKey(models.Model):
    """An authority's Ed25519 signing key for outgoing messages. The private key is a file (see crypto)."""

    authority = models.ForeignKey(
        "directory.Authority",
        on_delete=models.PROTECT,
        related_name="exchange_keys",
        verbose_name=_("Behörde"),
    )
    kid = models.CharField(_("Schlüssel-ID"), max_length=100, unique=True)
    public_jwk = models.JSONField(_("öffentlicher Schlüssel (JWK)"))
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("erzeugt"), default=timezone.now)

    class Meta:
        verbose_name = _("Signaturschlüssel")
        verbose_name_plural = _("Signaturschlüssel")
        constraints = [
            models.UniqueConstraint(
                fields=["authority"], condition=Q(active=True), name="exchange_one_active_key_per_authority"
            )
        ]

    def __str__(self):
        return f"{self.authority} ({self.kid[:12]})"


class OutgoingMessage(models.Model):
    """One message to one recipient: the outbox row and, after delivery, the transmission log entry.

    The id is the idempotency key the receiver dedupes by (and the XGewerbeanzeige nachrichtenUUID). The
    envelope
    (signed, then encrypted for the recipient) is dropped once delivered; the log keeps what was sent to whom
    (type, field groups, hash of the content) until `delete_after`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("wartet auf Zustellung")
        DELIVERED = "delivered", _("zugestellt")
        FAILED = "failed", _("Zustellung gescheitert")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender = models.ForeignKey(
        "directory.Authority",
        on_delete=models.PROTECT,
        related_name="exchange_messages",
        verbose_name=_("Absender"),
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="messages", verbose_name=_("Empfänger")
    )
    reference = models.CharField(_("Bezug"), max_length=200, db_index=True)
    message_type = models.CharField(_("Nachrichtentyp"), max_length=80)
    field_groups = models.JSONField(_("übermittelte Datengruppen"), default=list, blank=True)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=300, blank=True)
    content_sha256 = models.CharField(_("SHA-256 des Inhalts"), max_length=64)
    size = models.PositiveIntegerField(_("Größe (Bytes)"), default=0)
    envelope = models.TextField(_("Umschlag (verschlüsselt)"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    last_error = models.CharField(_("letzter Fehler"), max_length=500, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("erstellt"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("zugestellt am"), null=True, blank=True)
    receipt = models.CharField(_("Quittung des Empfängers"), max_length=200, blank=True)
    log_retention_days = models.PositiveIntegerField(
        _("Aufbewahrung des Protokolls (Tage)"), null=True, blank=True
    )
    delete_after = models.DateField(_("löschen nach"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.message_type} → {self.recipient}"


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("zugestellt")
        DUPLICATE = "duplicate", _("war schon zugestellt")
        RETRY = "retry", _("später erneut")
        REFUSED = "refused", _("abgelehnt")

    message = models.ForeignKey(OutgoingMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.message_id} {self.outcome} ({self.status_code or '–'})"


class SandboxMessage(models.Model):
    """SANDBOX: what a stand-in recipient received (decrypted, signature checked), once per idempotency
    key."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="sandbox_messages")
    idempotency_key = models.UUIDField()
    message_type = models.CharField(max_length=80)
    sender_authority = models.CharField(max_length=100)
    sender_kid = models.CharField(max_length=100)
    content = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    times_received = models.PositiveIntegerField(default=1)
    last_received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "idempotency_key"], name="exchange_sandbox_once_per_key"
            )
        ]

    def __str__(self):
        return f"{self.message_type} → {self.recipient_id} ({self.idempotency_key})"


class SandboxBehaviour(models.Model):
    """SANDBOX: make a stand-in recipient fail its next N requests (to show and test retries)."""

    recipient = models.OneToOneField(Recipient, on_delete=models.CASCADE, related_name="sandbox_behaviour")
    fail_next = models.PositiveIntegerField(default=0)
    fail_status = models.PositiveSmallIntegerField(default=500)

    def __str__(self):
        return f"{self.recipient_id}: {self.fail_next} × {self.fail_status}"
