"""The catalogue exchange format `amtsweg-catalog/1` (documented in docs/catalog-format.md).

`validate_catalog` checks a parsed document and names every problem in German with its place in the
file; `import_catalog` writes a valid document in one transaction (upsert by key, one version per changed
service); `export_catalog` produces the same format from the database, deterministically, so that
export → import into an empty database → export gives identical JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from amtsweg.catalog.models import FeeKind, Level, LifeSituation, Service, TargetGroup, TrustLevel

FORMAT = "amtsweg-catalog/1"
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEIKA_RE = re.compile(r"^\d{14}$")

# Service fields in the order they are written; anything else in a service object is kept in `extra`
# and written back after these (optional fields may be added to the format, never removed).
SERVICE_FIELDS = (
    "key", "leika", "name", "name_en", "level", "responsible_unit", "short_text", "short_text_en",
    "full_text", "target_groups", "prerequisites", "documents", "fee", "deadlines", "processing_time",
    "steps", "legal_bases", "remarks", "synonyms", "life_situations", "online", "responsibility",
)  # fmt: skip
LIFE_SITUATION_FIELDS = ("key", "name", "name_en", "description", "description_en")
STRING_LIST_FIELDS = ("prerequisites", "documents", "deadlines", "steps", "synonyms")
TEXT_FIELDS = ("name_en", "responsible_unit", "short_text_en", "full_text", "processing_time", "remarks")
MAX_TEXT = 20_000


class CatalogFormatError(ValueError):
    """The document does not follow the format; `errors` lists every problem (German, with location)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    life_situations: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.created)} Leistungen neu, {len(self.updated)} geändert, "
            f"{len(self.unchanged)} unverändert, {len(self.removed)} entfernt; "
            f"{self.life_situations} Lebenslagen."
        )


# --- validation ----------------------------------------------------------------------------------


def _is_text(value: Any, *, required: bool = False) -> bool:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return False
    return bool(value.strip()) or not required


def validate_catalog(data: Any) -> None:
    """Raise `CatalogFormatError` with all problems found; return None when the document is valid."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise CatalogFormatError(["Die Datei muss ein JSON-Objekt enthalten."])
    if data.get("format") != FORMAT:
        errors.append(f"format: erwartet „{FORMAT}“, gefunden {data.get('format')!r}.")
    situations = data.get("life_situations", [])
    services = data.get("services")
    if not isinstance(situations, list):
        errors.append("life_situations: muss eine Liste sein.")
        situations = []
    if not isinstance(services, list):
        errors.append("services: fehlt oder ist keine Liste.")
        services = []

    situation_keys: set[str] = set()
    for index, item in enumerate(situations):
        where = f"life_situations[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: muss ein Objekt sein.")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            errors.append(f"{where}.key: nur Kleinbuchstaben, Ziffern und Bindestriche, gefunden {key!r}.")
        elif key in situation_keys:
            errors.append(f"{where}.key: „{key}“ kommt doppelt vor.")
        else:
            situation_keys.add(key)
        if not _is_text(item.get("name"), required=True):
            errors.append(f"{where}.name: Text fehlt.")
        for name in ("name_en", "description", "description_en"):
            if name in item and not _is_text(item[name]):
                errors.append(f"{where}.{name}: muss Text sein.")
        unknown = set(item) - set(LIFE_SITUATION_FIELDS)
        if unknown:
            errors.append(f"{where}: unbekannte Felder {sorted(unknown)}.")

    service_keys: set[str] = set()
    for index, item in enumerate(services):
        where = f"services[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: muss ein Objekt sein.")
            continue
        key = item.get("key")
        if isinstance(key, str):
            where = f"services[{index}] ({key})"
        if not isinstance(key, str) or not KEY_RE.match(key):
            errors.append(f"{where}.key: nur Kleinbuchstaben, Ziffern und Bindestriche, gefunden {key!r}.")
        elif key in service_keys:
            errors.append(f"{where}.key: „{key}“ kommt doppelt vor.")
        else:
            service_keys.add(key)
        errors.extend(_service_errors(item, where, situation_keys))
    if errors:
        raise CatalogFormatError(errors)


def _service_errors(item: dict, where: str, situation_keys: set[str]) -> list[str]:
    errors: list[str] = []
    leika = item.get("leika")
    if leika is not None and not (isinstance(leika, str) and LEIKA_RE.match(leika)):
        errors.append(f"{where}.leika: 14 Ziffern oder null, gefunden {leika!r}.")
    for name in ("name", "short_text"):
        if not _is_text(item.get(name), required=True):
            errors.append(f"{where}.{name}: Text fehlt.")
    for name in TEXT_FIELDS:
        if item.get(name) is not None and not _is_text(item[name]):
            errors.append(f"{where}.{name}: muss Text sein.")
    if item.get("level") not in Level.values:
        errors.append(f"{where}.level: eines von {Level.values}, gefunden {item.get('level')!r}.")
    groups = item.get("target_groups", [])
    if not isinstance(groups, list) or any(g not in TargetGroup.values for g in groups):
        errors.append(f"{where}.target_groups: Liste aus {TargetGroup.values}.")
    for name in STRING_LIST_FIELDS:
        value = item.get(name, [])
        if not isinstance(value, list) or not all(_is_text(v, required=True) for v in value):
            errors.append(f"{where}.{name}: muss eine Liste nicht leerer Texte sein.")
    errors.extend(_fee_errors(item.get("fee"), f"{where}.fee"))
    bases = item.get("legal_bases", [])
    if not isinstance(bases, list):
        errors.append(f"{where}.legal_bases: muss eine Liste sein.")
    else:
        for number, basis in enumerate(bases):
            url = basis.get("url") if isinstance(basis, dict) else None
            if not isinstance(basis, dict) or not _is_text(basis.get("title"), required=True):
                errors.append(f"{where}.legal_bases[{number}]: Objekt mit „title“ erwartet.")
            elif url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
                errors.append(
                    f"{where}.legal_bases[{number}].url: muss mit https:// beginnen oder null sein."
                )
            elif set(basis) - {"title", "url"}:
                errors.append(f"{where}.legal_bases[{number}]: nur „title“ und „url“ erlaubt.")
    situations = item.get("life_situations", [])
    if not isinstance(situations, list):
        errors.append(f"{where}.life_situations: muss eine Liste sein.")
    else:
        for key in situations:
            if key not in situation_keys:
                errors.append(f"{where}.life_situations: Lebenslage „{key}“ ist nicht definiert.")
    online = item.get("online")
    if online is not None and (
        not isinstance(online, dict)
        or not (isinstance(online.get("procedure"), str) and KEY_RE.match(online["procedure"]))
        or online.get("trust_level") not in TrustLevel.values
        or set(online) - {"procedure", "trust_level"}
    ):
        errors.append(
            f"{where}.online: null oder {{'procedure': Schlüssel, "
            f"'trust_level': eines von {TrustLevel.values}}}."
        )
    rule = item.get("responsibility")
    if rule is not None:
        state = rule.get("state_authority") if isinstance(rule, dict) else None
        if not isinstance(rule, dict) or not (isinstance(state, str) and KEY_RE.match(state)):
            errors.append(f"{where}.responsibility: null oder {{'state_authority': Behördenschlüssel}}.")
        elif item.get("level") != Level.LAND:
            errors.append(f"{where}.responsibility: eine Landesbehörde ist nur bei level „land“ möglich.")
    return errors


def _fee_errors(fee: Any, where: str) -> list[str]:
    if not isinstance(fee, dict):
        return [f"{where}: Objekt mit „kind“ erwartet."]
    errors = []
    kind = fee.get("kind")
    low, high = fee.get("min_cents"), fee.get("max_cents")
    for name, value in (("min_cents", low), ("max_cents", high)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            errors.append(f"{where}.{name}: ganze Zahl ≥ 0 (Cent) oder null, gefunden {value!r}.")
    if fee.get("note") is not None and not _is_text(fee["note"]):
        errors.append(f"{where}.note: muss Text sein.")
    if set(fee) - {"kind", "min_cents", "max_cents", "note"}:
        errors.append(
            f"{where}: unbekannte Felder {sorted(set(fee) - {'kind', 'min_cents', 'max_cents', 'note'})}."
        )
    if errors:
        return errors
    if kind == FeeKind.FIXED:
        if low is None or (high is not None and high != low):
            errors.append(f"{where}: bei „fixed“ steht der Betrag in min_cents (max_cents null oder gleich).")
    elif kind == FeeKind.RANGE:
        if low is None or high is None or low > high:
            errors.append(f"{where}: bei „range“ sind min_cents ≤ max_cents beide nötig.")
    elif kind == FeeKind.FREE:
        if low or high:
            errors.append(f"{where}: bei „free“ gibt es keinen Betrag.")
    elif kind == FeeKind.LOCAL:
        if low is not None and high is not None and low > high:
            errors.append(f"{where}: min_cents ist größer als max_cents.")
    else:
        errors.append(f"{where}.kind: eines von {FeeKind.values}, gefunden {kind!r}.")
    return errors


# --- serialisation -------------------------------------------------------------------------------


def serialize_life_situation(situation: LifeSituation) -> dict:
    return {
        "key": situation.key,
        "name": situation.name,
        "name_en": situation.name_en,
        "description": situation.description,
        "description_en": situation.description_en,
    }


def serialize_service(service: Service, *, life_situation_keys: list[str] | None = None) -> dict:
    """One service in the exchange format (also the content of a `ServiceVersion`)."""
    if life_situation_keys is None:
        life_situation_keys = sorted(service.life_situations.values_list("key", flat=True))
    data = {
        "key": service.key,
        "leika": service.leika or None,
        "name": service.name,
        "name_en": service.name_en,
        "level": service.level,
        "responsible_unit": service.responsible_unit,
        "short_text": service.short_text,
        "short_text_en": service.short_text_en,
        "full_text": service.full_text,
        "target_groups": list(service.target_groups),
        "prerequisites": list(service.prerequisites),
        "documents": list(service.documents),
        "fee": {
            "kind": service.fee_kind,
            "min_cents": service.fee_min_cents,
            "max_cents": service.fee_max_cents,
            "note": service.fee_note,
        },
        "deadlines": list(service.deadlines),
        "processing_time": service.processing_time,
        "steps": list(service.steps),
        "legal_bases": [{"title": b["title"], "url": b.get("url")} for b in service.legal_bases],
        "remarks": service.remarks,
        "synonyms": list(service.synonyms),
        "life_situations": sorted(life_situation_keys),
        "online": (
            {"procedure": service.online_procedure, "trust_level": service.online_trust_level}
            if service.online_procedure
            else None
        ),
    }
    if service.responsibility:  # optional: written only where a service has an explicit rule
        data["responsibility"] = service.responsibility
    for name in sorted(service.extra or {}):
        if name not in data:
            data[name] = service.extra[name]
    return data


def export_catalog() -> dict:
    services = Service.objects.order_by("key").prefetch_related("life_situations")
    return {
        "format": FORMAT,
        "life_situations": [
            serialize_life_situation(s) for s in LifeSituation.objects.order_by("position", "key")
        ],
        "services": [
            serialize_service(s, life_situation_keys=[ls.key for ls in s.life_situations.all()])
            for s in services
        ],
    }


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- import --------------------------------------------------------------------------------------


def _service_fields(item: dict) -> dict:
    fee = item["fee"]
    online = item.get("online")
    return {
        "leika": item.get("leika") or "",
        "name": item["name"].strip(),
        "name_en": (item.get("name_en") or "").strip(),
        "level": item["level"],
        "responsible_unit": item.get("responsible_unit") or "",
        "short_text": item["short_text"].strip(),
        "short_text_en": (item.get("short_text_en") or "").strip(),
        "full_text": item.get("full_text") or "",
        "target_groups": list(item.get("target_groups", [])),
        "prerequisites": list(item.get("prerequisites", [])),
        "documents": list(item.get("documents", [])),
        "fee_kind": fee["kind"],
        "fee_min_cents": fee.get("min_cents"),
        "fee_max_cents": fee.get("max_cents"),
        "fee_note": fee.get("note") or "",
        "deadlines": list(item.get("deadlines", [])),
        "processing_time": item.get("processing_time") or "",
        "steps": list(item.get("steps", [])),
        "legal_bases": [{"title": b["title"], "url": b.get("url")} for b in item.get("legal_bases", [])],
        "remarks": item.get("remarks") or "",
        "synonyms": list(item.get("synonyms", [])),
        "online_procedure": online["procedure"] if online else "",
        "online_trust_level": online["trust_level"] if online else "",
        "responsibility": item.get("responsibility") or None,
        "extra": {k: v for k, v in item.items() if k not in SERVICE_FIELDS},
    }


def import_catalog(data: Any, *, author: str = "import", prune: bool = False) -> ImportResult:
    """Validate and write a catalogue document. With `prune`, services and life situations that the
    document does not name are deleted. Raises `CatalogFormatError` before writing anything."""
    from amtsweg.catalog.versioning import editing

    validate_catalog(data)
    result = ImportResult()
    with transaction.atomic(), editing(author, note="Import"):
        situations = {}
        for position, item in enumerate(data.get("life_situations", [])):
            situation, _ = LifeSituation.objects.update_or_create(
                key=item["key"],
                defaults={
                    "name": item["name"].strip(),
                    "name_en": (item.get("name_en") or "").strip(),
                    "description": item.get("description") or "",
                    "description_en": item.get("description_en") or "",
                    "position": position,
                },
            )
            situations[situation.key] = situation
        result.life_situations = len(situations)
        for item in data["services"]:
            fields = _service_fields(item)
            service = Service.objects.filter(key=item["key"]).first()
            if service is None:
                service = Service(key=item["key"], **fields)
                service.save()
                service.life_situations.set([situations[k] for k in item.get("life_situations", [])])
                result.created.append(service.key)
                continue
            before = serialize_service(service)
            changed = [name for name, value in fields.items() if getattr(service, name) != value]
            if changed:
                for name in changed:
                    setattr(service, name, fields[name])
                service.save()
            wanted = sorted(item.get("life_situations", []))
            if before["life_situations"] != wanted:
                service.life_situations.set([situations[k] for k in wanted])
            (result.updated if changed or before["life_situations"] != wanted else result.unchanged).append(
                service.key
            )
        if prune:
            keys = {item["key"] for item in data["services"]}
            stale = Service.objects.exclude(key__in=keys)
            result.removed = sorted(stale.values_list("key", flat=True))
            stale.delete()
            LifeSituation.objects.exclude(key__in=situations).delete()
    return result
