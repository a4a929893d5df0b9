"""Demo data: the shipped service catalogue (data/services.json), when it is there."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from amtsweg.core.demo import demo_loader

SHIPPED = Path(__file__).resolve().parent / "data" / "services.json"
logger = logging.getLogger(__name__)


def load_shipped(path: Path = SHIPPED) -> int:
    """Import the shipped catalogue (idempotent: unchanged services stay untouched); returns the count."""
    from amtsweg.catalog.formats import import_catalog

    if not path.exists():
        logger.warning("Leistungskatalog %s fehlt, die Demo startet ohne Leistungen.", path)
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    result = import_catalog(data, author="system:demo")
    return len(result.created) + len(result.updated) + len(result.unchanged)


@demo_loader(order=30)
def load_catalog() -> list[str]:
    load_shipped()
    return []
