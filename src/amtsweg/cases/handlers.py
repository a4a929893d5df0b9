"""Outbox handlers: the side effects of state changes, run by the task worker (see cases.outbox).

Each handler runs inside the transaction that marks its outbox message done, so database effects (documents,
postbox messages, payment requests) happen exactly once; e-mails are sent at most once per successful run.
Payloads carry ids only; personal data comes from the encrypted store (decision data) or the user's profile.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from amtsweg.cases import audit, outbox
from amtsweg.cases.models import Case, CasePart, Decision, InformationRequest
from amtsweg.procedures import registry

logger = logging.getLogger("amtsweg.cases")


def recipient_for(case: Case):
    from amtsweg.postbox.services import Recipient

    user = case.applicant
    address = [line for line in (user.street_address, f"{user.postal_code} {user.locality}".strip()) if line]
    if not address:
        address = [_("Anschrift nicht hinterlegt")]
    if case.organisation_id:
        return Recipient(case.organisation.name[:60], address[:5], organisation=case.organisation)
    person = case.on_behalf_of or user
    return Recipient((person.display_name or person.username)[:60], address[:5], user=person)


def case_url(case: Case) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("cases:detail", args=[case.public_id])


@outbox.handler("receipt")
def send_receipt(message) -> str:
    """The Eingangsbestätigung: a sealed PDF into the postbox (or the print queue). No form values in it,
    only the
    case number, time of receipt, the receiving authorities and the SHA-256 of the submission."""
    from amtsweg.documents.services import DocumentSpec
    from amtsweg.postbox.services import issue

    case = Case.objects.select_related("authority", "applicant", "organisation", "on_behalf_of").get(
        pk=message.payload["case"]
    )
    procedure = registry.get(case.procedure_key)
    parts = ", ".join(f"{p.authority.name} ({p.number})" for p in case.parts.select_related("authority"))
    spec = DocumentSpec(
        doc_type=procedure.receipt_template,
        authority=case.authority,
        procedure=case.procedure_key,
        data={
            "verfahren": procedure.title,
            "vorgangsnummer": case.number,
            "eingang": date_format(timezone.localtime(case.submitted_at), "d.m.Y, H:i") + " Uhr",
            "behoerden": parts,
            "pruefsumme": " ".join(case.content_sha256[i : i + 16] for i in range(0, 64, 16)),
            "link": case_url(case),
        },
        file_number=case.number,
    )
    delivery = issue(
        spec,
        recipient_for(case),
        case.reference,
        subject=_("Eingangsbestätigung: %(title)s (%(number)s)")
        % {"title": procedure.title, "number": case.number},
        text=_(
            "Ihr Antrag ist bei uns eingegangen. Die Eingangsbestätigung finden Sie als Anlage.\n\nDen "
            "Stand Ihres Antrags sehen Sie unter „Meine Anträge“: %(url)s"
        )
        % {"url": case_url(case)},
    )
    audit.append(
        "receipt_issued",
        case=case,
        detail={"document": str(delivery.document_id), "channel": delivery.channel},
    )
    return f"receipt {delivery.document_id}"


@outbox.handler("payment_request")
def request_payment(message) -> str:
    from amtsweg.payments.fees import FeeLine, FeeQuote
    from amtsweg.payments.services import create_payment_request

    case = Case.objects.select_related("authority", "applicant", "organisation").get(
        pk=message.payload["case"]
    )
    procedure = registry.get(case.procedure_key)
    quote_data = message.payload.get("quote")
    quote = None
    if quote_data:
        quote = FeeQuote(
            quote_data["total_cents"],
            tuple(
                FeeLine(line["label"], line["amount_cents"], line.get("quantity", 1))
                for line in quote_data["lines"]
            ),
            quote_data.get("legal_basis", ""),
        )
    request = create_payment_request(
        reference=case.reference,
        owner=case.applicant,
        organisation=case.organisation,
        authority=case.authority,
        purpose=f"{procedure.title} {case.number}"[:300],
        quote=quote,
        amount_cents=None if quote else case.fee_cents,
        procedure_key=case.procedure_key,
        case_number=case.number,
        continue_path=reverse("cases:after_payment", args=[case.public_id]),
    )
    Case.objects.filter(pk=case.pk).update(payment_reference=request.reference)
    audit.append(
        "payment_requested",
        case=case,
        detail={"amount_cents": request.amount_cents, "payment_request": str(request.public_id)},
    )
    return f"payment request {request.public_id}"


@outbox.handler("cancel_payment")
def cancel_payment(message) -> str:
    from amtsweg.payments.services import cancel_payment_request

    case = Case.objects.get(pk=message.payload["case"])
    return "cancelled" if cancel_payment_request(case.reference) else "nothing open"


@outbox.handler("issue_decision")
def issue_decision(message) -> str:
    """Render, seal and deliver a decision (automatic or by a case worker). Runs where private keys are."""
    from amtsweg.cases.services import system_read_decision_data
    from amtsweg.documents.services import DocumentSpec
    from amtsweg.postbox.services import issue

    decision = Decision.objects.select_related(
        "case__applicant", "case__organisation", "case__on_behalf_of", "part__authority"
    ).get(pk=message.payload["decision"])
    if decision.document_id:
        return "already issued"
    case, part = decision.case, decision.part
    procedure = registry.get(case.procedure_key)
    data = system_read_decision_data(decision) or procedure.decision_data(case, {}, decision.outcome)
    spec = DocumentSpec(
        doc_type=decision.doc_type,
        authority=part.authority,
        procedure=case.procedure_key,
        data=data,
        file_number=part.number,
    )
    delivery = issue(
        spec,
        recipient_for(case),
        case.reference,
        subject=_("Bescheid zu Ihrem Antrag %(number)s") % {"number": part.number},
    )
    decision.document_id = delivery.document_id
    decision.delivery_id = delivery.pk
    decision.save(update_fields=["document_id", "delivery_id"])
    audit.append(
        "decision_issued",
        case=case,
        authority=part.authority,
        detail={"decision": decision.pk, "document": str(delivery.document_id), "channel": delivery.channel},
    )
    return f"decision {delivery.document_id}"


@outbox.handler("information_request")
def send_information_request(message) -> str:
    from amtsweg.postbox.services import send_message

    request = InformationRequest.objects.select_related(
        "case__applicant", "case__organisation", "case__on_behalf_of", "part__authority"
    ).get(pk=message.payload["request"])
    case = request.case
    url = settings.BASE_URL.rstrip("/") + reverse("cases:answer", args=[case.public_id, request.pk])
    text = _(
        "Zu Ihrem Antrag %(number)s haben wir eine Rückfrage:\n\n%(note)s\n\nBitte antworten Sie bis zum "
        "%(deadline)s über diesen Link; "
        "er öffnet genau die Angaben, um die wir Sie bitten:\n%(url)s"
    ) % {
        "number": request.part.number,
        "note": request.note,
        "deadline": request.deadline.strftime("%d.%m.%Y"),
        "url": url,
    }
    recipient = recipient_for(case)
    sent = send_message(
        authority=request.part.authority,
        recipient=recipient,
        subject=_("Rückfrage zu Ihrem Antrag %(number)s") % {"number": request.part.number},
        text=text,
        reference=case.reference,
    )
    if sent is None and case.applicant.email:
        send_mail(
            _("Rückfrage zu Ihrem Antrag %(number)s") % {"number": request.part.number},
            text,
            None,
            [case.applicant.email],
        )
        return "e-mail"
    return "postbox message"


@outbox.handler("notify_authority")
def notify_authority(message) -> str:
    """Tell the authority's functional mailbox that something happened (no personal data in the mail)."""
    part = CasePart.objects.select_related("authority", "case").get(pk=message.payload["part"])
    address = part.authority.email
    if not address:
        return "no address"
    events = {
        "withdrawn": _("Der Antrag %(number)s wurde zurückgezogen."),
        "answered": _("Zur Rückfrage im Vorgang %(number)s ist eine Antwort eingegangen."),
        "follow_up": _("Im Vorgang %(number)s ist eine Nachreichung eingegangen."),
    }
    text = events.get(message.payload.get("event"), _("Neuigkeiten im Vorgang %(number)s.")) % {
        "number": part.number
    }
    send_mail(text, text + "\n\n" + _("Diese Nachricht wurde automatisch erstellt."), None, [address])
    return "notified"


@outbox.handler("follow_up_reminder")
def send_follow_up_reminder(message) -> str:
    from amtsweg.cases.models import FollowUpSubmission
    from amtsweg.postbox.services import send_message

    expected = FollowUpSubmission.objects.select_related("case__authority", "case__applicant").get(
        pk=message.payload["follow_up"]
    )
    case = expected.case
    spec = registry.get(case.procedure_key).follow_up(expected.key)
    url = settings.BASE_URL.rstrip("/") + reverse("cases:follow_up", args=[case.public_id, expected.key])
    text = _(
        "Zu Ihrem Vorgang %(number)s erwarten wir bis zum %(day)s: %(title)s.\n\n"
        "Hier können Sie es einreichen: %(url)s"
    ) % {
        "number": case.number,
        "day": expected.due_on.strftime("%d.%m.%Y"),
        "title": spec.title if spec else expected.key,
        "url": url,
    }
    sent = send_message(
        authority=case.authority,
        recipient=recipient_for(case),
        subject=_("Erinnerung: Nachreichung zu %(number)s") % {"number": case.number},
        text=text,
        reference=case.reference,
    )
    return "postbox message" if sent is not None else "no postbox"
