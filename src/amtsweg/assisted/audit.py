"""The audit trail of the assisted services: one `Event` row per state change, written in the same
transaction."""

from __future__ import annotations

from amtsweg.assisted.models import Event


def record(action: str, obj, *, authority=None, actor=None, actor_label: str = "", **detail) -> Event:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return Event.objects.create(
        authority=authority,
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor is not None else ""),
        action=action,
        object_type=type(obj)._meta.model_name,
        object_id=str(obj.pk),
        detail={
            k: (v if isinstance(v, int | float | bool | type(None)) else str(v)) for k, v in detail.items()
        },
    )
