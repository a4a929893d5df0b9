"""Test data for the offline Bürgerkoffer (plain functions)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from dataclasses import dataclass

from django.utils import timezone


def signature_png() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 90), "white")
    ImageDraw.Draw(image).line((10, 60, 120, 20, 200, 70, 290, 30), fill="black", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def tour_for(authority, district, service_key="test-bohrung", days=1, team=None):
    from amtsweg.assisted.models import Tour, TourStop
    from amtsweg.catalog.models import Service

    day = timezone.localdate() + dt.timedelta(days=days)
    tour = Tour.objects.create(
        authority=authority,
        title=f"Tour {authority.key} {uuid.uuid4().hex[:4]}",
        date=day,
        start_time=dt.time(8),
        end_time=dt.time(16),
        depot_name="Landratsamt",
        depot_lat=50.91,
        depot_lon=13.34,
        status=Tour.Status.PUBLISHED,
        team=team,
    )
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    stop = TourStop.objects.create(
        tour=tour,
        name="Dorfgemeinschaftshaus",
        city="Testdorf-Ost",
        district=district,
        lat=50.9,
        lon=13.3,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )
    stop.services.add(Service.objects.get(key=service_key))
    return tour


def bohrung_values(**overrides):
    values = {
        "bezeichnung": "Erdwärmesonde Quirlwitz-7",
        "plz": "09599",
        "tiefe": "120",
        "beginn": "2027-03-01",
        "ende": "2027-03-10",
    }
    values.update(overrides)
    return values


def make_item(tour, *, key=None, values=None, procedure="test-bohrung", **payload_overrides):
    from amtsweg.koffer import services

    key = key or str(uuid.uuid4())
    payload = {
        "v": 1,
        "idempotency_key": key,
        "procedure": procedure,
        "tour": tour.pk,
        "captured_at": "2026-11-28T09:30:00.000Z",
        "values": values if values is not None else bohrung_values(),
        "identification": "ausweis_gesehen",
        "consent": True,
        "signature_png": signature_png(),
    }
    payload.update(payload_overrides)
    text = services.canonical_json(payload)
    return {"idempotency_key": key, "checksum": services.checksum(text), "payload": text}


@dataclass
class Koffer:
    world: object
    admin: object
    admin_device: object
    operator: object
    device: object
    token: str
    tour: object

    def headers(self, token=None):
        return {"Authorization": f"Bearer {token or self.token}"}


def post_sync(client, koffer, items, token=None):
    import json

    return client.post(
        "/koffer/api/sync/",
        data=json.dumps({"items": items}),
        content_type="application/json",
        headers=koffer.headers(token),
    )
