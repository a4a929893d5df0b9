"""The `amtsweg` command: demo, serve, worker, manage.

Operator errors (bad configuration, a port in use) end with one line on stderr and exit code 2,
never with a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

DEFAULT_PORT = 8000
EXIT_CONFIG = 2


class CommandError(Exception):
    """Shown to the operator as one line."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.config.settings")
    import django

    django.setup()


def _port(value: str | None) -> int:
    raw = value if value is not None else os.environ.get("PORT") or str(DEFAULT_PORT)
    try:
        port = int(raw)
    except ValueError:
        raise CommandError(f"Port {raw!r} ist keine Zahl.") from None
    if not 1 <= port <= 65535:
        raise CommandError(f"Port {port} liegt nicht zwischen 1 und 65535.")
    return port


def ensure_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise CommandError(
                f"Port {port} auf {host} ist schon belegt: beenden Sie das andere Programm "
                f"oder wählen Sie einen anderen Port, z. B. PORT={port + 1} make demo."
            ) from None


def _granian_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    from django.conf import settings

    return [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--backpressure", str(threads * 16),
        "--no-access-log",
        "--static-path-route", settings.STATIC_URL.rstrip("/"),
        "--static-path-mount", str(settings.STATIC_ROOT),
        "--static-path-expires", "1d",
        "amtsweg.config.wsgi:application",
    ]  # fmt: skip


def _collectstatic() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def cmd_serve(args) -> int:
    _setup_django()
    port = _port(args.port)
    ensure_port_free(args.host, port)
    _collectstatic()
    command = _granian_command(args.host, port, args.workers, args.threads)
    os.execv(sys.executable, command)  # noqa: S606 (replace this process: signals go straight to granian)
    return 0  # pragma: no cover


def cmd_worker(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("run_worker")
    return 0


def cmd_manage(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["amtsweg manage", *args.rest])
    return 0


def cmd_demo(args) -> int:
    os.environ["AMTSWEG_DEMO"] = "1"
    # People at a terminal read the demo's log; JSON lines are for log shippers.
    os.environ.setdefault("AMTSWEG_LOG_FORMAT", "text")
    _setup_django()
    from django.core.management import call_command

    from amtsweg.core import demo

    port = _port(args.port)
    ensure_port_free(args.host, port)
    print("amtsweg: Datenbank wird eingerichtet …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_regions", verbosity=0)
    logins = demo.load_all()
    _collectstatic()

    env = dict(os.environ, AMTSWEG_DEMO="1")
    children = [
        subprocess.Popen(_granian_command(args.host, port, args.workers, args.threads), env=env),
        subprocess.Popen([sys.executable, "-m", "amtsweg", "worker"], env=env),
    ]
    url = f"http://{args.host}:{port}/"
    print(f"\namtsweg läuft im Demo-Modus: {url}", flush=True)
    if logins:
        print("Demo-Zugänge (alle Personen und Firmen sind erfunden):")
        for line in logins:
            print(f"  {line}")
    print("Beenden mit Strg+C.\n", flush=True)
    return _supervise(children)


def _supervise(children: list[subprocess.Popen]) -> int:
    """Wait until a child exits or we are told to stop; then stop all children cleanly."""
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    exit_code = 0
    while not stopping:
        for child in children:
            code = child.poll()
            if code is not None:
                name = child.args[2]
                print(f"amtsweg: Prozess {name} beendet (Code {code}), fahre herunter.", file=sys.stderr)
                exit_code = code or 1
                stopping = True
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("amtsweg: beendet.", flush=True)
    return exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amtsweg", description="E-Government-Plattform für Sachsen")
    sub = parser.add_subparsers(dest="command", required=True)

    def server_options(p):
        p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        p.add_argument("--port", default=None, help=f"Standard: $PORT oder {DEFAULT_PORT}")
        p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        p.add_argument("--threads", type=int, default=4, help="blockierende Threads je Worker")

    demo = sub.add_parser("demo", help="Demo mit SQLite, Beispieldaten, Webserver und Worker starten")
    server_options(demo)
    demo.set_defaults(func=cmd_demo)
    serve = sub.add_parser("serve", help="Webserver (granian, WSGI) starten")
    server_options(serve)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("worker", help="Hintergrund-Worker starten").set_defaults(func=cmd_worker)
    manage = sub.add_parser("manage", help="Django-Verwaltungsbefehl ausführen", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from amtsweg.config.env import ConfigurationError

    try:
        return args.func(args)
    except (ConfigurationError, CommandError) as exc:
        print(f"amtsweg: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
