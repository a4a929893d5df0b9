"""The back office through HTTP: worklist, case page, follow-up question, notes, attachments, decisions with
second approval, and the bad input of issue #6 (transitions not allowed, a decision issued twice, approval by
the drafter, stale edits, another authority's case IDs)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from backoffice_helpers import foreign, submitted
from django.urls import reverse
from django.utils import timezone
from engine_fixtures import citizen, drain, login_citizen, login_staff, staff

from amtsweg.accounts.models import DataAccessRecord
from amtsweg.backoffice import services
from amtsweg.backoffice.models import Absence, DecisionDraft, Note, ProcedureSetting
from amtsweg.cases.models import AuditEvent, Decision, InformationRequest
from amtsweg.cases.states import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(world, client):
    user, device = world.stadt_staff
    login_staff(client, user, device)
    return user


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_worklist_lists_own_cases_with_counts_and_no_other_authority(world, worker, client):
    case = submitted(world)
    other = foreign(world)
    assert not other.parts.filter(authority=world.stadt).exists()
    response = client.get(reverse("backoffice:worklist"))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.number in body
    assert other.number not in body
    assert 'data-count="in_review">1<' in body
    assert "Musterfrau" in body  # the applicant's name


def test_search_term_never_appears_in_the_url(world, worker, client):
    case = submitted(world)
    submitted(world, user=citizen(last_name="Anders"))
    response = client.post(reverse("backoffice:worklist"), {"suche": world.citizen.last_name})
    assert response.status_code == 303
    assert world.citizen.last_name not in response["Location"]
    page = client.get(response["Location"])
    body = page.content.decode()
    assert case.number in body
    assert "Anders" not in body
    # By number too (prefix).
    response = client.post(reverse("backoffice:worklist"), {"suche": case.number[:-1]})
    assert case.number in client.get(response["Location"]).content.decode()
    # An unknown token shows everything, never another session's term.
    assert client.get(reverse("backoffice:worklist") + "?suche=erfunden").status_code == 200


def test_filters_mine_unassigned_overdue_and_keyset_pages(world, worker, client):
    cases = [submitted(world) for _ in range(5)]
    parts = [c.parts.get() for c in cases]
    services.assign(worker, parts[:2], worker)
    type(parts[0]).objects.filter(pk=parts[4].pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    mine = services.worklist_page(worker, services.Filters(assignee="mir"))
    assert {p.pk for p in mine.rows} == {parts[0].pk, parts[1].pk}
    unassigned = services.worklist_page(worker, services.Filters(assignee="niemand"))
    assert {p.pk for p in unassigned.rows} == {p.pk for p in parts[2:]}
    overdue = services.worklist_page(worker, services.Filters(due="ueberfaellig"))
    assert [p.pk for p in overdue.rows] == [parts[4].pk]
    assert overdue.rows[0].overdue
    free = services.worklist_page(worker, services.Filters(payment="frei"))
    assert free.rows == []
    unpaid = services.worklist_page(worker, services.Filters(payment="offen"))
    assert len(unpaid.rows) == 5
    # Keyset pages: two at a time, no row twice, none lost, in every sort order.
    for sort in services.SORTS:
        seen, cursor = [], ""
        for _ in range(5):
            page = services.worklist_page(worker, services.Filters(sort=sort), cursor, size=2)
            seen += [p.pk for p in page.rows]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(p.pk for p in parts), sort
        assert len(seen) == len(set(seen))
    # Through HTTP: the next-page link works; a forged cursor is ignored (first page).
    body = client.get(reverse("backoffice:worklist") + "?sortierung=eingang").content.decode()
    assert all(c.number in body for c in cases)
    assert client.get(reverse("backoffice:worklist") + "?nach=%%%kaputt").status_code == 200
    assert client.get(reverse("backoffice:worklist") + "?status=erfunden&wer=x1").status_code == 200


def test_bulk_assign_goes_to_the_substitute_of_an_absent_worker(world, worker, client):
    cases = [submitted(world) for _ in range(2)]
    colleague, _ = staff(world.stadt)
    substitute, _ = staff(world.stadt)
    today = timezone.localdate()
    Absence.objects.create(
        user=colleague, authority=world.stadt, starts_on=today, ends_on=today, substitute=substitute
    )
    ids = [c.parts.get().pk for c in cases]
    response = client.post(
        reverse("backoffice:bulk_assign"), {"vorgang": ids, "an": colleague.pk}, follow=True
    )
    assert "Vertretung" in _messages(response)
    assert {c.parts.get().assignee for c in cases} == {substitute}
    assert AuditEvent.objects.filter(kind="assigned", case=cases[0]).exists()


def test_bulk_assign_refuses_another_authoritys_case(world, worker, client):
    own = submitted(world)
    foreign_case = foreign(world)
    ids = [own.parts.get().pk, foreign_case.parts.get(is_lead=True).pk]
    response = client.post(reverse("backoffice:bulk_assign"), {"vorgang": ids, "an": "mir"}, follow=True)
    assert "gehört nicht zu Ihrer Behörde" in _messages(response)
    assert own.parts.get().assignee is None  # nothing half done
    # Assigning to someone of another authority is refused too.
    response = client.post(
        reverse("backoffice:bulk_assign"), {"vorgang": ids[:1], "an": world.lra_staff[0].pk}, follow=True
    )
    assert "bearbeitet keine Vorgänge Ihrer Behörde" in _messages(response)


def test_another_authoritys_case_is_404_everywhere(world, client):
    case = submitted(world)
    intruder, device = world.lra_staff
    login_staff(client, intruder, device)
    public_id = case.public_id
    attachment = case.attachments.get()
    for name, method in (
        ("detail", "get"),
        ("open_application", "post"),
        ("note", "post"),
        ("ask", "post"),
        ("reassign", "post"),
        ("step", "post"),
        ("decision", "get"),
        ("decision", "post"),
        ("decision_preview", "get"),
    ):
        response = getattr(client, method)(reverse(f"backoffice:{name}", args=[public_id]), {"zweck": "x"})
        assert response.status_code == 404, name
    url = reverse("backoffice:attachment", args=[public_id, attachment.pk])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(case=case, kind="data_access").exists()
    assert not DataAccessRecord.objects.exists()


def test_opening_the_application_is_audited_and_shown_to_the_citizen(world, worker, client):
    case = submitted(world)
    page = client.get(reverse("backoffice:detail", args=[case.public_id]))
    assert page.status_code == 200
    assert "Testbetrieb" not in page.content.decode()  # not decrypted on a plain GET
    response = client.post(
        reverse("backoffice:open_application", args=[case.public_id]), {"zweck": "Prüfung der Anzeige"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Angaben zum Betrieb" in body or "Name des Betriebs" in body
    assert "ausweis.pdf" in body
    event = AuditEvent.objects.get(case=case, kind="data_access")
    assert event.actor == worker
    assert event.detail["purpose"] == "Prüfung der Anzeige"
    assert DataAccessRecord.objects.filter(subject_user=world.citizen, purpose="Prüfung der Anzeige").exists()
    # Without a purpose: refused with a clear message.
    response = client.post(
        reverse("backoffice:open_application", args=[case.public_id]), {"zweck": " "}, follow=True
    )
    assert "Zweck" in _messages(response)


def test_attachments_inline_and_download_carry_a_watermark(world, worker, client):
    case = submitted(world)
    attachment = case.attachments.get()
    url = reverse("backoffice:attachment", args=[case.public_id, attachment.pk])
    inline = client.get(url)
    assert inline.status_code == 200
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    assert worker.last_name.encode() in inline.content  # the watermark names the staff member
    assert b"Abgerufen von" in inline.content
    download = client.get(url + "?herunterladen=1")
    assert download["Content-Disposition"].startswith("attachment")
    assert "ausweis" not in download["Content-Disposition"]  # no personal file names
    assert AuditEvent.objects.filter(case=case, kind="data_access").count() == 2
    # Another case's attachment id under this case: 404.
    other = submitted(world)
    wrong = reverse("backoffice:attachment", args=[case.public_id, other.attachments.get().pk])
    assert client.get(wrong).status_code == 404


def test_internal_notes_stay_internal(world, worker, client):
    case = submitted(world)
    client.post(
        reverse("backoffice:note", args=[case.public_id]), {"notiz": "Rückruf beim Ordnungsamt nötig"}
    )
    note = Note.objects.get()
    assert "Rückruf" not in note.jwe  # encrypted
    assert (
        "Rückruf beim Ordnungsamt"
        in client.get(reverse("backoffice:detail", args=[case.public_id])).content.decode()
    )
    client.logout()
    login_citizen(client, world.citizen)
    citizen_page = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert "Rückruf" not in citizen_page
    response = client.post(reverse("backoffice:note", args=[case.public_id]), {"notiz": "x"})
    assert response.status_code == 302  # citizens never reach the staff area


def test_follow_up_question_and_answer(world, worker, client):
    case = submitted(world)
    response = client.post(
        reverse("backoffice:ask", args=[case.public_id]),
        {"felder": ["beschaeftigte", "ausweis"], "text": "Bitte ergänzen Sie die Zahl.", "frist": ""},
        follow=True,
    )
    assert "Rückfrage ist an die antragstellende Person gesendet" in _messages(response)
    request = InformationRequest.objects.get()
    assert request.fields == ["beschaeftigte", "ausweis"]
    case.refresh_from_db()
    assert case.parts.get().state == State.INFORMATION_REQUESTED
    # Asking again now is not allowed.
    response = client.post(
        reverse("backoffice:ask", args=[case.public_id]), {"felder": ["art"], "text": "Noch was"}, follow=True
    )
    assert "nicht möglich" in _messages(response)
    # Malformed input: no fields, a bad date, an unknown field.
    for data, expected in (
        ({"text": "x"}, "mindestens eine Angabe"),
        ({"felder": ["art"], "text": "x", "frist": "morgen"}, "TT.MM.JJJJ"),
    ):
        assert expected in _messages(
            client.post(reverse("backoffice:ask", args=[case.public_id]), data, follow=True)
        )


def test_transition_not_allowed_and_stale_version(world, worker, client):
    case = submitted(world)
    url = reverse("backoffice:step", args=[case.public_id])
    response = client.post(url, {"ziel": State.DELIVERED, "version": case.version}, follow=True)
    assert "nicht möglich" in _messages(response)
    response = client.post(url, {"ziel": State.DECIDED, "version": case.version}, follow=True)
    assert "nicht möglich" in _messages(response)  # decisions only through the decision dialog
    stale = case.version
    services.assign(worker, [case.parts.get()], worker)  # someone else changed the case meanwhile
    response = client.post(url, {"ziel": State.CLOSED, "version": stale}, follow=True)
    assert "inzwischen von jemand anderem geändert" in _messages(response)
    assert case.parts.get().state == State.IN_REVIEW
    response = client.post(
        reverse("backoffice:reassign", args=[case.public_id]),
        {"an": "niemand", "version": stale},
        follow=True,
    )
    assert "inzwischen von jemand anderem geändert" in _messages(response)


def _texts(**extra):
    return {
        "ergebnis": "granted",
        "betreff": "Ihre Gewerbeanzeige",
        "anrede": "Sehr geehrte Frau Musterfrau,",
        "entscheidung": "Ihrer Anzeige wird entsprochen.",
        "begruendung": "Die Angaben sind vollständig.",
        **extra,
    }


def test_decision_without_second_approval_is_issued_once(world, worker, client, settings):
    case = submitted(world)
    url = reverse("backoffice:decision", args=[case.public_id])
    form = client.get(url)
    assert form.status_code == 200
    assert case.number in form.content.decode()  # the template's subject names the case
    client.post(url, _texts(aktion="speichern"))
    draft = DecisionDraft.objects.get()
    assert "Musterfrau" not in draft.jwe
    preview = client.get(reverse("backoffice:decision_preview", args=[case.public_id]))
    assert preview.status_code == 200
    assert preview.content.startswith(b"%PDF")
    assert b"Abgerufen von" in preview.content
    response = client.post(url, _texts(aktion="erlassen", entwurf_version=draft.version), follow=True)
    assert "erlassen" in _messages(response)
    decision = Decision.objects.get()
    assert decision.decided_by == worker
    assert decision.outcome == "granted"
    draft.refresh_from_db()
    assert draft.status == DecisionDraft.Status.ISSUED
    assert draft.decision == decision
    # Issued twice: refused.
    with pytest.raises(services.TransitionNotAllowed, match="bereits erlassen"):
        services.finish_draft(draft, worker)
    response = client.post(url, _texts(aktion="erlassen"), follow=True)
    assert "nicht möglich" in _messages(response)
    assert Decision.objects.count() == 1
    drain()
    decision.refresh_from_db()
    assert decision.document_id is not None  # rendered, sealed, handed to delivery


def test_stale_draft_edit_is_refused(world, worker, client):
    case = submitted(world)
    url = reverse("backoffice:decision", args=[case.public_id])
    client.post(url, _texts(aktion="speichern"))
    draft = DecisionDraft.objects.get()
    client.post(url, _texts(aktion="speichern", entwurf_version=draft.version, betreff="Neu"))
    response = client.post(url, _texts(aktion="speichern", entwurf_version=draft.version, betreff="Alt"))
    assert response.status_code == 400
    assert "inzwischen von jemand anderem geändert" in response.content.decode()
    assert services.draft_texts(DecisionDraft.objects.get())["betreff"] == "Neu"
    # Empty parts and an unknown outcome are refused.
    response = client.post(url, _texts(aktion="speichern", begruendung=""))
    assert "alle Teile" in response.content.decode()
    response = client.post(url, _texts(aktion="speichern", ergebnis="vielleicht"))
    assert "Ergebnis" in response.content.decode()


def test_second_approval_by_another_person(world, worker, client):
    ProcedureSetting.objects.create(authority=world.stadt, procedure_key="test-gewerbe", second_approval=True)
    case = submitted(world)
    url = reverse("backoffice:decision", args=[case.public_id])
    response = client.post(url, _texts(aktion="erlassen"), follow=True)
    assert "zur Freigabe" in _messages(response)
    draft = DecisionDraft.objects.get()
    assert draft.status == DecisionDraft.Status.AWAITING_APPROVAL
    assert not Decision.objects.exists()
    # The drafter (who also holds the approver role) may not release it.
    assert draft not in services.approval_queue(worker)
    response = client.post(
        reverse("backoffice:approval", args=[draft.pk]), {"aktion": "freigeben"}, follow=True
    )
    assert "andere Person" in _messages(response)
    assert not Decision.objects.exists()
    # While it waits, the drafter cannot change it.
    response = client.post(url, _texts(aktion="speichern", entwurf_version=draft.version))
    assert "liegt zur Freigabe vor" in response.content.decode()
    # An approver of another authority does not see it.
    client.logout()
    foreign, foreign_device = staff(world.landratsamt, ("case_worker", "approver"))
    login_staff(client, foreign, foreign_device)
    assert client.get(reverse("backoffice:approval", args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("backoffice:approval", args=[draft.pk]), {"aktion": "freigeben"}).status_code
        == 404
    )
    # A second person of the authority releases it: the decision is issued.
    client.logout()
    approver, approver_device = staff(world.stadt, ("approver",))
    login_staff(client, approver, approver_device)
    queue = client.get(reverse("backoffice:approvals")).content.decode()
    assert case.number in queue
    page = client.get(reverse("backoffice:approval", args=[draft.pk]))
    assert "Ihrer Anzeige wird entsprochen." in page.content.decode()
    preview = client.get(reverse("backoffice:approval_preview", args=[draft.pk]))
    assert preview.content.startswith(b"%PDF")
    response = client.post(
        reverse("backoffice:approval", args=[draft.pk]),
        {"aktion": "freigeben", "entwurf_version": draft.version},
        follow=True,
    )
    assert "Freigegeben" in _messages(response)
    decision = Decision.objects.get()
    assert decision.decided_by == worker
    draft.refresh_from_db()
    assert draft.approved_by == approver
    assert draft.status == DecisionDraft.Status.ISSUED
    assert AuditEvent.objects.filter(case=case, kind="decision_approved", actor=approver).exists()
    # Released twice: refused.
    response = client.post(
        reverse("backoffice:approval", args=[draft.pk]), {"aktion": "freigeben"}, follow=True
    )
    assert "bereits erlassen" in _messages(response)
    assert Decision.objects.count() == 1


def test_return_draft_for_changes(world, worker, client):
    ProcedureSetting.objects.create(authority=world.stadt, procedure_key="test-gewerbe", second_approval=True)
    case = submitted(world)
    client.post(reverse("backoffice:decision", args=[case.public_id]), _texts(aktion="erlassen"))
    draft = DecisionDraft.objects.get()
    approver, _device = staff(world.stadt, ("approver", "case_worker"))
    services.return_draft(draft, approver, "Bitte Begründung ergänzen")
    draft.refresh_from_db()
    assert draft.status == DecisionDraft.Status.DRAFT
    assert services.notes_for(draft.part, worker)[0]["text"] == "Bitte Begründung ergänzen"
    # A case worker without the approver role cannot approve.
    plain, _d = staff(world.stadt)
    with pytest.raises(services.AccessDenied):
        services.approve(draft, plain)


def test_staff_area_needs_the_second_factor(world, client):
    user, _device = world.stadt_staff
    client.force_login(user, backend="amtsweg.accounts.backends.EmailOrUsernameBackend")
    response = client.get(reverse("backoffice:worklist"))
    assert response.status_code == 302
    assert reverse("accounts:staff_login") in response["Location"]
    # No personal data in that redirect either.
    assert "Musterfrau" not in response["Location"]


def test_idle_warning_is_on_every_back_office_page(world, worker, client, settings):
    settings.STAFF_IDLE_SECONDS = 600
    body = client.get(reverse("backoffice:worklist")).content.decode()
    assert 'data-timeout="600"' in body
    assert "backoffice/idle.js" in body
    assert "<script>" not in body  # no inline scripts (CSP)
    assert client.get(reverse("backoffice:keep_alive")).status_code == 204


def test_django_admin_only_for_superusers(world, client):
    user, device = world.stadt_staff
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    login_staff(client, user, device)
    response = client.get("/betrieb/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    assert client.get("/betrieb/admin/").status_code == 200


def test_approver_only_user_cannot_open_the_worklist(world, client):
    approver, device = staff(world.stadt, ("approver",))
    login_staff(client, approver, device)
    assert client.get(reverse("backoffice:worklist")).status_code == 403
    assert client.get(reverse("backoffice:approvals")).status_code == 200


def test_case_urls_hold_no_personal_data(world, worker, client):
    case = submitted(world)
    body = client.get(reverse("backoffice:worklist")).content.decode()
    for href in re.findall(r'href="([^"]+)"', body):
        assert world.citizen.last_name not in href
        assert case.number not in href


def test_case_of_a_retired_procedure_stays_readable(world, worker, client):
    case = submitted(world)
    type(case).objects.filter(pk=case.pk).update(procedure_key="ausser-betrieb")
    response = client.get(reverse("backoffice:detail", args=[case.public_id]))
    assert response.status_code == 200
    assert "ausser-betrieb" in response.content.decode()
    assert client.get(reverse("backoffice:worklist")).status_code == 200


def test_counts_per_state_are_kept_briefly_per_authority_and_filter(world, worker, settings):
    """The counts may be a few seconds old (BACKOFFICE_COUNT_CACHE_SECONDS); the rows never are, and the
    cache is per authority set and filter ("mir" per person), never with a search term."""
    from django.core.cache import cache

    cache.clear()
    settings.BACKOFFICE_COUNT_CACHE_SECONDS = 60
    first = submitted(world)
    page = services.worklist_page(worker, services.Filters())
    assert page.counts == {"in_review": 1}
    second = submitted(world)
    page = services.worklist_page(worker, services.Filters())
    assert page.counts == {"in_review": 1}  # kept
    assert {p.case_id for p in page.rows} == {first.pk, second.pk}  # rows are fresh
    assert services.worklist_page(worker, services.Filters(assignee="niemand")).counts == {"in_review": 2}
    searched = services.worklist_page(worker, services.Filters(search=second.number))
    assert searched.counts == {"in_review": 1}
    assert searched.rows[0].case_id == second.pk
    services.assign(worker, [second.parts.get()], worker)
    assert services.worklist_page(worker, services.Filters(assignee="mir")).counts == {"in_review": 1}
    # Another authority's case worker never gets these counts.
    other_user, _device = world.lra_staff
    assert services.worklist_page(other_user, services.Filters()).counts == {}
    settings.BACKOFFICE_COUNT_CACHE_SECONDS = 0
    assert services.worklist_page(worker, services.Filters()).counts == {"in_review": 2}
    cache.clear()
