"""E-mails of the appointment service, in the language the citizen booked in.

* optin: "please confirm" with the signed link (double opt-in), valid for the hold time.
* confirmation: the booking with an .ics attachment and a QR code (inline image, Content-ID), plus the links
  to change or cancel.
* reminder: the day before.
* cancellation: receipt of the citizen's own cancellation, or the authority's cancellation with its reason.
Home visits: optin, accepted (with .ics), declined (with the reason).

Every function returns the message; the tasks send them (`assisted.tasks`).
"""

from __future__ import annotations

from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from amtsweg.assisted import booking, ical, qr, tokens
from amtsweg.assisted.models import Appointment, HomeVisitRequest
from amtsweg.assisted.slots import fmt_when

QR_CID = "termin-qr@amtsweg"


def _footer() -> str:
    return _("Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.")


def _where(appointment: Appointment) -> str:
    target = appointment.slot.target
    return f"{target.name}, {target.address}"


def _demo_note(target) -> str:
    is_demo = getattr(target, "is_demo", False)
    return _("Hinweis: Dies ist ein Demo-Termin; niemand wird ihn wahrnehmen.") if is_demo else ""


def _map_url() -> str:
    return settings.BASE_URL + reverse("assisted:map")


def _message(subject: str, lines: list[str], to: str) -> EmailMultiAlternatives:
    body = "\n\n".join(line for line in [*lines, _footer()] if line)
    return EmailMultiAlternatives(subject=subject, body=body, to=[to])


def _summary(appointment: Appointment, when: str) -> str:
    return f"{appointment.get_kind_display()}\n{when}\n{_where(appointment)}"


def _reference(appointment) -> str:
    return _("Terminnummer: %(reference)s") % {"reference": appointment.reference}


def optin(appointment: Appointment) -> EmailMultiAlternatives:
    with translation.override(appointment.language):
        when = fmt_when(appointment.slot.starts_at)
        minutes = settings.ASSISTED_HOLD_MINUTES
        subject = _("Bitte bestätigen Sie Ihren Termin am %(when)s") % {"when": when}
        lines = [
            _("Guten Tag %(name)s,") % {"name": appointment.name},
            _("Sie haben einen Termin angefragt:") + "\n" + _summary(appointment, when),
            _("Bitte bestätigen Sie die Buchung innerhalb von %(minutes)s Minuten über diesen Link:")
            % {"minutes": minutes}
            + f"\n{booking.confirm_url(appointment)}",
            _(
                "Ohne Bestätigung wird der Termin wieder freigegeben. Wenn Sie nichts gebucht haben, "
                "können Sie diese E-Mail einfach löschen."
            ),
            _demo_note(appointment.slot.target),
        ]
        return _message(subject, lines, appointment.email)


def confirmation(appointment: Appointment) -> EmailMultiAlternatives:
    with translation.override(appointment.language):
        target = appointment.slot.target
        when = fmt_when(appointment.slot.starts_at)
        manage = booking.manage_url(appointment)
        subject = _("Terminbestätigung: %(when)s, %(place)s") % {"when": when, "place": target.name}
        service = ""
        if appointment.service_id:
            service = _("Anliegen: %(service)s") % {"service": appointment.service.display_name}
        lines = [
            _("Guten Tag %(name)s,") % {"name": appointment.name},
            _("Ihr Termin ist gebucht.")
            + "\n"
            + _reference(appointment)
            + "\n"
            + _summary(appointment, when),
            service,
            _("Bitte bringen Sie Ihren Personalausweis oder Reisepass und die nötigen Unterlagen mit."),
            _(
                "Den Termin für Ihren Kalender finden Sie im Anhang (termin.ics), den QR-Code mit Ihrer "
                "Terminnummer ebenfalls."
            ),
            _("Termin verschieben oder absagen:") + f"\n{manage}",
            _demo_note(target),
        ]
        message = _message(subject, lines, appointment.email)
        html = render_to_string(
            "assisted/email/confirmation.html",
            {
                "appointment": appointment,
                "target": target,
                "when": when,
                "manage_url": manage,
                "qr_cid": QR_CID,
                "demo_note": _demo_note(target),
            },
        )
        message.attach_alternative(html, "text/html")
        message.attach("termin.ics", ical.appointment_ics(appointment, manage_url=manage), "text/calendar")
        image = MIMEPart()
        image.set_content(
            qr.png(manage), maintype="image", subtype="png", disposition="inline", filename="termin-qr.png"
        )
        image["Content-ID"] = f"<{QR_CID}>"
        message.attach(image)
        return message


def reminder(appointment: Appointment) -> EmailMultiAlternatives:
    with translation.override(appointment.language):
        when = fmt_when(appointment.slot.starts_at)
        subject = _("Erinnerung: Ihr Termin morgen, %(when)s") % {"when": when}
        lines = [
            _("Guten Tag %(name)s,") % {"name": appointment.name},
            _("wir erinnern Sie an Ihren Termin:")
            + "\n"
            + _summary(appointment, when)
            + "\n"
            + _reference(appointment),
            _(
                "Falls Sie nicht kommen können, sagen Sie bitte ab, damit jemand anderes den Termin "
                "nutzen kann:"
            )
            + f"\n{booking.manage_url(appointment)}",
            _demo_note(appointment.slot.target),
        ]
        message = _message(subject, lines, appointment.email)
        message.attach("termin.ics", ical.appointment_ics(appointment), "text/calendar")
        return message


def cancellation(appointment: Appointment) -> EmailMultiAlternatives:
    with translation.override(appointment.language):
        when = fmt_when(appointment.slot.starts_at)
        subject = _("Termin abgesagt: %(when)s") % {"when": when}
        if appointment.cancelled_by_staff:
            first = _("leider müssen wir Ihren Termin absagen:")
            reason = ""
            if appointment.cancel_reason:
                reason = _("Grund: %(reason)s") % {"reason": appointment.cancel_reason}
            follow = (
                _("Wir bitten um Entschuldigung. Einen neuen Termin finden Sie hier:") + f"\n{_map_url()}"
            )
        else:
            first = _("Sie haben Ihren Termin storniert:")
            reason = ""
            follow = _("Einen neuen Termin können Sie jederzeit buchen:") + f"\n{_map_url()}"
        lines = [
            _("Guten Tag %(name)s,") % {"name": appointment.name},
            first + "\n" + _summary(appointment, when) + "\n" + _reference(appointment),
            reason,
            follow,
        ]
        message = _message(subject, lines, appointment.email)
        message.attach("termin-abgesagt.ics", ical.appointment_ics(appointment), "text/calendar")
        return message


APPOINTMENT_MAILS = {
    "optin": optin,
    "confirmation": confirmation,
    "reminder": reminder,
    "cancellation": cancellation,
}


# --- home visits --------------------------------------------------------------------------------------------


def home_visit_confirm_url(visit: HomeVisitRequest) -> str:
    token = tokens.make(tokens.HOME_CONFIRM, visit.pk, visit.nonce)
    return settings.BASE_URL + reverse("assisted:home_visit_confirm", kwargs={"token": token})


def home_visit_optin(visit: HomeVisitRequest) -> EmailMultiAlternatives:
    with translation.override(visit.language):
        subject = _("Bitte bestätigen Sie Ihre Anfrage für einen Hausbesuch")
        lines = [
            _("Guten Tag %(name)s,") % {"name": visit.name},
            _("Sie haben einen Hausbesuch mit dem Bürgerkoffer angefragt (Vorgangsnummer %(reference)s).")
            % {"reference": visit.reference},
            _("Bitte bestätigen Sie die Anfrage über diesen Link; erst dann geht sie an %(authority)s:")
            % {"authority": visit.authority.name}
            + f"\n{home_visit_confirm_url(visit)}",
            _("Wenn Sie nichts angefragt haben, können Sie diese E-Mail löschen."),
        ]
        return _message(subject, lines, visit.email)


def home_visit_decision(visit: HomeVisitRequest) -> EmailMultiAlternatives:
    with translation.override(visit.language):
        reference = _("Vorgangsnummer: %(reference)s") % {"reference": visit.reference}
        if visit.status == HomeVisitRequest.Status.ACCEPTED:
            when = fmt_when(visit.visit_starts_at)
            subject = _("Hausbesuch zugesagt: %(when)s") % {"when": when}
            lines = [
                _("Guten Tag %(name)s,") % {"name": visit.name},
                _("wir besuchen Sie am %(when)s mit dem Bürgerkoffer.") % {"when": when}
                + f"\n{visit.street}, {visit.postal_code} {visit.city}",
                visit.decision_reason,
                _(
                    "Bitte halten Sie Ihren Ausweis und die Unterlagen bereit. "
                    "Den Termin finden Sie im Anhang."
                ),
                reference,
            ]
            message = _message(subject, lines, visit.email)
            message.attach("hausbesuch.ics", ical.visit_ics(visit), "text/calendar")
            return message
        subject = _("Ihre Anfrage für einen Hausbesuch")
        lines = [
            _("Guten Tag %(name)s,") % {"name": visit.name},
            _("leider können wir Sie nicht zu Hause besuchen."),
            _("Begründung: %(reason)s") % {"reason": visit.decision_reason},
            reference,
            _("Bürgerterminals und Sprechstunden mit dem Bürgerkoffer in Ihrer Nähe finden Sie hier:")
            + f"\n{_map_url()}",
        ]
        return _message(subject, lines, visit.email)
