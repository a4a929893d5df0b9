"""Test data for the exchange app (plain functions)."""

from __future__ import annotations

import itertools

from django.core.management import call_command
from django.utils import timezone

_counter = itertools.count(1)


def make_authority(key: str | None = None, name: str = "Gemeinde Beispielheim"):
    from amtsweg.directory.models import Authority

    n = next(_counter)
    return Authority.objects.create(key=key or f"gemeinde-test-{n}", name=f"{name} {n}")


def make_recipient(key: str | None = None, kind: str = "ihk", districts=None, endpoint: str = "sandbox"):
    from amtsweg.exchange import crypto
    from amtsweg.exchange.models import Recipient

    n = next(_counter)
    recipient = Recipient.objects.create(
        key=key or f"empfaenger-{n}",
        kind=kind,
        name=f"Testkammer {n} (SANDBOX)",
        districts=list(districts or []),
        dvdv_key=f"99{n:010d}",
        endpoint=endpoint,
    )
    if endpoint == "sandbox":
        crypto.ensure_sandbox_key(recipient)
    else:  # an outside receiver: only its public key is known here
        from joserfc.jwk import OKPKey

        recipient.public_jwk = OKPKey.generate_key("X25519", auto_kid=True).as_dict(private=False)
        recipient.save()
    return recipient


def make_staff(authority):
    from amtsweg.accounts.models import StaffMembership, User

    n = next(_counter)
    user = User.objects.create_user(username=f"staff-{n}", email=f"staff{n}@behoerde.example")
    StaffMembership.objects.create(user=user, authority=authority, case_worker=True)
    return user


XML = b'<?xml version="1.0" encoding="UTF-8"?><x:m xmlns:x="urn:test"><x:satz><x:a>1</x:a></x:satz></x:m>'


def queue_message(sender, recipient, payload: bytes = XML, reference: str = "case:test", **kwargs):
    from django.db import transaction

    from amtsweg.exchange import services

    prepared = services.prepare(
        sender=sender, recipient=recipient, payload=payload, message_type="alg.gewerbemeldung.0300", **kwargs
    )
    from django.db import connection
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(using=connection.alias, execute=True), transaction.atomic():
        message = services.queue(prepared, reference=reference, log_retention_days=183)
    return message


def run_worker(rounds: int = 1) -> None:
    """Run every queued task with the real database worker, retries made due at once. Inside a test
    transaction
    the worker must not close the test's connection (PostgreSQL), so that call is switched off."""
    from unittest import mock

    from django.db import connection
    from django.test import TestCase
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    with mock.patch.object(db_worker, "close_old_connections", return_value=None):
        for _ in range(rounds):
            with TestCase.captureOnCommitCallbacks(using=connection.alias, execute=True):
                DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
                call_command(
                    "db_worker",
                    "--batch",
                    "--no-reload",
                    "--no-startup-delay",
                    "--queue-name",
                    "*",
                    verbosity=0,
                )
