"""Run the benchmarks: `make bench` (all) or `.venv/bin/python benchmarks/run.py portal documents`.

Every module `benchmarks/<name>.py` (not starting with "_") with a `main()` is one benchmark. Each runs in
its own process (they set up Django differently: in-process with a throw-away database, or a real server),
prints its own table with a same-run baseline, and may also offer `run(...) -> dict` for other tools.
Add a benchmark by adding a module; nothing here needs to change. Arguments after `--` go to every module.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["portal"]  # run first; the rest follow alphabetically
TIMEOUT_SECONDS = 1800


def available() -> list[str]:
    names = sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_") and p.stem != "run")
    names = [n for n in names if "def main(" in (HERE / f"{n}.py").read_text(encoding="utf-8")]
    return [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        passthrough = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(description="amtsweg benchmarks")
    parser.add_argument("names", nargs="*", help=f"Auswahl aus: {', '.join(available())} (Standard: alle)")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        parser.error(f"unbekannte Benchmarks: {', '.join(unknown)}")
    failed = []
    for name in names:
        print(f"\n=== Benchmark: {name}", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, str(HERE / f"{name}.py"), *passthrough], timeout=TIMEOUT_SECONDS
            )
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = -1
            print(f"{name}: nach {TIMEOUT_SECONDS} s abgebrochen")
        print(
            f"=== {name}: {'fertig' if code == 0 else f'FEHLER (Code {code})'} "
            f"in {time.perf_counter() - started:.0f} s"
        )
        if code:
            failed.append(name)
    if failed:
        print(f"\nFehlgeschlagen: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
