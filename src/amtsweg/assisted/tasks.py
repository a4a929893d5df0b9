"""Background work: the appointment e-mails (with retries), reminders the day before, freeing expired holds.

Sending is idempotent: a task first claims its mail with a conditional UPDATE on the record's `*_sent_at`
field (only one worker wins), sends, and gives the claim back if sending failed, so the retry sends again.
"""

from __future__ import annotations

import logging
from datetime import time, timedelta

from django.tasks import task
from django.utils import timezone

from amtsweg.assisted import booking, mails
from amtsweg.assisted.models import Appointment, HomeVisitRequest
from amtsweg.assisted.slots import TZ, local_datetime
from amtsweg.core.jobs import periodic, retrying_task

logger = logging.getLogger(__name__)

APPOINTMENT_FIELDS = {
    "optin": "optin_sent_at",
    "confirmation": "confirmation_sent_at",
    "reminder": "reminder_sent_at",
    "cancellation": "cancellation_sent_at",
}
# Which states a mail still makes sense in (a confirmation for a meanwhile cancelled booking is not sent).
APPOINTMENT_STATES = {
    "optin": [Appointment.Status.PENDING],
    "confirmation": [Appointment.Status.CONFIRMED],
    "reminder": [Appointment.Status.CONFIRMED],
    "cancellation": [Appointment.Status.CANCELLED],
}


def deliver_appointment_mail(appointment_id: int, kind: str) -> str:
    field = APPOINTMENT_FIELDS[kind]
    claimed = Appointment.objects.filter(
        pk=appointment_id, status__in=APPOINTMENT_STATES[kind], **{f"{field}__isnull": True}
    ).update(**{field: timezone.now()})
    if not claimed:
        return "nothing to do"
    appointment = Appointment.objects.select_related(
        "slot__site__authority", "slot__stop__tour__authority", "service"
    ).get(pk=appointment_id)
    try:
        mails.APPOINTMENT_MAILS[kind](appointment).send()
    except Exception:
        Appointment.objects.filter(pk=appointment_id).update(**{field: None})
        raise
    return "sent"


@retrying_task(max_attempts=5, base_delay=30)
def send_appointment_mail(appointment_id: int, kind: str) -> str:
    return deliver_appointment_mail(appointment_id, kind)


HOME_VISIT_FIELDS = {"optin": "optin_sent_at", "decision": "decision_sent_at"}


def deliver_home_visit_mail(visit_id: int, kind: str) -> str:
    field = HOME_VISIT_FIELDS[kind]
    states = (
        [HomeVisitRequest.Status.UNCONFIRMED]
        if kind == "optin"
        else [HomeVisitRequest.Status.ACCEPTED, HomeVisitRequest.Status.DECLINED]
    )
    claimed = HomeVisitRequest.objects.filter(
        pk=visit_id, status__in=states, **{f"{field}__isnull": True}
    ).update(**{field: timezone.now()})
    if not claimed:
        return "nothing to do"
    visit = HomeVisitRequest.objects.select_related("authority").get(pk=visit_id)
    try:
        (mails.home_visit_optin if kind == "optin" else mails.home_visit_decision)(visit).send()
    except Exception:
        HomeVisitRequest.objects.filter(pk=visit_id).update(**{field: None})
        raise
    return "sent"


@retrying_task(max_attempts=5, base_delay=30)
def send_home_visit_mail(visit_id: int, kind: str) -> str:
    return deliver_home_visit_mail(visit_id, kind)


def due_reminders(now=None):
    """Confirmed appointments of tomorrow (Berlin calendar day) without a reminder yet."""
    now = now or timezone.now()
    tomorrow = now.astimezone(TZ).date() + timedelta(days=1)
    start = local_datetime(tomorrow, time(0, 0))
    end = local_datetime(tomorrow + timedelta(days=1), time(0, 0))
    return Appointment.objects.filter(
        status=Appointment.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        slot__starts_at__gte=start,
        slot__starts_at__lt=end,
    )


def queue_reminders(now=None) -> int:
    count = 0
    for pk in due_reminders(now).values_list("pk", flat=True):
        send_appointment_mail.enqueue(pk, "reminder")
        count += 1
    return count


@periodic(every=timedelta(hours=1), name="assisted.reminders")
@task()
def send_reminders() -> int:
    """Hourly: the day-before reminders (each in its own retrying task; a second run finds them claimed)."""
    return queue_reminders()


@periodic(every=timedelta(minutes=5), name="assisted.release_holds")
@task()
def release_holds() -> int:
    return booking.release_expired_holds()
