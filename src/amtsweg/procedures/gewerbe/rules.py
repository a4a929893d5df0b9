"""The rules of the federal forms GewA 1–3 that are data: legal forms, registers, person functions,
activities,
vague activity texts, date limits. Loaded from `data/*.json` and settings (versioned configuration)."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def legal_forms() -> dict[str, dict]:
    return _load("rechtsformen.json")["rechtsformen"]


def registers() -> dict[str, dict]:
    return _load("rechtsformen.json")["register"]


def functions() -> dict[str, dict]:
    return _load("rechtsformen.json")["funktionen"]


def activities() -> dict[str, dict]:
    return _load("taetigkeiten.json")["taetigkeiten"]


def activity(wz: str) -> dict | None:
    return activities().get(wz or "")


def vague_terms() -> set[str]:
    return {normalise(t) for t in _load("taetigkeiten.json")["zu_allgemein"]}


# Words that alone say nothing about what is done; a text made only of these (and filler words) is too vague.
_VAGUE_WORDS = {
    "alles",
    "alle",
    "aller",
    "art",
    "arten",
    "waren",
    "ware",
    "handel",
    "dienstleistung",
    "dienstleistungen",
    "verschiedenes",
    "diverses",
    "sonstiges",
    "sonstige",
    "service",
    "services",
    "vertrieb",
    "import",
    "export",
    "gewerbe",
    "tätigkeiten",
    "tätigkeit",
    "produkte",
    "artikel",
    "güter",
    "sachen",
    "dinge",
    "möglich",
    "mögliche",
    "möglichen",
    "allgemein",
    "allgemeine",
    "online",
    "internet",
    "groß",
    "einzel",
}
_FILLER = {
    "und",
    "oder",
    "von",
    "mit",
    "sowie",
    "im",
    "in",
    "der",
    "die",
    "das",
    "des",
    "den",
    "für",
    "aus",
    "u",
    "a",
}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    text = re.sub(r"[^\wäöüß/ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def is_too_vague(text: str) -> bool:
    norm = normalise(text)
    if not norm or norm in vague_terms():
        return True
    words = [w for w in re.split(r"[\s/]+", norm) if w and w not in _FILLER]
    return bool(words) and all(w in _VAGUE_WORDS for w in words)


def start_limits() -> tuple[int, int]:
    """(days in the past without an explanation, days ahead) for the start / change / closing date."""
    return (
        int(getattr(settings, "GEWERBE_START_MAX_PAST_DAYS", 92)),
        int(getattr(settings, "GEWERBE_START_MAX_FUTURE_DAYS", 365)),
    )


def register_pattern(register: str) -> re.Pattern | None:
    info = registers().get(register)
    return re.compile(info["muster"], re.IGNORECASE) if info else None


def register_number(register: str, raw: str) -> str:
    """The number without the register prefix, normalised ("HRB 12345 B" -> "12345 B")."""
    text = re.sub(r"\s+", " ", str(raw or "").strip()).upper()
    prefix = register.upper()
    if text.startswith(prefix):
        text = text[len(prefix) :].strip()
    return text


def legal_form_choices() -> tuple[tuple[str, str], ...]:
    return tuple((key, item["label"]) for key, item in legal_forms().items())


def register_choices() -> tuple[tuple[str, str], ...]:
    return (("keine", "nicht eingetragen"), *((key, item["label"]) for key, item in registers().items()))


def function_choices() -> tuple[tuple[str, str], ...]:
    return tuple((key, item["label"]) for key, item in functions().items())


def activity_choices() -> tuple[tuple[str, str], ...]:
    items = sorted(activities().items(), key=lambda kv: kv[1]["label"])
    return (*((wz, f"{item['label']} (WZ {wz})") for wz, item in items), ("andere", "andere Tätigkeit"))
