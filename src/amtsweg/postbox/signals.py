"""Signals the postbox sends; the case engine connects receivers (the postbox knows nothing about cases).

    from amtsweg.postbox.signals import delivery_notified

    @receiver(delivery_notified)
    def on_notified(sender, reference, date, rule, remedy_period_end, delivery, **kwargs): ...

Both are sent inside the database transaction that records the event, so a receiver's changes commit (or
roll back) together with it; each is sent once per delivery.
"""

from django.dispatch import Signal

# The legal notification date is known: reference (opaque str), date (datetime.date, may lie in the future for
# the fourth-day rules), rule ("postbox_account" | "portal_retrieval" | "post"), remedy_period_end (date or
# None), delivery (postbox.Delivery).
delivery_notified = Signal()

# Electronic delivery failed and the document went to the print queue: reference, reason (German), delivery.
delivery_fell_back_to_paper = Signal()

# A citizen replied to a message that allowed replies: reference, message (the authority's), reply (the
# answer).
message_replied = Signal()
