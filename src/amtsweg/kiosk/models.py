"""Bürgerterminal devices in kiosk mode, and video consultation between a terminal and a staff workstation.

* `Terminal`: a device registered by an authority administrator for one `assisted.Site`. Its token is shown
  once; only its SHA-256 is stored. Revoked terminals are refused at their next request.
* `StaffPresence`: when a staff member last had the video queue open (polling), per authority.
* `VideoRequest`: "Mit einer Person sprechen" from a terminal; queued per authority, accepted by one staff
  member (conditional update), ended by either side.
* `Signal`: WebRTC signalling messages (offer, answer, ICE candidates, bye) relayed by the platform.
* `CallDocument`: a document scanned or uploaded during a call, AES-GCM encrypted; its file key and name
  travel only inside a JWE for the authority. Optionally linked to a case of that authority.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.tenancy import TenantQuerySet


class TerminalQuerySet(TenantQuerySet):
    tenant_field = "site__authority"


class Terminal(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "assisted.Site", on_delete=models.PROTECT, related_name="terminals", verbose_name=_("Standort")
    )
    name = models.CharField(_("Bezeichnung"), max_length=120)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("Anfang des Gerätecodes"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registriert am"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("zuletzt aktiv"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("gesperrt am"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TerminalQuerySet.as_manager()

    class Meta:
        verbose_name = _("Terminal")
        verbose_name_plural = _("Terminals")
        ordering = ["site__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.site})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StaffPresence(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    authority = models.ForeignKey("directory.Authority", on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "authority"], name="kiosk_presence_uniq")]

    def __str__(self):
        return f"{self.user_id}@{self.authority_id}"


class VideoRequestQuerySet(TenantQuerySet):
    tenant_field = "authority"


class VideoRequest(models.Model):
    class Status(models.TextChoices):
        WAITING = "wartet", _("wartet")
        ACCEPTED = "angenommen", _("im Gespräch")
        ENDED = "beendet", _("beendet")
        CANCELLED = "abgebrochen", _("abgebrochen")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(
        "directory.Authority", on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde")
    )
    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="video_requests")
    topic = models.CharField(_("Anliegen"), max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_terminal_poll_at = models.DateTimeField(default=timezone.now)

    objects = VideoRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("Videoberatung")
        verbose_name_plural = _("Videoberatungen")
        ordering = ["created_at"]

    def __str__(self):
        return str(self.public_id)


class Signal(models.Model):
    class Sender(models.TextChoices):
        TERMINAL = "terminal", _("Terminal")
        STAFF = "staff", _("Beschäftigte")

    request = models.ForeignKey(VideoRequest, on_delete=models.CASCADE, related_name="signals")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    kind = models.CharField(max_length=12)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} ({self.sender})"


class CallDocumentQuerySet(TenantQuerySet):
    tenant_field = "request__authority"


class CallDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(VideoRequest, on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="call_documents"
    )
    storage_name = models.CharField(max_length=200)
    meta_jwe = models.TextField()  # name, type, size and the file key, for the authority only
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = CallDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["added_at"]

    def __str__(self):
        return str(self.pk)
