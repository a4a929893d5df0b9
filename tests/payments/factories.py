"""Small factories for payments tests (plain functions, no fixture files)."""

from __future__ import annotations

import itertools
import json
import time
import uuid

from django.contrib.auth import get_user_model

from amtsweg.directory.models import Authority
from amtsweg.payments import http, services, signing
from amtsweg.payments.models import FeeRule, PayeeAccount
from amtsweg.payments.providers.sandbox import conf

_counter = itertools.count(1)


def make_user(username: str | None = None, **extra):
    username = username or f"buerger{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=None, **extra)


def make_authority(key: str | None = None, name: str | None = None) -> Authority:
    key = key or f"behoerde-{next(_counter)}"
    authority, _ = Authority.objects.get_or_create(key=key, defaults={"name": name or f"Testbehörde {key}"})
    return authority


def make_payee(authority, iban="DE89370400440532013000", holder=None, bic="COBADEFFXXX") -> PayeeAccount:
    account, _ = PayeeAccount.objects.update_or_create(
        authority=authority, defaults={"holder": holder or authority.name[:70], "iban": iban, "bic": bic}
    )
    return account


def make_request(owner=None, authority=None, amount_cents=1280, reference=None, **extra):
    owner = owner or make_user()
    authority = authority or make_authority()
    return services.create_payment_request(
        reference=reference or f"case:{uuid.uuid4().hex[:10]}",
        owner=owner,
        authority=authority,
        amount_cents=amount_cents,
        purpose=extra.pop("purpose", "Zulassung eines Fahrzeugs"),
        procedure_key=extra.pop("procedure_key", "kfz-neuzulassung"),
        case_number=extra.pop("case_number", f"KFZ-2026-{next(_counter):05d}"),
        **extra,
    )


def make_rule(**values) -> FeeRule:
    defaults = {
        "procedure_key": "gewerbe-anmeldung",
        "label": "Gewerbeanmeldung",
        "kind": "fixed",
        "amount_cents": 3000,
        "legal_basis": "10. SächsKVZ, lfd. Nr. 46",
    }
    defaults.update(values)
    rule = FeeRule(**defaults)
    rule.full_clean()
    rule.save()
    return rule


def signed_notification(payload: dict, *, secret: bytes | None = None, timestamp: float | None = None):
    """Body and headers as the sandbox gateway would send them."""
    body = json.dumps(payload).encode()
    headers = signing.signed_headers(
        secret or conf.secret(), body, prefix=conf.SIGNATURE_PREFIX, now=timestamp
    )
    return body, headers


def post_notification(client, body: bytes, headers: dict, provider="sandbox"):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.post(
        f"/zahlung/benachrichtigung/{provider}/", data=body, content_type="application/json", **extra
    )


def notification(payment, status: str, *, refunded_cents=0, amount_cents=None, notification_id=None) -> dict:
    return {
        "notification_id": notification_id or str(uuid.uuid4()),
        "transaction_id": payment.provider_reference,
        "merchant_reference": str(payment.public_id),
        "status": status,
        "amount_cents": payment.amount_cents if amount_cents is None else amount_cents,
        "refunded_cents": refunded_cents,
        "currency": "EUR",
        "method": "card",
        "sequence": 1,
    }


def now() -> float:
    return time.time()


__all__ = ["http"]


def make_staff(authority, username=None, **roles):
    from amtsweg.accounts.models import StaffMembership

    user = make_user(username or f"sachbearbeitung{next(_counter)}")
    StaffMembership.objects.create(user=user, authority=authority, **({"case_worker": True} | roles))
    return user


def login_staff(client, user):
    """Log a staff member in with a verified second factor (django-otp), as the staff login would."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=user, name="Test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client
