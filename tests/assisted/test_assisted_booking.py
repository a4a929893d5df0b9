"""Slot rules and the booking life cycle: hold, double opt-in, confirmation with .ics and QR, cancel, rebook,
reminders; every refusal with its German message and nothing created."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from amtsweg.assisted import booking, slots, tasks, tokens
from amtsweg.assisted.models import Appointment, Closure, Event, Slot
from assisted import factories

pytestmark = pytest.mark.django_db

# A fixed Monday before Christmas: 25 and 26 December 2026 are Friday and Saturday.
MONDAY = date(2026, 12, 21)
TUESDAY = MONDAY + timedelta(days=1)
NOW = factories.at(MONDAY, 7, 0)


@pytest.fixture
def office(vogtland):
    return factories.site(vogtland, lead_time_hours=2, window_days=30)


def _book(target, when, email="erika@example.org", **kwargs):
    kwargs.setdefault("now", NOW)
    return booking.book(target, when, name="Erika Beispiel", email=email, **kwargs)


# --- slot rules ---------------------------------------------------------------------------------------------


def test_offers_follow_the_weekly_pattern_lead_time_and_holidays(office):
    found = slots.offers(office, now=NOW, days=7)
    starts = [factories.local(o.starts_at) for o in found]
    # 07:00 + 2 h lead time: Monday's 09:00 slot is the first one.
    assert starts[0] == factories.at(MONDAY, 9, 0)
    assert all(s.hour in (9, 10) and s.minute in (0, 30) for s in starts)
    days = {s.date() for s in starts}
    assert date(2026, 12, 25) not in days  # 1. Weihnachtsfeiertag
    assert date(2026, 12, 26) not in days  # Saturday: no rules
    assert date(2026, 12, 27) not in days
    assert date(2026, 12, 24) in days


def test_closure_removes_days_and_says_why(office):
    Closure.objects.create(
        authority=office.authority, site=office, starts_on=TUESDAY, ends_on=TUESDAY, reason="Betriebsausflug"
    )
    starts = {factories.local(o.starts_at).date() for o in slots.offers(office, now=NOW, days=7)}
    assert TUESDAY not in starts
    with pytest.raises(slots.NoSuchSlot) as error:
        slots.check_slot(office, factories.at(TUESDAY, 9), NOW)
    assert "Betriebsausflug" in error.value.message
    assert error.value.alternatives


def test_holiday_is_named_when_someone_asks_for_it(office):
    with pytest.raises(slots.NoSuchSlot) as error:
        slots.check_slot(office, factories.at(date(2026, 12, 25), 9), NOW)
    assert "1. Weihnachtsfeiertag" in error.value.message


@pytest.mark.parametrize(
    ("when", "error", "text"),
    [
        (factories.at(date(2026, 12, 18), 9), slots.SlotInPast, "liegt in der Vergangenheit"),
        (factories.at(MONDAY, 7, 30), slots.SlotTooSoon, "mindestens 2 Stunden vorher"),
        (factories.at(date(2027, 2, 1), 9), slots.SlotOutsideWindow, "höchstens 30 Tage im Voraus"),
        (factories.at(MONDAY, 9, 10), slots.NoSuchSlot, "keinen Termin"),
        (factories.at(MONDAY, 14, 0), slots.NoSuchSlot, "keinen Termin"),
    ],
)
def test_bad_times_are_refused_with_a_clear_message(office, when, error, text):
    with pytest.raises(error) as raised:
        _book(office, when)
    assert text in raised.value.message
    assert raised.value.alternatives, "the next free slots are offered"
    assert Appointment.objects.count() == 0
    assert Slot.objects.count() == 0


@pytest.mark.parametrize("value", ["", "morgen", "2026-13-01T09:00", "9" * 40, None, ["2026-12-21T09:00"]])
def test_slot_values_that_are_not_times(value):
    with pytest.raises(slots.NoSuchSlot) as error:
        slots.parse_slot_value(value)
    assert "aus der Liste" in error.value.message


def test_slot_value_is_berlin_wall_clock_time():
    parsed = slots.parse_slot_value("2026-07-01T09:15")
    assert parsed.utcoffset() == timedelta(hours=2)
    assert factories.local(parsed).hour == 9


# --- booking ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "email", "phone", "text"),
    [
        ("", "a@example.org", "", "Bitte geben Sie Ihren Namen an."),
        ("x" * 201, "a@example.org", "", "zu lang"),
        ("Erika\x00", "a@example.org", "", "unzulässige Zeichen"),
        ("Erika", "keine-adresse", "", "gültige E-Mail-Adresse"),
        ("Erika", "a@" + "b" * 300 + ".de", "", "gültige E-Mail-Adresse"),
        ("Erika", "a@example.org", "0341<script>", "Telefonnummer"),
    ],
)
def test_contact_data_is_checked(office, name, email, phone, text):
    with pytest.raises(booking.InvalidContact) as error:
        booking.book(office, factories.at(MONDAY, 9), name=name, email=email, phone=phone, now=NOW)
    assert text in error.value.message
    assert not Appointment.objects.exists()


def test_booking_holds_the_seat_and_sends_the_opt_in_link(office, mailoutbox):
    appointment = _book(office, factories.at(MONDAY, 9), email="Erika@Example.org")
    assert appointment.status == Appointment.Status.PENDING
    assert appointment.email == "erika@example.org"
    assert appointment.hold_until == NOW + timedelta(minutes=120)
    assert appointment.slot.booked == 1
    assert Event.objects.filter(action="appointment.booked", object_id=str(appointment.pk)).exists()

    factories.drain()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["erika@example.org"]
    assert "Bitte bestätigen Sie" in message.subject
    assert "/termine/bestaetigen/" in message.body
    assert "Montag, 21.12.2026, 09:00" in message.body
    factories.drain()
    assert len(mailoutbox) == 1, "the opt-in mail is sent once"


def test_confirmation_mail_has_ics_in_berlin_time_and_an_inline_qr_code(office, mailoutbox):
    appointment = _book(office, factories.at(MONDAY, 9), service=None)
    token = booking.confirm_token(appointment)
    confirmed = booking.confirm(booking.appointment_for_confirm(token), now=NOW + timedelta(minutes=5))
    assert confirmed.status == Appointment.Status.CONFIRMED
    factories.drain()
    confirmation = next(m for m in mailoutbox if m.subject.startswith("Terminbestätigung"))
    assert appointment.reference in confirmation.body
    assert "/termine/verwalten/" in confirmation.body

    raw = confirmation.message()
    parts = {part.get_filename(): part for part in raw.walk() if part.get_filename()}
    ics = parts["termin.ics"]
    assert ics.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(ics.get_payload(decode=True))
    assert [str(t["TZID"]) for t in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    event = calendar.walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Berlin"
    assert (start.hour, start.minute) == (9, 0)
    assert event.decoded("DTEND") - start == timedelta(minutes=30)
    assert appointment.reference in str(event["UID"])

    qr = parts["termin-qr.png"]
    assert qr.get_content_type() == "image/png"
    assert qr["Content-ID"] == "<termin-qr@amtsweg>"
    assert qr.get_payload(decode=True).startswith(b"\x89PNG")
    html = next(part for part in raw.walk() if part.get_content_type() == "text/html")
    assert 'src="cid:termin-qr@amtsweg"' in html.get_content()


def test_verified_account_books_without_opt_in(office, mailoutbox):
    from accounts.factories import make_user

    user = make_user("dora@example.org")
    appointment = booking.book(
        office, factories.at(MONDAY, 9), name="Dora", email="dora@example.org", user=user, now=NOW
    )
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.user == user
    factories.drain()
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Terminbestätigung"]


def test_a_taken_slot_is_refused_and_the_next_free_ones_are_offered(office):
    _book(office, factories.at(MONDAY, 9), email="first@example.org")
    with pytest.raises(slots.SlotTaken) as error:
        _book(office, factories.at(MONDAY, 9), email="second@example.org")
    assert "wurde gerade vergeben" in error.value.message
    offered = [factories.local(o.starts_at) for o in error.value.alternatives]
    assert offered[0] == factories.at(MONDAY, 9, 30)
    assert Appointment.objects.count() == 1
    assert Slot.objects.get().booked == 1


def test_expired_hold_frees_the_seat_for_the_next_person(office):
    first = _book(office, factories.at(TUESDAY, 9), email="slow@example.org")
    mailed_link_token = booking.confirm_token(first)
    later = NOW + timedelta(minutes=121)
    second = _book(office, factories.at(TUESDAY, 9), email="fast@example.org", now=later)
    first.refresh_from_db()
    assert first.status == Appointment.Status.EXPIRED
    assert second.status == Appointment.Status.PENDING
    assert Slot.objects.get().booked == 1
    # The link in the first person's e-mail no longer works.
    with pytest.raises(tokens.LinkError):
        booking.appointment_for_confirm(mailed_link_token)


def test_confirming_too_late_fails_and_frees_the_seat(office):
    appointment = _book(office, factories.at(MONDAY, 9))
    with pytest.raises(booking.NotChangeable) as error:
        booking.confirm(appointment, now=NOW + timedelta(hours=3))
    assert "abgelaufen" in error.value.message
    assert Slot.objects.get().booked == 0


def test_limit_per_email_address_and_no_double_booking(office, settings):
    settings.ASSISTED_MAX_ACTIVE_PER_EMAIL = 2
    _book(office, factories.at(MONDAY, 9))
    with pytest.raises(booking.AlreadyBooked) as error:
        _book(office, factories.at(MONDAY, 9))
    assert "bereits einen Termin" in error.value.message
    _book(office, factories.at(MONDAY, 9, 30))
    with pytest.raises(booking.LimitReached) as error:
        _book(office, factories.at(MONDAY, 10))
    assert "bereits 2 Termine" in error.value.message
    assert Appointment.objects.count() == 2


def test_cancel_frees_the_seat_and_kills_the_link(office, mailoutbox):
    appointment = _book(office, factories.at(MONDAY, 9))
    booking.confirm(appointment, now=NOW)
    token = booking.manage_token(appointment)
    assert booking.cancel(booking.appointment_for_manage(token), now=NOW) is True
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert Slot.objects.get().booked == 0
    with pytest.raises(tokens.BadLink) as error:
        booking.appointment_for_manage(token)
    assert "gilt nicht mehr" in error.value.message
    factories.drain()
    assert any(m.subject.startswith("Termin abgesagt") for m in mailoutbox)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: t.split(":")[0],
        lambda t: "",
        lambda t: "a" * 5000,
    ],
)
def test_tampered_links_are_refused(office, mutate):
    appointment = _book(office, factories.at(MONDAY, 9))
    token = booking.manage_token(appointment)
    with pytest.raises(tokens.BadLink) as error:
        booking.appointment_for_manage(mutate(token))
    assert "ungültig" in error.value.message


def test_confirm_token_is_not_a_manage_token(office):
    appointment = _book(office, factories.at(MONDAY, 9))
    with pytest.raises(tokens.BadLink):
        booking.appointment_for_manage(booking.confirm_token(appointment))


def test_rebook_moves_the_seat_and_rotates_the_links(office):
    appointment = _book(office, factories.at(MONDAY, 9))
    booking.confirm(appointment, now=NOW)
    old_token = booking.manage_token(appointment)
    moved = booking.rebook(appointment, factories.at(TUESDAY, 10), now=NOW)
    assert factories.local(moved.slot.starts_at) == factories.at(TUESDAY, 10)
    assert moved.status == Appointment.Status.CONFIRMED
    counts = dict(Slot.objects.values_list("starts_at", "booked"))
    assert counts[factories.at(MONDAY, 9)] == 0
    assert counts[factories.at(TUESDAY, 10)] == 1
    with pytest.raises(tokens.BadLink):
        booking.appointment_for_manage(old_token)


def test_rebook_into_a_full_slot_keeps_the_old_one(office):
    appointment = _book(office, factories.at(MONDAY, 9))
    _book(office, factories.at(MONDAY, 10), email="other@example.org")
    with pytest.raises(slots.SlotTaken):
        booking.rebook(appointment, factories.at(MONDAY, 10), now=NOW)
    appointment.refresh_from_db()
    assert factories.local(appointment.slot.starts_at) == factories.at(MONDAY, 9)
    assert dict(Slot.objects.values_list("starts_at", "booked")) == {
        factories.at(MONDAY, 9): 1,
        factories.at(MONDAY, 10): 1,
    }


def test_reminder_is_sent_once_the_day_before(office, mailoutbox):
    appointment = _book(office, factories.at(TUESDAY, 9))
    booking.confirm(appointment, now=NOW)
    factories.drain()
    mailoutbox.clear()
    evening_before = factories.at(MONDAY, 18)
    assert tasks.queue_reminders(now=NOW - timedelta(days=1)) == 0
    assert tasks.queue_reminders(now=evening_before) == 1
    factories.drain()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Erinnerung")
    filenames = [part.get_filename() for part in mailoutbox[0].message().walk() if part.get_filename()]
    assert "termin.ics" in filenames
    assert tasks.queue_reminders(now=evening_before) == 0
    tasks.send_appointment_mail.enqueue(appointment.pk, "reminder")
    factories.drain()
    assert len(mailoutbox) == 1, "a duplicate task does not send twice"


def test_failed_mail_is_retried_and_sent_once(office, mailoutbox, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    appointment = _book(office, factories.at(MONDAY, 9))
    calls = {"n": 0}
    real = EmailBackend.send_messages

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("SMTP down")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    factories.drain(rounds=3)
    appointment.refresh_from_db()
    assert calls["n"] == 2
    assert len(mailoutbox) == 1
    assert appointment.optin_sent_at is not None


def test_release_task_frees_expired_holds(office):
    appointment = _book(office, factories.at(MONDAY, 9))
    assert booking.release_expired_holds(now=NOW + timedelta(minutes=30)) == 0
    assert booking.release_expired_holds(now=NOW + timedelta(hours=3)) == 1
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.EXPIRED
    assert Slot.objects.get().booked == 0


def test_stop_slots_need_a_published_tour(vogtland):
    draft = factories.tour(vogtland, publish=False)
    stop = factories.first_stop(draft)
    assert slots.offers(stop) == []
    with pytest.raises(slots.NotBookable) as error:
        booking.book(stop, stop.starts_at, name="Erika", email="e@example.org")
    assert "keine Termine" in error.value.message
    published = factories.tour(vogtland)
    stop = factories.first_stop(published)
    found = slots.offers(stop)
    assert found
    assert found[0].starts_at == stop.starts_at
    assert len(found) == 60 // 15
    assert timezone.now() < found[0].starts_at
