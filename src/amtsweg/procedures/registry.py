"""The registry of online procedures. The case engine asks it; it never names a procedure itself.

    from amtsweg.procedures.base import Procedure
    from amtsweg.procedures.registry import register

    @register
    class Gewerbeanmeldung(Procedure):
        key = "gewerbe-anmeldung"
        ...

Procedures live in one package each under `amtsweg/procedures/<name>/` with a `procedure.py` module;
`autodiscover()` (run at start-up) imports every such module. Test procedures register themselves in the
test suite (`register(...)`, `unregister(key)`), never in production code.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from amtsweg.procedures.base import Procedure

logger = logging.getLogger("amtsweg.procedures")
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_registry: dict[str, Procedure] = {}


class UnknownProcedure(LookupError):
    """No procedure with this key is registered; the message is German."""


def register(procedure_class=None, *, replace: bool = False):
    """Class decorator (or function): validate the declaration and register one instance under its key."""

    def decorate(cls):
        instance = cls() if isinstance(cls, type) else cls
        if not isinstance(instance, Procedure):
            raise ImproperlyConfigured(f"{cls!r} is not a Procedure")
        key = getattr(instance, "key", "")
        if not isinstance(key, str) or len(key) > 100 or not _KEY.fullmatch(key):
            raise ImproperlyConfigured(
                f"procedure key {key!r} must be a lower-case slug of at most 100 characters"
            )
        if key in _registry and not replace and type(_registry[key]) is not type(instance):
            raise ImproperlyConfigured(f"procedure key {key!r} is registered twice")
        instance.validate_declaration()
        _registry[key] = instance
        return cls

    if procedure_class is not None:
        return decorate(procedure_class)
    return decorate


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get(key: object) -> Procedure:
    if isinstance(key, str) and key in _registry:
        return _registry[key]
    raise UnknownProcedure("Dieses Onlineverfahren gibt es nicht (mehr).")


def is_registered(key: object) -> bool:
    return isinstance(key, str) and key in _registry


def all_procedures() -> list[Procedure]:
    return sorted(_registry.values(), key=lambda p: p.key)


def autodiscover() -> None:
    """Import `amtsweg.procedures.<package>.procedure` for every procedure package (not `examples`)."""
    here = Path(__file__).resolve().parent
    for module in pkgutil.iter_modules([str(here)]):
        if not module.ispkg or module.name in {"examples", "templates", "static"}:
            continue
        name = f"amtsweg.procedures.{module.name}.procedure"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
