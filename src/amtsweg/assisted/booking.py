"""Booking, confirming, cancelling and rebooking appointments, safe under concurrency.

The seat is taken by one conditional UPDATE on the slot's counter:

    UPDATE assisted_slot SET booked = booked + 1 WHERE id = %s AND booked < capacity

On PostgreSQL a second transaction waits for the row lock and then re-checks the condition on the committed
row; on SQLite the write transaction starts with BEGIN IMMEDIATE (see `config.env.SQLITE_OPTIONS`), so
writers queue. Either way exactly as many bookings succeed as there are seats; the CHECK constraint `booked
<= capacity` would stop anything that slipped past. The `Slot` row is created on first use; two creators
race on a unique constraint and the loser reads the winner's row.

A booking without a verified account is *held* (status PENDING) until the citizen follows the e-mail link
(double opt-in); a hold that is not confirmed within `ASSISTED_HOLD_MINUTES` frees its seat again.

State change, audit event and the queued e-mail task commit together (transactional outbox).
"""

from __future__ import annotations

import functools
import random
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amtsweg.assisted import audit, tokens
from amtsweg.assisted.models import Appointment, Site, Slot, TourStop, new_nonce
from amtsweg.assisted.slots import (
    BookingError,
    NotBookable,
    SlotTaken,
    check_slot,
    fmt_when,
    next_free,
)

MAX_NAME = 200
MAX_PHONE = 40
MAX_NOTE = 500
SQLITE_RETRIES = 200


class InvalidContact(BookingError):
    code = "invalid_contact"


class LimitReached(BookingError):
    code = "limit_reached"


class AlreadyBooked(BookingError):
    code = "already_booked"


class NotChangeable(BookingError):
    code = "not_changeable"


def authority_of(target):
    return target.authority if isinstance(target, Site) else target.tour.authority


def kind_for(target) -> str:
    if isinstance(target, TourStop):
        return Appointment.Kind.STOP
    if target.kind == Site.Kind.TERMINAL:
        return Appointment.Kind.VIDEO if target.video_consultation else Appointment.Kind.TERMINAL
    return Appointment.Kind.OFFICE


def hold_duration() -> timedelta:
    return timedelta(minutes=settings.ASSISTED_HOLD_MINUTES)


def _printable(value: str) -> bool:
    return all(ch.isprintable() for ch in value)


def clean_contact(name, email, phone="", note="") -> tuple[str, str, str, str]:
    """Normalised (name, email, phone, note), or InvalidContact with the first problem in German."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidContact(_("Bitte geben Sie Ihren Namen an."))
    name = " ".join(name.split())
    if len(name) > MAX_NAME or not _printable(name):
        raise InvalidContact(
            _("Der Name ist zu lang oder enthält unzulässige Zeichen (höchstens 200 Zeichen).")
        )
    if not isinstance(email, str) or not email.strip():
        raise InvalidContact(_("Bitte geben Sie Ihre E-Mail-Adresse an."))
    email = email.strip()
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise InvalidContact(
            _("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@example.org.")
        ) from None
    email = email.lower()
    phone = phone.strip() if isinstance(phone, str) else ""
    if len(phone) > MAX_PHONE or (phone and not all(ch.isdigit() or ch in "+-/() " for ch in phone)):
        raise InvalidContact(_("Die Telefonnummer darf nur Ziffern, Leerzeichen und + - / ( ) enthalten."))
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > MAX_NOTE or not _printable(note.replace("\n", " ").replace("\r", " ")):
        raise InvalidContact(_("Der Hinweis ist zu lang (höchstens 500 Zeichen)."))
    return name, email, phone, note


def write(func):
    """Run `func` (a transaction, or a whole operation that is safe to repeat until it commits); on SQLite
    retry while another connection holds the lock.

    A SQLite file in WAL mode lets readers through and makes writers wait (busy_timeout, BEGIN IMMEDIATE).
    The shared-cache in-memory database of the test suite instead answers "table is locked" at once, to
    readers too; a short retry is the only way through. PostgreSQL never gets here.
    """
    for attempt in range(SQLITE_RETRIES):
        try:
            return func()
        except OperationalError as exc:
            if (
                connection.vendor != "sqlite"
                or "locked" not in str(exc)
                or attempt == SQLITE_RETRIES - 1
                or connection.in_atomic_block
            ):
                raise
            time.sleep(0.002 + random.random() * 0.01)  # noqa: S311 (jitter)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_on_sqlite_lock(func):
    """`write` around a whole operation: everything before its commit may be repeated."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return write(lambda: func(*args, **kwargs))

    return wrapper


def _slot_row(target, start: datetime, end: datetime, capacity: int) -> Slot:
    field = "site" if isinstance(target, Site) else "stop"
    row = Slot.objects.filter(**{field: target, "starts_at": start}).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Slot.objects.create(**{field: target}, starts_at=start, ends_at=end, capacity=capacity)
    except IntegrityError:
        return Slot.objects.get(**{field: target, "starts_at": start})


def _release_expired_in(slot_id: int, now: datetime) -> int:
    released = 0
    expired = Appointment.objects.filter(
        slot_id=slot_id, status=Appointment.Status.PENDING, hold_until__lt=now
    )
    for pk in list(expired.values_list("pk", flat=True)):
        if Appointment.objects.filter(pk=pk, status=Appointment.Status.PENDING).update(
            status=Appointment.Status.EXPIRED, nonce=new_nonce()
        ):
            Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)
            released += 1
    return released


def take_seat(target, start: datetime, end: datetime, capacity: int, now: datetime) -> Slot | None:
    """Raise the slot's counter by one if a seat is free; the Slot (or None when full). Call inside
    atomic()."""
    slot = _slot_row(target, start, end, capacity)
    won = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not won and _release_expired_in(slot.pk, now):
        won = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not won:
        return None
    slot.refresh_from_db(fields=["booked"])
    return slot


def _free_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _active_for_email(email: str, now: datetime):
    return Appointment.objects.filter(email=email, slot__ends_at__gt=now).filter(
        Q(status=Appointment.Status.CONFIRMED) | Q(status=Appointment.Status.PENDING, hold_until__gt=now)
    )


def _enqueue_mail(appointment: Appointment, kind: str) -> None:
    from amtsweg.assisted.tasks import send_appointment_mail

    send_appointment_mail.enqueue(appointment.pk, kind)


def _taken(target, start: datetime, now: datetime) -> SlotTaken:
    return SlotTaken(
        _("Der Termin am %(when)s wurde gerade vergeben. Bitte wählen Sie einen anderen, z. B. einen dieser:")
        % {"when": fmt_when(start)},
        alternatives=next_free(target, now=now),
    )


@retry_on_sqlite_lock
def book(
    target,
    starts_at: datetime,
    *,
    name: str,
    email: str,
    phone: str = "",
    note: str = "",
    service=None,
    user=None,
    language: str | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book the slot at `starts_at`. Raises a BookingError subclass with a German message; never overbooks.

    With a logged-in account whose e-mail address is verified and equal to `email` the booking is confirmed
    at once; otherwise it is held until the link in the e-mail is followed.
    """
    now = now or timezone.now()
    name, email, phone, note = clean_contact(name, email, phone, note)
    start, end, capacity = check_slot(target, starts_at, now)
    if (
        service is not None
        and target.services.exists()
        and not target.services.filter(pk=service.pk).exists()
    ):
        raise InvalidContact(_("Dieses Anliegen wird an diesem Ort nicht angeboten."))

    active = _active_for_email(email, now)
    if active.filter(slot__starts_at=start).exists():
        raise AlreadyBooked(
            _("Sie haben für diese Zeit bereits einen Termin gebucht. Sehen Sie in Ihr E-Mail-Postfach.")
        )
    limit = settings.ASSISTED_MAX_ACTIVE_PER_EMAIL
    if active.count() >= limit:
        raise LimitReached(
            _(
                "Mit dieser E-Mail-Adresse sind bereits %(count)s Termine gebucht. Mehr sind nicht möglich; "
                "bitte sagen Sie einen Termin ab, den Sie nicht brauchen."
            )
            % {"count": limit}
        )

    verified = bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "email_verified_at", None)
        and (user.email or "").lower() == email
    )

    def attempt() -> Appointment | None:
        with transaction.atomic():
            slot = take_seat(target, start, end, capacity, now)
            if slot is None:
                return None
            appointment = Appointment.objects.create(
                slot=slot,
                kind=kind_for(target),
                service=service,
                name=name,
                email=email,
                phone=phone,
                note=note,
                user=user if getattr(user, "is_authenticated", False) else None,
                language=language or translation.get_language() or "de",
                status=Appointment.Status.CONFIRMED if verified else Appointment.Status.PENDING,
                hold_until=None if verified else now + hold_duration(),
                confirmed_at=now if verified else None,
                created_at=now,
            )
            audit.record(
                "appointment.booked",
                appointment,
                authority=authority_of(target),
                actor=appointment.user,
                actor_label="citizen",
                slot=start.isoformat(),
                confirmed=verified,
            )
            _enqueue_mail(appointment, "confirmation" if verified else "optin")
            return appointment

    appointment = write(attempt)
    if appointment is None:
        raise _taken(target, start, now)
    return appointment


# --- links --------------------------------------------------------------------------------------------------


def confirm_token(appointment: Appointment) -> str:
    return tokens.make(tokens.CONFIRM, appointment.pk, appointment.nonce)


def manage_token(appointment: Appointment) -> str:
    return tokens.make(tokens.MANAGE, appointment.pk, appointment.nonce)


def confirm_url(appointment: Appointment) -> str:
    return settings.BASE_URL + reverse("assisted:confirm", kwargs={"token": confirm_token(appointment)})


def manage_url(appointment: Appointment) -> str:
    return settings.BASE_URL + reverse("assisted:manage", kwargs={"token": manage_token(appointment)})


def _load(purpose: str, token, *, max_age=None) -> Appointment:
    pk, nonce = tokens.read(purpose, token, max_age=max_age)
    appointment = (
        Appointment.objects.select_related("slot__site__authority", "slot__stop__tour__authority", "service")
        .filter(pk=pk)
        .first()
    )
    if appointment is None or appointment.nonce != nonce:
        raise tokens.BadLink(
            _(
                "Dieser Link gilt nicht mehr: Der Termin wurde inzwischen geändert oder storniert. Bitte "
                "verwenden Sie den Link aus der neuesten E-Mail."
            )
        )
    return appointment


def appointment_for_confirm(token) -> Appointment:
    return _load(tokens.CONFIRM, token, max_age=hold_duration().total_seconds())


def appointment_for_manage(token) -> Appointment:
    return _load(tokens.MANAGE, token)


# --- state changes ------------------------------------------------------------------------------------------


def confirm(appointment: Appointment, now: datetime | None = None) -> Appointment:
    """Double opt-in: the citizen followed the link. Idempotent for an already confirmed booking."""
    now = now or timezone.now()
    if appointment.status == Appointment.Status.CONFIRMED:
        return appointment
    if appointment.status != Appointment.Status.PENDING:
        raise NotChangeable(_("Dieser Termin wurde storniert oder ist verfallen. Bitte buchen Sie neu."))
    if appointment.hold_until and appointment.hold_until < now:
        write(lambda: _expire(appointment, now))
        raise NotChangeable(
            _(
                "Die Reservierung ist abgelaufen, weil sie nicht rechtzeitig bestätigt wurde. "
                "Bitte buchen Sie neu."
            )
        )

    def attempt():
        with transaction.atomic():
            changed = Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.PENDING).update(
                status=Appointment.Status.CONFIRMED, confirmed_at=now, hold_until=None
            )
            if changed:
                audit.record(
                    "appointment.confirmed",
                    appointment,
                    authority=authority_of(appointment.slot.target),
                    actor_label="citizen",
                )
                _enqueue_mail(appointment, "confirmation")

    write(attempt)
    appointment.refresh_from_db()
    return appointment


def _expire(appointment: Appointment, now: datetime) -> None:
    with transaction.atomic():
        if Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.PENDING).update(
            status=Appointment.Status.EXPIRED
        ):
            _free_seat(appointment.slot_id)
            audit.record("appointment.expired", appointment, authority=authority_of(appointment.slot.target))


def release_expired_holds(now: datetime | None = None) -> int:
    """Free the seats of holds that were never confirmed (periodic task)."""
    now = now or timezone.now()
    released = 0
    for appointment in Appointment.objects.filter(
        status=Appointment.Status.PENDING, hold_until__lt=now
    ).select_related("slot__site__authority", "slot__stop__tour__authority"):
        write(lambda a=appointment: _expire(a, now))
        released += 1
    return released


def cancel(
    appointment: Appointment,
    *,
    by_staff: bool = False,
    reason: str = "",
    actor=None,
    now: datetime | None = None,
    notify: bool = True,
) -> bool:
    """Cancel an active booking and free its seat; False if it was not active (idempotent)."""
    now = now or timezone.now()
    if not by_staff and appointment.slot.starts_at <= now:
        raise NotChangeable(_("Ein Termin, der schon begonnen hat, kann nicht mehr storniert werden."))

    def attempt() -> bool:
        with transaction.atomic():
            changed = Appointment.objects.filter(
                pk=appointment.pk, status__in=[Appointment.Status.PENDING, Appointment.Status.CONFIRMED]
            ).update(
                status=Appointment.Status.CANCELLED,
                cancelled_at=now,
                cancelled_by_staff=by_staff,
                cancel_reason=reason[:500],
                nonce=new_nonce(),
            )
            if not changed:
                return False
            _free_seat(appointment.slot_id)
            audit.record(
                "appointment.cancelled",
                appointment,
                authority=authority_of(appointment.slot.target),
                actor=actor,
                actor_label="staff" if by_staff else "citizen",
                reason=reason[:200],
            )
            if notify and (appointment.confirmed_at is not None or by_staff):
                _enqueue_mail(appointment, "cancellation")
            return True

    changed = write(attempt)
    appointment.refresh_from_db()
    return changed


@retry_on_sqlite_lock
def rebook(appointment: Appointment, starts_at: datetime, now: datetime | None = None) -> Appointment:
    """Move a booking to another slot of the same place: the new seat is taken before the old one is
    freed."""
    now = now or timezone.now()
    if appointment.status not in (Appointment.Status.PENDING, Appointment.Status.CONFIRMED):
        raise NotChangeable(_("Dieser Termin wurde storniert oder ist verfallen. Bitte buchen Sie neu."))
    if appointment.slot.starts_at <= now:
        raise NotChangeable(_("Ein Termin, der schon begonnen hat, kann nicht mehr verschoben werden."))
    target = appointment.slot.target
    start, end, capacity = check_slot(target, starts_at, now)
    if start == appointment.slot.starts_at:
        raise NotChangeable(_("Das ist bereits Ihr Termin. Bitte wählen Sie eine andere Zeit."))
    old_slot_id = appointment.slot_id

    def attempt() -> bool:
        with transaction.atomic():
            current = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if current.status not in (Appointment.Status.PENDING, Appointment.Status.CONFIRMED):
                raise NotChangeable(
                    _("Dieser Termin wurde storniert oder ist verfallen. Bitte buchen Sie neu.")
                )
            slot = take_seat(target, start, end, capacity, now)
            if slot is None:
                return False
            _free_seat(old_slot_id)
            confirmed = current.status == Appointment.Status.CONFIRMED
            Appointment.objects.filter(pk=current.pk).update(
                slot=slot,
                nonce=new_nonce(),
                confirmation_sent_at=None,
                reminder_sent_at=None,
                optin_sent_at=None,
            )
            audit.record(
                "appointment.rebooked",
                current,
                authority=authority_of(target),
                actor_label="citizen",
                old_slot=old_slot_id,
                new_slot=slot.pk,
            )
            _enqueue_mail(current, "confirmation" if confirmed else "optin")
            return True

    if not write(attempt):
        raise _taken(target, start, now)
    appointment.refresh_from_db()
    return appointment


def ensure_bookable(target, now=None) -> None:
    from amtsweg.assisted.slots import is_bookable_target

    if not is_bookable_target(target, now):
        raise NotBookable(_("An diesem Ort können zurzeit keine Termine gebucht werden."))
