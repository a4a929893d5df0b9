"""The i-Kfz dialogue listens to the payments app (it knows nothing about us: the reference is
"kfz:<dialogue>")."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.dispatch import receiver

from amtsweg.payments.signals import payment_request_paid


def dialogue_id_for(reference: str):
    if not isinstance(reference, str) or not reference.startswith("kfz:"):
        return None
    try:
        return uuid.UUID(reference[4:])
    except ValueError:
        return None


@receiver(payment_request_paid, dispatch_uid="kfz.payment_paid")
def payment_paid(sender, payment_request=None, reference="", **kwargs):
    """Runs inside the payment's transaction: only mark the dialogue paid and queue the submission after
    commit,
    so nothing here can roll the payment back."""
    from amtsweg.procedures.kfz.dialogue import mark_paid
    from amtsweg.procedures.kfz.models import Dialogue
    from amtsweg.procedures.kfz.tasks import submit_paid_dialogue

    dialogue_id = dialogue_id_for(reference or getattr(payment_request, "reference", ""))
    if dialogue_id is None:
        return
    dialogue = Dialogue.objects.filter(pk=dialogue_id).first()
    if dialogue is None:
        return
    if mark_paid(dialogue):
        transaction.on_commit(lambda: submit_paid_dialogue.enqueue(str(dialogue_id)))
