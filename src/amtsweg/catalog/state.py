"""The catalogue's revision: one row that changes with every edit.

Readers (the search index, the API's ETag and Last-Modified) compare the stamp `(revision, changed_at)`.
The change time is part of the stamp so that a rolled-back transaction that reused a revision number can
never be mistaken for the state an index was built from.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from amtsweg.catalog.models import CatalogState

Stamp = tuple[int, datetime | None]
_listeners: list = []


def on_change(callback) -> None:
    """Register a callable run in this process after every local change (e.g. to drop a cache)."""
    _listeners.append(callback)


def bump() -> None:
    now = timezone.now()
    micros = int(now.timestamp() * 1_000_000)
    fields = {"changed_at": now, "changed_us": micros}
    if not CatalogState.objects.filter(pk=1).update(revision=F("revision") + 1, **fields):
        CatalogState.objects.update_or_create(pk=1, defaults={"revision": 1, **fields})
    for callback in _listeners:
        callback()


_SQL: str | None = None


def current() -> Stamp:
    """(revision, time of the last change): one indexed single-row read, without the ORM's overhead,
    because every catalogue API request and search asks for it."""
    global _SQL
    if _SQL is None:
        quote = connection.ops.quote_name
        table = quote(CatalogState._meta.db_table)
        _SQL = f"SELECT {quote('revision')}, {quote('changed_us')} FROM {table} WHERE {quote('id')} = 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(_SQL)
        row = cursor.fetchone()
    if not row:
        return (0, None)
    return (int(row[0]), datetime.fromtimestamp(int(row[1]) / 1_000_000, tz=UTC))


def etag(stamp: Stamp, *parts: str) -> str:
    revision, changed_at = stamp
    moment = int(changed_at.timestamp() * 1_000_000) if changed_at else 0
    return '"' + "-".join([f"c{revision}", f"{moment:x}", *parts]) + '"'
