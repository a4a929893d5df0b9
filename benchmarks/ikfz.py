"""Benchmark: fully automatic i-Kfz deregistrations end to end through HTTP on PostgreSQL.

What runs: a fresh PostgreSQL database, production settings (DEBUG off, not demo, RSA-3072 authority keys,
PAdES
B-B seals; only the SANDBOX vehicle register is switched on explicitly), granian in WSGI mode (2 workers,
4 blocking threads). Setup (not measured): the 13 registration authorities, the GebOSt fee rules, N fictional
registered vehicles spread over all 13 districts, 8 logged-in citizens and, per vehicle, an i-Kfz dialogue
that
has verified the vehicle's security codes against the register, frozen its data and whose fee (2,10 €) is
**already settled** through the payments state machine. Measured, per application, one request:

    POST /antrag/kfz/<dialogue>/absenden/  ->  engine submission (JWE for the authority, one transaction),
    automatic checks on fresh register data, register change (conditional UPDATE on the vehicle version),
    automatic decision (§ 35a VwVfG), outbox  ->  303 to the result page that shows the decision

The sealed decision (ReportLab + pyHanko seal) is made by the task worker right after the decision, as
ARCHITECTURE.md allows; the engine also seals a receipt per case. Three phases:

    A  decisions only: 8 clients, workers stopped (the sealing waits in the outbox)
    B  sealing only: 2 worker processes drain phase A's outbox (sealed decisions into the postbox)
    C  steady state: a new batch of applications with 8 clients while 2 workers seal at the same time;
       reports decisions/s, request p95 and the lag until the sealed decision is in the postbox

Baseline in the same run: GET /healthz with the same 8 clients (routing, middleware, one query).
Checks afterwards: every case decided automatically, every vehicle deregistered exactly once, every decision
sealed and delivered.

    .venv/bin/python benchmarks/ikfz.py [--applications 320] [--clients 8] [--database-url postgres://…]

Target (issue 11): ≥ 50 automatic decisions per second on this 2-core machine, p95 < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_PER_S = 50
TARGET_P95_MS = 1000
WORKERS = 2


def _env(database_url: str, data_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "amtsweg.config.settings",
            "AMTSWEG_DATABASE_URL": database_url,
            "AMTSWEG_DATA_DIR": str(data_dir),
            "AMTSWEG_SECRET_KEY": "benchmark-" + "k" * 60,
            "AMTSWEG_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AMTSWEG_HTTPS": "0",
            "AMTSWEG_DEMO": "0",
            "AMTSWEG_DEBUG": "0",
            "AMTSWEG_LOG_LEVEL": "WARNING",
            "AMTSWEG_KEY_PASSPHRASE": "benchmark-passphrase",
            "AMTSWEG_AUTO_AUTHORITY_KEYS": "0",
            "AMTSWEG_SEAL_AUTO_ISSUE": "1",  # seal certificates from the platform CA at first use
            "AMTSWEG_VEHICLE_REGISTER_SANDBOX": "1",
            "AMTSWEG_KFZ_SAMPLE_REVIEW_SHARE": "0.05",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "benchmarks")]),
        }
    )
    env.pop("AMTSWEG_TESTING", None)
    return env


# --- setup (runs in a subprocess with the benchmark's environment)
# ------------------------------------------------


def _setup_world(clients: int) -> list[str]:
    import json as json_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from amtsweg.accounts.models import User
    from amtsweg.cases import crypto
    from amtsweg.catalog.models import Service
    from amtsweg.directory.loader import DATA_PATH
    from amtsweg.directory.models import Authority, Office
    from amtsweg.payments.demo import load_payment_demo
    from amtsweg.regions.models import District

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_regions", verbosity=0)
    data = json_module.loads(DATA_PATH.read_text(encoding="utf-8"))
    for item in data["authorities"]:
        if item.get("level") != "kreis":
            continue
        district = District.objects.get(ags=item["district"])
        authority = Authority.objects.create(
            key=item["key"],
            name=item["name"],
            kind=item["kind"],
            level="kreis",
            district=district,
            ags=district.ags,
        )
        office = (item.get("offices") or [{}])[0]
        Office.objects.create(
            authority=authority,
            name="Hauptsitz",
            street=office.get("street", "Hauptstraße 1"),
            postal_code=office.get("postal_code", "01067"),
            city=office.get("city", district.seat),
            is_main=True,
        )
        crypto.ensure_key(authority)
    for key, procedure in (
        ("fahrzeug-ausser-betrieb", "kfz-ausserbetriebsetzung"),
        ("fahrzeug-wiederzulassen", "kfz-wiederzulassung"),
        ("fahrzeug-umschreiben", "kfz-umschreibung"),
        ("fahrzeug-adressaenderung", "kfz-adressaenderung"),
        ("fahrzeug-zulassen", "kfz-neuzulassung"),
    ):
        Service.objects.create(
            key=key, name=key, level="kreis", short_text="-", fee_kind="free", online_procedure=procedure
        )
    load_payment_demo()
    sessions = []
    for n in range(clients):
        user = User.objects.create(
            username=f"bench-{n}",
            email=f"bench{n}@example.org",
            first_name="Bea",
            last_name=f"Bench{n}",
            postal_code="09456",
            locality="Annaberg-Buchholz",
            street_address="Musterstraße 1",
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "amtsweg.accounts.backends.EmailOrUsernameBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session["amtsweg.trust_level"] = 1
        session["amtsweg.identity_provider"] = "benchmark"
        session.create()
        sessions.append(session.session_key)
    return sessions


def _prepare_batch(batch: str, applications: int, clients: int) -> dict[int, list[str]]:
    """Registered vehicles and, for each, a dialogue with verified codes and a settled fee. Returns the
    dialogue
    ids per client (index)."""
    import datetime as dt
    import uuid

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from amtsweg.accounts.models import User
    from amtsweg.payments import states
    from amtsweg.payments.models import Payment
    from amtsweg.procedures.kfz import dialogue as service
    from amtsweg.regions.models import District
    from amtsweg.vehicle_register import codes
    from amtsweg.vehicle_register.interface import SecurityCodes
    from amtsweg.vehicle_register.models import Vehicle
    from amtsweg.vehicle_register.seed import make_vin

    districts = list(District.objects.order_by("ags"))
    users = list(User.objects.filter(username__startswith="bench-").order_by("username"))
    letters = "ABCDEFGHKLMNPRTUVWXY"
    offset = {"a": 0, "c": 1}[batch] * 50_000
    vehicles = []
    for n in range(applications):
        district = districts[n % len(districts)]
        vin = make_vin("BENCH", "T", offset + n + 1)
        fields = {}
        for kind, name in (
            ("zb1", "zb1_code_hash"),
            ("zb2", "zb2_code_hash"),
            ("seal_front", "seal_front_hash"),
            ("seal_rear", "seal_rear_hash"),
        ):
            fields[name] = codes.code_hash(kind, vin, codes.sandbox_code(kind, vin, 1))
        serial = offset + n + 1
        recognition = letters[serial // 400 % 20] + letters[serial // 20 % 20]
        plate = f"{district.plate}-{recognition} {serial % 20 + 1 + (serial // 8000) * 20}"
        vehicles.append(
            Vehicle(
                vin=vin,
                plate=plate,
                district_ags=district.ags,
                status="registered",
                make="Volkswagen",
                model="Golf",
                holder_given_name="Bea",
                holder_family_name="Bench",
                holder_birth_date=dt.date(1980, 1, 1),
                holder_street="Musterstraße 1",
                holder_postal_code="09456",
                holder_locality="Annaberg-Buchholz",
                zb1_number=f"AA{serial:07d}",
                zb2_number=f"AB{serial:07d}",
                next_inspection=timezone.localdate() + dt.timedelta(days=400),
                first_registered_on=dt.date(2020, 1, 1),
                code_generations={k: 1 for k in codes.KINDS},
                **fields,
            )
        )
    Vehicle.objects.bulk_create(vehicles, batch_size=500)
    per_client: dict[int, list[str]] = {i: [] for i in range(clients)}
    for n, vehicle in enumerate(vehicles):
        index = n % clients
        user = users[index]
        dialogue = service.start(user, "kfz-ausserbetriebsetzung")
        given = SecurityCodes(
            **{k: codes.sandbox_code(k, vehicle.vin, 1) for k in ("zb1", "seal_front", "seal_rear")}
        )
        outcome = service.verify_vehicle(dialogue, plate=vehicle.plate, codes=given)
        if not outcome.ok:
            raise SystemExit(f"Codeprüfung fehlgeschlagen: {outcome.message}")
        service.save_details(dialogue, user, {"reservieren": False})
        request = service.request_payment(dialogue, user, "niedrig")
        payment = Payment.objects.create(
            request=request,
            provider="sandbox",
            amount_cents=request.amount_cents,
            booking_reference="AW-" + uuid.uuid4().hex[:12].upper(),
        )
        states.transition(payment, "pending", source="benchmark")
        states.transition(payment, "paid", source="benchmark")
        per_client[index].append(str(dialogue.pk))
    # The payment signal queued background submissions (for applicants who close the browser); the benchmark
    # submits through HTTP instead, so those queued tasks are removed.
    DBTaskResult.objects.filter(task_path__endswith="submit_paid_dialogue").delete()
    return per_client


def _figures(batch_ids: list[str]) -> dict:
    from amtsweg.cases.models import Case, Decision, OutboxMessage
    from amtsweg.postbox.models import Delivery
    from amtsweg.procedures.kfz.models import Dialogue
    from amtsweg.vehicle_register.models import RegisterOperation

    dialogues = Dialogue.objects.filter(pk__in=batch_ids)
    case_ids = list(dialogues.exclude(case__isnull=True).values_list("case_id", flat=True))
    cases = Case.objects.filter(pk__in=case_ids)
    decisions = Decision.objects.filter(case_id__in=case_ids)
    delivered = decisions.exclude(document_id__isnull=True)
    lags = []
    provided = dict(
        Delivery.objects.filter(pk__in=delivered.values("delivery_id")).values_list("pk", "provided_at")
    )
    for decided_at, delivery_id in delivered.values_list("decided_at", "delivery_id"):
        if provided.get(delivery_id):
            lags.append((provided[delivery_id] - decided_at).total_seconds())
    return {
        "dialogues": dialogues.count(),
        "submitted": dialogues.filter(status="submitted").count(),
        "automatic": cases.filter(decided_automatically=True, outcome="granted").count(),
        "register_changes": RegisterOperation.objects.filter(
            operation_id__in=[f"ikfz:{i}" for i in batch_ids]
        ).count(),
        "sealed_decisions": delivered.count(),
        "sample_review": cases.filter(sample_review=True).count(),
        "outbox_pending": OutboxMessage.objects.filter(case_id__in=case_ids, status="pending").count(),
        "outbox_errors": OutboxMessage.objects.filter(case_id__in=case_ids).exclude(last_error="").count(),
        "first_error": OutboxMessage.objects.filter(case_id__in=case_ids)
        .exclude(last_error="")
        .values_list("last_error", flat=True)
        .first(),
        "lag_s": sorted(lags),
    }


def _setup_main(args) -> None:
    if args.setup == "worker":
        _worker_main()
        return
    import django

    django.setup()
    if args.setup == "world":
        print(json.dumps(_setup_world(args.clients)))
    elif args.setup in ("a", "c"):
        ids = _prepare_batch(args.setup, args.applications, args.clients)
        print(json.dumps(ids))
    elif args.setup == "figures":
        ids = json.loads(Path(args.ids).read_text())
        print(json.dumps(_figures(ids)))


# --- measurement
# ------------------------------------------------------------------------------------------------


def _run_python(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if result.returncode != 0:
        raise SystemExit(f"Einrichtung fehlgeschlagen:\n{result.stderr[-4000:]}")
    return result.stdout.strip().splitlines()[-1]


class Client:
    def __init__(self, base: str, session_key: str):
        import requests

        self.base = base
        self.http = requests.Session()
        self.csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as the token
        self.http.cookies.set("sessionid", session_key, domain="127.0.0.1", path="/")
        self.http.cookies.set("csrftoken", self.csrf, domain="127.0.0.1", path="/")

    def submit(self, dialogue_id: str) -> float:
        began = time.perf_counter()
        response = self.http.post(
            f"{self.base}/antrag/kfz/{dialogue_id}/absenden/",
            headers={"X-CSRFToken": self.csrf},
            allow_redirects=False,
            timeout=60,
        )
        elapsed = time.perf_counter() - began
        if response.status_code != 303 or not response.headers.get("Location", "").endswith("/ergebnis/"):
            raise RuntimeError(
                f"{response.status_code} {response.headers.get('Location')} {response.text[:300]}"
            )
        return elapsed


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _drive(clients: list[Client], ids: dict[int, list[str]]) -> tuple[float, list[float], list[str]]:
    latencies, errors, lock = [], [], threading.Lock()

    def loop(index: int):
        for dialogue_id in ids[index]:
            try:
                value = clients[index].submit(dialogue_id)
            except Exception as exc:  # reported
                with lock:
                    errors.append(repr(exc))
                continue
            with lock:
                latencies.append(value)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def _worker_main() -> None:
    """A task worker as `amtsweg worker` runs it (django-tasks-db), polling more often than the default."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("db_worker", "--no-reload", "--interval", "0.05", "--queue-name", "*")


def _start_workers(env: dict, count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--setup", "worker"],
            env=env,
            cwd=str(ROOT),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def _stop(process: subprocess.Popen) -> None:
    import signal

    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_sealed(env: dict, ids_file: Path, expected: int, timeout: float = 900) -> tuple[float, dict]:
    """Poll until every decision is sealed and delivered; give up on a timeout or when side effects keep
    failing without progress (the error is reported)."""
    started = time.perf_counter()
    last_progress, last_count = started, -1
    while True:
        figures = json.loads(_run_python(env, "--setup", "figures", "--ids", str(ids_file)))
        now = time.perf_counter()
        if figures["sealed_decisions"] != last_count:
            last_count, last_progress = figures["sealed_decisions"], now
        if figures["sealed_decisions"] >= expected and figures["outbox_pending"] == 0:
            return now - started, figures
        if now - started > timeout or (figures["outbox_errors"] and now - last_progress > 60):
            print(
                f"  Siegeln bricht ab: {figures['outbox_errors']} Fehler, z. B. {figures['first_error']}",
                flush=True,
            )
            return now - started, figures
        time.sleep(0.5)


def run(applications: int, clients: int, database_url: str, port: int) -> dict:
    import requests

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _loadgen import measure

    data_dir = Path(tempfile.mkdtemp(prefix="amtsweg-bench-ikfz-"))
    env = _env(database_url, data_dir)
    from _pg import recreate_database

    recreate_database(database_url)
    print(
        f"Datenbank {database_url} neu angelegt; "
        "Einrichtung (13 Zulassungsbehörden mit RSA-3072-Schlüsseln) …",
        flush=True,
    )
    sessions = json.loads(_run_python(env, "--setup", "world", "--clients", str(clients)))
    print(f"{applications} Anträge je Phase vorbereiten (Codes geprüft, Gebühr bezahlt) …", flush=True)
    batch_a = {
        int(k): v
        for k, v in json.loads(
            _run_python(env, "--setup", "a", "--applications", str(applications), "--clients", str(clients))
        ).items()
    }
    batch_c = {
        int(k): v
        for k, v in json.loads(
            _run_python(env, "--setup", "c", "--applications", str(applications), "--clients", str(clients))
        ).items()
    }
    ids_a, ids_c = data_dir / "ids-a.json", data_dir / "ids-c.json"
    ids_a.write_text(json.dumps([i for v in batch_a.values() for i in v]))
    ids_c.write_text(json.dumps([i for v in batch_c.values() for i in v]))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--blocking-threads",
            "4",
            "--backpressure",
            "64",
            "--no-access-log",
            "amtsweg.config.wsgi:application",
        ],
        env=env,
        cwd=str(ROOT),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    workers: list[subprocess.Popen] = []
    results: dict = {"applications": applications, "clients": clients, "workers": WORKERS}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("granian startet nicht")
            time.sleep(0.3)
        http_clients = [Client(base, key) for key in sessions]
        for client in http_clients:  # warm-up: imports, connections, key and template caches
            client.http.get(base + "/healthz", timeout=10)
        baseline = measure(
            "127.0.0.1", port, ["/healthz"], name="healthz", clients=clients, seconds=5, warmup=1
        )
        results["baseline_per_s"] = baseline.requests_per_second
        results["baseline_p95_ms"] = baseline.percentile_ms(0.95)

        print("Phase A: nur Entscheidungen (Worker gestoppt) …", flush=True)
        elapsed, latencies, errors = _drive(http_clients, batch_a)
        results.update(a_elapsed=elapsed, a_ok=len(latencies), a_errors=errors[:3], a_error_count=len(errors))
        results["a_per_s"] = len(latencies) / elapsed
        results["a_p50_ms"], results["a_p95_ms"] = _p(latencies, 0.5) * 1000, _p(latencies, 0.95) * 1000
        print(
            f"  {len(latencies)} Entscheidungen in {elapsed:.1f} s: {results['a_per_s']:.1f}/s, "
            f"p50 {results['a_p50_ms']:.0f} ms, p95 {results['a_p95_ms']:.0f} ms, Fehler {len(errors)}",
            flush=True,
        )

        print(f"Phase B: {WORKERS} Worker siegeln und stellen zu …", flush=True)
        workers = _start_workers(env, WORKERS)
        seal_seconds, figures_a = _wait_sealed(env, ids_a, len(latencies))
        results.update(b_elapsed=seal_seconds, b_sealed=figures_a["sealed_decisions"], figures_a=figures_a)
        results["b_per_s"] = figures_a["sealed_decisions"] / seal_seconds if seal_seconds else float("nan")
        print(
            f"  {figures_a['sealed_decisions']} gesiegelt in {seal_seconds:.1f} s: "
            f"{results['b_per_s']:.1f}/s",
            flush=True,
        )

        print(f"Phase C: Entscheidungen und Siegeln gleichzeitig ({WORKERS} Worker laufen) …", flush=True)
        elapsed, latencies, errors = _drive(http_clients, batch_c)
        results.update(c_elapsed=elapsed, c_ok=len(latencies), c_errors=errors[:3], c_error_count=len(errors))
        results["c_per_s"] = len(latencies) / elapsed
        results["c_p50_ms"], results["c_p95_ms"] = _p(latencies, 0.5) * 1000, _p(latencies, 0.95) * 1000
        print(
            f"  {len(latencies)} Entscheidungen in {elapsed:.1f} s: {results['c_per_s']:.1f}/s, "
            f"p50 {results['c_p50_ms']:.0f} ms, p95 {results['c_p95_ms']:.0f} ms, Fehler {len(errors)}",
            flush=True,
        )
        tail_seconds, figures_c = _wait_sealed(env, ids_c, len(latencies))
        results.update(c_tail_s=tail_seconds, figures_c=figures_c)
        lags = figures_c["lag_s"]
        results["c_lag_p50_s"], results["c_lag_p95_s"] = _p(lags, 0.5), _p(lags, 0.95)
        results["c_end_to_end_per_s"] = figures_c["sealed_decisions"] / (elapsed + tail_seconds)
        results["load_average"] = os.getloadavg()[0]
    finally:
        for worker in workers:
            _stop(worker)
        _stop(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    return results


def _print(r: dict) -> None:
    fa, fc = r["figures_a"], r["figures_c"]
    print(
        f"\ni-Kfz Außerbetriebsetzung, vollautomatisch, über HTTP · PostgreSQL · granian WSGI 2×4 · "
        f"{r['clients']} Clients · {os.cpu_count()} Kerne"
    )
    line = "  {:<48} {:>7.1f} /s   {}"
    print(line.format("Basislinie GET /healthz", r["baseline_per_s"], f"p95 {r['baseline_p95_ms']:.0f} ms"))
    print(
        line.format(
            f"A  Entscheidungen (Worker aus), {r['a_ok']} Anträge",
            r["a_per_s"],
            f"p50 {r['a_p50_ms']:.0f} ms   p95 {r['a_p95_ms']:.0f} ms   Fehler {r['a_error_count']}",
        )
    )
    print(
        line.format(
            f"B  gesiegelt ins Postfach ({r['workers']} Worker)",
            r["b_per_s"],
            f"({fa['sealed_decisions']} Bescheide, dazu Eingangsbestätigungen, in {r['b_elapsed']:.0f} s)",
        )
    )
    print(
        line.format(
            f"C  beides gleichzeitig, {r['c_ok']} Anträge",
            r["c_per_s"],
            f"p50 {r['c_p50_ms']:.0f} ms   p95 {r['c_p95_ms']:.0f} ms   Fehler {r['c_error_count']}",
        )
    )
    print(
        f"     gesiegelter Bescheid im Postfach nach der Entscheidung: p50 {r['c_lag_p50_s']:.1f} s, "
        f"p95 {r['c_lag_p95_s']:.1f} s; Ende zu Ende {r['c_end_to_end_per_s']:.1f} gesiegelte Bescheide/s"
    )
    for name, f in (("A", fa), ("C", fc)):
        print(
            f"  Prüfung {name}: {f['automatic']}/{f['dialogues']} automatisch entschieden, "
            f"{f['register_changes']} Registeränderungen, {f['sealed_decisions']} gesiegelt zugestellt, "
            f"{f['sample_review']} zur Stichprobe, offen im Postausgang {f['outbox_pending']}"
        )
    if r["a_errors"] or r["c_errors"]:
        print(f"  Fehlerbeispiele: {r['a_errors'] + r['c_errors']}")
    met = r["a_per_s"] >= TARGET_PER_S and r["a_p95_ms"] < TARGET_P95_MS
    print(
        f"  Ziel ≥ {TARGET_PER_S}/s und p95 < {TARGET_P95_MS} ms (Entscheidung, Phase A): "
        f"{'erreicht' if met else 'NICHT erreicht'}; Lastmittel (1 min) {r['load_average']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=320)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "AMTSWEG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amtsweg_bench_ikfz"
        ),
    )
    parser.add_argument("--setup", choices=["world", "a", "c", "figures", "worker"], help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    args = parser.parse_args()
    import signal

    # A stop signal ends the run through `finally`, so the server and workers it started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.setup:
        _setup_main(args)
        return
    _print(run(args.applications, args.clients, args.database_url, args.port))


if __name__ == "__main__":
    main()
