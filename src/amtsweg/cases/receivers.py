"""The case engine listens to the basic components; they know nothing about cases (opaque references)."""

from __future__ import annotations

from django.dispatch import receiver

from amtsweg.payments.signals import payment_request_paid
from amtsweg.postbox.signals import delivery_notified


@receiver(payment_request_paid, dispatch_uid="cases.payment_paid")
def payment_paid(sender, payment_request=None, reference="", **kwargs):
    from amtsweg.cases.services import on_payment_paid

    on_payment_paid(reference or getattr(payment_request, "reference", ""))


@receiver(delivery_notified, dispatch_uid="cases.delivery_notified")
def decision_notified(sender, reference="", delivery=None, date=None, **kwargs):
    from amtsweg.cases.services import on_delivery_notified

    on_delivery_notified(reference, delivery, date)
