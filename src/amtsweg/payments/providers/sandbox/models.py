"""SANDBOX provider tables: the stand-in provider's own records (not ours). Demo and tests only."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxTransaction(models.Model):
    """SANDBOX: a transaction at the stand-in payment provider."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant_reference = models.CharField(max_length=200)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    purpose = models.CharField(max_length=300)
    return_url = models.URLField(max_length=500)
    notify_url = models.URLField(max_length=500)
    status = models.CharField(max_length=20, default="open")
    method = models.CharField(max_length=20, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    refunds = models.JSONField(default=dict, blank=True)  # refund_id -> amount (idempotency)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "payments"
        verbose_name = _("SANDBOX-Transaktion")
        verbose_name_plural = _("SANDBOX-Transaktionen")

    def __str__(self):
        return f"SANDBOX {self.id} ({self.status})"


class SandboxNotification(models.Model):
    """SANDBOX: a notification the stand-in provider sends (or tries to send) to the merchant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    transaction = models.ForeignKey(
        SandboxTransaction, on_delete=models.CASCADE, related_name="notifications"
    )
    status = models.CharField(max_length=20)
    refunded_cents = models.PositiveIntegerField(default=0)
    sequence = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    deliveries = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_response = models.CharField(max_length=300, blank=True)

    class Meta:
        app_label = "payments"
        verbose_name = _("SANDBOX-Benachrichtigung")
        verbose_name_plural = _("SANDBOX-Benachrichtigungen")

    def __str__(self):
        return f"SANDBOX {self.id} {self.status}"
