"""The demo loaders of exchange and gewerbe are idempotent and leave a working setup."""

from __future__ import annotations

import pytest

from amtsweg.exchange.models import Recipient

pytestmark = pytest.mark.django_db


def test_demo_loaders_run_twice_without_changes():
    from amtsweg.documents.models import DocumentTemplate
    from amtsweg.exchange.demo import load_exchange_demo
    from amtsweg.procedures.gewerbe.demo import load_gewerbe_demo

    assert load_exchange_demo()
    assert load_gewerbe_demo()
    recipients = Recipient.objects.count()
    keys = {r.key: r.public_jwk for r in Recipient.objects.all()}
    templates = DocumentTemplate.objects.filter(doc_type="empfangsbescheinigung").count()
    load_exchange_demo()
    load_gewerbe_demo()
    assert Recipient.objects.count() == recipients
    assert {r.key: r.public_jwk for r in Recipient.objects.all()} == keys  # keys are not replaced
    assert templates == DocumentTemplate.objects.filter(doc_type="empfangsbescheinigung").count() == 3
    assert all(r.public_jwk.get("crv") == "X25519" for r in Recipient.objects.filter(endpoint="sandbox"))
