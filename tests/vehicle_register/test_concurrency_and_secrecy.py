"""Concurrent changes of one vehicle (exactly one wins) and security codes that never appear in clear."""

from __future__ import annotations

import logging
import threading

import pytest
from django.core.management import call_command
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from amtsweg.vehicle_register import codes
from amtsweg.vehicle_register.interface import RegisterError, SecurityCodes, VersionConflict
from amtsweg.vehicle_register.models import CodeAttempt, RegisterOperation, Vehicle
from amtsweg.vehicle_register.services import get_register
from amtsweg.vehicle_register.tasks import purge

from .factories import codes_of, database_text, make_vehicle


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [2, 8])
def test_concurrent_deregistrations_of_one_vehicle_exactly_one_succeeds(threads):
    vehicle = make_vehicle(plate="ERZ-GL 1")
    register = get_register()
    ref, barrier = str(vehicle.public_id), threading.Barrier(threads)
    outcomes: list[str] = []

    def work(n):
        try:
            barrier.wait()
            for attempt in range(200):
                try:
                    register.deregister(ref, expected_version=1, operation_id=f"race-{n}", authority_key="x")
                    outcomes.append("ok")
                    return
                except VersionConflict:
                    outcomes.append("conflict")
                    return
                except (
                    RegisterError
                ) as exc:  # the loser may also see "not registered" if it read after the commit
                    outcomes.append(f"refused: {exc.message}")
                    return
                except OperationalError:  # SQLite: the database is busy; the real portal retries the same way
                    if connection.vendor != "sqlite" or attempt == 199:
                        raise
                    threading.Event().wait(0.01)
        except Exception as exc:  # pragma: no cover - reported below
            outcomes.append(f"error: {exc!r}")
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert outcomes.count("ok") == 1, outcomes
    assert len(outcomes) == threads, outcomes
    assert all(o in ("ok", "conflict") for o in outcomes), outcomes
    vehicle.refresh_from_db()
    assert vehicle.status == "deregistered"
    assert vehicle.version == 2
    assert RegisterOperation.objects.filter(vehicle=vehicle).count() == 1


@pytest.mark.django_db
def test_codes_are_never_stored_or_logged_in_clear(caplog):
    caplog.set_level(logging.DEBUG)
    vehicle = make_vehicle()
    given = codes_of(vehicle)
    other = codes_of(make_vehicle())
    register = get_register()
    ref = str(vehicle.public_id)
    register.verify_codes(
        ref,
        SecurityCodes(zb1=other.zb1, seal_front=other.seal_front, seal_rear=other.seal_rear),
        ("zb1", "seal_front", "seal_rear"),
    )
    register.verify_codes(ref, given, ("zb1", "seal_front", "seal_rear"))
    logging.getLogger("amtsweg.test").info("codes object: %s %r", given, given)
    register.deregister(ref, expected_version=1, operation_id="secret-test", authority_key="x")
    dump = database_text()
    logs = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    for code in (*given.given().values(), *other.given().values()):
        assert len(code) >= 3
        assert code not in dump, f"code {code!r} found in the database"
        assert code not in logs, f"code {code!r} found in the logs"
    assert CodeAttempt.objects.filter(vehicle=vehicle).count() == 2


@pytest.mark.django_db
def test_logs_of_code_checks_are_kept_six_months():
    vehicle = make_vehicle()
    old = CodeAttempt.objects.create(vehicle=vehicle, ok=False, failed=True, wrong=["zb1"])
    recent = CodeAttempt.objects.create(vehicle=vehicle, ok=True)
    CodeAttempt.objects.filter(pk=old.pk).update(at=timezone.now() - timezone.timedelta(days=190))
    CodeAttempt.objects.filter(pk=recent.pk).update(at=timezone.now() - timezone.timedelta(days=170))
    assert purge()["code_attempts_deleted"] == 1
    assert list(CodeAttempt.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_seed_covers_every_district_with_valid_fictional_data_and_is_idempotent(regions):
    from amtsweg.regions.models import District
    from amtsweg.vehicle_register.plates import parse_plate
    from amtsweg.vehicle_register.seed import seed
    from amtsweg.vehicle_register.vin import has_valid_check_digit

    first = seed()
    assert first["vehicles_created"] == Vehicle.objects.count() > 13 * 10
    again = seed()
    assert again["vehicles_created"] == 0
    assert again["evbs_created"] == 0
    for district in District.objects.all():
        registered = Vehicle.objects.filter(district_ags=district.ags, status="registered")
        assert registered.count() >= 8, district.name
        assert Vehicle.objects.filter(district_ags=district.ags, status="deregistered").exists()
        for vehicle in registered:
            assert parse_plate(vehicle.plate).district in {district.plate, "ERZ", "DD", "L"}
    for vehicle in Vehicle.objects.all():
        assert has_valid_check_digit(vehicle.vin)
        assert vehicle.vin.startswith("SBX")
        assert vehicle.zb2_code_hash
        assert "$" in vehicle.zb2_code_hash
    assert Vehicle.objects.filter(tax_arrears=True).count() >= 13
    assert Vehicle.objects.filter(next_inspection__lt=timezone.localdate(), status="registered").count() >= 13
    erika_car = Vehicle.objects.get(plate="ERZ-EB 101")
    assert erika_car.holder_family_name == "Beispiel-Musterfrau"
    assert erika_car.holder_birth_date.isoformat() == "1964-08-12"
    assert get_register().verify_codes(str(erika_car.public_id), codes_of(erika_car), codes.KINDS).ok


@pytest.mark.django_db
def test_demo_loader_runs_through_the_registry(regions):
    from amtsweg.vehicle_register.demo import load_vehicle_register

    lines = load_vehicle_register()
    assert "SANDBOX-Fahrzeugregister" in lines[0]
    assert Vehicle.objects.exists()
    call_command("seed_vehicle_register", verbosity=0)


@pytest.mark.django_db
def test_sandbox_page_lists_codes_and_is_marked_sandbox(client, regions, settings):
    vehicle = make_vehicle(plate="ERZ-SP 1")
    response = client.get("/sandbox/fahrzeugregister/?kreis=14521")
    assert response.status_code == 200
    text = response.content.decode()
    assert "SANDBOX" in text
    assert "ERZ-SP 1" in text
    assert codes_of(vehicle).zb1 in text  # derived for display, not stored
    assert client.get("/sandbox/fahrzeugregister/?kreis=<script>").status_code == 200
    settings.VEHICLE_REGISTER_SANDBOX = False
    assert client.get("/sandbox/fahrzeugregister/").status_code == 404
