"""Two paid applications for the same vehicle submitted at the same moment (threads, SQLite and PostgreSQL):
exactly one register change and one automatic decision; the other application goes to a case worker."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, close_old_connections, connection
from engine_fixtures import citizen as make_citizen

from amtsweg.cases.models import Case
from amtsweg.procedures.kfz import dialogue as service
from amtsweg.procedures.kfz.models import Dialogue
from amtsweg.vehicle_register.models import RegisterOperation

from .factories import deregistration_codes, make_vehicle, pay


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_for_one_vehicle(ikfz):
    vehicle = make_vehicle(plate="ERZ-GZ 7")
    dialogues = []
    for user in (ikfz.erika, make_citizen(), make_citizen()):
        dialogue = service.start(user, "kfz-ausserbetriebsetzung")
        assert service.verify_vehicle(dialogue, plate=vehicle.plate, codes=deregistration_codes(vehicle)).ok
        service.save_details(dialogue, user, {"reservieren": False})
        pay(service.request_payment(dialogue, user, "niedrig"))
        dialogues.append(dialogue.pk)
    barrier = threading.Barrier(len(dialogues))
    errors: list[str] = []

    def work(dialogue_id):
        try:
            barrier.wait()
            for attempt in range(200):
                try:
                    service.submit(Dialogue.objects.get(pk=dialogue_id))
                    return
                except OperationalError:  # SQLite: database busy; the portal retries the same way
                    if connection.vendor != "sqlite" or attempt == 199:
                        raise
                    threading.Event().wait(0.02)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in dialogues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    cases = list(Case.objects.filter(procedure_key="kfz-ausserbetriebsetzung"))
    assert len(cases) == 3
    assert sum(c.decided_automatically for c in cases) == 1
    assert sorted(c.state for c in cases) == ["decided", "in_review", "in_review"]
    assert RegisterOperation.objects.filter(vehicle=vehicle).count() == 1
    vehicle.refresh_from_db()
    assert vehicle.status == "deregistered"
    assert vehicle.version == 2
    for case in cases:
        if not case.decided_automatically:
            failed = [c for c in case.check_results if not c["passed"]]
            assert failed
            assert failed[0]["key"] in ("state", "register")
