"""The case state machine: the states and the only transitions that exist.

A transition names who may trigger it: "citizen" (the applicant or whoever acts for them), "staff" (a member
of
the part's authority with `role`), "system" (the engine itself: payment arrived, decision delivered,
deadlines).
The same machine runs for each authority's part of a case; the case's own state follows its parts
(`aggregate_state`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    SUBMITTED = "submitted", _("eingegangen")
    PAYMENT_PENDING = "payment_pending", _("Zahlung ausstehend")
    IN_REVIEW = "in_review", _("in Bearbeitung")
    INFORMATION_REQUESTED = "information_requested", _("Rückfrage an Sie")
    DECIDED = "decided", _("entschieden")
    REJECTED = "rejected", _("abgelehnt")
    DELIVERED = "delivered", _("Bescheid zugestellt")
    FOLLOW_UP_PENDING = "follow_up_pending", _("Nachreichung erwartet")
    CLOSED = "closed", _("abgeschlossen")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


S = State
TERMINAL = frozenset({S.CLOSED, S.WITHDRAWN})
OPEN_FOR_WITHDRAWAL = frozenset({S.SUBMITTED, S.PAYMENT_PENDING, S.IN_REVIEW, S.INFORMATION_REQUESTED})


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actors: frozenset[str]
    label: str
    role: str | None = None  # staff role needed (accounts.STAFF_ROLES)


def _t(source, target, actors, label, role=None) -> Transition:
    return Transition(source, target, frozenset(actors), label, role)


TRANSITIONS: tuple[Transition, ...] = (
    _t(S.SUBMITTED, S.PAYMENT_PENDING, {"system"}, _("Zahlung angefordert")),
    _t(S.SUBMITTED, S.IN_REVIEW, {"system", "staff"}, _("Bearbeitung begonnen"), "case_worker"),
    _t(S.SUBMITTED, S.DECIDED, {"system"}, _("automatisch entschieden")),
    _t(S.SUBMITTED, S.REJECTED, {"system"}, _("automatisch abgelehnt")),
    _t(S.PAYMENT_PENDING, S.IN_REVIEW, {"system"}, _("Gebühr bezahlt")),
    _t(S.PAYMENT_PENDING, S.DECIDED, {"system"}, _("Gebühr bezahlt, automatisch entschieden")),
    _t(S.IN_REVIEW, S.INFORMATION_REQUESTED, {"staff"}, _("Rückfrage gestellt"), "case_worker"),
    _t(
        S.INFORMATION_REQUESTED,
        S.IN_REVIEW,
        {"citizen", "staff", "system"},
        _("Rückfrage beantwortet"),
        "case_worker",
    ),
    _t(S.IN_REVIEW, S.DECIDED, {"staff"}, _("entschieden"), "case_worker"),
    _t(S.IN_REVIEW, S.REJECTED, {"staff"}, _("abgelehnt"), "case_worker"),
    _t(S.INFORMATION_REQUESTED, S.REJECTED, {"staff"}, _("abgelehnt (Frist verstrichen)"), "case_worker"),
    _t(S.DECIDED, S.DELIVERED, {"system"}, _("Bescheid bekanntgegeben")),
    _t(S.REJECTED, S.DELIVERED, {"system"}, _("Bescheid bekanntgegeben")),
    _t(S.DECIDED, S.IN_REVIEW, {"staff"}, _("Stichprobe: zur Korrektur geöffnet"), "case_worker"),
    _t(S.DELIVERED, S.IN_REVIEW, {"staff"}, _("Stichprobe: zur Korrektur geöffnet"), "case_worker"),
    _t(S.DECIDED, S.FOLLOW_UP_PENDING, {"system", "staff"}, _("Nachreichung erwartet"), "case_worker"),
    _t(S.DELIVERED, S.FOLLOW_UP_PENDING, {"system", "staff"}, _("Nachreichung erwartet"), "case_worker"),
    _t(S.IN_REVIEW, S.FOLLOW_UP_PENDING, {"system", "staff"}, _("Nachreichung erwartet"), "case_worker"),
    _t(S.FOLLOW_UP_PENDING, S.IN_REVIEW, {"citizen", "system"}, _("Nachreichung eingegangen")),
    _t(S.FOLLOW_UP_PENDING, S.CLOSED, {"staff"}, _("abgeschlossen"), "case_worker"),
    _t(S.DECIDED, S.CLOSED, {"staff", "system"}, _("abgeschlossen"), "case_worker"),
    _t(S.DELIVERED, S.CLOSED, {"staff", "system"}, _("abgeschlossen"), "case_worker"),
    _t(S.IN_REVIEW, S.CLOSED, {"staff"}, _("ohne Bescheid abgeschlossen"), "case_worker"),
    *(
        _t(source, S.WITHDRAWN, {"citizen"}, _("vom Antragsteller zurückgezogen"))
        for source in OPEN_FOR_WITHDRAWAL
    ),
)
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def find(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((source, target))


def transitions_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]


# Order of progress, to derive the case's state from its parts (the least advanced open part wins).
_PROGRESS = [
    S.SUBMITTED,
    S.PAYMENT_PENDING,
    S.INFORMATION_REQUESTED,
    S.IN_REVIEW,
    S.FOLLOW_UP_PENDING,
    S.DECIDED,
    S.REJECTED,
    S.DELIVERED,
    S.CLOSED,
    S.WITHDRAWN,
]


def aggregate_state(part_states: list[str]) -> str:
    """The case's state from its parts: withdrawn if all are, closed if all ended, else the least advanced."""
    states = [State(s) for s in part_states]
    if not states:
        return S.SUBMITTED
    if all(s == S.WITHDRAWN for s in states):
        return S.WITHDRAWN
    if all(s in TERMINAL for s in states):
        return S.CLOSED
    open_states = [s for s in states if s not in TERMINAL]
    if S.INFORMATION_REQUESTED in open_states:
        return S.INFORMATION_REQUESTED
    return min(open_states, key=_PROGRESS.index)
