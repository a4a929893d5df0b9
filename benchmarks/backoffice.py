"""Benchmark: the back office's worklist and case page on many cases (PostgreSQL only).

Generates the cases with `amtsweg manage generate_bench_cases` (INSERT … SELECT over generate_series, see
its docstring for the shortcuts), starts `amtsweg serve` (granian WSGI) with production settings on the
database in AMTSWEG_DATABASE_URL (use a database of its own: the benchmark migrates it and adds cases), logs
in a case worker of the first authority (a session made by the command, with the second factor verified)
and measures, for 1 and 16 concurrent users in interleaved rounds:

* `/healthz`: the same-run baseline (routing, middleware, one `SELECT 1`);
* the worklist (first page, default sort by due date, counts per state);
* a filtered worklist (procedure + state "in Bearbeitung" + overdue);
* the case page of 200 open cases (everything but "open application", which decrypts).

Target (issue #6): p95 < 100 ms at 16 concurrent users on this 2-core machine.

    AMTSWEG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/aw_bench \\
        .venv/bin/python benchmarks/backoffice.py [--cases 1000000] [--authorities 50] [--seconds 8] [--reuse]
"""

from __future__ import annotations

import argparse
import json
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

ROUNDS = 4
TARGET_P95_MS = 100.0
USERS = (1, 16)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, workers: int, threads: int):
        self.folder = Path(tempfile.mkdtemp(prefix="amtsweg-bench-backoffice-"))
        self.port = _free_port()
        self.workers, self.threads = workers, threads
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
                "AMTSWEG_STAFF_IDLE_SECONDS": "0",
            }
        )
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str, timeout: int = 7200) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "amtsweg", "manage", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)} schlug fehl:\n{done.stderr[-3000:]}")
        return done

    def start(self) -> None:
        command = [sys.executable, "-m", "amtsweg", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.workers), "--threads", str(self.threads)]  # fmt: skip
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Server beendet: {self.process.stderr.read()[-2000:]}")
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


def run(cases: int, authorities: int, seconds: float, workers: int, threads: int, reuse: bool) -> dict:
    if not os.environ.get("AMTSWEG_DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Dieser Benchmark braucht PostgreSQL: AMTSWEG_DATABASE_URL=postgres://… setzen.")
    server = Server(workers, threads)
    try:
        started = time.perf_counter()
        server.manage("migrate", "--no-input", "-v", "0")
        args = ["generate_bench_cases", "--cases", str(cases), "--authorities", str(authorities),
                "--sessions", "1"] + (["--reuse"] if reuse else [])  # fmt: skip
        generated = server.manage(*args)
        generate_seconds = time.perf_counter() - started
        print(generated.stderr.strip().splitlines()[-1] if generated.stderr.strip() else "", flush=True)
        info = json.loads(generated.stdout.strip().splitlines()[-1])
        headers = {"Cookie": f"sessionid={info['sessions'][0]}"}
        server.start()
        worklist = "/verwaltung/vorgaenge/"
        filtered = (
            worklist
            + "?"
            + urlencode({"verfahren": info["procedure"], "status": "in_review", "frist": "ueberfaellig"})
        )
        scenarios = [
            ("healthz", ["/healthz"]),
            ("worklist", [worklist]),
            ("filtered", [filtered]),
            ("detail", [f"/verwaltung/vorgaenge/{public_id}/" for public_id in info["cases"]]),
        ]
        for _name, paths in scenarios[1:]:  # warm every worker process
            probe = measure("127.0.0.1", server.port, paths[:20], clients=4, seconds=1.0, warmup=0.0,
                            headers=headers)  # fmt: skip
            if probe.errors or not probe.latencies:
                raise RuntimeError(f"{paths[0]}: Fehler beim Aufwärmen ({probe.statuses})")
        results = {(n, u): Result(name=n, seconds=0.0) for n, _ in scenarios for u in USERS}
        load_before = os.getloadavg()[0]
        for round_number in range(ROUNDS):
            print(f"  Runde {round_number + 1}/{ROUNDS}", flush=True)
            for users in USERS:
                for name, paths in scenarios:
                    part = measure("127.0.0.1", server.port, paths, name=name, clients=users,
                                   seconds=seconds / ROUNDS, warmup=0.3, headers=headers)  # fmt: skip
                    total = results[(name, users)]
                    total.seconds += part.seconds
                    total.latencies.extend(part.latencies)
                    total.errors += part.errors
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
    rows = []
    for (name, users), result in results.items():
        rows.append({"scenario": name, "users": users, "rps": result.requests_per_second,
                     "p50_ms": result.percentile_ms(0.50), "p95_ms": result.percentile_ms(0.95),
                     "p99_ms": result.percentile_ms(0.99), "errors": result.errors})  # fmt: skip
    worst = max(r["p95_ms"] for r in rows if r["users"] == 16 and r["scenario"] != "healthz")
    return {
        "cases": cases,
        "authorities": authorities,
        "open_parts_first_authority": info["open_parts"],
        "generate_seconds": round(generate_seconds, 1),
        "reused": reuse,
        "workers": workers,
        "threads": threads,
        "seconds": seconds,
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "rows": rows,
        "worst_p95_16_users_ms": worst,
        "target_met": worst < TARGET_P95_MS,
    }


LABELS = {
    "healthz": "/healthz (Basis)",
    "worklist": "Arbeitsliste",
    "filtered": "Arbeitsliste gefiltert",
    "detail": "Vorgangsseite",
}


def print_results(figures: dict) -> None:
    print(
        f"\nSachbearbeitung: {figures['cases']:,} Vorgänge, {figures['authorities']} Behörden "
        f"({figures['open_parts_first_authority']:,} offen in der gemessenen Behörde); erzeugt in "
        f"{figures['generate_seconds']:.0f} s{' (wiederverwendet)' if figures['reused'] else ''}; "
        f"granian {figures['workers']} Worker × {figures['threads']} Threads, PostgreSQL"
    )
    before, after = figures["load_average"]
    print(
        f"Last des Rechners (1-min-Mittel): vorher {before:.1f}, nachher {after:.1f}, {os.cpu_count()} Kerne"
    )
    head = ("Szenario", "Nutzer", "Anfr./s", "p50 ms", "p95 ms", "p99 ms", "Fehler")
    print(f"{head[0]:<26} " + " ".join(f"{h:>8}" for h in head[1:]))
    base = {r["users"]: r["rps"] for r in figures["rows"] if r["scenario"] == "healthz"}
    for row in sorted(figures["rows"], key=lambda r: (r["users"], list(LABELS).index(r["scenario"]))):
        ratio = row["rps"] / base[row["users"]] if base.get(row["users"]) else 0
        print(
            f"{LABELS[row['scenario']]:<26} {row['users']:>8} {row['rps']:>8.0f} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['errors']:>7}   ({ratio:.2f} × healthz)"
        )
    print(
        f"Schlechtestes p95 bei 16 Nutzern: {figures['worst_p95_16_users_ms']:.1f} ms "
        f"(Ziel < {TARGET_P95_MS:g} ms: "
        f"{'erreicht' if figures['target_met'] else 'verfehlt'})"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--authorities", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=8.0, help="Messdauer je Szenario und Nutzerzahl")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--reuse", action="store_true", help="schon erzeugte Benchmark-Vorgänge behalten")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 120 or not 1 <= args.cases <= 5_000_000:
        parser.error("--seconds 0–120, --cases 1–5.000.000")
    print_results(run(args.cases, args.authorities, args.seconds, args.workers, args.threads, args.reuse))
    return 0


if __name__ == "__main__":
    sys.exit(main())
