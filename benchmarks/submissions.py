"""Benchmark: N concurrent clients submit a typical application with one 200 kB PDF through HTTP on
PostgreSQL.

What runs: a fresh PostgreSQL database, production settings (DEBUG off, not demo, RSA-3072 authority keys),
granian in WSGI mode (2 workers, 4 blocking threads) serving amtsweg plus the documented example procedure
(procedures/examples/minimal.py: two steps, an optional upload). Each client is a logged-in citizen with its
own session and runs the whole flow:

    POST /antrag/<key>/ (new draft) -> POST step 1 -> POST step 2 with the 200 kB PDF (checked, encrypted,
    stored) -> GET review (fresh idempotency key) -> POST submit (JWE for the authority, one transaction,
    outbox)

Reported: applications/s (whole flow), p50/p95 latency of the submit request and of the whole flow, beside a
same-run baseline through the same server: one POST that inserts the same number of rows as a submission
writes (counted in the run) through the Django ORM in one transaction, without the engine. The task worker
does not run during the measurement (receipt PDFs wait in the outbox, as designed); the backlog is reported.

    .venv/bin/python benchmarks/submissions.py [--clients 8] [--applications 200] [--database-url postgres://…]

Target (issue 5): 100 submissions/s sustained on this 2-core machine with encryption on.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 100
PROCEDURE = "hundesteuer-anmeldung"


def _pdf(size: int = 200 * 1024) -> bytes:
    """A valid one-page PDF padded with an uncompressed content stream to `size` bytes."""
    filler = b"% " + b"x" * 100 + b"\n"
    stream = b"BT /F1 12 Tf 72 720 Td (Kaufvertrag) Tj ET\n" + filler * max(1, (size - 900) // len(filler))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


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
            "AMTSWEG_TESTING": "0",
            "AMTSWEG_LOG_LEVEL": "WARNING",
            "AMTSWEG_KEY_PASSPHRASE": "benchmark-passphrase",
            "AMTSWEG_AUTO_AUTHORITY_KEYS": "0",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "benchmarks")]),
        }
    )
    env.pop("AMTSWEG_TESTING", None)
    return env


SETUP = r"""
import django, sys
django.setup()
from django.core.management import call_command
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from amtsweg.accounts.models import User
from amtsweg.catalog.models import Service
from amtsweg.directory.models import Authority, Office
from amtsweg.regions.models import District, Place, PostalCode
from amtsweg.cases import crypto

call_command("migrate", interactive=False, verbosity=0)
district = District.objects.create(ags="14522", name="Mittelsachsen", kind="landkreis", nuts3="DED43",
                                   seat="Freiberg", plate="FG", lat=50.9, lon=13.3)
plz = PostalCode.objects.create(code="09599", district=district)
place = Place.objects.create(name="Freiberg", kind="municipality", district=district, ags8="14522180")
place.postal_codes.add(plz)
stadt = Authority.objects.create(key="stadt-freiberg", name="Stadtverwaltung Freiberg", level="gemeinde",
                                 kind="gemeindeverwaltung", district=district, municipality=place)
Office.objects.create(authority=stadt, name="Hauptsitz", street="Obermarkt 24", postal_code="09599",
                      city="Freiberg", is_main=True)
Service.objects.create(key="hundesteuer-anmeldung", name="Hundesteuer", level="gemeinde", short_text="-",
                       fee_kind="free", online_procedure="hundesteuer-anmeldung")
crypto.ensure_key(stadt)
for n in range(int(sys.argv[1])):
    user = User.objects.create(username=f"bench-{n}", email=f"bench{n}@example.org", first_name="Bea",
                               last_name=f"Bench{n}", postal_code="09599", locality="Freiberg",
                               street_address="Burgstraße 1")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "amtsweg.accounts.backends.EmailOrUsernameBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["amtsweg.trust_level"] = 1
    session["amtsweg.identity_provider"] = "benchmark"
    session.create()
    print(session.session_key)
"""

COUNT_ROWS = r"""
import django
django.setup()
from django.apps import apps
total = 0
for model in apps.get_models():
    if model._meta.app_label in {"cases"}:
        total += model._base_manager.count()
print(total)
"""


def _run_python(code: str, env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if result.returncode != 0:
        raise SystemExit(f"setup failed:\n{result.stderr[-3000:]}")
    return result.stdout


class Client:
    def __init__(self, base: str, session_key: str):
        import requests

        self.base = base
        self.http = requests.Session()
        self.http.cookies.set("sessionid", session_key, domain="127.0.0.1", path="/")
        self.csrf = None

    def _token(self, response) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        if match:
            self.csrf = match.group(1)
        return self.csrf

    def get(self, path):
        response = self.http.get(self.base + path, allow_redirects=False, timeout=60)
        self._token(response)
        return response

    def post(self, path, data, files=None):
        data = dict(data, csrfmiddlewaretoken=self.csrf)
        return self.http.post(
            self.base + path,
            data=data,
            files=files,
            allow_redirects=False,
            timeout=60,
            headers={"Referer": self.base + path},
        )

    def application(self, pdf: bytes) -> tuple[float, float]:
        """One whole application; returns (seconds for the flow, seconds for the submit request)."""
        started = time.perf_counter()
        self.get(f"/antrag/{PROCEDURE}/")
        response = self.post(f"/antrag/{PROCEDURE}/", {})
        step0 = response.headers["Location"]
        self.get(step0)
        response = self.post(step0, {"name": "Bea Bench", "plz": "09599", "aktion": "weiter"})
        step1 = response.headers["Location"]
        assert response.status_code == 303, response.status_code
        self.get(step1)
        response = self.post(
            step1,
            {"rufname": "Bello", "seit": "2026-01-02", "chip": "", "aktion": "weiter"},
            files={"nachweis": ("kaufvertrag.pdf", pdf, "application/pdf")},
        )
        assert response.status_code == 303, (response.status_code, response.text[:500])
        review = response.headers["Location"]
        page = self.get(review)
        key = re.search(r'name="einreichungsschluessel" value="([^"]+)"', page.text).group(1)
        submit_started = time.perf_counter()
        response = self.post(review, {"einreichungsschluessel": key, "bestaetigung": "ja"})
        finished = time.perf_counter()
        assert response.status_code == 303, response.status_code
        assert "/meine-antraege/" in response.headers["Location"], response.headers["Location"]
        return finished - started, finished - submit_started


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _parallel(clients: int, total: int, work) -> tuple[float, list]:
    results, errors, lock = [], [], threading.Lock()
    counter = iter(range(total))

    def loop(index):
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            try:
                value = work(index)
            except Exception as exc:  # reported below
                with lock:
                    errors.append(repr(exc))
                continue
            with lock:
                results.append(value)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        print(f"  {len(errors)} Fehler, z. B. {errors[0]}")
    return elapsed, results


def _stop(server: subprocess.Popen) -> None:
    """Stop granian and its workers (its own process group: workers must not outlive the benchmark)."""
    import signal

    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            time.sleep(0.5)
        except subprocess.TimeoutExpired:
            continue
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            return


def run(clients: int, applications: int, database_url: str, port: int) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="amtsweg-bench-submissions-"))
    env = _env(database_url, data_dir)
    from _pg import recreate_database

    recreate_database(database_url)
    print(f"Datenbank {database_url} neu angelegt; Einrichtung (RSA-3072-Schlüssel, {clients} Sitzungen) …")
    sessions = _run_python(SETUP, env, str(clients)).split()
    server = subprocess.Popen(
        [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", "2", "--blocking-threads", "4", "--backpressure", "64",
            "--no-access-log",
            "_submission_wsgi:application",
        ],
        env=env, cwd=str(ROOT), start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("granian did not start")
            time.sleep(0.3)
        pdf = _pdf()
        workers = [Client(base, key) for key in sessions]
        for client in workers:  # warm-up: one application each (imports, connections, key cache)
            client.application(pdf)
        rows_before = int(_run_python(COUNT_ROWS, env).strip())
        elapsed, timings = _parallel(clients, applications, lambda i: workers[i].application(pdf))
        rows_after = int(_run_python(COUNT_ROWS, env).strip())
        rows_per_application = round((rows_after - rows_before) / max(1, len(timings)))
        flows = [t[0] for t in timings]
        submits = [t[1] for t in timings]
        # Baseline: the same number of row inserts per request through Django, no engine.
        baseline_clients = [Client(base, key) for key in sessions]
        for client in baseline_clients:
            client.get("/")

        def baseline(i):
            client = baseline_clients[i]
            began = time.perf_counter()
            response = client.post(f"/bench/baseline/{rows_per_application}/", {})
            assert response.status_code == 200, response.status_code
            return time.perf_counter() - began

        base_elapsed, base_times = _parallel(clients, applications, baseline)
        backlog = _run_python(
            "import django; django.setup(); from amtsweg.cases.models import OutboxMessage; "
            "print(OutboxMessage.objects.filter(status='pending').exclude(kind='bench').count())",
            env,
        ).strip()
    finally:
        _stop(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    figures = {
        "clients": clients,
        "applications": len(flows),
        "applications_per_s": len(flows) / elapsed,
        "submits_per_s_if_only_submit": clients / statistics.mean(submits),
        "flow_p50_ms": _p(flows, 0.5) * 1000,
        "flow_p95_ms": _p(flows, 0.95) * 1000,
        "submit_p50_ms": _p(submits, 0.5) * 1000,
        "submit_p95_ms": _p(submits, 0.95) * 1000,
        "rows_per_application": rows_per_application,
        "baseline_per_s": len(base_times) / base_elapsed,
        "baseline_p50_ms": _p(base_times, 0.5) * 1000,
        "baseline_p95_ms": _p(base_times, 0.95) * 1000,
        "outbox_backlog": int(backlog or 0),
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "AMTSWEG_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/amtsweg_bench_submissions"
        ),
    )
    args = parser.parse_args()
    f = run(args.clients, args.applications, args.database_url, args.port)
    print(f"\nAnträge mit 200-kB-PDF über HTTP, PostgreSQL, granian WSGI 2×4, {f['clients']} Clients:")
    print(
        f"  ganzer Ablauf (5 Anfragen):  {f['applications_per_s']:.1f} Anträge/s   "
        f"p50 {f['flow_p50_ms']:.0f} ms   p95 {f['flow_p95_ms']:.0f} ms"
    )
    print(
        f"  davon Absenden (1 Anfrage):  p50 {f['submit_p50_ms']:.0f} ms   p95 {f['submit_p95_ms']:.0f} ms   "
        f"(≈ {f['submits_per_s_if_only_submit']:.0f}/s, wenn nur abgesendet würde)"
    )
    print(
        f"  Basislinie ({f['rows_per_application']} Zeilen je Anfrage per ORM, ohne Engine): "
        f"{f['baseline_per_s']:.1f}/s   p50 {f['baseline_p50_ms']:.0f} ms   p95 {f['baseline_p95_ms']:.0f} ms"
    )
    print(
        f"  Ziel: {TARGET} Einreichungen/s; offene Nebenwirkungen im Postausgang (Worker lief nicht): "
        f"{f['outbox_backlog']}"
    )


if __name__ == "__main__":
    main()
