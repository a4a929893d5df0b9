"""Code lists and transmission rules of XGewerbeanzeige, loaded from the JSON files in `data/` (versioned
data, not code: see domain.md § 1.4). Each value carries a status: "beobachtet" (seen in the KoSIT test
instances) or "verify" (derived; to be checked against XRepository before production)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def code_lists() -> dict:
    return _load("codes.json")["lists"]


def code_list(name: str) -> dict:
    return code_lists()[name]


def values(name: str) -> dict[str, dict]:
    """{code: {"label": …, "status": …}} of a code list."""
    raw = code_list(name).get("values", {})
    return {code: (item if isinstance(item, dict) else {"label": item}) for code, item in raw.items()}


def label(name: str, code: str) -> str:
    return values(name).get(code, {}).get("label", code)


def choices(name: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, item["label"]) for code, item in values(name).items())


def is_valid(name: str, code: str) -> bool:
    return code in values(name)


def weitergabe() -> dict:
    return _load("weitergabe.json")


def groups() -> dict[str, dict]:
    return weitergabe()["gruppen"]


def message_types() -> dict[str, dict]:
    return weitergabe()["nachrichtentypen"]


def recipient_rules() -> dict[str, dict]:
    return weitergabe()["empfaenger"]


def recipient_rule(kind: str) -> dict:
    return recipient_rules()[kind]


def message_type_for(kind: str) -> dict:
    """{"element": "alg.gewerbemeldung.0300", "code": "0300", ...} for a recipient kind."""
    return message_types()[recipient_rule(kind)["nachricht"]]


def paths_for_groups(names) -> list[str]:
    known = groups()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(f"unknown field groups: {unknown}")
    return [path for n in names for path in known[n]["pfade"]]


def wz_prefixes(name: str) -> list[str]:
    return list(weitergabe()["wz_praefixe"].get(name, []))
