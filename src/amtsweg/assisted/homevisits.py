"""Home visits for people who cannot travel: request (double opt-in), then staff accept with a time or
decline with a reason; the citizen learns the decision by e-mail (with an .ics file for a visit)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amtsweg.assisted import audit, tokens
from amtsweg.assisted.booking import InvalidContact, clean_contact
from amtsweg.assisted.models import HomeVisitRequest
from amtsweg.directory import services as directory

CONFIRM_DAYS = 3


class HomeVisitError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _enqueue(visit: HomeVisitRequest, kind: str) -> None:
    from amtsweg.assisted.tasks import send_home_visit_mail

    send_home_visit_mail.enqueue(visit.pk, kind)


def _decided() -> HomeVisitError:
    return HomeVisitError(_("Über diese Anfrage ist schon entschieden oder sie ist noch nicht bestätigt."))


def request_visit(
    *,
    district,
    name: str,
    email: str,
    phone: str,
    street: str,
    postal_code: str,
    city: str,
    reason: str,
    preferred_times: str = "",
    services=(),
    user=None,
    language: str | None = None,
) -> HomeVisitRequest:
    try:
        name, email, phone, _note = clean_contact(name, email, phone)
    except InvalidContact as error:
        raise HomeVisitError(error.message) from None
    reason = (reason or "").strip()
    if not reason:
        raise HomeVisitError(_("Bitte beschreiben Sie kurz, warum Sie nicht zu uns kommen können."))
    if len(reason) > 1000 or len(preferred_times or "") > 500:
        raise HomeVisitError(_("Ihre Angaben sind zu lang (Begründung höchstens 1000 Zeichen)."))
    authority = directory.authority_for_district(district.ags)
    if authority is None:
        raise HomeVisitError(_("Für diesen Kreis nimmt noch keine Behörde Hausbesuche über amtsweg an."))
    with transaction.atomic():
        visit = HomeVisitRequest.objects.create(
            authority=authority,
            district=district,
            name=name,
            email=email,
            phone=phone,
            street=street.strip()[:200],
            postal_code=postal_code.strip()[:5],
            city=city.strip()[:120],
            reason=reason,
            preferred_times=(preferred_times or "").strip(),
            user=user if getattr(user, "is_authenticated", False) else None,
            language=language or translation.get_language() or "de",
        )
        if services:
            visit.services.set(services)
        audit.record("home_visit.requested", visit, authority=authority, actor_label="citizen")
        _enqueue(visit, "optin")
    return visit


def confirm_visit(token) -> HomeVisitRequest:
    pk, nonce = tokens.read(tokens.HOME_CONFIRM, token, max_age=CONFIRM_DAYS * 86400)
    visit = HomeVisitRequest.objects.filter(pk=pk).select_related("authority").first()
    if visit is None or visit.nonce != nonce:
        raise tokens.BadLink(_("Dieser Link gilt nicht mehr. Bitte stellen Sie die Anfrage erneut."))
    with transaction.atomic():
        if HomeVisitRequest.objects.filter(pk=pk, status=HomeVisitRequest.Status.UNCONFIRMED).update(
            status=HomeVisitRequest.Status.REQUESTED, confirmed_at=timezone.now()
        ):
            audit.record("home_visit.confirmed", visit, authority=visit.authority, actor_label="citizen")
    visit.refresh_from_db()
    return visit


def accept(visit: HomeVisitRequest, *, starts_at: datetime, minutes: int, note: str = "", actor=None) -> None:
    if visit.status != HomeVisitRequest.Status.REQUESTED:
        raise _decided()
    if starts_at <= timezone.now():
        raise HomeVisitError(_("Der Besuchstermin muss in der Zukunft liegen."))
    if not 15 <= minutes <= 240:
        raise HomeVisitError(_("Ein Hausbesuch dauert zwischen 15 und 240 Minuten."))
    with transaction.atomic():
        changed = HomeVisitRequest.objects.filter(
            pk=visit.pk, status=HomeVisitRequest.Status.REQUESTED
        ).update(
            status=HomeVisitRequest.Status.ACCEPTED,
            visit_starts_at=starts_at,
            visit_ends_at=starts_at + timedelta(minutes=minutes),
            decision_reason=(note or "").strip()[:1000],
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if not changed:
            raise _decided()
        audit.record(
            "home_visit.accepted", visit, authority=visit.authority, actor=actor, at=starts_at.isoformat()
        )
        _enqueue(visit, "decision")
    visit.refresh_from_db()


def decline(visit: HomeVisitRequest, *, reason: str, actor=None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise HomeVisitError(
            _("Bitte begründen Sie die Ablehnung; die Begründung erhält die anfragende Person.")
        )
    if len(reason) > 1000:
        raise HomeVisitError(_("Die Begründung ist zu lang (höchstens 1000 Zeichen)."))
    if visit.status != HomeVisitRequest.Status.REQUESTED:
        raise _decided()
    with transaction.atomic():
        changed = HomeVisitRequest.objects.filter(
            pk=visit.pk, status=HomeVisitRequest.Status.REQUESTED
        ).update(
            status=HomeVisitRequest.Status.DECLINED,
            decision_reason=reason,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if not changed:
            raise _decided()
        audit.record(
            "home_visit.declined", visit, authority=visit.authority, actor=actor, reason=reason[:200]
        )
        _enqueue(visit, "decision")
    visit.refresh_from_db()
