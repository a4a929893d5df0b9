"""The layer log (Schichtenverzeichnis) as a structured table: depth from/to, soil or rock, groundwater.

The results form posts one row per layer (`schicht-<n>-von`, `-bis`, `-beschreibung`, `-grundwasser`); the
rows
travel inside the engine's follow-up as JSON text in the field `schichten` (encrypted like every other value).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ROWS = 300
ROW_FIELDS = ("von", "bis", "beschreibung", "grundwasser")


def _depth(raw) -> Decimal | None:
    text = str(raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def rows_from_post(post: Mapping, count: int) -> tuple[list[dict], dict[int, str]]:
    """The filled rows of the posted table and {row number: message}. Empty rows are skipped."""
    rows, errors = [], {}
    for index in range(count):
        raw = {name: str(post.get(f"schicht-{index}-{name}", "") or "").strip() for name in ROW_FIELDS}
        if not (raw["von"] or raw["bis"] or raw["beschreibung"]):
            continue
        try:
            top, bottom = _depth(raw["von"]), _depth(raw["bis"])
        except ValueError:
            errors[index] = _("Tiefen bitte als Zahl in Metern angeben, z. B. 1,5.")
            continue
        rows.append(
            {
                "row": index,
                "von": _text(top),
                "bis": _text(bottom),
                "beschreibung": raw["beschreibung"][:500],
                "grundwasser": raw["grundwasser"] in ("on", "ja", "1", "true"),
            }
        )
    return rows, errors


def check_rows(rows: list[dict], final_depth: Decimal | None = None) -> dict[int, str]:
    """{row number: German message} for impossible layers: missing values, from ≥ to, overlaps, too deep."""
    errors: dict[int, str] = {}
    if len(rows) > MAX_ROWS:
        errors[rows[MAX_ROWS]["row"]] = _("Höchstens %(n)d Schichten.") % {"n": MAX_ROWS}
    previous = Decimal(0)
    for row in rows:
        number = row.get("row", 0)
        if row["von"] == "" or row["bis"] == "" or not row["beschreibung"]:
            errors[number] = _("Bitte geben Sie Tiefe von, Tiefe bis und die Beschreibung an.")
            continue
        top, bottom = Decimal(row["von"]), Decimal(row["bis"])
        if top < 0 or bottom <= top:
            errors[number] = _("Die Untergrenze einer Schicht muss tiefer liegen als ihre Obergrenze.")
        elif top < previous:
            errors[number] = _(
                "Die Schicht überschneidet sich mit der vorigen. Bitte von oben nach unten eintragen."
            )
        elif final_depth is not None and bottom > final_depth:
            errors[number] = _("Die Schicht reicht tiefer als die erreichte Endtiefe (%(depth)s m).") % {
                "depth": final_depth
            }
        previous = max(previous, bottom)
    return errors


def to_json(rows: list[dict]) -> str:
    return json.dumps([{k: r[k] for k in ROW_FIELDS} for r in rows], ensure_ascii=False)


def from_json(text) -> list[dict]:
    try:
        data = json.loads(text or "[]")
    except (TypeError, ValueError):
        return []
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def validate_json(value) -> None:
    """Field validator of `schichten` (the engine re-validates stored follow-up values with it)."""
    if value in (None, ""):
        return
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        raise ValidationError(
            _("Das Schichtenverzeichnis ist beschädigt. Bitte füllen Sie die Tabelle erneut aus.")
        ) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValidationError(
            _("Das Schichtenverzeichnis ist beschädigt. Bitte füllen Sie die Tabelle erneut aus.")
        )
    rows = []
    for index, row in enumerate(data):
        try:
            rows.append(
                {
                    "row": index,
                    "von": _text(_depth(row.get("von"))),
                    "bis": _text(_depth(row.get("bis"))),
                    "beschreibung": str(row.get("beschreibung") or ""),
                    "grundwasser": bool(row.get("grundwasser")),
                }
            )
        except ValueError:
            raise ValidationError(_("Das Schichtenverzeichnis enthält eine ungültige Tiefe.")) from None
    problems = check_rows(rows)
    if problems:
        raise ValidationError(next(iter(problems.values())))
