"""Version history of service descriptions.

Every change of a `Service` (its row or its life situations) leaves a `ServiceVersion` with the full
description in the exchange format, the time and the author. Edits made through `editing(author)`
(the import, the admin, `services.update_service`) produce exactly one version per changed service when
the block ends; a bare `service.save()` elsewhere still leaves a version (author unknown) through the
signal receivers in `signals.py`. A version is only written when the content actually changed.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from amtsweg.catalog.models import Service, ServiceVersion


@dataclass
class _Batch:
    author: str
    note: str
    touched: set[int] = field(default_factory=set)


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("catalog_edit_batch", default=None)


@contextmanager
def editing(author: str, note: str = ""):
    """Group edits: one version per changed service, attributed to `author`, written at the end."""
    outer = _batch.get()
    if outer is not None:  # nested: the outer block records
        yield outer
        return
    batch = _Batch(author=author or "", note=note)
    token = _batch.set(batch)
    try:
        with transaction.atomic():
            yield batch
            for service in Service.objects.filter(pk__in=batch.touched):
                record_version(service, author=batch.author, note=batch.note)
    finally:
        _batch.reset(token)


def service_changed(service: Service) -> None:
    """Called by the signal receivers after a service or its life situations changed."""
    batch = _batch.get()
    if batch is not None:
        batch.touched.add(service.pk)
    else:
        record_version(service, author="", note="")


def record_version(service: Service, *, author: str = "", note: str = "") -> ServiceVersion | None:
    """Store a snapshot if the description differs from the latest version; returns the new version."""
    from amtsweg.catalog.formats import serialize_service

    data = serialize_service(service)
    latest = ServiceVersion.objects.filter(service=service).order_by("-number").first()
    if latest is not None and latest.data == data:
        return None
    return ServiceVersion.objects.create(
        service=service,
        number=(latest.number + 1) if latest else 1,
        data=data,
        author=author[:200],
        note=note[:300],
    )


def history(service: Service) -> list[dict]:
    """Versions newest first, each with the names of the fields changed against its predecessor."""
    versions = list(ServiceVersion.objects.filter(service=service).order_by("number"))
    rows = []
    previous: dict | None = None
    for version in versions:
        changed = sorted(
            k for k in version.data if previous is None or previous.get(k) != version.data.get(k)
        )
        rows.append({"version": version, "changed_fields": changed if previous is not None else []})
        previous = version.data
    return list(reversed(rows))
