import copy
import json
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amtsweg.regions.loader import DatasetError, load_dataset, read_dataset
from amtsweg.regions.models import District, Place, PostalCode

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every row and link of the regions tables, with primary keys, to detect any write."""
    return {
        "districts": list(District.objects.order_by("pk").values()),
        "postal_codes": list(PostalCode.objects.order_by("pk").values()),
        "places": list(Place.objects.order_by("pk").values()),
        "place_links": sorted(
            Place.postal_codes.through.objects.values_list("pk", "place_id", "postalcode_id")
        ),
        "touch_links": sorted(
            PostalCode.other_districts.through.objects.values_list("pk", "postalcode_id", "district_id")
        ),
    }


def test_first_load_imports_everything(db, dataset):
    report = load_dataset(read_dataset())
    assert report.changed
    assert report.totals == {
        "districts": 13,
        "postal_codes": len(dataset["postal_codes"]),
        "places": len(dataset["places"]),
    }
    assert Place.postal_codes.through.objects.count() == sum(
        len(p["postal_codes"]) for p in dataset["places"]
    )
    assert PostalCode.other_districts.through.objects.count() == sum(
        len(c["other_districts"]) for c in dataset["postal_codes"]
    )


def test_second_load_changes_nothing(db):
    first = load_dataset(read_dataset())
    before = snapshot()
    second = load_dataset(read_dataset())
    assert not second.changed, second
    assert second.totals == first.totals
    assert snapshot() == before


def test_command_is_idempotent_and_reports_it(db, capsys):
    call_command("load_regions")
    assert "Änderungen" in capsys.readouterr().out
    counts = (District.objects.count(), PostalCode.objects.count(), Place.objects.count())
    call_command("load_regions")
    assert "Keine Änderungen" in capsys.readouterr().out
    assert (District.objects.count(), PostalCode.objects.count(), Place.objects.count()) == counts


def test_load_is_fast(db):
    started = time.perf_counter()
    load_dataset(read_dataset())
    load_dataset(read_dataset())
    assert time.perf_counter() - started < 2.0


def test_changed_data_is_applied_in_place(db, dataset):
    load_dataset(read_dataset())
    before = snapshot()
    changed = copy.deepcopy(dataset)

    district = next(d for d in changed["districts"] if d["ags"] == "14522")
    district["seat"] = "Freiberg (geändert)"
    removed_code = changed["postal_codes"].pop()["code"]
    for place in changed["places"]:
        if removed_code in place["postal_codes"]:
            place["postal_codes"].remove(removed_code)
    changed["places"] = [p for p in changed["places"] if p["postal_codes"]]
    mildenau = next(p for p in changed["places"] if p["name"] == "Mildenau")
    mildenau["lat"], mildenau["lon"] = 50.6, 13.1
    # A place that moves to another district keeps its row, so references from other apps survive.
    gornau = next(p for p in changed["places"] if p["name"] == "Gornau")
    gornau["district"] = "14522"
    gornau_pk = Place.objects.get(name="Gornau").pk
    changed["postal_codes"][0]["other_districts"] = ["14730"]
    changed["postal_codes"][1]["other_states"] = ["DE-BB"]

    report = load_dataset(changed)
    assert report.changed
    assert District.objects.get(ags="14522").seat == "Freiberg (geändert)"
    assert not PostalCode.objects.filter(code=removed_code).exists()
    assert (Place.objects.get(name="Mildenau").lat, Place.objects.get(name="Mildenau").lon) == (50.6, 13.1)
    gornau_row = Place.objects.get(name="Gornau")
    assert (gornau_row.pk, gornau_row.district.ags) == (gornau_pk, "14522")
    first_code = PostalCode.objects.get(code=changed["postal_codes"][0]["code"])
    assert list(first_code.other_districts.values_list("ags", flat=True)) == ["14730"]
    assert PostalCode.objects.get(code=changed["postal_codes"][1]["code"]).other_states == ["DE-BB"]
    # Untouched rows keep their primary keys.
    assert District.objects.get(ags="14521").pk == next(
        d["id"] for d in before["districts"] if d["ags"] == "14521"
    )

    # Loading the shipped file again restores it exactly (same rows, same keys where rows survived).
    restored = load_dataset(read_dataset())
    assert restored.changed
    assert District.objects.get(ags="14522").seat == "Freiberg"
    assert PostalCode.objects.filter(code=removed_code).exists()
    assert Place.objects.get(name="Gornau").district.ags == "14521"
    assert not load_dataset(read_dataset()).changed


def test_broken_dataset_changes_nothing(db, dataset, tmp_path):
    load_dataset(read_dataset())
    before = snapshot()
    broken = copy.deepcopy(dataset)
    broken["postal_codes"].append({"code": "0945", "district": "14521", "other_districts": []})
    with pytest.raises(DatasetError, match="Ungültige Postleitzahl"):
        load_dataset(broken)

    broken = copy.deepcopy(dataset)
    broken["places"][0]["ags8"] = "99999999"
    with pytest.raises(DatasetError, match="Ungültiger Ort"):
        load_dataset(broken)

    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="nicht lesbar"):
        call_command("load_regions", file=str(path))

    path.write_text(json.dumps({"format_version": 99}), encoding="utf-8")
    with pytest.raises(CommandError, match="Datensatzformat"):
        call_command("load_regions", file=str(path))
    assert snapshot() == before


def test_command_accepts_another_file(db, dataset, tmp_path):
    smaller = copy.deepcopy(dataset)
    smaller["places"] = [p for p in smaller["places"] if p["district"] == "14612"]
    path = tmp_path / "dresden.json"
    path.write_text(json.dumps(smaller), encoding="utf-8")
    call_command("load_regions", file=str(path), verbosity=0)
    assert list(Place.objects.values_list("name", flat=True)) == ["Dresden"]
