"""Reading configuration from environment variables.

Settings come only from the environment (12-factor). Every reader raises
`ConfigurationError` with a one-line German/English explanation, which the
`amtsweg` command prints without a traceback.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message is shown to the operator as is."""


TRUE_WORDS = {"1", "true", "yes", "on", "ja"}
FALSE_WORDS = {"0", "false", "no", "off", "nein", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name}={raw!r} ist kein Wahrheitswert (erlaubt: 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} ist keine ganze Zahl.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """The local folder for the SQLite database, uploaded files, keys and generated secrets."""
    path = Path(os.environ.get("AMTSWEG_DATA_DIR") or Path.cwd() / "var").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(*, required: bool, directory: Path) -> str:
    """The secret key from the environment; in demo and development a generated one in the data folder."""
    key = os.environ.get("AMTSWEG_SECRET_KEY", "").strip()
    if key:
        if len(key) < 50:
            raise ConfigurationError("AMTSWEG_SECRET_KEY ist zu kurz (mindestens 50 Zeichen).")
        return key
    if required:
        raise ConfigurationError(
            "AMTSWEG_SECRET_KEY fehlt: im Produktivbetrieb muss ein geheimer Schlüssel gesetzt sein "
            '(erzeugen: python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )
    key_file = directory / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout
    # instead of failing with "database is locked" when a reader upgrades to a writer.
    "transaction_mode": "IMMEDIATE",
    "timeout": 10,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=10000;"
        "PRAGMA foreign_keys=ON;PRAGMA cache_size=-20000;"
    ),
}


def _sqlite(path: str) -> dict:
    # Persistent connections: closing the last connection to a WAL database checkpoints and removes the
    # WAL file, which cost about 19 ms per request when every request opened its own connection.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": dict(SQLITE_OPTIONS),
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


def database(directory: Path) -> dict:
    """Django DATABASES['default'] from AMTSWEG_DATABASE_URL (default: SQLite in the data folder)."""
    url = os.environ.get("AMTSWEG_DATABASE_URL", "").strip()
    if not url:
        return _sqlite(str(directory / "amtsweg.sqlite3"))
    scheme = urlsplit(url).scheme
    if scheme in {"postgres", "postgresql", "pgsql"}:
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except ValueError as exc:
            raise ConfigurationError(f"AMTSWEG_DATABASE_URL ist fehlerhaft: {exc}") from None
        if not config.get("NAME"):
            raise ConfigurationError(
                "AMTSWEG_DATABASE_URL nennt keine Datenbank (postgres://user@host:5432/NAME)."
            )
        return config
    if scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path, as in SQLAlchemy and dj-database-url.
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise ConfigurationError("AMTSWEG_DATABASE_URL=sqlite:///PFAD braucht einen Dateipfad.")
        return _sqlite(path)
    raise ConfigurationError(
        f"AMTSWEG_DATABASE_URL={url!r} wird nicht unterstützt: erwartet postgres://… oder sqlite:///pfad."
    )
