"""The case engine's tables. Other apps read them through `amtsweg.cases.services`; they never write them.

Personal data of a submission never lies here in clear: drafts are encrypted with the portal's draft key
(AES-GCM), submissions, answers and decision data as JWE for each receiving authority (`EncryptedPayload`),
attachments as AES-GCM files whose keys travel inside those JWEs (`Attachment` holds no name and no type).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import TenantQuerySet, tenant_queryset
from amtsweg.cases.states import State


class AuthorityKey(models.Model):
    """An authority's encryption key pair: the public JWK here, the private key in a file outside the
    database."""

    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, related_name="encryption_keys"
    )
    kid = models.CharField(_("Schlüsselkennung"), max_length=64, unique=True)
    public_jwk = models.JSONField(_("öffentlicher Schlüssel (JWK)"))
    bits = models.PositiveIntegerField(_("Schlüssellänge"), default=3072)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("erzeugt am"), default=timezone.now)
    retired_at = models.DateTimeField(_("abgelöst am"), null=True, blank=True)

    objects = tenant_queryset(tenant_field="authority").as_manager()

    class Meta:
        verbose_name = _("Behördenschlüssel")
        verbose_name_plural = _("Behördenschlüssel")
        constraints = [
            models.UniqueConstraint(
                fields=["authority"], condition=Q(is_active=True), name="cases_one_active_key_per_authority"
            )
        ]

    def __str__(self):
        return f"{self.authority_id}:{self.kid[:12]}"


class CaseCounter(models.Model):
    """The last case number given per authority and year (one row, locked while a number is drawn)."""

    authority = models.ForeignKey("directory.Authority", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "year"], name="cases_counter_uniq")]

    def __str__(self):
        return f"{self.authority_id}/{self.year}: {self.last}"


class Draft(models.Model):
    """A citizen's unfinished application: encrypted with the portal's draft key; deleted 30 days after the
    last
    edit. After submission it stays (as the citizen's copy, without attachment keys) until the same
    deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Entwurf")
        SUBMITTED = "submitted", _("eingereicht")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_drafts")
    procedure_key = models.SlugField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    data_encrypted = models.BinaryField(default=b"")
    # Highest step index (0-based) whose data validated; the review page needs every step.
    completed_steps = models.IntegerField(default=-1)
    acting = models.JSONField(default=dict, blank=True)  # who acts for whom (ids and labels only)
    case = models.OneToOneField(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="draft"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = tenant_queryset(owner_fields=("owner",)).as_manager()

    class Meta:
        verbose_name = _("Antragsentwurf")
        verbose_name_plural = _("Antragsentwürfe")
        indexes = [models.Index(fields=["owner", "procedure_key", "status"])]

    def __str__(self):
        return f"Entwurf {self.pk} ({self.procedure_key})"


class DraftFile(models.Model):
    """An upload attached to a draft, stored encrypted (AES-GCM, key in the draft's encrypted data)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, related_name="files")
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.pk)


class CaseQuerySet(TenantQuerySet):
    tenant_field = "parts__authority"
    owner_fields = ("applicant", "on_behalf_of")
    organisation_fields = ("organisation",)

    def for_staff(self, user, role: str | None = None):
        return super().for_staff(user, role).distinct()

    def for_citizen(self, user):
        return super().for_citizen(user).distinct()


class Case(models.Model):
    """A Vorgang: one submission and everything that follows it, worked by one or more authorities (parts)."""

    class Outcome(models.TextChoices):
        NONE = "", _("offen")
        GRANTED = "granted", _("bewilligt")
        PARTLY = "partly_granted", _("teilweise bewilligt")
        REJECTED = "rejected", _("abgelehnt")
        ACKNOWLEDGED = "acknowledged", _("zur Kenntnis genommen")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("Vorgangsnummer"), max_length=120, unique=True)
    procedure_key = models.SlugField(_("Verfahren"), max_length=100, db_index=True)
    authority = models.ForeignKey(
        "directory.Authority",
        verbose_name=_("federführende Behörde"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Antragsteller/in"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="cases_for_me"
    )
    acting = models.JSONField(_("Handeln für"), default=dict, blank=True)
    trust_level = models.CharField(_("Vertrauensniveau"), max_length=20)
    state = models.CharField(
        _("Status"), max_length=30, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=Outcome.choices, blank=True, default="")
    idempotency_key = models.UUIDField(_("Einreichungsschlüssel"))
    place_ags = models.CharField(_("Gebietsschlüssel des Ortes"), max_length=8, blank=True)
    fee_cents = models.PositiveIntegerField(_("Gebühr (Cent)"), default=0)
    payment_reference = models.CharField(_("Zahlungsreferenz"), max_length=200, blank=True)
    check_results = models.JSONField(_("automatische Prüfungen"), default=list, blank=True)
    decided_automatically = models.BooleanField(_("automatisch entschieden"), default=False)
    # An automatic decision prepared at submission, carried out when the fee is paid (payment_first).
    planned_outcome = models.CharField(max_length=20, blank=True)
    planned_summary = models.TextField(blank=True)
    sample_review = models.BooleanField(_("zur Stichprobe gezogen"), default=False)
    content_sha256 = models.CharField(_("Prüfsumme der Einreichung"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("eingereicht am"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("Bearbeitungsziel"), null=True, blank=True)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)
    retain_until = models.DateField(_("aufzubewahren bis"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking for the back office
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("Vorgang")
        verbose_name_plural = _("Vorgänge")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="cases_case_idempotency_uniq"
            )
        ]
        indexes = [models.Index(fields=["authority", "state", "-submitted_at"], name="cases_case_worklist")]

    def __str__(self):
        return self.number

    @property
    def reference(self) -> str:
        """The opaque reference the basic components (payments, postbox) get."""
        return f"case:{self.public_id}"


class CasePartQuerySet(TenantQuerySet):
    tenant_field = "authority"
    owner_fields = ("case__applicant", "case__on_behalf_of")
    organisation_fields = ("case__organisation",)


class CasePart(models.Model):
    """One authority's share of a case (CaseAssignment): its own file number, state, assignee and due date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parts")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="case_parts")
    number = models.CharField(_("Aktenzeichen"), max_length=120, unique=True)
    label = models.CharField(_("Zuständigkeit"), max_length=200, blank=True)
    is_lead = models.BooleanField(_("federführend"), default=False)
    state = models.CharField(
        _("Status"), max_length=30, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    outcome = models.CharField(
        _("Ergebnis"), max_length=20, choices=Case.Outcome.choices, blank=True, default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_case_parts",
    )
    fields = models.JSONField(_("freigegebene Felder"), null=True, blank=True)  # None = all
    due_on = models.DateField(_("Bearbeitungsziel"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("Vorgangsteil")
        verbose_name_plural = _("Vorgangsteile")
        ordering = ["-is_lead", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "authority"], name="cases_part_uniq")]
        indexes = [models.Index(fields=["authority", "state", "due_on"], name="cases_part_worklist")]

    def __str__(self):
        return self.number


class EncryptedPayload(models.Model):
    """A JWE (RSA-OAEP-256 + A256GCM) for one authority: the submission, an answer, a follow-up or
    decision data."""

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("Antrag")
        ANSWER = "answer", _("Antwort auf Nachforderung")
        FOLLOW_UP = "follow_up", _("Nachreichung")
        DECISION = "decision", _("Bescheiddaten")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="payloads")
    part = models.ForeignKey(CasePart, on_delete=models.CASCADE, related_name="payloads")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, blank=True)  # follow-up key or inquiry id
    kid = models.CharField(max_length=64)
    jwe = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "part", "kind"])]

    def __str__(self):
        return f"{self.kind} {self.case_id}/{self.part_id} ({self.kid[:8]})"


class Attachment(models.Model):
    """An encrypted file of a case. Name, type and file key live only inside the payload JWEs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.pk)


class InformationRequest(models.Model):
    """A follow-up question (Nachforderung): which fields and documents are missing, the note and the
    deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        ANSWERED = "answered", _("beantwortet")
        CANCELLED = "cancelled", _("zurückgenommen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_requests")
    part = models.ForeignKey(CasePart, on_delete=models.CASCADE, related_name="information_requests")
    fields = models.JSONField(_("nachgeforderte Felder"), default=list)
    note = models.TextField(_("Hinweis der Behörde"))
    deadline = models.DateField(_("Frist"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_queryset(
        tenant_field="part__authority",
        owner_fields=("case__applicant", "case__on_behalf_of"),
        organisation_fields=("case__organisation",),
    ).as_manager()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Rückfrage {self.pk} ({self.status})"


class FollowUpSubmission(models.Model):
    """An expected later submission (e.g. drilling results): due date and when it came."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    key = models.CharField(max_length=100)
    due_on = models.DateField()
    received_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="cases_follow_up_uniq")]

    def __str__(self):
        return f"{self.case_id}:{self.key}"


class CaseDeadline(models.Model):
    """A date tracked for a case or one part (processing target, answer deadline, follow-up, procedure
    dates)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    part = models.ForeignKey(
        CasePart, on_delete=models.CASCADE, null=True, blank=True, related_name="deadlines"
    )
    key = models.CharField(max_length=100)
    label = models.CharField(max_length=300)
    due_on = models.DateField(db_index=True)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.label} {self.due_on:%d.%m.%Y}"


class Decision(models.Model):
    """A decision on a case part: outcome, who (or the program) decided, and its document once issued."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    part = models.ForeignKey(CasePart, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Case.Outcome.choices)
    summary = models.TextField(blank=True)  # shown to the citizen; no personal data
    automatic = models.BooleanField(default=False)
    doc_type = models.SlugField(max_length=50, default="bescheid")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    document_id = models.UUIDField(null=True, blank=True)  # documents.Document, once issued
    delivery_id = models.UUIDField(null=True, blank=True)
    issue_error = models.CharField(max_length=500, blank=True)
    # Sample review of automatic decisions (§ 23 (3) FZV): drawn, then confirmed or corrected within a month.
    review_due_on = models.DateField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    review_result = models.CharField(max_length=20, blank=True)

    objects = tenant_queryset(tenant_field="part__authority").as_manager()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self):
        return f"{self.case_id}: {self.outcome}"


class AuditChain(models.Model):
    """Head of one hash chain of audit events (one chain per authority, plus "platform")."""

    chain = models.CharField(max_length=120, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="")

    def __str__(self):
        return f"{self.chain} #{self.seq}"


class AuditEvent(models.Model):
    """Append-only audit trail. Each row stores sha256(prev_hash + canonical JSON of the row);
    `amtsweg manage verify_audit` detects changed, deleted or inserted rows."""

    chain = models.CharField(max_length=120)
    seq = models.PositiveBigIntegerField()
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = tenant_queryset(
        tenant_field="authority", owner_fields=("case__applicant", "case__on_behalf_of")
    ).as_manager()

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="cases_audit_chain_seq_uniq")]
        indexes = [models.Index(fields=["case", "at"], name="cases_audit_case_at")]

    def __str__(self):
        return f"{self.chain} #{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class OutboxMessage(models.Model):
    """A side effect queued in the same transaction as the state change; done once by the task worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("wartet")
        DONE = "done", _("erledigt")
        FAILED = "failed", _("fehlgeschlagen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox")
    kind = models.CharField(max_length=50)
    payload = models.JSONField(default=dict, blank=True)  # ids and references only, never personal data
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    result = models.CharField(max_length=500, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.status})"
