"""The audit trail is append-only and hash-chained; verify_audit finds changed, deleted and inserted rows."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from amtsweg.cases import audit
from amtsweg.cases.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(authority, n=4):
    with transaction.atomic():
        return [audit.append("test", authority=authority, detail={"i": i}) for i in range(n)]


def test_chain_verifies_and_rows_cannot_be_changed_through_the_orm(world):
    events = _events(world.stadt)
    call_command("verify_audit")
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[1].prev_hash == events[0].hash
    with pytest.raises(PermissionError):
        events[0].save()
    with pytest.raises(PermissionError):
        events[0].delete()


def test_modified_row_is_detected_and_named(world, capsys):
    events = _events(world.stadt)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET to_state = %s WHERE id = %s", ["closed", events[2].pk])  # noqa: S608
    with pytest.raises(CommandError, match="Prüfprotokoll verletzt"):
        call_command("verify_audit")
    err = capsys.readouterr().err
    assert f"id={events[2].pk}" in err
    assert "verändert" in err


def test_deleted_row_is_detected(world, capsys):
    events = _events(world.stadt)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])  # noqa: S608
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "fehlen" in capsys.readouterr().err


def test_deleted_last_row_is_detected_by_the_chain_head(world, capsys):
    events = _events(world.stadt)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])  # noqa: S608
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "Kettenende" in capsys.readouterr().err


def test_inserted_row_is_detected(world, capsys):
    events = _events(world.stadt)
    table = AuditEvent._meta.db_table
    forged = AuditEvent(
        chain=events[1].chain, seq=2, kind="test", detail={}, at=events[1].at, prev_hash=events[0].hash
    )
    forged.hash = audit.compute_hash(forged)
    with connection.cursor() as cursor:
        shift_up = f"UPDATE {table} SET seq = seq + 100 WHERE chain = %s AND seq >= 2"  # noqa: S608
        shift_down = f"UPDATE {table} SET seq = seq - 99 WHERE chain = %s AND seq >= 102"  # noqa: S608
        cursor.execute(shift_up, [events[0].chain])
        cursor.execute(shift_down, [events[0].chain])
    forged.save(force_insert=True)
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "Verkettung gebrochen" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused(world):
    with pytest.raises(RuntimeError):
        audit.append("test", authority=world.stadt)
