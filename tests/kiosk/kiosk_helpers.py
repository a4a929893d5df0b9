"""Small helpers for the kiosk / assisted-filing tests."""

from __future__ import annotations

import itertools
import struct
import zlib


def png(width: int = 4, height: int = 2) -> bytes:
    """A tiny valid PNG (black pixels), as a canvas signature would be."""
    raw = b"".join(b"\x00" + b"\x00\x00\x00\xff" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


_SITES = itertools.count(1)


def make_site(authority, *, slug=None, video=True, services=()):
    """A Bürgerterminal of `authority` in Freiberg (the engine world's district)."""
    from amtsweg.assisted.models import Site
    from amtsweg.regions.models import District

    n = next(_SITES)
    site = Site.objects.create(
        authority=authority,
        kind=Site.Kind.TERMINAL,
        host=Site.Host.TOWN_HALL,
        name=f"Bürgerterminal Testhausen {n}",
        slug=slug or f"terminal-testhausen-{authority.pk}-{n}",
        street="Obermarkt 24",
        postal_code="09599",
        city="Freiberg",
        district=District.objects.get(ags="14522"),
        lat=50.9167,
        lon=13.3417,
        video_consultation=video,
    )
    for service in services:
        site.services.add(service)
    return site
