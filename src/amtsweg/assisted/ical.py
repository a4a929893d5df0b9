"""iCalendar (RFC 5545) files: one appointment (e-mail attachment, download) and the open-data feed per
district.

Times are written in Europe/Berlin with a VTIMEZONE (`add_missing_timezones`), so calendars show the right
local time also across the change to and from summer time. UIDs are stable: a rebooked appointment replaces
the old entry (same UID, higher SEQUENCE), a cancelled one is sent as STATUS:CANCELLED.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vGeo

TZ = ZoneInfo("Europe/Berlin")
PRODID = "-//amtsweg//Buergerterminal und Buergerkoffer//DE"


def _domain() -> str:
    host = settings.BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "amtsweg.invalid"


def _calendar(name: str, method: str | None = "PUBLISH") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    return calendar


def _location(target) -> str:
    return f"{target.name}, {target.address}"


def _sequence(appointment) -> int:
    """Each rebooking raises the SEQUENCE, so calendars replace the entry instead of adding one."""
    from amtsweg.assisted.models import Event as AuditEvent

    return AuditEvent.objects.filter(
        object_type="appointment", object_id=str(appointment.pk), action="appointment.rebooked"
    ).count()


def appointment_event(appointment, *, manage_url: str | None = None) -> Event:
    from amtsweg.assisted.models import Appointment

    target = appointment.slot.target
    event = Event()
    event.add("uid", f"termin-{appointment.reference}@{_domain()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.slot.starts_at.astimezone(TZ))
    event.add("dtend", appointment.slot.ends_at.astimezone(TZ))
    event.add("summary", f"{appointment.get_kind_display()}: {target.name}")
    event.add("location", _location(target))
    event.add("geo", vGeo((round(target.lat, 6), round(target.lon, 6))))
    lines = [_("Terminnummer: %(reference)s") % {"reference": appointment.reference}]
    if appointment.service_id:
        lines.append(_("Anliegen: %(service)s") % {"service": appointment.service.display_name})
    if manage_url:
        lines.append(_("Termin ändern oder absagen: %(url)s") % {"url": manage_url})
    event.add("description", "\n".join(lines))
    cancelled = appointment.status == Appointment.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", _sequence(appointment) + (1 if cancelled else 0))
    if manage_url:
        event.add("url", manage_url)
    return event


def appointment_ics(appointment, *, manage_url: str | None = None) -> bytes:
    calendar = _calendar(_("Ihr Termin bei amtsweg"))
    calendar.add_component(appointment_event(appointment, manage_url=manage_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def visit_ics(visit) -> bytes:
    calendar = _calendar(_("Ihr Hausbesuch"))
    event = Event()
    event.add("uid", f"hausbesuch-{visit.reference}@{_domain()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", visit.visit_starts_at.astimezone(TZ))
    event.add("dtend", visit.visit_ends_at.astimezone(TZ))
    event.add("summary", _("Hausbesuch mit dem Bürgerkoffer"))
    event.add("location", f"{visit.street}, {visit.postal_code} {visit.city}")
    event.add("description", _("Vorgangsnummer: %(reference)s") % {"reference": visit.reference})
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def stops_feed(district, stops, *, now: datetime | None = None) -> bytes:
    """The upcoming public Bürgerkoffer stops of one district (open data)."""
    calendar = _calendar(_("Bürgerkoffer – %(district)s") % {"district": district.full_name}, method=None)
    calendar.add("x-published-ttl", "PT1H")
    for stop in stops:
        event = Event()
        event.add("uid", f"halt-{stop.pk}@{_domain()}")
        event.add("dtstamp", now or timezone.now())
        event.add("dtstart", stop.starts_at.astimezone(TZ))
        event.add("dtend", stop.ends_at.astimezone(TZ))
        summary = _("Bürgerkoffer: %(name)s, %(city)s") % {"name": stop.name, "city": stop.city}
        if stop.tour.is_demo:
            summary = f"[Demo] {summary}"
        event.add("summary", summary)
        event.add("location", _location(stop))
        event.add("geo", vGeo((round(stop.lat, 6), round(stop.lon, 6))))
        services = ", ".join(s.display_name for s in stop.services.all())
        description = [_("Mobile Sprechstunde mit dem Bürgerkoffer.")]
        if services:
            description.append(_("Leistungen: %(services)s") % {"services": services})
        url = settings.BASE_URL + stop.get_absolute_url()
        description.append(_("Termin buchen: %(url)s") % {"url": url})
        event.add("description", "\n".join(description))
        event.add("url", url)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
