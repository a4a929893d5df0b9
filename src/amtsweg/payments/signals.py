"""How the payments app reports back without knowing its callers.

Both signals are sent *inside* the transaction that changes the state, so a receiver's own
writes (e.g. the case engine moving a case on, or enqueuing a task) commit together with the
payment state or not at all. Receivers must be idempotent: look at the state, not at the count
of calls.

payment_state_changed(sender=Payment, payment, reference, old_state, new_state)
    every state change of a payment attempt.
payment_request_paid(sender=PaymentRequest, payment_request, payment, reference)
    once, when the amount owed for `reference` has been paid.
"""

from django.dispatch import Signal

payment_state_changed = Signal()
payment_request_paid = Signal()
