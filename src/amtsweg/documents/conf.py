"""Settings of the documents app with their defaults (all set in settings.py from environment variables)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def pki_dir() -> Path:
    return Path(getattr(settings, "DOCUMENTS_PKI_DIR", None) or Path(settings.DATA_DIR) / "pki")


def is_demo() -> bool:
    return bool(getattr(settings, "DEMO", False) or getattr(settings, "TESTING", False))


def timestamp_mode() -> str:
    """ "local": PAdES B-T with the platform's own time-stamping key (demo/tests); "none": PAdES B-B."""
    value = getattr(settings, "DOCUMENTS_TIMESTAMPS", None)
    if value is None:
        value = "local" if is_demo() else "none"
    return value


def auto_issue_seals() -> bool:
    """Issue a seal certificate from the platform CA for an authority without one (demo/tests by default)."""
    value = getattr(settings, "DOCUMENTS_AUTO_ISSUE_SEALS", None)
    return is_demo() if value is None else bool(value)


def trust_anchor_files() -> list[Path]:
    return [Path(item) for item in getattr(settings, "DOCUMENTS_TRUST_ANCHORS", []) if str(item).strip()]


def verify_max_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_VERIFY_MAX_BYTES", 10 * 1024 * 1024))


def base_url() -> str:
    return getattr(settings, "BASE_URL", "http://127.0.0.1:8000").rstrip("/")
