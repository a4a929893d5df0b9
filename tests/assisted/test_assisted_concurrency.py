"""No overbooking under concurrency: 50 simultaneous requests for the last seat give exactly one booking.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with AMTSWEG_DATABASE_URL); the
test script runs the suite on both. Real threads with their own connections, so the test is transactional.
"""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection

from amtsweg.assisted import booking, slots
from amtsweg.assisted.models import Appointment, Slot
from assisted import factories

THREADS = 50
MONDAY = date(2026, 12, 21)
NOW = factories.at(MONDAY, 7, 0)


def _race(target, when, emails, now=NOW):
    barrier = threading.Barrier(len(emails))
    results: list[object] = []
    lock = threading.Lock()

    def worker(email):
        try:
            barrier.wait(timeout=30)
            outcome = booking.book(target, when, name="Wettlauf", email=email, now=now)
        except slots.SlotTaken as taken:
            outcome = taken
        except Exception as error:  # reported by the test
            outcome = error
        finally:
            close_old_connections()
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_requests_for_the_last_seat_get_exactly_one_booking(vogtland):
    site = factories.site(vogtland, capacity=2)
    when = factories.at(MONDAY, 9)
    booking.book(site, when, name="Früh", email="early@example.org", now=NOW)  # one of two seats taken

    results = _race(site, when, [f"person{i}@example.org" for i in range(THREADS)])

    assert len(results) == THREADS
    unexpected = [r for r in results if not isinstance(r, Appointment | slots.SlotTaken)]
    assert unexpected == [], unexpected[:3]
    winners = [r for r in results if isinstance(r, Appointment)]
    assert len(winners) == 1
    assert sum(isinstance(r, slots.SlotTaken) for r in results) == THREADS - 1
    slot = Slot.objects.get(site=site, starts_at=when)
    assert (slot.capacity, slot.booked) == (2, 2)
    assert Appointment.objects.filter(slot=slot).count() == 2


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_requests_for_a_fresh_stop_slot(vogtland):
    """Nobody has booked yet, so the threads also race to create the Slot row itself."""
    tour = factories.tour(vogtland, capacity=1)
    stop = factories.first_stop(tour)
    emails = [f"koffer{i}@example.org" for i in range(THREADS)]
    results = _race(stop, stop.starts_at, emails, now=None)
    winners = [r for r in results if isinstance(r, Appointment)]
    unexpected = [r for r in results if not isinstance(r, Appointment | slots.SlotTaken)]
    assert unexpected == [], unexpected[:3]
    assert len(winners) == 1
    assert Slot.objects.filter(stop=stop).count() == 1
    assert Slot.objects.get(stop=stop).booked == 1
    assert Appointment.objects.filter(slot__stop=stop).count() == 1
