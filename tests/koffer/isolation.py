"""Factories for the tenant-isolation matrix (tests/isolation_registry.py): a Bürgerkoffer device."""

from __future__ import annotations


def _device(authority):
    from accounts.factories import make_staff
    from amtsweg.koffer import services

    operator, _totp, _membership = make_staff(authority, ("assisted_operator",))
    admin, _totp, _membership = make_staff(authority, ("authority_admin",))
    device, _token = services.register_device(authority, operator, f"Geraet-Marker-{authority.pk}", by=admin)
    return device


def device_at(authority) -> dict:
    return {"pk": _device(authority).pk}


def device_name_at(authority) -> str:
    return _device(authority).name
