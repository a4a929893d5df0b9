"""Benchmark: the payment hot paths (fee quote, signed notification, camt.053 import, reconciliation).

Figures per operation with same-run baselines: HMAC verification alone (the floor of a notification) and
a bare XML parse (the floor of a statement import). Notifications go through Django's request handling
(test client: URL routing, middleware, view, signature check, de-duplication insert, state machine, audit
row, signals); reconciliation queries the SANDBOX gateway over in-process HTTP. Single process, SQLite
unless AMTSWEG_DATABASE_URL is set.

    .venv/bin/python benchmarks/payments.py [-n 500]

`run(iterations)` returns the figures as a dict for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path


def _setup_django() -> None:
    if "DJANGO_SETTINGS_MODULE" in os.environ and os.environ.get("AMTSWEG_DATA_DIR"):
        import django

        django.setup()
        return
    folder = Path(tempfile.mkdtemp(prefix="amtsweg-bench-payments-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "amtsweg.config.settings",
            "AMTSWEG_TESTING": "1",
            "AMTSWEG_DATA_DIR": str(folder),
            "AMTSWEG_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("AMTSWEG_DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _timed(func, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        func(i)
    return time.perf_counter() - start


def _camt(entries: list[tuple[str, int]]) -> bytes:
    rows = "".join(
        f'<Ntry><Amt Ccy="EUR">{cents / 100:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>2026-11-27</Dt></BookgDt><AcctSvcrRef>B-{i}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<RmtInf><Strd><CdtrRefInf><Ref>{ref}</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for i, (ref, cents) in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        f"<BkToCstmrStmt><Stmt><Id>BENCH-{uuid.uuid4().hex[:8]}</Id>{rows}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def run(iterations: int = 500, *, verbose: bool = True) -> dict:
    _setup_django()
    from urllib.parse import urlsplit

    from defusedxml import ElementTree
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from amtsweg.directory.models import Authority
    from amtsweg.payments import http, services, signing
    from amtsweg.payments.camt import import_camt053
    from amtsweg.payments.fees import compute_fee
    from amtsweg.payments.models import FeeRule, PayeeAccount, Payment
    from amtsweg.payments.providers.sandbox import conf

    setup_test_environment()
    settings.BASE_URL = "http://testserver"
    settings.PAYMENTS_SANDBOX_ENABLED = True
    settings.PAYMENTS_SANDBOX_CHAOS = "drop"

    def transport(method, url, body, headers):
        parts = urlsplit(url)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        client = Client()
        if method == "GET":
            response = client.get(parts.path, **extra)
        else:
            response = client.generic(
                method, parts.path, data=body or b"", content_type="application/json", **extra
            )
        return http.Response(response.status_code, response.content, dict(response.headers))

    http.set_transport(transport)
    n = iterations
    run_id = uuid.uuid4().hex[:8]
    owner = get_user_model().objects.create_user(username=f"bench-{run_id}", password=None)
    authority = Authority.objects.create(key=f"bench-{run_id}", name="Benchmarkamt")
    PayeeAccount.objects.create(authority=authority, holder="Benchmarkamt", iban="DE89370400440532013000")
    results: dict = {"iterations": n, "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]}

    rule = FeeRule(
        procedure_key="kfz-neuzulassung",
        kind="sum_of_items",
        label="Zulassung",
        amount_cents=1280,
        items=[
            {"key": "w", "label": "Wunschkennzeichen", "amount_cents": 1020},
            {"key": "p", "label": "Plaketten", "amount_cents": 140, "required": True},
        ],
        legal_basis="GebOSt 221.1.1",
    )
    seconds = _timed(lambda i: compute_fee(rule, {"items": ["w"]}), n * 20)
    results["fee_quote_per_s"] = round(n * 20 / seconds)

    # Signed notifications: payments started through the plugin (over HTTP to the gateway), then "paid".
    payments = []
    for i in range(n):
        pr = services.create_payment_request(
            reference=f"bench:{run_id}:{i}",
            owner=owner,
            authority=authority,
            amount_cents=1280,
            purpose="Benchmark",
        )
        payments.append(services.start_payment(pr, owner, "sandbox")[0])
    secret = conf.secret()
    bodies = []
    for payment in payments:
        body = http.dumps(
            {
                "notification_id": str(uuid.uuid4()),
                "transaction_id": payment.provider_reference,
                "merchant_reference": str(payment.public_id),
                "status": "paid",
                "amount_cents": 1280,
                "refunded_cents": 0,
                "currency": "EUR",
                "method": "card",
                "sequence": 1,
            }
        )
        bodies.append((body, signing.signed_headers(secret, body, prefix=conf.SIGNATURE_PREFIX)))
    seconds = _timed(lambda i: signing.verify(secret, bodies[i][0], *bodies[i][1].values()), n)
    results["hmac_verify_per_s_baseline"] = round(n / seconds)
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER PRIMARY KEY, value TEXT)")

    def commit_one(i):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit (value) VALUES (%s)", [str(i)])

    seconds = _timed(commit_one, n)
    results["db_commit_per_s_baseline"] = round(n / seconds)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_commit")
    client = Client()

    def post(i):
        body, headers = bodies[i]
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        response = client.post(
            "/zahlung/benachrichtigung/sandbox/", data=body, content_type="application/json", **extra
        )
        assert response.status_code == 200, response.content

    seconds = _timed(post, n)
    results["notification_applied_per_s"] = round(n / seconds)
    results["notification_applied_ms"] = round(seconds / n * 1000, 2)
    seconds = _timed(post, n)  # the same notifications again: duplicates
    results["notification_duplicate_per_s"] = round(n / seconds)
    assert Payment.objects.filter(pk__in=[p.pk for p in payments], state="paid").count() == n

    # Bank statement with n transfers.
    transfers = []
    for i in range(n):
        pr = services.create_payment_request(
            reference=f"bench-t:{run_id}:{i}",
            owner=owner,
            authority=authority,
            amount_cents=3000,
            purpose="Benchmark",
        )
        transfers.append(services.start_payment(pr, owner, "ueberweisung")[0])
    data = _camt([(p.provider_reference, 3000) for p in transfers])
    start = time.perf_counter()
    ElementTree.fromstring(data, forbid_dtd=True)
    results["camt_parse_entries_per_s_baseline"] = round(n / (time.perf_counter() - start))
    start = time.perf_counter()
    result = import_camt053(data, authority)
    results["camt_import_entries_per_s"] = round(n / (time.perf_counter() - start))
    assert len(result.matched) == n

    # Reconciliation: n pending card payments, every notification lost, the job asks the gateway.
    pending = []
    for i in range(n):
        pr = services.create_payment_request(
            reference=f"bench-r:{run_id}:{i}",
            owner=owner,
            authority=authority,
            amount_cents=1280,
            purpose="Benchmark",
        )
        pending.append(services.start_payment(pr, owner, "sandbox")[0])
    from amtsweg.payments.providers.sandbox.models import SandboxTransaction

    SandboxTransaction.objects.filter(id__in=[p.provider_reference for p in pending]).update(status="paid")
    Payment.objects.filter(pk__in=[p.pk for p in pending]).update(
        created_at=timezone.now() - timezone.timedelta(hours=1)
    )
    start = time.perf_counter()
    outcome = services.reconcile_pending(limit=n)
    results["reconcile_payments_per_s"] = round(outcome.checked / (time.perf_counter() - start))
    assert outcome.changed == n
    results["load_average"] = round(os.getloadavg()[0], 2)
    http.set_transport(None)
    if verbose:
        _print(results)
    return results


def _print(results: dict) -> None:
    print(f"payments: {results['iterations']} payments per scenario, 1 process, {results['database']}")
    print(f"  fee quote (pure function)                    {results['fee_quote_per_s']:>9,} /s")
    print(f"  HMAC-SHA256 verify only (baseline)           {results['hmac_verify_per_s_baseline']:>9,} /s")
    print(f"  one-row insert + commit (baseline)           {results['db_commit_per_s_baseline']:>9,} /s")
    print(
        f"  signed notification → paid (full request)    {results['notification_applied_per_s']:>9,} /s"
        f"  ({results['notification_applied_ms']} ms each)"
    )
    print(f"  same notification again (duplicate)          {results['notification_duplicate_per_s']:>9,} /s")
    parse = results["camt_parse_entries_per_s_baseline"]
    print(f"  camt.053 parse only (baseline)               {parse:>9,} entries/s")
    print(
        f"  camt.053 import and match                    {results['camt_import_entries_per_s']:>9,} entries/s"
    )
    print(
        f"  reconciliation (status query over HTTP)      {results['reconcile_payments_per_s']:>9,} payments/s"
    )
    print(f"  load average during the run: {results['load_average']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--iterations", type=int, default=500)
    args = parser.parse_args(argv)
    run(args.iterations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
