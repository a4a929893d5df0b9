"""The shipped catalogue (src/amtsweg/catalog/data/services.json): complete, valid, loadable."""

import csv
from pathlib import Path

import pytest

from amtsweg.catalog.demo import SHIPPED, load_shipped
from amtsweg.catalog.formats import validate_catalog
from amtsweg.catalog.models import LifeSituation, Service

# A copy of shared/catalog-services.tsv: the services the issue requires, with name and level.
REQUIRED = Path(__file__).resolve().parent / "catalog_services.tsv"


def required_services() -> list[dict]:
    with REQUIRED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_shipped_file_is_valid(shipped_data):
    validate_catalog(shipped_data)


@pytest.mark.django_db
def test_every_listed_service_is_present_after_loading_the_shipped_file(shipped_data):
    assert load_shipped() == len(shipped_data["services"])
    loaded = {s.key: s for s in Service.objects.prefetch_related("life_situations")}
    required = required_services()
    assert len(required) == 64
    missing = [row["key"] for row in required if row["key"] not in loaded]
    assert missing == []
    for row in required:
        service = loaded[row["key"]]
        assert service.name == row["name"], row["key"]
        assert service.level == row["level"], row["key"]
        assert service.short_text.strip(), row["key"]
        assert service.full_text.strip(), row["key"]
        assert service.synonyms, f"{row['key']}: keine Synonyme"
        assert service.name_en, f"{row['key']}: kein englischer Name"
        assert service.short_text_en, f"{row['key']}: kein englischer Kurztext"
        assert service.life_situations.exists(), f"{row['key']}: keiner Lebenslage zugeordnet"
        if service.fee_kind == "local":
            # local fees are set by the responsible body: no invented numbers
            assert service.fee_note, row["key"]
    assert LifeSituation.objects.count() == len(shipped_data["life_situations"]) >= 5


@pytest.mark.django_db
def test_demo_loader_is_idempotent(shipped_data):
    load_shipped()
    versions = sum(s.versions.count() for s in Service.objects.all())
    load_shipped()
    assert sum(s.versions.count() for s in Service.objects.all()) == versions


@pytest.mark.django_db
def test_demo_loader_without_the_file_loads_nothing(tmp_path):
    assert load_shipped(tmp_path / "fehlt.json") == 0
    assert not Service.objects.exists()


def test_shipped_state_services_have_a_rule_or_name_their_unit(shipped_data):
    for item in shipped_data["services"]:
        if item["level"] == "land" and not item.get("responsibility"):
            assert item["responsible_unit"], item["key"]
        if item["level"] == "bund":
            assert item["responsible_unit"], item["key"]


def test_shipped_file_is_in_the_canonical_export_form(shipped_data):
    """The file is written the way export_catalog writes it (sorted keys), so diffs stay small."""
    keys = [s["key"] for s in shipped_data["services"]]
    assert keys == sorted(keys)
    assert SHIPPED.read_text(encoding="utf-8").endswith("\n")
