"""Exchange format amtsweg-catalog/1: validation, import, export, round trip, management commands."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from amtsweg.catalog.demo import SHIPPED
from amtsweg.catalog.formats import (
    CatalogFormatError,
    dumps,
    export_catalog,
    import_catalog,
    validate_catalog,
)
from amtsweg.catalog.models import LifeSituation, Service, ServiceVersion


def test_sample_is_valid(sample_data):
    validate_catalog(sample_data)


@pytest.mark.django_db
def test_import_creates_services_with_all_modules(sample_data):
    result = import_catalog(sample_data, author="redaktion")
    assert sorted(result.created) == ["bohranzeige", "fahrzeug-ausser-betrieb", "gewerbe-anmelden"]
    service = Service.objects.get(key="gewerbe-anmelden")
    assert service.level == "gemeinde"
    assert service.fee_kind == "range"
    assert (service.fee_min_cents, service.fee_max_cents) == (1500, 6000)
    assert service.online_procedure == "gewerbe-anmeldung"
    assert service.online_trust_level == "substanziell"
    assert "Gewerbeschein" in service.synonyms
    assert [s.key for s in service.life_situations.all()] == ["unternehmen-gruenden"]
    assert Service.objects.get(key="bohranzeige").responsibility == {"state_authority": "lfulg"}
    assert [s.key for s in LifeSituation.objects.all()] == [
        "unternehmen-gruenden",
        "auto-und-verkehr",
        "bauen-und-wohnen",
    ]
    version = ServiceVersion.objects.get(service=service)
    assert version.number == 1
    assert version.author == "redaktion"


@pytest.mark.django_db
def test_round_trip_export_import_export_is_identical(sample_data, django_db_blocker):
    import_catalog(sample_data)
    first = dumps(export_catalog())
    Service.objects.all().delete()
    LifeSituation.objects.all().delete()
    assert not Service.objects.exists()
    import_catalog(json.loads(first))
    assert dumps(export_catalog()) == first
    # and the export carries everything that was imported
    exported = json.loads(first)
    original = {s["key"]: s for s in sample_data["services"]}
    for item in exported["services"]:
        for name, value in original[item["key"]].items():
            assert item.get(name) == value, (item["key"], name)


@pytest.mark.django_db
def test_round_trip_of_the_shipped_catalogue(shipped_data):
    import_catalog(shipped_data)
    first = dumps(export_catalog())
    Service.objects.all().delete()
    LifeSituation.objects.all().delete()
    import_catalog(json.loads(first))
    assert dumps(export_catalog()) == first
    assert len(json.loads(first)["services"]) == len(shipped_data["services"])
    # the shipped file is itself in export form: importing and exporting it changes not one byte
    assert first == SHIPPED.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_reimport_is_idempotent_and_versions_only_changes(sample_data):
    import_catalog(sample_data)
    again = import_catalog(sample_data)
    assert again.created == []
    assert again.updated == []
    assert ServiceVersion.objects.count() == 3
    changed = copy.deepcopy(sample_data)
    changed["services"][0]["fee"]["max_cents"] = 7000
    result = import_catalog(changed, author="redaktion")
    assert result.updated == ["gewerbe-anmelden"]
    versions = ServiceVersion.objects.filter(service__key="gewerbe-anmelden").order_by("number")
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].data["fee"]["max_cents"] == 7000
    assert versions[0].data["fee"]["max_cents"] == 6000


@pytest.mark.django_db
def test_unknown_optional_fields_survive_the_round_trip(sample_data):
    sample_data["services"][0]["sdg_area"] = "Unternehmensgründung"
    import_catalog(sample_data)
    exported = {s["key"]: s for s in export_catalog()["services"]}
    assert exported["gewerbe-anmelden"]["sdg_area"] == "Unternehmensgründung"


@pytest.mark.django_db
def test_prune_removes_services_missing_from_the_file(sample_data):
    import_catalog(sample_data)
    smaller = copy.deepcopy(sample_data)
    smaller["services"] = smaller["services"][:1]
    assert import_catalog(smaller).removed == []  # without prune nothing is deleted
    assert Service.objects.count() == 3
    result = import_catalog(smaller, prune=True)
    assert result.removed == ["bohranzeige", "fahrzeug-ausser-betrieb"]
    assert list(Service.objects.values_list("key", flat=True)) == ["gewerbe-anmelden"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="xzufi/2.2"), "format: erwartet"),
        (lambda d: d["services"][0].update(key="Gewerbe Anmelden"), "key: nur Kleinbuchstaben"),
        (lambda d: d["services"][1].update(key="gewerbe-anmelden"), "kommt doppelt vor"),
        (lambda d: d["services"][0].update(level="kommune"), ".level: eines von"),
        (lambda d: d["services"][0].update(name="  "), ".name: Text fehlt"),
        (lambda d: d["services"][0].update(leika="123"), ".leika: 14 Ziffern"),
        (lambda d: d["services"][0]["fee"].update(kind="range", max_cents=None), "bei „range“"),
        (lambda d: d["services"][0]["fee"].update(min_cents=-5), "ganze Zahl ≥ 0"),
        (lambda d: d["services"][0]["fee"].update(min_cents="12,80"), "ganze Zahl ≥ 0"),
        (lambda d: d["services"][2]["fee"].update(min_cents=500), "bei „free“"),
        (lambda d: d["services"][0].update(life_situations=["gibt-es-nicht"]), "nicht definiert"),
        (lambda d: d["services"][0].update(online={"procedure": "x", "trust_level": "mittel"}), ".online:"),
        (
            lambda d: d["services"][0].update(responsibility={"state_authority": "lfulg"}),
            "nur bei level „land“",
        ),
        (lambda d: d["services"][0].update(synonyms="Gewerbeschein"), ".synonyms: muss eine Liste"),
        (lambda d: d["services"][0].update(documents=[""]), ".documents: muss eine Liste nicht leerer"),
        (
            lambda d: d["services"][0].update(legal_bases=[{"title": "GewO", "url": "javascript:alert(1)"}]),
            "https://",
        ),
        (lambda d: d["services"][0].update(full_text="x" * 20_001), ".full_text: muss Text sein"),
        (lambda d: d.update(services="alle"), "services: fehlt oder ist keine Liste"),
    ],
)
@pytest.mark.django_db
def test_invalid_documents_are_refused_with_german_errors_and_nothing_is_written(
    sample_data, mutate, message
):
    mutate(sample_data)
    with pytest.raises(CatalogFormatError) as error:
        import_catalog(sample_data)
    assert any(message in line for line in error.value.errors), error.value.errors
    assert not Service.objects.exists()
    assert not LifeSituation.objects.exists()


def test_errors_name_the_service_and_collect_every_problem(sample_data):
    sample_data["services"][1]["level"] = "x"
    sample_data["services"][2]["fee"] = None
    with pytest.raises(CatalogFormatError) as error:
        validate_catalog(sample_data)
    assert len(error.value.errors) == 2
    assert error.value.errors[0].startswith("services[1] (fahrzeug-ausser-betrieb).level")


def test_non_object_documents_are_refused():
    for document in (None, [], "text", 42):
        with pytest.raises(CatalogFormatError):
            validate_catalog(document)


@pytest.mark.django_db
def test_commands_import_and_export(tmp_path, sample_data, capsys):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(sample_data, ensure_ascii=False), encoding="utf-8")
    call_command("import_catalog", str(source))
    assert "3 Leistungen neu" in capsys.readouterr().out
    target = tmp_path / "out.json"
    call_command("export_catalog", str(target))
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["format"] == "amtsweg-catalog/1"
    assert [s["key"] for s in exported["services"]] == [
        "bohranzeige",
        "fahrzeug-ausser-betrieb",
        "gewerbe-anmelden",
    ]
    assert ServiceVersion.objects.filter(author="import:in.json").count() == 3


@pytest.mark.django_db
def test_import_command_reports_broken_files_in_german(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="kein gültiges JSON"):
        call_command("import_catalog", str(broken))
    with pytest.raises(CommandError, match="kann nicht gelesen werden"):
        call_command("import_catalog", str(tmp_path / "fehlt.json"))
    invalid = tmp_path / "invalid.json"
    invalid.write_text(
        json.dumps({"format": "amtsweg-catalog/1", "services": [{"key": "x"}]}), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="entspricht nicht dem Format"):
        call_command("import_catalog", str(invalid))
    assert not Service.objects.exists()
