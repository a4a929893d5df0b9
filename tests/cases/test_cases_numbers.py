"""Case numbers per authority and year: unique and without gaps, also with concurrent submissions."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, close_old_connections, connection, transaction

from amtsweg.cases.services import next_number


@pytest.mark.django_db
def test_numbers_are_sequential_per_authority_and_year(world):
    with transaction.atomic():
        first = next_number(world.stadt, 2026)
        second = next_number(world.stadt, 2026)
        other = next_number(world.landratsamt, 2026)
        next_year = next_number(world.stadt, 2027)
    assert (first, second) == ("STADT-FREIBERG-2026-000001", "STADT-FREIBERG-2026-000002")
    assert other == "LANDRATSAMT-MITTELSACHSEN-2026-000001"
    assert next_year == "STADT-FREIBERG-2027-000001"


@pytest.mark.django_db
def test_a_rolled_back_submission_gives_its_number_back(world):
    with transaction.atomic():
        next_number(world.stadt, 2026)
    try:
        with transaction.atomic():
            next_number(world.stadt, 2026)
            raise RuntimeError("submission failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert next_number(world.stadt, 2026) == "STADT-FREIBERG-2026-000002"


@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_get_unique_consecutive_numbers(world):
    threads, results, errors = 8, [], []
    per_thread = 6
    barrier = threading.Barrier(threads)

    def work():
        try:
            barrier.wait()
            for _ in range(per_thread):
                for attempt in range(200):
                    try:
                        with transaction.atomic():
                            results.append(next_number(world.stadt, 2026))
                        break
                    except OperationalError:  # SQLite: another writer holds the lock; try again
                        if connection.vendor != "sqlite" or attempt == 199:
                            raise
                        threading.Event().wait(0.01)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    expected = [f"STADT-FREIBERG-2026-{n:06d}" for n in range(1, threads * per_thread + 1)]
    assert sorted(results) == expected
