"""The small template language of letters and decisions.

Authorities write the body of a document and their Rechtsbehelfsbelehrung as plain text:

* `{{ name }}` or `{{ antrag.betrieb.name }}` inserts a value (letters, digits, underscores, dots; nothing
else:
  no filters, no tags, no code);
* a blank line starts a new paragraph, a line starting with `# ` is a heading, a line starting with `- ` is a
  list item;
* `**bold**` marks bold text inside a paragraph.

`parse()` rejects a broken template with a German message naming the line (used when a template is saved);
`fill()` inserts the values and raises `MissingData` listing *every* placeholder without a value, before
anything is drawn, so no half-filled letter can leave the house. Inserted values are escaped: a value can
never add markup or a placeholder.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
MAX_TEMPLATE_CHARS = 50_000
MAX_VALUE_CHARS = 5_000
_NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$")
_TOKEN = re.compile(r"(\{\{.*?\}\}|\*\*)")
# "§ 3a Abs. 2" must not break across lines: a no-break space after §, Abs., Nr., S. and Art. before a number.
_NO_BREAK = re.compile(r"(§§?|Abs\.|Nr\.|S\.|Art\.) (?=\d)")


class TemplateSyntaxError(ValueError):
    """The template text is broken; the message is German and names the line."""


class MissingData(ValueError):
    """Values for placeholders are missing; `fields` lists all of them (sorted, unique)."""

    def __init__(self, fields: Iterable[str]):
        self.fields = sorted(set(fields))
        super().__init__("Für das Dokument fehlen Angaben: " + ", ".join(self.fields))


@dataclass(frozen=True)
class Field:
    path: str


@dataclass(frozen=True)
class Bold:
    pass


BOLD = Bold()


@dataclass(frozen=True)
class Block:
    kind: str  # "p" paragraph, "h" heading, "li" list item
    parts: tuple  # str | Field | Bold


@dataclass(frozen=True)
class FilledBlock:
    kind: str
    markup: str  # XML-escaped text with <b>…</b>, ready for the renderer
    text: str  # plain text (for tests and search)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse_line(line: str, lineno: int) -> tuple:
    parts: list = []
    bold_open = False
    for token in _TOKEN.split(line):
        if not token:
            continue
        if token == "**":  # noqa: S105 (markup, not a password)
            parts.append(BOLD)
            bold_open = not bold_open
        elif token.startswith("{{"):
            name = token[2:-2].strip()
            if not _NAME.match(name):
                raise TemplateSyntaxError(
                    f"Zeile {lineno}: „{token}“ ist kein gültiger Platzhalter. Erlaubt sind Kleinbuchstaben, "
                    "Ziffern, Unterstriche und Punkte, z. B. {{ antrag.name }}."
                )
            parts.append(Field(name))
        else:
            for bad, hint in (
                ("{{", "„{{“ ohne „}}“"),
                ("}}", "„}}“ ohne „{{“"),
                ("{%", "„{%“ (Befehle sind nicht erlaubt)"),
            ):
                if bad in token:
                    raise TemplateSyntaxError(f"Zeile {lineno}: {hint}.")
            parts.append(token)
    return tuple(parts), bold_open


@lru_cache(maxsize=256)
def parse(text: str) -> tuple[Block, ...]:
    """The blocks of a template; raises TemplateSyntaxError for a broken one."""
    if not isinstance(text, str):
        raise TemplateSyntaxError("Die Vorlage muss Text sein.")
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateSyntaxError(f"Die Vorlage ist zu lang (höchstens {MAX_TEMPLATE_CHARS} Zeichen).")
    if "\x00" in text:
        raise TemplateSyntaxError("Die Vorlage enthält ungültige Steuerzeichen.")
    blocks: list[Block] = []
    paragraph: list = []
    paragraph_start = 0
    bold_open = False

    def close_paragraph(lineno: int):
        nonlocal paragraph, bold_open
        if bold_open:
            raise TemplateSyntaxError(
                f"Zeile {paragraph_start}: „**“ (fett) wird im Absatz nicht geschlossen."
            )
        if paragraph:
            blocks.append(Block("p", tuple(paragraph)))
        paragraph = []

    for lineno, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            close_paragraph(lineno)
            continue
        if line in ("#", "-"):
            raise TemplateSyntaxError(f"Zeile {lineno}: Überschrift oder Aufzählungspunkt ohne Text.")
        if line.startswith("# ") or line.startswith("- "):
            close_paragraph(lineno)
            parts, open_ = _parse_line(line[2:].strip(), lineno)
            if open_:
                raise TemplateSyntaxError(f"Zeile {lineno}: „**“ (fett) wird nicht geschlossen.")
            if not parts:
                raise TemplateSyntaxError(f"Zeile {lineno}: Überschrift oder Aufzählungspunkt ohne Text.")
            blocks.append(Block("h" if line.startswith("# ") else "li", parts))
            continue
        if not paragraph:
            paragraph_start = lineno
        parts, open_ = _parse_line(line, lineno)
        if paragraph:
            paragraph.append(" ")
        paragraph.extend(parts)
        bold_open ^= open_
    close_paragraph(0)
    if not blocks:
        raise TemplateSyntaxError("Die Vorlage ist leer.")
    return tuple(blocks)


def placeholders(text: str) -> list[str]:
    """Every placeholder name used in the template, in order of first use."""
    seen: dict[str, None] = {}
    for block in parse(text):
        for part in block.parts:
            if isinstance(part, Field):
                seen.setdefault(part.path, None)
    return list(seen)


def format_value(value) -> str:
    """German presentation: dates DD.MM.YYYY, times in Europe/Berlin, decimals with a comma, ja/nein."""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BERLIN)
        return value.strftime("%d.%m.%Y, %H:%M Uhr")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


_MISSING = object()


def lookup(data: Mapping, path: str):
    """The value at a dotted path in nested mappings (or objects), or _MISSING."""
    current = data
    for key in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(key, _MISSING)
        elif key.startswith("_"):
            return _MISSING
        else:
            current = getattr(current, key, _MISSING)
        if current is _MISSING or current is None:
            return _MISSING
    if isinstance(current, str) and not current.strip():
        return _MISSING
    if isinstance(current, list | tuple | set | dict):
        return _MISSING
    return current


def missing_fields(text: str, data: Mapping) -> list[str]:
    return [name for name in placeholders(text) if lookup(data, name) is _MISSING]


def fill(text: str, data: Mapping) -> list[FilledBlock]:
    """The filled blocks; raises MissingData (all missing names) or TemplateSyntaxError."""
    blocks = parse(text)
    missing = missing_fields(text, data)
    if missing:
        raise MissingData(missing)
    filled = []
    for block in blocks:
        markup, plain, bold = [], [], False
        for part in block.parts:
            if part is BOLD:
                markup.append("</b>" if bold else "<b>")
                bold = not bold
            elif isinstance(part, Field):
                value = " ".join(format_value(lookup(data, part.path)).split())[:MAX_VALUE_CHARS]
                markup.append(_escape(value))
                plain.append(value)
            else:
                markup.append(_escape(part))
                plain.append(part)
        filled.append(FilledBlock(block.kind, _NO_BREAK.sub("\\1\u00a0", "".join(markup)), "".join(plain)))
    return filled
