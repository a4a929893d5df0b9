"""Factories for documents tests: plain functions creating valid rows with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

from amtsweg.directory.models import Authority, Office
from amtsweg.documents.services import DocumentSpec, Fee

_numbers = itertools.count(1)


def authority(name: str | None = None, *, with_office: bool = True, **fields) -> Authority:
    n = next(_numbers)
    defaults = {"kind": Authority.Kind.LANDRATSAMT, "level": Authority.Level.KREIS, "ags": None}
    defaults.update(fields)
    record = Authority.objects.create(
        key=f"dokumente-behoerde-{n}", name=name or f"Landratsamt Prüfstadt {n}", **defaults
    )
    if with_office:
        Office.objects.create(
            authority=record,
            name="Hauptsitz",
            street="Straße der Einheit 1",
            postal_code="01662",
            city="Meißen",
            is_main=True,
        )
    return record


DECISION_DATA = {
    "betreff": "Bescheid über die Erlaubnis nach § 34a GewO",
    "anrede": "Sehr geehrte Frau Größenwahn-Übermuth,",
    "entscheidung": "Ihnen wird die Erlaubnis für das Bewachungsgewerbe erteilt. "
    "Die Straße „Am Öltank“ gehört dazu; "
    "GROẞE BUCHSTABEN und das ß bleiben erhalten.",
    "begruendung": "Sie haben alle Voraussetzungen nachgewiesen. " * 40,
}


def decision_spec(authority_obj: Authority, **overrides) -> DocumentSpec:
    values = {
        "doc_type": "bescheid",
        "authority": authority_obj,
        "procedure": "",
        "data": dict(DECISION_DATA),
        "fees": [Fee("Erlaubnis nach § 34a GewO", 25000), Fee("Auslagen (Zustellung)", 280)],
        "recipient_lines": ["Frau Erika Größenwahn-Übermuth", "Lößnitzstraße 7", "01445 Radebeul"],
        "file_number": "32.1-2026-0042",
        "issued_on": dt.date(2026, 11, 27),
    }
    values.update(overrides)
    return DocumentSpec(**values)
