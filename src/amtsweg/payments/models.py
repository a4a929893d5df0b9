"""Payments: fee rules, what is owed (PaymentRequest), payment attempts (Payment) and their audit trail.

The app knows nothing about cases. A caller (the case engine) creates a PaymentRequest for an
opaque `reference` such as "case:42" and learns about the outcome through the signals in
`amtsweg.payments.signals`. States change only through `amtsweg.payments.states.transition`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import tenant_queryset
from amtsweg.payments.money import format_cents

# --- Fee rules -----------------------------------------------------------------------------


class FeeKind(models.TextChoices):
    FIXED = "fixed", _("fester Betrag")
    RANGE = "range", _("Rahmengebühr (Betrag innerhalb gesetzlicher Grenzen)")
    PER_ITEM = "per_item", _("Grundbetrag plus Betrag je Einheit")
    SUM_OF_ITEMS = "sum_of_items", _("Summe gewählter Posten")
    FREE = "free", _("gebührenfrei")


class FeeRule(models.Model):
    """The fee for one procedure (and variant) at one authority.

    Authority empty = every authority without its own rule (e.g. the federal GebOSt fees)."""

    procedure_key = models.SlugField(_("Verfahren"), max_length=100)
    authority = models.ForeignKey(
        "directory.Authority",
        verbose_name=_("Behörde"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fee_rules",
        help_text=_("Leer: gilt für alle Behörden ohne eigene Regel."),
    )
    variant = models.SlugField(_("Variante"), max_length=100, blank=True, default="")
    label = models.CharField(_("Bezeichnung"), max_length=300)
    kind = models.CharField(_("Art"), max_length=20, choices=FeeKind.choices)
    amount_cents = models.PositiveIntegerField(_("Betrag/Grundbetrag (Cent)"), default=0)
    min_cents = models.PositiveIntegerField(_("gesetzliches Minimum (Cent)"), null=True, blank=True)
    max_cents = models.PositiveIntegerField(_("gesetzliches Maximum (Cent)"), null=True, blank=True)
    unit_cents = models.PositiveIntegerField(_("Betrag je Einheit (Cent)"), default=0)
    unit_label = models.CharField(_("Einheit"), max_length=200, blank=True)
    max_units = models.PositiveIntegerField(_("höchste Anzahl Einheiten"), default=999)
    items = models.JSONField(
        _("Posten"),
        default=list,
        blank=True,
        help_text=_('Liste von {"key", "label", "amount_cents", "required"} für „Summe gewählter Posten“.'),
    )
    legal_basis = models.TextField(_("Rechtsgrundlage"))
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Gebührenregel")
        verbose_name_plural = _("Gebührenregeln")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_key", "authority", "variant"],
                condition=models.Q(authority__isnull=False),
                name="payments_feerule_unique_per_authority",
            ),
            models.UniqueConstraint(
                fields=["procedure_key", "variant"],
                condition=models.Q(authority__isnull=True),
                name="payments_feerule_unique_statewide",
            ),
        ]

    def __str__(self):
        return f"{self.procedure_key}/{self.variant or '-'} @ {self.authority_id or '*'}: {self.label}"

    def clean(self):
        from amtsweg.payments.fees import FeeError, validate_rule

        try:
            validate_rule(self)
        except FeeError as exc:
            raise ValidationError(str(exc)) from exc


# --- What is owed, and attempts to pay it --------------------------------------------------------


class RequestState(models.TextChoices):
    OPEN = "open", _("offen")
    PAID = "paid", _("bezahlt")
    CANCELLED = "cancelled", _("storniert")


class PaymentRequest(models.Model):
    """What is owed for an opaque reference (e.g. "case:42"). Paid by one successful Payment attempt."""

    public_id = models.UUIDField(_("öffentliche ID"), default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("Referenz"), max_length=200, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Zahlungspflichtige Person"), on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    authority = models.ForeignKey("directory.Authority", verbose_name=_("Behörde"), on_delete=models.PROTECT)
    procedure_key = models.SlugField(_("Verfahren"), max_length=100, blank=True)
    case_number = models.CharField(_("Aktenzeichen"), max_length=100, blank=True)
    amount_cents = models.PositiveIntegerField(_("Betrag (Cent)"))
    currency = models.CharField(_("Währung"), max_length=3, default="EUR")
    purpose = models.CharField(_("Verwendungszweck"), max_length=300)
    legal_basis = models.TextField(_("Rechtsgrundlage"), blank=True)
    fee_lines = models.JSONField(_("Gebührenposten"), default=list, blank=True)
    continue_path = models.CharField(_("Rücksprungpfad"), max_length=300, blank=True)
    state = models.CharField(
        _("Status"), max_length=20, choices=RequestState.choices, default=RequestState.OPEN
    )
    paid_payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("bezahlt durch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    paid_at = models.DateTimeField(_("bezahlt am"), null=True, blank=True)

    # Tenancy in one place: staff see their authorities' requests, citizens only their own.
    objects = tenant_queryset(tenant_field="authority", owner_fields=("owner",)).as_manager()

    class Meta:
        verbose_name = _("Zahlungsanforderung")
        verbose_name_plural = _("Zahlungsanforderungen")

    def __str__(self):
        return f"{self.reference}: {format_cents(self.amount_cents)}"

    @property
    def amount_display(self) -> str:
        return format_cents(self.amount_cents)


class PaymentState(models.TextChoices):
    CREATED = "created", _("angelegt")
    PENDING = "pending", _("wird bestätigt")
    PAID = "paid", _("bezahlt")
    FAILED = "failed", _("fehlgeschlagen")
    CANCELLED = "cancelled", _("abgebrochen")
    EXPIRED = "expired", _("abgelaufen")
    PARTIALLY_REFUNDED = "partially_refunded", _("teilweise erstattet")
    REFUNDED = "refunded", _("erstattet")


class Payment(models.Model):
    """One attempt to pay a PaymentRequest through one provider."""

    public_id = models.UUIDField(_("öffentliche ID"), default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("Zahlungsanforderung"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    provider = models.CharField(_("Anbieter"), max_length=50)
    method = models.CharField(_("Zahlart"), max_length=50, blank=True)
    amount_cents = models.PositiveIntegerField(_("Betrag (Cent)"))
    currency = models.CharField(_("Währung"), max_length=3, default="EUR")
    state = models.CharField(
        _("Status"), max_length=20, choices=PaymentState.choices, default=PaymentState.CREATED
    )
    provider_reference = models.CharField(
        _("Referenz beim Anbieter"), max_length=200, blank=True, db_index=True
    )
    booking_reference = models.CharField(_("Buchungsreferenz"), max_length=40, unique=True)
    refunded_cents = models.PositiveIntegerField(_("erstattet (Cent)"), default=0)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    pending_since = models.DateTimeField(_("wartet seit"), null=True, blank=True)
    paid_at = models.DateTimeField(_("bezahlt am"), null=True, blank=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)
    last_checked_at = models.DateTimeField(_("zuletzt beim Anbieter abgefragt"), null=True, blank=True)
    is_duplicate = models.BooleanField(_("Doppelzahlung"), default=False)

    objects = tenant_queryset(
        tenant_field="request__authority", owner_fields=("request__owner",)
    ).as_manager()

    class Meta:
        verbose_name = _("Zahlung")
        verbose_name_plural = _("Zahlungen")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~models.Q(provider_reference=""),
                name="payments_payment_unique_provider_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_cents__lte=models.F("amount_cents")),
                name="payments_payment_refund_not_above_amount",
            ),
        ]
        indexes = [models.Index(fields=["state", "pending_since"], name="payments_pending_idx")]

    def __str__(self):
        return f"{self.booking_reference} ({self.get_state_display()})"

    @property
    def amount_display(self) -> str:
        return format_cents(self.amount_cents)


class PaymentEvent(models.Model):
    """Append-only audit trail: one row per state change (and per rejected or noteworthy input)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)
    kind = models.CharField(_("Art"), max_length=30)
    from_state = models.CharField(_("vorher"), max_length=20, blank=True)
    to_state = models.CharField(_("nachher"), max_length=20, blank=True)
    amount_cents = models.IntegerField(_("Betrag (Cent)"), null=True, blank=True)
    source = models.CharField(_("Quelle"), max_length=50)
    detail = models.JSONField(_("Einzelheiten"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Zahlungsereignis")
        verbose_name_plural = _("Zahlungsereignisse")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.kind} {self.from_state}→{self.to_state} ({self.source})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("PaymentEvent ist unveränderlich (nur anhängen).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("PaymentEvent ist unveränderlich (nur anhängen).")


class NotificationOutcome(models.TextChoices):
    APPLIED = "applied", _("übernommen")
    IGNORED = "ignored", _("ohne Wirkung (veraltet)")
    REJECTED = "rejected", _("abgewiesen")


class ProviderNotification(models.Model):
    """Every verified server-to-server notification, once per (provider, notification id).

    Replays of the same id are ignored."""

    provider = models.CharField(_("Anbieter"), max_length=50)
    notification_id = models.CharField(_("Benachrichtigungs-ID"), max_length=100)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True)
    received_at = models.DateTimeField(_("empfangen"), auto_now_add=True)
    payload = models.JSONField(_("Inhalt"), default=dict)
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=NotificationOutcome.choices)
    reason = models.CharField(_("Grund"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Anbieter-Benachrichtigung")
        verbose_name_plural = _("Anbieter-Benachrichtigungen")
        constraints = [
            models.UniqueConstraint(fields=["provider", "notification_id"], name="payments_notification_once")
        ]

    def __str__(self):
        return f"{self.provider}:{self.notification_id} ({self.outcome})"


# --- Bank transfer ------------------------------------------------------------------------------


class PayeeAccount(models.Model):
    """The bank account an authority receives transfers on (shown in the EPC QR code)."""

    authority = models.OneToOneField(
        "directory.Authority",
        verbose_name=_("Behörde"),
        on_delete=models.CASCADE,
        related_name="payee_account",
    )
    holder = models.CharField(_("Kontoinhaber"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("Empfängerkonto")
        verbose_name_plural = _("Empfängerkonten")

    def __str__(self):
        return f"{self.holder} ({self.iban})"

    def clean(self):
        from amtsweg.payments.references import is_valid_iban, normalise

        self.iban = normalise(self.iban)
        if not is_valid_iban(self.iban):
            raise ValidationError({"iban": _("Die IBAN ist ungültig (Prüfziffer oder Länge).")})


class BankEntryStatus(models.TextChoices):
    MATCHED = "matched", _("zugeordnet")
    UNMATCHED = "unmatched", _("zu klären")
    RESOLVED = "resolved", _("geklärt")


class BankEntryReason(models.TextChoices):
    NONE = "", _("–")
    UNKNOWN_REFERENCE = "unknown_reference", _("Referenz unbekannt")
    INVALID_REFERENCE = "invalid_reference", _("Referenz ungültig (Prüfziffer)")
    NO_REFERENCE = "no_reference", _("keine Referenz angegeben")
    WRONG_AMOUNT = "wrong_amount", _("Betrag weicht ab")
    WRONG_CURRENCY = "wrong_currency", _("andere Währung")
    DUPLICATE = "duplicate", _("Doppelzahlung")


class BankEntry(models.Model):
    """A credit entry from an imported camt.053 statement.

    Imported once (entry_key); matched to a payment or listed for a person to resolve."""

    authority = models.ForeignKey("directory.Authority", verbose_name=_("Behörde"), on_delete=models.PROTECT)
    entry_key = models.CharField(_("Buchungskennung"), max_length=200)
    statement_id = models.CharField(_("Kontoauszug"), max_length=200, blank=True)
    booked_on = models.DateField(_("Buchungstag"), null=True, blank=True)
    amount_cents = models.IntegerField(_("Betrag (Cent)"))
    currency = models.CharField(_("Währung"), max_length=3, default="EUR")
    reference = models.CharField(_("Referenz"), max_length=200, blank=True)
    remittance = models.TextField(_("Verwendungszweck"), blank=True)
    debtor_name = models.CharField(_("Auftraggeber"), max_length=200, blank=True)
    debtor_iban = models.CharField(_("IBAN Auftraggeber"), max_length=34, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=BankEntryStatus.choices)
    reason = models.CharField(
        _("Grund"), max_length=30, choices=BankEntryReason.choices, blank=True, default=""
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True)
    imported_at = models.DateTimeField(_("eingelesen"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("geklärt am"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(_("Klärungsvermerk"), blank=True)

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        verbose_name = _("Bankbuchung")
        verbose_name_plural = _("Bankbuchungen")
        constraints = [
            models.UniqueConstraint(fields=["authority", "entry_key"], name="payments_bankentry_once")
        ]

    def __str__(self):
        return f"{self.entry_key}: {self.amount_display} ({self.get_status_display()})"

    @property
    def amount_display(self) -> str:
        return format_cents(self.amount_cents)


class UnmatchedManager(models.Manager.from_queryset(tenant_queryset(tenant_field="authority"))):
    def get_queryset(self):
        return super().get_queryset().filter(status=BankEntryStatus.UNMATCHED)


class UnmatchedBankEntry(BankEntry):
    """Bank entries a person has to resolve (unknown reference, wrong amount, duplicate …)."""

    objects = UnmatchedManager()

    class Meta:
        proxy = True
        verbose_name = _("ungeklärte Bankbuchung")
        verbose_name_plural = _("ungeklärte Bankbuchungen")

    def __str__(self):
        return f"{self.entry_key}: {self.amount_display} ({self.get_reason_display()})"


# The sandbox provider keeps its own state in its own tables (clearly SANDBOX, never used otherwise).
from amtsweg.payments.providers.sandbox.models import SandboxNotification, SandboxTransaction  # noqa: E402, F401
