"""Import of the shipped dataset into the database (`amtsweg manage load_regions`).

The import is a sync, not an append: after it the tables hold exactly the file's content. It compares first
and writes only the differences, in one transaction, so a second run writes nothing and a failed run leaves
the previous state intact.
"""

from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError

from amtsweg.regions.models import District, Place, PostalCode

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASET_PATH = DATA_DIR / "saxony.json"
OUTLINE_PATH = DATA_DIR / "saxony-outline.geojson"
FORMAT_VERSION = 1

DISTRICT_FIELDS = ("name", "kind", "nuts3", "seat", "plate", "lat", "lon")
PLACE_FIELDS = ("name_sorbian", "kind", "ags8", "lat", "lon", "geonames_id")

_FIVE_DIGITS = re.compile(r"[0-9]{5}")
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
_STATE = re.compile(r"DE-[A-Z]{2}")


class DatasetError(Exception):
    """The dataset file is unreadable or inconsistent; nothing was imported."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(self.deleted.values())


def read_dataset(path: Path | str | None = None) -> dict:
    path = Path(path) if path else DATASET_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DatasetError(f"Datensatz {path} ist nicht lesbar: {error}") from error
    validate(data)
    return data


def validate(data: dict) -> None:
    """Reject a broken file before touching the database; the messages name the offending entry."""
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise DatasetError(f"Unbekanntes Datensatzformat (erwartet: format_version {FORMAT_VERSION}).")
    kinds = {choice.value for choice in District.Kind}
    district_keys = set()
    for row in data.get("districts", []):
        if not _FIVE_DIGITS.fullmatch(str(row.get("ags"))) or row.get("kind") not in kinds:
            raise DatasetError(f"Ungültiger Kreis im Datensatz: {row!r}")
        district_keys.add(row["ags"])
    if not district_keys:
        raise DatasetError("Der Datensatz enthält keine Kreise.")
    codes = set()
    for row in data.get("postal_codes", []):
        code = str(row.get("code"))
        linked = {row.get("district"), *row.get("other_districts", [])}
        states = row.get("other_states")
        if (
            not _FIVE_DIGITS.fullmatch(code)
            or not linked <= district_keys
            or code in codes
            or not isinstance(states, list)
            or not all(isinstance(s, str) and _STATE.fullmatch(s) for s in states)
        ):
            raise DatasetError(f"Ungültige Postleitzahl im Datensatz: {row!r}")
        codes.add(code)
    place_kinds = {choice.value for choice in Place.Kind}
    places = set()
    for row in data.get("places", []):
        key = (row.get("district"), row.get("name"))
        ags8 = row.get("ags8")
        if (
            row.get("district") not in district_keys
            or not row.get("name")
            or key in places
            or row.get("kind") not in place_kinds
            or not set(row.get("postal_codes", [])) <= codes
            or (ags8 is not None and not (_EIGHT_DIGITS.fullmatch(ags8) and ags8.startswith(row["district"])))
        ):
            raise DatasetError(f"Ungültiger Ort im Datensatz: {row!r}")
        places.add(key)


def _sync_rows(
    model, existing: dict, wanted: dict, fields: tuple[str, ...], build
) -> tuple[int, int, list[int]]:
    """Create and update rows so that `existing` (key -> instance) matches `wanted` (key -> field values)."""
    to_create, to_update = [], []
    for key, values in wanted.items():
        instance = existing.get(key)
        if instance is None:
            to_create.append(build(key, values))
            continue
        if any(getattr(instance, name) != values[name] for name in fields):
            for name in fields:
                setattr(instance, name, values[name])
            to_update.append(instance)
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, fields)
    stale = [instance.pk for key, instance in existing.items() if key not in wanted]
    return len(to_create), len(to_update), stale


def _sync_links(through, left: str, right: str, wanted: set[tuple[int, int]]) -> tuple[int, int]:
    """Make a many-to-many table hold exactly the (left_id, right_id) pairs in `wanted`."""
    current = {
        (row[0], row[1]): row[2] for row in through.objects.values_list(f"{left}_id", f"{right}_id", "pk")
    }
    missing = wanted - current.keys()
    extra = [pk for pair, pk in current.items() if pair not in wanted]
    through.objects.bulk_create([through(**{f"{left}_id": a, f"{right}_id": b}) for a, b in sorted(missing)])
    if extra:
        through.objects.filter(pk__in=extra).delete()
    return len(missing), len(extra)


def _follow_moved_places(existing: dict, wanted: dict) -> None:
    """Re-key a place that changed district, so it is updated rather than deleted and created again.

    Other apps point at places (an office's municipality); a new row would break those references.
    Only a name that is unique among the vanished and among the new places is followed.
    """
    vanished = collections.defaultdict(list)
    for key in existing.keys() - wanted.keys():
        vanished[key[1]].append(key)
    arrived = collections.defaultdict(list)
    for key in wanted.keys() - existing.keys():
        arrived[key[1]].append(key)
    for name, new_keys in arrived.items():
        old_keys = vanished.get(name, [])
        if len(new_keys) == 1 and len(old_keys) == 1:
            existing[new_keys[0]] = existing.pop(old_keys[0])


def load_dataset(data: dict) -> LoadReport:
    validate(data)
    try:
        return _load(data)
    except ProtectedError as error:
        blocked = sorted({str(obj) for obj in error.protected_objects})[:5]
        raise DatasetError(
            "Der Datensatz entfernt Kreise, Postleitzahlen oder Orte, auf die noch verwiesen wird "
            f"(z. B. von: {', '.join(blocked)}). Nichts wurde geändert."
        ) from error


@transaction.atomic
def _load(data: dict) -> LoadReport:
    report = LoadReport()

    wanted_districts = {
        row["ags"]: {name: row[name] for name in DISTRICT_FIELDS} for row in data["districts"]
    }
    existing = {d.ags: d for d in District.objects.all()}
    created, updated, stale_districts = _sync_rows(
        District, existing, wanted_districts, DISTRICT_FIELDS, lambda ags, values: District(ags=ags, **values)
    )
    report.created["districts"], report.updated["districts"] = created, updated
    district_ids = dict(District.objects.values_list("ags", "pk"))

    wanted_codes = {
        row["code"]: {"district_id": district_ids[row["district"]], "other_states": row["other_states"]}
        for row in data["postal_codes"]
    }
    existing = {p.code: p for p in PostalCode.objects.all()}
    created, updated, stale_codes = _sync_rows(
        PostalCode,
        existing,
        wanted_codes,
        ("district_id", "other_states"),
        lambda code, values: PostalCode(code=code, **values),
    )
    report.created["postal_codes"], report.updated["postal_codes"] = created, updated
    code_ids = dict(PostalCode.objects.values_list("code", "pk"))

    wanted_places = {
        (district_ids[row["district"]], row["name"]): {
            "district_id": district_ids[row["district"]],
            **{name: row[name] for name in PLACE_FIELDS},
        }
        for row in data["places"]
    }
    existing = {(p.district_id, p.name): p for p in Place.objects.all()}
    _follow_moved_places(existing, wanted_places)
    # A key that moves from one place to another would collide with the unique index halfway through the
    # update, so such keys are cleared first.
    moving = [
        p.pk
        for key, p in existing.items()
        if p.ags8 and (key not in wanted_places or wanted_places[key]["ags8"] != p.ags8)
    ]
    if moving:
        Place.objects.filter(pk__in=moving).update(ags8=None)
        for p in existing.values():
            if p.pk in moving:
                p.ags8 = None
    created, updated, stale_places = _sync_rows(
        Place,
        existing,
        wanted_places,
        ("district_id", *PLACE_FIELDS),
        lambda key, values: Place(name=key[1], **values),
    )
    report.created["places"], report.updated["places"] = created, updated
    place_ids = {(p[0], p[1]): p[2] for p in Place.objects.values_list("district_id", "name", "pk")}

    report.deleted["places"] = Place.objects.filter(pk__in=stale_places).delete()[1].get(Place._meta.label, 0)
    report.deleted["postal_codes"] = (
        PostalCode.objects.filter(pk__in=stale_codes).delete()[1].get(PostalCode._meta.label, 0)
    )

    place_links = {
        (place_ids[(district_ids[row["district"]], row["name"])], code_ids[code])
        for row in data["places"]
        for code in row["postal_codes"]
    }
    added, removed = _sync_links(Place.postal_codes.through, "place", "postalcode", place_links)
    report.created["place_postal_codes"], report.deleted["place_postal_codes"] = added, removed

    touch_links = {
        (code_ids[row["code"]], district_ids[other])
        for row in data["postal_codes"]
        for other in row["other_districts"]
    }
    added, removed = _sync_links(PostalCode.other_districts.through, "postalcode", "district", touch_links)
    report.created["postal_code_other_districts"], report.deleted["postal_code_other_districts"] = (
        added,
        removed,
    )

    # Last, so that PROTECT on other apps' references stops the whole import instead of orphaning rows.
    report.deleted["districts"] = (
        District.objects.filter(pk__in=stale_districts).delete()[1].get(District._meta.label, 0)
    )

    report.totals = {
        "districts": District.objects.count(),
        "postal_codes": PostalCode.objects.count(),
        "places": Place.objects.count(),
    }
    return report
