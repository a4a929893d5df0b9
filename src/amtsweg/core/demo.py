"""Demo data: each app contributes an idempotent loader in its own `demo.py`.

    from amtsweg.core.demo import demo_loader

    @demo_loader(order=30)
    def load_citizens() -> list[str]:
        ...  # get_or_create only, so a second run changes nothing
        return ["Bürgerin: Erika Beispiel-Musterfrau (Sandbox-eID)"]

The returned lines are the demo logins printed by `amtsweg demo` and listed in the README.
All demo people and companies are obviously fictional.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

_loaders: list[tuple[int, Callable[[], list[str] | None]]] = []


def demo_loader(order: int = 50):
    def register(func):
        if func not in [f for _, f in _loaders]:
            _loaders.append((order, func))
        return func

    return register


def load_all() -> list[str]:
    """Run every app's demo loader in order; returns the demo logins."""
    autodiscover_modules("demo")
    logins: list[str] = []
    for _, loader in sorted(_loaders, key=lambda item: item[0]):
        with transaction.atomic():
            logins.extend(loader() or [])
    return logins
