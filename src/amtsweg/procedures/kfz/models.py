"""Tables of the i-Kfz portal: the application dialogue, its log, automatic-decision records and the dispatch
list.

* `Dialogue`: one online application from the first input to the transfer to the authority (§§ 18–20 FZV). It
  counts wrong security-code entries **server-side** (three corrections, then abort), remembers which vehicle
  version the codes were verified against, and keeps the entered data encrypted. Security codes are never
  stored.
  Its data is deleted at transfer (submission) and 30 minutes after an abort (`tasks.purge_dialogues`).
* `DialogueEvent`: the portal's log (no personal data, no codes), kept six months.
* `DecisionRecord`: for every i-Kfz decision the rule version, the outcome, the check results and the
technical
  inputs (register version and operation, fee, code kinds verified); the applicant's own inputs are the case's
  encrypted submission, bound by their SHA-256 (`inputs_sha256`).
* `DispatchItem`: what the registration office prints and posts (ZB I, ZB II, seals, HU sticker) with its
status.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import tenant_queryset


class Dialogue(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("in Bearbeitung")
        AWAITING_PAYMENT = "awaiting_payment", _("wartet auf Zahlung")
        PAID = "paid", _("bezahlt")
        SUBMITTED = "submitted", _("übermittelt")
        ABORTED = "aborted", _("abgebrochen")

    class AbortReason(models.TextChoices):
        NONE = "", _("–")
        CODES = "codes", _("Sicherheitscodes dreimal falsch korrigiert")
        LOCKED = "locked", _("Fahrzeug für Online-Anträge gesperrt")
        APPLICANT = "applicant", _("vom Antragsteller abgebrochen")
        INACTIVE = "inactive", _("zu lange nicht fortgesetzt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kfz_dialogues"
    )
    procedure_key = models.SlugField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    abort_reason = models.CharField(max_length=20, choices=AbortReason.choices, blank=True, default="")
    # Security codes: only the count of wrong entries, never the codes.
    wrong_entries = models.PositiveSmallIntegerField(default=0)
    vehicle_ref = models.CharField(max_length=64, blank=True)
    vehicle_version = models.PositiveIntegerField(null=True, blank=True)
    codes_verified_at = models.DateTimeField(null=True, blank=True)
    verified_kinds = models.JSONField(default=list, blank=True)
    data_encrypted = models.BinaryField(default=b"", blank=True)
    findings = models.JSONField(default=list, blank=True)  # [{"key", "passed", "message"}]; no personal data
    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee_cents = models.PositiveIntegerField(null=True, blank=True)
    fee_rule = models.CharField(max_length=100, blank=True)  # "procedure_key|variant|item,item"
    payment_reference = models.CharField(max_length=200, blank=True)
    submission_key = models.UUIDField(default=uuid.uuid4, editable=False)
    trust_level = models.CharField(max_length=20, blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submit_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    aborted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_queryset(owner_fields=("owner",)).as_manager()

    class Meta:
        verbose_name = _("i-Kfz-Antragsdialog")
        verbose_name_plural = _("i-Kfz-Antragsdialoge")
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"{self.procedure_key} {self.pk} ({self.status})"

    @property
    def reference(self) -> str:
        """The opaque reference the payments app gets."""
        return f"kfz:{self.id}"

    @property
    def operation_id(self) -> str:
        """The register operation id: one register change per application, however often it is retried."""
        return f"ikfz:{self.id}"


class DialogueEvent(models.Model):
    """The portal's log (§ 19 FZV: six months). Ids and counts only; never personal data or codes."""

    dialogue_id = models.UUIDField(db_index=True)
    procedure_key = models.SlugField(max_length=100)
    kind = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind} {self.dialogue_id}"


class DecisionRecord(models.Model):
    """What an i-Kfz decision was based on (§ 23 (3) FZV: automatic decisions must be auditable)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="kfz_record")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    procedure_key = models.SlugField(max_length=100)
    automatic = models.BooleanField()
    outcome = models.CharField(max_length=20, blank=True)  # "granted", or "" when a case worker decides
    rule_version = models.CharField(max_length=60)
    checks = models.JSONField(default=list)
    inputs = models.JSONField(default=dict)  # technical inputs: no personal data, no codes
    inputs_sha256 = models.CharField(max_length=64)  # SHA-256 of the submitted values (in the encrypted case)
    register_operation = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.procedure_key}: {self.outcome or 'Prüfung'} ({self.rule_version})"


class DispatchItem(models.Model):
    """One letter the registration office prints and posts: new certificates, seals on a carrier, HU
    sticker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("zu drucken")
        PRINTED = "printed", _("gedruckt")
        POSTED = "posted", _("zur Post gegeben")
        CANCELLED = "cancelled", _("storniert")

    DOCUMENT_LABELS = {
        "zb1": _("Zulassungsbescheinigung Teil I"),
        "zb2": _("Zulassungsbescheinigung Teil II"),
        "seals": _("Stempelplaketten auf Plakettenträger"),
        "hu_sticker": _("HU-Plakette"),
    }

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="kfz_dispatch")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    plate = models.CharField(_("Kennzeichen"), max_length=12)
    documents = models.JSONField(_("Inhalt"), default=list)
    recipient_name = models.CharField(_("Empfänger"), max_length=200)
    address_lines = models.JSONField(_("Anschrift"), default=list)
    status = models.CharField(
        _("Stand"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("spätestens zur Post"))  # § 31 FZV: within six calendar days
    printed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        ordering = ["status", "due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case"], name="kfz_one_dispatch_per_case")]

    def __str__(self):
        return f"{self.plate}: {self.get_status_display()}"

    @property
    def document_labels(self) -> list[str]:
        return [str(self.DOCUMENT_LABELS.get(key, key)) for key in self.documents]


class ProvisionalProof(models.Model):
    """The provisional registration proof (§ 32 FZV) issued for a registration, once per case."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="kfz_proof")
    plate = models.CharField(max_length=12)
    valid_until = models.DateField()
    document_id = models.UUIDField(null=True, blank=True)
    delivery_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.plate} bis {self.valid_until:%d.%m.%Y}"
