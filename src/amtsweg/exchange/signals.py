"""Exchange knows nothing about cases: callers pass an opaque `reference` and listen here."""

from django.dispatch import Signal

# Sent once per message, inside the transaction that marks it delivered: (sender=OutgoingMessage, message,
# reference). Receivers must be idempotent and fast.
message_delivered = Signal()
# Sent when a message gave up after its last attempt: (sender=OutgoingMessage, message, reference).
message_failed = Signal()
