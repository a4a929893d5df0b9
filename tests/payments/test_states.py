import pytest

from amtsweg.payments import states
from amtsweg.payments.models import Payment, PaymentEvent, PaymentState
from amtsweg.payments.signals import payment_request_paid, payment_state_changed

from .factories import make_request

pytestmark = pytest.mark.django_db
S = PaymentState


def new_payment(**extra):
    pr = make_request(**extra)
    return Payment.objects.create(
        request=pr, provider="sandbox", amount_cents=pr.amount_cents, booking_reference=f"AW-T{pr.pk}"
    )


def test_happy_path_is_audited_step_by_step():
    payment = new_payment()
    assert states.transition(payment, S.PENDING, source="start")
    assert states.transition(payment, S.PAID, source="notification", detail={"notification": "n1"})
    assert payment.state == S.PAID
    assert payment.paid_at
    assert payment.pending_since
    events = list(payment.events.values_list("kind", "from_state", "to_state", "source", "amount_cents"))
    assert events == [
        ("state", "created", "pending", "start", None),
        ("state", "pending", "paid", "notification", 1280),
    ]
    assert payment.events.last().detail == {"notification": "n1"}


@pytest.mark.parametrize(
    ("path", "attempt"),
    [
        ([S.PENDING, S.PAID], S.PENDING),
        ([S.PENDING, S.PAID], S.FAILED),
        ([S.PENDING, S.PAID], S.EXPIRED),
        ([S.PENDING, S.FAILED], S.PENDING),
        ([S.PENDING, S.FAILED], S.CANCELLED),
        ([S.PENDING], S.CREATED),
    ],
)
def test_backwards_or_sideways_transitions_are_ignored_and_not_audited(path, attempt):
    payment = new_payment()
    for state in path:
        states.transition(payment, state, source="test")
    before = payment.events.count()
    assert not states.transition(payment, attempt, source="test")
    payment.refresh_from_db()
    assert payment.state == path[-1]
    assert payment.events.count() == before


def test_late_payment_after_expiry_still_counts():
    payment = new_payment()
    states.transition(payment, S.PENDING, source="start")
    states.transition(payment, S.EXPIRED, source="reconciliation")
    assert states.transition(payment, S.PAID, source="notification")
    assert payment.request.__class__.objects.get(pk=payment.request_id).state == "paid"


def test_refund_states_track_the_cumulative_amount_and_never_go_down():
    payment = new_payment()
    states.transition(payment, S.PAID, source="test")
    assert states.transition(payment, S.PARTIALLY_REFUNDED, source="t", refunded_cents=500)
    assert not states.transition(payment, S.PARTIALLY_REFUNDED, source="t", refunded_cents=300)
    assert not states.transition(payment, S.PARTIALLY_REFUNDED, source="t", refunded_cents=500)
    assert states.transition(
        payment, S.PARTIALLY_REFUNDED, source="t", refunded_cents=1280
    )  # becomes refunded
    assert payment.state == S.REFUNDED
    assert payment.refunded_cents == 1280
    assert list(payment.events.filter(kind="refund").values_list("amount_cents", flat=True)) == [500, 780]
    with pytest.raises(ValueError, match="refunded_cents is required"):
        states.transition(payment, S.REFUNDED, source="t")


def test_refund_cannot_exceed_the_amount_even_if_a_provider_claims_so():
    payment = new_payment()
    states.transition(payment, S.PAID, source="test")
    states.transition(payment, S.REFUNDED, source="t", refunded_cents=10**9)
    assert payment.refunded_cents == payment.amount_cents


def test_audit_events_are_append_only():
    payment = new_payment()
    states.transition(payment, S.PENDING, source="start")
    event = payment.events.get()
    event.source = "forged"
    with pytest.raises(ValueError, match="unveränderlich"):
        event.save()
    with pytest.raises(ValueError, match="unveränderlich"):
        event.delete()
    assert PaymentEvent.objects.get(pk=event.pk).source == "start"


def test_signals_carry_the_opaque_reference_and_fire_once():
    seen, paid = [], []

    def on_change(sender, payment, reference, old_state, new_state, **kwargs):
        seen.append((reference, old_state, new_state))

    def on_paid(sender, payment_request, payment, reference, **kwargs):
        paid.append(reference)

    payment_state_changed.connect(on_change, dispatch_uid="test-change")
    payment_request_paid.connect(on_paid, dispatch_uid="test-paid")
    try:
        payment = new_payment(reference="case:4711")
        states.transition(payment, S.PENDING, source="t")
        states.transition(payment, S.PAID, source="t")
        states.transition(payment, S.PAID, source="t")
    finally:
        payment_state_changed.disconnect(dispatch_uid="test-change")
        payment_request_paid.disconnect(dispatch_uid="test-paid")
    assert seen == [("case:4711", "created", "pending"), ("case:4711", "pending", "paid")]
    assert paid == ["case:4711"]


def test_a_failing_receiver_rolls_the_state_change_back():
    """The case engine's reaction and the payment state commit together or not at all."""

    def broken(**kwargs):
        raise RuntimeError("case engine down")

    payment_request_paid.connect(broken, dispatch_uid="test-broken")
    try:
        payment = new_payment()
        with pytest.raises(RuntimeError):
            states.transition(payment, S.PAID, source="t")
    finally:
        payment_request_paid.disconnect(dispatch_uid="test-broken")
    assert Payment.objects.get(pk=payment.pk).state == S.CREATED
    assert not PaymentEvent.objects.filter(payment=payment).exists()


def test_database_refuses_refunds_above_the_amount():
    from django.db import IntegrityError, transaction

    payment = new_payment()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(refunded_cents=payment.amount_cents + 1)
