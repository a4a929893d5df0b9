"""Factories for the tenant-isolation matrix (tests/isolation_registry.py): an i-Kfz dialogue of a citizen."""

from __future__ import annotations


def dialogue_of(user) -> dict:
    from amtsweg.procedures.kfz.models import Dialogue

    return {"pk": Dialogue.objects.create(owner=user, procedure_key="kfz-ausserbetriebsetzung").pk}


def still_open(kwargs) -> bool:
    from amtsweg.procedures.kfz.models import Dialogue

    return Dialogue.objects.get(pk=kwargs["pk"]).status == Dialogue.Status.OPEN
