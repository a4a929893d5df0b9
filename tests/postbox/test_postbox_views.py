"""The postbox pages: only the owner (or organisation members) can open anything; opening records evidence."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from postbox_factories import authority, issue_to, login, login_staff, organisation, staff, user

from amtsweg.postbox import services
from amtsweg.postbox.models import Delivery, Evidence, Mailbox, Message, NoticePreference

pytestmark = pytest.mark.django_db


def _message(delivery):
    return Message.objects.get(delivery=delivery)


def test_inbox_requires_login(client):
    response = client.get(reverse("postbox:inbox"))
    assert response.status_code == 302
    assert "next=%2Fpostfach%2F" in response["Location"]


def test_citizen_sees_own_documents_only(client):
    owner, stranger = user(), user()
    mine = issue_to(owner, reference="vorgang:mine")
    theirs = issue_to(stranger, reference="vorgang:theirs")
    theirs.document.title  # noqa: B018
    Message.objects.filter(delivery=theirs).update(subject="Geheimer Bescheid des Nachbarn")
    login(client, owner)
    html = client.get(reverse("postbox:inbox")).content.decode()
    assert _message(mine).subject in html
    assert "Geheimer Bescheid des Nachbarn" not in html
    assert "1 ungelesen" in html


def test_other_peoples_messages_and_documents_are_404_and_leave_no_trace(client):
    owner, stranger = user(), user()
    delivery = issue_to(owner)
    message = _message(delivery)
    login(client, stranger)
    urls = [
        reverse("postbox:message", kwargs={"pk": message.pk}),
        reverse("postbox:document", kwargs={"pk": message.pk, "document_pk": delivery.document.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(reverse("postbox:toggle_archive", kwargs={"pk": message.pk})).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None
    assert message.archived_at is None
    assert not Evidence.objects.filter(delivery=delivery, event="retrieved").exists()
    # a document of another message cannot be fetched through one's own message
    own = _message(issue_to(stranger))
    url = reverse("postbox:document", kwargs={"pk": own.pk, "document_pk": delivery.document.pk})
    assert client.get(url).status_code == 404


def test_opening_the_document_records_the_retrieval(client):
    owner = user()
    delivery = issue_to(owner)
    message = _message(delivery)
    login(client, owner, level=3)
    page = client.get(reverse("postbox:message", kwargs={"pk": message.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert delivery.document.formatted_code in html
    assert "Dokument öffnen" in html
    response = client.get(
        reverse("postbox:document", kwargs={"pk": message.pk, "document_pk": delivery.document.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == delivery.document.read_bytes()
    assert "no-store" in response["Cache-Control"]
    entry = Evidence.objects.get(delivery=delivery, event="retrieved")
    assert entry.actor_id == owner.pk
    assert entry.trust_level == "hoch"
    assert entry.session_hash == services.session_hash(client.session.session_key)
    message.refresh_from_db()
    assert message.read_at is not None


def test_message_page_shows_the_notification_date(client):
    owner = user()
    delivery = issue_to(owner)
    services.send_notice(delivery.pk)
    delivery.refresh_from_db()
    login(client, owner)
    html = client.get(reverse("postbox:message", kwargs={"pk": _message(delivery).pk})).content.decode()
    assert delivery.notification_date.strftime("%d.%m.%Y") in html
    assert "§ 9 Abs. 1 OZG" in html
    assert delivery.remedy_period_end.strftime("%d.%m.%Y") in html


def test_organisation_members_can_open_their_organisations_mailbox(client):
    member, outsider = user(), user()
    company = organisation(member)
    delivery = issue_to(org=company)
    message = _message(delivery)
    login(client, member)
    assert client.get(reverse("postbox:message", kwargs={"pk": message.pk})).status_code == 200
    assert company.name in client.get(reverse("postbox:inbox")).content.decode()
    client.logout()
    login(client, outsider)
    assert client.get(reverse("postbox:message", kwargs={"pk": message.pk})).status_code == 404


def test_archive_and_back(client):
    owner = user()
    message = _message(issue_to(owner))
    login(client, owner)
    response = client.post(reverse("postbox:toggle_archive", kwargs={"pk": message.pk}))
    assert response.status_code == 302
    assert message.subject not in client.get(reverse("postbox:inbox")).content.decode()
    assert message.subject in client.get(reverse("postbox:archive")).content.decode()
    client.post(reverse("postbox:toggle_archive", kwargs={"pk": message.pk}))
    assert message.subject in client.get(reverse("postbox:inbox")).content.decode()
    assert client.get(reverse("postbox:toggle_archive", kwargs={"pk": message.pk})).status_code == 405


def test_reply_through_the_page(client):
    owner = user()
    message = _message(issue_to(owner, replies_allowed=True))
    login(client, owner)
    url = reverse("postbox:message", kwargs={"pk": message.pk})
    bad = client.post(url, {"text": ""})
    assert bad.status_code == 400
    response = client.post(url, {"text": "Ich bitte um Fristverlängerung."})
    assert response.status_code == 302
    assert message.replies.get().body == "Ich bitte um Fristverlängerung."
    assert "Ich bitte um Fristverlängerung." in client.get(url).content.decode()


def test_reply_where_not_allowed_is_refused(client):
    owner = user()
    message = _message(issue_to(owner))
    login(client, owner)
    response = client.post(reverse("postbox:message", kwargs={"pk": message.pk}), {"text": "Hallo"})
    assert response.status_code == 400
    assert "nicht geantwortet" in response.content.decode()
    assert not message.replies.exists()


def test_preferences(client):
    owner = user()
    login(client, owner)
    page = client.get(reverse("postbox:preferences"))
    assert page.status_code == 200
    response = client.post(reverse("postbox:preferences"), {"notice-email_for_organisations": "on"})
    assert response.status_code == 302
    preference = NoticePreference.objects.get(user=owner)
    assert not preference.email_for_messages
    assert preference.email_for_organisations
    assert not Mailbox.objects.get(user=owner).electronic_access  # access unticked: letters from now on
    assert issue_to(owner).channel == Delivery.Channel.POST
    client.post(reverse("postbox:preferences"), {"access-electronic_access": "on"})
    assert Mailbox.objects.get(user=owner).electronic_access


def test_bad_ids_are_404(client):
    owner = user()
    login(client, owner)
    assert client.get("/postfach/123/").status_code == 404
    assert client.get("/postfach/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- staff: outgoing mail
# -----------------------------------------------------------------------------------------


def test_staff_print_queue_and_posting(client):
    office = authority()
    other_office = authority()
    clerk, device = staff(office)
    letter = issue_to(None, authority_obj=office, reference="vorgang:brief")
    foreign = issue_to(None, authority_obj=other_office, reference="vorgang:fremd")
    Delivery.objects.filter(pk=foreign.pk).update(recipient_name="Fremde Empfängerin")
    login_staff(client, clerk, device)
    html = client.get(reverse("postbox_staff:queue")).content.decode()
    assert letter.recipient_name in html
    assert "Fremde Empfängerin" not in html
    pdf = client.get(reverse("postbox_staff:letter", kwargs={"pk": letter.pk}))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("postbox_staff:letter", kwargs={"pk": foreign.pk})).status_code == 404
    mark = reverse("postbox_staff:mark", kwargs={"pk": letter.pk})
    client.post(mark, {"aktion": "gedruckt"})
    today = timezone.localdate()
    response = client.post(mark, {"aktion": "versandt", "datum": today.isoformat()})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "posted"
    assert letter.notification_date == today + dt.timedelta(days=4)
    detail = client.get(reverse("postbox_staff:delivery", kwargs={"pk": letter.pk})).content.decode()
    assert "vollständig und unverändert" in detail
    assert "zur Post gegeben" in detail
    assert (
        client.post(
            reverse("postbox_staff:mark", kwargs={"pk": foreign.pk}), {"aktion": "gedruckt"}
        ).status_code
        == 404
    )
    foreign.refresh_from_db()
    assert foreign.status == "print_queued"


def test_staff_bad_posting_date_is_a_message(client):
    office = authority()
    clerk, device = staff(office)
    letter = issue_to(None, authority_obj=office)
    login_staff(client, clerk, device)
    mark = reverse("postbox_staff:mark", kwargs={"pk": letter.pk})
    for data in (
        {"aktion": "versandt", "datum": "gestern"},
        {"aktion": "versandt", "datum": "2999-01-01"},
        {"aktion": "x"},
    ):
        response = client.post(mark, data, follow=True)
        assert response.status_code == 200
    letter.refresh_from_db()
    assert letter.status == "print_queued"


def test_citizens_cannot_open_the_staff_pages(client):
    owner = user()
    login(client, owner)
    response = client.get(reverse("postbox_staff:queue"))
    assert response.status_code in (302, 403)
