"""Postbox actions lock only the delivery row, never the authority that issued it.

While another transaction holds the authority row (numbering a case, rotating its key), a citizen must still
be able to open a document. Locking the joined authority row as well made concurrent deliveries of one
authority deadlock. PostgreSQL only: SQLite has no row locks.
"""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from amtsweg.directory.models import Authority
from amtsweg.documents.defaults import ensure_default_templates
from amtsweg.postbox.models import Evidence
from amtsweg.postbox.services import record_retrieval
from postbox import postbox_factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_opening_a_document_does_not_wait_for_a_lock_on_the_authority():
    if connection.vendor != "postgresql":
        pytest.skip("row locks exist only on PostgreSQL")
    ensure_default_templates()  # transactional tests start without the data migrations' rows
    citizen = f.user()
    delivery = f.issue_to(citizen)
    authority_locked, release = threading.Event(), threading.Event()

    def hold_authority_row():
        try:
            with transaction.atomic():
                Authority.objects.select_for_update().get(pk=delivery.authority_id)
                authority_locked.set()
                release.wait(timeout=30)
        finally:
            close_old_connections()
            connection.close()

    holder = threading.Thread(target=hold_authority_row)
    holder.start()
    try:
        assert authority_locked.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            evidence = record_retrieval(delivery, user=citizen, session_key="s1")
    finally:
        release.set()
        holder.join()
    assert evidence.event == Evidence.Event.RETRIEVED
    assert Evidence.objects.filter(delivery=delivery, event=Evidence.Event.RETRIEVED).count() == 1
