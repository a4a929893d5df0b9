"""Response shapes of the public API (they also make up the OpenAPI document)."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    code: str = Field(..., description="Maschinenlesbarer Fehlercode, z. B. unknown_service")
    message: str = Field(..., description="Fehlermeldung auf Deutsch, zum Anzeigen geeignet")


class ErrorOut(Schema):
    error: ErrorDetail


class ServiceHit(Schema):
    key: str
    name: str
    url: str = Field(..., description="Absolute Adresse der Leistungsseite")
    score: float = Field(
        ..., description="Relevanz (höher ist besser); nur innerhalb einer Antwort vergleichbar"
    )


class ServiceSearchOut(Schema):
    items: list[ServiceHit]
    total: int = Field(..., description="Anzahl aller relevanten Treffer (auch jenseits von limit)")


class Fee(Schema):
    kind: str = Field(..., description="fixed | range | local | free")
    min_cents: int | None
    max_cents: int | None
    note: str


class LegalBasis(Schema):
    title: str
    url: str | None


class OnlineService(Schema):
    procedure: str
    trust_level: str = Field(..., description="niedrig | substanziell | hoch")
    url: str | None = Field(None, description="Startadresse des Online-Antrags, sobald er angeboten wird")


class LifeSituationRef(Schema):
    key: str
    name: str
    name_en: str
    url: str


class ServiceDetail(Schema):
    key: str
    leika: str | None
    name: str
    name_en: str
    level: str = Field(..., description="gemeinde | kreis | land | bund")
    responsible_unit: str
    short_text: str
    short_text_en: str
    full_text: str
    target_groups: list[str]
    prerequisites: list[str]
    documents: list[str]
    fee: Fee
    deadlines: list[str]
    processing_time: str
    steps: list[str]
    legal_bases: list[LegalBasis]
    remarks: str
    synonyms: list[str]
    life_situations: list[LifeSituationRef]
    online: OnlineService | None
    url: str
    updated_at: str


class Interval(Schema):
    opens: str
    closes: str
    note: str


class Day(Schema):
    date: str
    weekday: int
    closed: bool
    source: str
    reason: str
    intervals: list[Interval]


class OpeningHours(Schema):
    source: str
    today: Day
    week: list[Day]


class OpenStatus(Schema):
    open_now: bool
    closes_at: str | None
    next_opening: str | None
    reason: str
    text: str


class Address(Schema):
    name: str
    street: str
    postal_code: str
    city: str
    lat: float | None
    lon: float | None
    verified: bool
    coordinates_source: str | None


class AuthorityOut(Schema):
    id: str
    name: str
    level: str = Field(..., description="municipality | district | state")
    ags: str | None = Field(..., description="Gebietsschlüssel des betreuten Gebiets (14 = Land)")
    district_ags: str | None
    address: Address | None
    opening_hours: OpeningHours | None
    open_now: bool | None
    open_status: OpenStatus | None
    url: str


class Office(Schema):
    name: str
    is_main: bool
    street: str
    postal_code: str
    city: str
    lat: float | None
    lon: float | None
    accessibility: str
    phone: str
    email: str
    opening_hours: OpeningHours
    open_status: OpenStatus


class AuthorityDetail(AuthorityOut):
    kind: str
    website: str
    email: str
    phone: str
    is_generated: bool
    offices: list[Office]


class Candidate(Schema):
    id: int
    name: str
    district_ags: str
    district: str


class ResponsibilityOut(Schema):
    service: str
    level: str | None = Field(..., description="municipality | district | state, null für Bundesleistungen")
    authority: AuthorityOut | None
    candidates: list[Candidate]
    needs_choice: bool
    note: str


class LifeSituationOut(Schema):
    key: str
    name: str
    name_en: str
    description: str
    url: str
    services: list[str]
