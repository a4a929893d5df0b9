"""Benchmark: the service portal served by the production server (granian, WSGI).

Sets up the demo data in a temporary data folder (SQLite; PostgreSQL if AMTSWEG_DATABASE_URL is set),
starts `amtsweg serve` with production settings (secret key and allowed hosts set, HTTPS off because
the load generator speaks plain HTTP on loopback), and measures in one run with 8 concurrent keep-alive
clients (benchmarks/_loadgen.py), in interleaved rounds so that load changes hit every scenario alike:

* `/healthz` requests/s: the same-run baseline (routing, middleware, one `SELECT 1`);
* the search API `/api/v1/services?q=…` over the sample queries (tests/catalog/search_queries*.tsv):
  requests/s, p50 and p99. Repeated queries are answered from the per-process result cache; the
  "unseen queries" row makes every query new (a number is appended), so it measures the full search;
* responsibility lookups `/api/v1/responsibility?service=…&postal_code=…` per second.

Target on a 2-core machine: search throughput ≥ 0.5 × /healthz, search p99 < 50 ms.

    .venv/bin/python benchmarks/portal.py [--seconds 8] [--clients 8] [--workers 2] [--threads 4]

`run(...)` returns the figures as a dict for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loadgen import Result, measure  # noqa: E402 (benchmarks/ is not a package)

QUERY_FILES = [
    ROOT / "tests" / "catalog" / "search_queries_sample.tsv",
    ROOT / "tests" / "catalog" / "search_queries.tsv",
]
TARGET_RATIO = 0.5
ROUNDS = 4
TARGET_P99_MS = 50.0
# Districts' and municipalities' services with postal codes from all 13 districts (one municipality each,
# so the answer is an authority, not a choice).
LOOKUP_SERVICES = [
    "fahrzeug-ausser-betrieb",
    "fuehrerschein-umtausch",
    "wohngeld",
    "baugenehmigung",
    "elterngeld",
]
LOOKUP_POSTAL_CODES = ["09456", "01067", "04109", "09111", "02625", "01662", "01796",
                       "09599", "08523", "08056", "04838", "04552", "02826"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _queries() -> list[str]:
    queries: list[str] = []
    for path in QUERY_FILES:
        with path.open(encoding="utf-8") as handle:
            queries += [row["query"] for row in csv.DictReader(handle, delimiter="\t")]
    return queries


class Server:
    """Demo data in a temporary folder and `amtsweg serve` on a free loopback port."""

    def __init__(self, workers: int, threads: int, verbose: bool):
        self.folder = Path(tempfile.mkdtemp(prefix="amtsweg-bench-portal-"))
        self.port = _free_port()
        self.workers, self.threads, self.verbose = workers, threads, verbose
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith("AMTSWEG_") or k == "AMTSWEG_DATABASE_URL"
        }
        self.env.update(
            {
                "AMTSWEG_DATA_DIR": str(self.folder),
                "AMTSWEG_SECRET_KEY": secrets.token_urlsafe(50),
                "AMTSWEG_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "AMTSWEG_HTTPS": "0",
                "AMTSWEG_LOG_LEVEL": "WARNING",
                "AMTSWEG_LOG_FORMAT": "text",
            }
        )
        self.process: subprocess.Popen | None = None

    def _manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "amtsweg", "manage", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def prepare(self) -> None:
        started = time.perf_counter()
        for command in (("migrate", "--no-input", "-v", "0"), ("load_regions", "-v", "0")):
            done = self._manage(*command)
            if done.returncode:
                raise RuntimeError(f"{' '.join(command)} schlug fehl:\n{done.stderr[-2000:]}")
        done = self._manage("load_demo")
        if done.returncode:
            # The portal needs only directory and catalogue; another app's demo data must not stop the run.
            print(
                f"  Hinweis: load_demo schlug fehl, lade nur Behörden und Leistungen.\n{done.stderr[-600:]}"
            )
            for command in (
                ("load_authorities",),
                ("import_catalog", str(ROOT / "src" / "amtsweg" / "catalog" / "data" / "services.json")),
            ):
                step = self._manage(*command)
                if step.returncode:
                    raise RuntimeError(f"{' '.join(command)} schlug fehl:\n{step.stderr[-2000:]}")
        if self.verbose:
            print(f"  Demo-Daten in {self.folder} geladen ({time.perf_counter() - started:.1f} s)")

    def start(self) -> None:
        command = [sys.executable, "-m", "amtsweg", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.workers), "--threads", str(self.threads)]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Server beendet (Code {self.process.returncode}): {self.process.stderr.read()[-2000:]}"
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("Server antwortet nach 60 s nicht auf /healthz")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def run(
    seconds: float = 8.0, clients: int = 8, workers: int = 2, threads: int = 4, verbose: bool = True
) -> dict:
    server = Server(workers, threads, verbose)
    try:
        server.prepare()
        server.start()
        queries = _queries()
        search_paths = [f"/api/v1/services?{urlencode({'q': q, 'limit': 10})}" for q in queries]
        unseen_paths = [
            f"/api/v1/services?{urlencode({'q': f'{q} {n}', 'limit': 10})}"
            for n in range(2000)
            for q in queries[:8]
        ]
        lookup_paths = [
            f"/api/v1/responsibility?{urlencode({'service': s, 'postal_code': p})}"
            for p in LOOKUP_POSTAL_CODES
            for s in LOOKUP_SERVICES
        ]
        scenarios = [
            ("healthz", ["/healthz"]),
            ("search", search_paths),
            ("search_unseen", unseen_paths),
            ("responsibility", lookup_paths),
        ]
        # Interleaved rounds: every scenario gets `seconds` in total, split into short slices that take
        # turns, so a change in the machine's load hits all scenarios alike and the ratios stay fair.
        # Prime every worker process: each builds its search index on its first search request.
        for _name, paths in scenarios[1:]:
            measure("127.0.0.1", server.port, paths[:50], clients=clients, seconds=1.0, warmup=0.0)
        results: dict[str, Result] = {name: Result(name=name, seconds=0.0) for name, _ in scenarios}
        slice_seconds = seconds / ROUNDS
        load_before = os.getloadavg()[0]
        for round_number in range(ROUNDS):
            if verbose:
                print(
                    f"  Runde {round_number + 1}/{ROUNDS}: je {slice_seconds:g} s, {clients} Clients",
                    flush=True,
                )
            for name, paths in scenarios:
                part = measure(
                    "127.0.0.1",
                    server.port,
                    paths,
                    name=name,
                    clients=clients,
                    seconds=slice_seconds,
                    warmup=0.5,
                )
                total = results[name]
                total.seconds += part.seconds
                total.latencies.extend(part.latencies)
                total.errors += part.errors
                for status, count in part.statuses.items():
                    total.statuses[status] = total.statuses.get(status, 0) + count
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
    healthz = results["healthz"].requests_per_second
    search = results["search"]
    return {
        "clients": clients,
        "seconds": seconds,
        "workers": workers,
        "threads": threads,
        "database": "postgresql"
        if os.environ.get("AMTSWEG_DATABASE_URL", "").startswith("postgres")
        else "sqlite",
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "results": {name: result.as_dict() for name, result in results.items()},
        "ratio_search_healthz": round(search.requests_per_second / healthz, 3) if healthz else None,
        "ratio_unseen_healthz": round(results["search_unseen"].requests_per_second / healthz, 3)
        if healthz
        else None,
        "target_ratio_met": bool(healthz) and search.requests_per_second / healthz >= TARGET_RATIO,
        "target_p99_met": search.p99_ms < TARGET_P99_MS,
    }


LABELS = {
    "healthz": "/healthz (Basis)",
    "search": "Suche API (Beispielanfragen)",
    "search_unseen": "Suche API (neue Anfragen)",
    "responsibility": "Zuständigkeit API",
}


def print_results(figures: dict) -> None:
    print(
        f"\nPortal-Benchmark: granian WSGI, {figures['workers']} Worker × {figures['threads']} Threads, "
        f"{figures['clients']} Clients, je {figures['seconds']:g} s in {ROUNDS} Runden, {figures['database']}"
    )
    before, after = figures["load_average"]
    print(
        f"Last des Rechners (1-min-Mittel): vorher {before:.1f}, nachher {after:.1f}, {os.cpu_count()} Kerne"
    )
    print(f"{'Szenario':<32} {'Anfr./s':>9} {'p50 ms':>8} {'p99 ms':>8} {'Fehler':>7}")
    for name, row in figures["results"].items():
        print(
            f"{LABELS.get(name, name):<32} {row['requests_per_second']:>9.0f} {row['p50_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} {row['errors']:>7}"
        )
    ratio = figures["ratio_search_healthz"]
    print(
        f"Verhältnis Suche/healthz: {ratio:.2f} (Ziel ≥ {TARGET_RATIO}: "
        f"{'erreicht' if figures['target_ratio_met'] else 'verfehlt'}); "
        f"neue Anfragen/healthz: {figures['ratio_unseen_healthz']:.2f}"
    )
    p99 = figures["results"]["search"]["p99_ms"]
    print(
        f"p99 Suche: {p99:.1f} ms "
        f"(Ziel < {TARGET_P99_MS:g} ms: {'erreicht' if figures['target_p99_met'] else 'verfehlt'})"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="Messdauer je Szenario (Standard 8)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 120 or not 0 < args.clients <= 64:
        parser.error("--seconds 0–120, --clients 1–64")
    figures = run(args.seconds, args.clients, args.workers, args.threads)
    print_results(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
