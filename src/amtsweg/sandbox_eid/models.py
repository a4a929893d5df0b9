"""SANDBOX: authorization codes and access tokens of the sandbox eID (hashes only, short-lived)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxGrant(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.TextField()
    scope = models.CharField(max_length=500)
    nonce = models.CharField(max_length=500)
    code_challenge = models.CharField(max_length=128)
    identity_key = models.CharField(max_length=50)
    level = models.CharField(max_length=20)
    issuer = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    access_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Sandbox-Anmeldevorgang")
        verbose_name_plural = _("Sandbox-Anmeldevorgänge")

    def __str__(self):
        return f"SANDBOX {self.identity_key} ({self.level}) {self.created_at:%Y-%m-%d %H:%M}"
