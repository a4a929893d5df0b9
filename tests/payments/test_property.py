"""Property: whatever order and however often the provider's notifications arrive, the payment ends right."""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amtsweg.payments import services
from amtsweg.payments.models import PaymentState

from .factories import make_request, make_user, notification, post_notification, signed_notification

AMOUNT = 1280

# Each scenario: the notifications the provider sends for one payment (in order) and the right final state.
SCENARIOS = {
    "paid": ([("pending", 0), ("paid", 0)], PaymentState.PAID, 0),
    "declined": ([("pending", 0), ("failed", 0)], PaymentState.FAILED, 0),
    "cancelled": ([("cancelled", 0)], PaymentState.CANCELLED, 0),
    "partly refunded": (
        [("pending", 0), ("paid", 0), ("partially_refunded", 300)],
        PaymentState.PARTIALLY_REFUNDED,
        300,
    ),
    "refunded in two steps": (
        [("pending", 0), ("paid", 0), ("partially_refunded", 500), ("refunded", AMOUNT)],
        PaymentState.REFUNDED,
        AMOUNT,
    ),
    "three partial refunds": (
        [("paid", 0), ("partially_refunded", 100), ("partially_refunded", 400), ("partially_refunded", 900)],
        PaymentState.PARTIALLY_REFUNDED,
        900,
    ),
}


@st.composite
def deliveries(draw):
    name = draw(st.sampled_from(sorted(SCENARIOS)))
    events, _final, _refunded = SCENARIOS[name]
    # every notification at least once, some up to three times, in any order
    copies = [i for i, _ in enumerate(events) for _ in range(draw(st.integers(min_value=1, max_value=3)))]
    order = draw(st.permutations(copies))
    return name, order


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deliveries())
def test_any_order_and_duplication_of_notifications_ends_in_the_right_state(client, delivery):
    name, order = delivery
    events, final, refunded = SCENARIOS[name]
    owner = make_user(f"p{uuid.uuid4().hex[:12]}")
    pr = make_request(owner=owner, amount_cents=AMOUNT)
    payment, _url = services.start_payment(pr, owner, "sandbox")
    payloads = [
        notification(payment, status, refunded_cents=cents, notification_id=f"{payment.pk}-{i}")
        for i, (status, cents) in enumerate(events)
    ]
    for index in order:
        body, headers = signed_notification(payloads[index])
        response = post_notification(client, body, headers)
        assert response.status_code == 200, response.content

    payment.refresh_from_db()
    pr.refresh_from_db()
    assert payment.state == final, (name, order)
    assert payment.refunded_cents == refunded
    assert (pr.state == "paid") == (
        final in {PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED}
    )
    # the audit trail only ever moves forward and records each change once
    transitions = list(payment.events.filter(kind__in=["state", "refund"]).values_list("to_state", flat=True))
    assert transitions.count("paid") <= 1
    assert len(transitions) == len(
        set(
            zip(
                transitions,
                payment.events.filter(kind__in=["state", "refund"]).values_list("amount_cents", flat=True),
                strict=True,
            )
        )
    )
