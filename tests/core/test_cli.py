"""The `amtsweg` command as an operator uses it: in a subprocess, with real environment variables."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

PRODUCTION_ENV = {
    "AMTSWEG_SECRET_KEY": secrets.token_urlsafe(64),
    "AMTSWEG_ALLOWED_HOSTS": "amtsweg.example.sachsen.de",
    "AMTSWEG_EMAIL_HOST": "mail.example.sachsen.de",
}


def run_amtsweg(*args, env_overrides=None, tmp_path, timeout=60):
    env = {key: value for key, value in os.environ.items() if not key.startswith("AMTSWEG_")}
    env["AMTSWEG_DATA_DIR"] = str(tmp_path)
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "-m", "amtsweg", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_amtsweg("manage", "check", "--deploy", "--fail-level", "WARNING",
                         env_overrides=PRODUCTION_ENV, tmp_path=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"AMTSWEG_ALLOWED_HOSTS": "a.example"}, "AMTSWEG_SECRET_KEY fehlt"),
        ({**PRODUCTION_ENV, "AMTSWEG_DATABASE_URL": "mysql://root@db/x"}, "AMTSWEG_DATABASE_URL"),
        ({"AMTSWEG_SECRET_KEY": secrets.token_urlsafe(64)}, "AMTSWEG_ALLOWED_HOSTS fehlt"),
        ({**PRODUCTION_ENV, "AMTSWEG_DEBUG": "vielleicht"}, "Wahrheitswert"),
    ],
)
def test_bad_configuration_is_refused_in_one_line(tmp_path, overrides, message):
    result = run_amtsweg("manage", "check", env_overrides=overrides, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_port_in_use_is_refused_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        overrides = PRODUCTION_ENV | {"AMTSWEG_ALLOWED_HOSTS": "localhost"}
        result = run_amtsweg("serve", "--port", str(port), env_overrides=overrides, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"Port {port}" in result.stderr
    assert "belegt" in result.stderr


def test_bad_port_value(tmp_path):
    result = run_amtsweg("serve", "--port", "achtzig", env_overrides=PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "keine Zahl" in result.stderr


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own localhost server)
        return response.status, response.read()


def test_demo_serves_start_page_and_health_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AMTSWEG_")}
    env.update(AMTSWEG_DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    demo = subprocess.Popen(
        [sys.executable, "-m", "amtsweg", "demo", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        # A cold start migrates and loads all demo data; on a loaded 2-core machine that took minutes.
        deadline = time.monotonic() + 400
        status = None
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"demo did not come up; exit={demo.poll()}"
        assert b'"database": "ok"' in body
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert b'lang="de"' in page
        status, _ = get(f"http://127.0.0.1:{port}/static/css/amtsweg.css")
        assert status == 200

        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=30)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    assert demo.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "beendet" in output
    # Nothing of ours still listens on the port (SO_REUSEADDR: connections in TIME_WAIT don't count).
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
