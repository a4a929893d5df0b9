"""Home visits: request with double opt-in, staff accept (with .ics) or decline (with a reason), tenancy."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.factories import login_staff, make_staff
from amtsweg.assisted import homevisits, tokens
from amtsweg.assisted.models import HomeVisitRequest
from assisted import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["SERVER_NAME"] = "localhost"
    return client


@pytest.fixture
def lra(regions):
    # The real directory answers which authority serves a district.
    from amtsweg.directory.loader import load_authorities

    load_authorities()
    from amtsweg.directory import services as directory

    return directory.authority_for_district("14523")


FORM = {
    "kreis": "14523",
    "name": "Gertrud Beispiel",
    "strasse": "Bergstraße 5",
    "plz": "08523",
    "ort": "Plauen",
    "email": "gertrud@example.org",
    "telefon": "03741 1",
    "grund": "Pflegegrad 4, bettlägerig",
    "datenschutz": "on",
}


def _request_and_confirm(client, mailoutbox):
    assert client.post(reverse("assisted:home_visit"), FORM).status_code == 200
    visit = HomeVisitRequest.objects.get()
    assert visit.status == HomeVisitRequest.Status.UNCONFIRMED
    factories.drain()
    link = factories.link_from(mailoutbox[-1].body, "/termine/hausbesuch/bestaetigen/").replace(
        "http://127.0.0.1:8000", ""
    )
    assert client.get(link).status_code == 200
    assert HomeVisitRequest.objects.get().status == HomeVisitRequest.Status.UNCONFIRMED
    assert "bei der Behörde" in client.post(link).text
    visit.refresh_from_db()
    assert visit.status == HomeVisitRequest.Status.REQUESTED
    return visit


def test_request_accept_with_calendar_file(client, lra, mailoutbox):
    visit = _request_and_confirm(client, mailoutbox)
    assert visit.authority == lra
    user, device, _m = make_staff(lra, ("assisted_operator",))
    login_staff(client, user, device)
    assert "Gertrud Beispiel" in client.get(reverse("assisted_staff:home_visits")).text
    day = factories.next_working_day(3)
    response = client.post(
        reverse("assisted_staff:home_visit", args=[visit.pk]),
        {
            "decision": "accept",
            "accept-date": day.isoformat(),
            "accept-time": "10:00",
            "accept-minutes": "45",
            "accept-note": "Wir klingeln zweimal.",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == HomeVisitRequest.Status.ACCEPTED
    assert visit.decided_by == user
    factories.drain()
    mail = mailoutbox[-1]
    assert mail.subject.startswith("Hausbesuch zugesagt")
    ics = next(p for p in mail.message().walk() if p.get_filename() == "hausbesuch.ics")
    event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == factories.at(day, 10)


def test_decline_needs_a_reason_which_the_citizen_gets(client, lra, mailoutbox):
    visit = _request_and_confirm(client, mailoutbox)
    user, device, _m = make_staff(lra, ("assisted_operator",))
    login_staff(client, user, device)
    url = reverse("assisted_staff:home_visit", args=[visit.pk])
    response = client.post(url, {"decision": "decline", "decline-reason": ""})
    assert response.status_code == 400
    assert "Bitte geben Sie einen Grund an." in response.text
    with pytest.raises(homevisits.HomeVisitError) as error:
        homevisits.decline(visit, reason="   ")
    assert "begründen" in error.value.message
    response = client.post(
        url, {"decision": "decline", "decline-reason": "Wohnort liegt außerhalb unseres Kreises."}
    )
    assert response.status_code == 302
    factories.drain()
    assert "Begründung: Wohnort liegt außerhalb unseres Kreises." in mailoutbox[-1].body
    with pytest.raises(homevisits.HomeVisitError):
        homevisits.accept(visit, starts_at=timezone.now() + timedelta(days=2), minutes=30)


def test_other_authority_cannot_see_the_request(client, lra, mailoutbox):
    visit = _request_and_confirm(client, mailoutbox)
    user, device, _m = make_staff(factories.authority("14626"), ("assisted_operator",))
    login_staff(client, user, device)
    assert client.get(reverse("assisted_staff:home_visit", args=[visit.pk])).status_code == 404
    assert "Gertrud" not in client.get(reverse("assisted_staff:home_visits")).text
    response = client.post(
        reverse("assisted_staff:home_visit", args=[visit.pk]),
        {"decision": "decline", "decline-reason": "fremd"},
    )
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.status == HomeVisitRequest.Status.REQUESTED


def test_bad_request_input(client, lra):
    response = client.post(
        reverse("assisted:home_visit"), {**FORM, "plz": "1234", "kreis": "00000", "grund": ""}
    )
    assert response.status_code == 400
    assert "Die Postleitzahl besteht aus fünf Ziffern." in response.text
    assert "Diesen Kreis gibt es in Sachsen nicht." in response.text
    assert not HomeVisitRequest.objects.exists()


def test_forged_confirmation_link(client, lra):
    response = client.get(reverse("assisted:home_visit_confirm", args=["abc:def"]))
    assert response.status_code == 400
    assert "ungültig" in response.text
    with pytest.raises(tokens.BadLink):
        homevisits.confirm_visit(tokens.make(tokens.HOME_CONFIRM, 12345, "nonce"))
