"""Public surface of the Gewerbeanzeige pilot: case work, register, onward transmission, moves, statistics.

Case worker (back office, tenancy by the engine):
    open_for_review(case, staff, purpose) -> Review          decrypts (audited) and computes the checklist
    issue_receipt(case, staff, confirmed=[...], note="")     Empfangsbescheinigung + register + transmission
    deregister_ex_officio(betrieb, staff, closed_on=…, reason=…)
Citizen:
    businesses_for(acting), start_change(...), plan_move(...), start_move(...), submit_move(...)
System:
    send_monthly_statistics(today)

`issue_receipt` is one transaction: the engine's decision (state, audit, sealed document via its outbox), the
register entry, the notification record and one outbox message per recipient (exchange), each signed by the
municipality and encrypted for its recipient, carrying only that recipient's field groups.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.cases import audit
from amtsweg.cases.services import AccessDenied, CaseError, decide, read_submission
from amtsweg.exchange import services as exchange
from amtsweg.procedures.gewerbe import mapping, rules, validation
from amtsweg.procedures.gewerbe.models import Gewerbebetrieb, Gewerbemeldung, Verlegung
from amtsweg.procedures.gewerbe.procedure import KEYS, KIND_BY_KEY
from amtsweg.xgewerbe import builder, codes, routing

logger = logging.getLogger("amtsweg.gewerbe")
REVIEW_PURPOSE = "Prüfung der Gewerbeanzeige und Empfangsbescheinigung (§§ 14, 15 GewO)"
KIND_LABELS = {
    "anmeldung": "Gewerbeanmeldung",
    "ummeldung": "Gewerbeummeldung",
    "abmeldung": "Gewerbeabmeldung",
}
DATE_LABELS = {
    "anmeldung": "Beginn der Tätigkeit",
    "ummeldung": "Datum der Änderung",
    "abmeldung": "Aufgabe des Betriebs zum",
}


# --- helpers -----------------------------------------------------------------------------------------------


def kind_of(case) -> str:
    kind = KIND_BY_KEY.get(case.procedure_key)
    if kind is None:
        raise CaseError(_("Dieser Vorgang ist keine Gewerbeanzeige."))
    return kind


def municipality_ags(authority, case=None) -> str:
    """The 8-digit AGS of the municipality (author of the messages)."""
    for candidate in (getattr(case, "place_ags", ""), authority.ags or ""):
        if candidate and len(candidate) == 8:
            return candidate
    if authority.municipality_id and authority.municipality.ags8:
        return authority.municipality.ags8
    if authority.ags and len(authority.ags) == 5:
        return authority.ags + "000"  # kreisfreie Stadt: district key + 000
    raise CaseError(_("Für %(name)s ist kein Gemeindeschlüssel (AGS) hinterlegt.") % {"name": authority.name})


def _staff_may_work(user, authority) -> bool:
    from amtsweg.accounts.services import authorities_for

    return authorities_for(user, "case_worker").filter(pk=authority.pk).exists()


def _names(values: Mapping) -> str:
    people = [f"{values.get('p1_vornamen') or ''} {values.get('p1_familienname') or ''}".strip()]
    for n in (2, 3, 4):
        if values.get(f"p{n}_familienname"):
            people.append(f"{values.get(f'p{n}_vornamen') or ''} {values[f'p{n}_familienname']}".strip())
    people += [", ".join(line.split(",")[:2][::-1]).strip() for line in validation.extra_lines(values)]
    return "; ".join(p for p in people if p)


def _format_date(value) -> str:
    day = validation._date(value)
    return day.strftime("%d.%m.%Y") if day else "–"


# --- checklist ---------------------------------------------------------------------------------------------


@dataclass
class ChecklistItem:
    key: str
    label: str
    hint: str
    attention: bool = False  # the suggestion says: look closely


@dataclass
class Review:
    case: object
    kind: str
    values: dict
    checklist: list[ChecklistItem]
    permit_note: bool
    recipients: list[dict]
    business: Gewerbebetrieb | None
    duplicate: Gewerbebetrieb | None = None
    warnings: list[str] = field(default_factory=list)


def permit_note_needed(values: Mapping) -> bool:
    requirement = mapping.permit_requirement(values)
    if requirement["erlaubnis"] and values.get("erlaubnis") != "liegt_vor":
        return True
    if requirement["handwerk_a"] and values.get("handwerkskarte") != "liegt_vor":
        return True
    return values.get("erlaubnis") == "beantragt" or values.get("handwerkskarte") == "beantragt"


def checklist(case, kind: str, values: Mapping) -> list[ChecklistItem]:
    checks = {c["key"]: c for c in case.check_results or []}
    items = []
    vague = rules.is_too_vague(values.get("taetigkeit") or "")
    items.append(
        ChecklistItem(
            "taetigkeit",
            _(
                "Tätigkeit konkret beschrieben; es handelt sich um ein Gewerbe (kein freier Beruf, keine "
                "Urproduktion)"
            ),
            _("Automatisch: Beschreibung ist nicht pauschal.")
            if not vague
            else _("Beschreibung ist zu allgemein."),
            attention=vague,
        )
    )
    level = case.trust_level
    identity_hint = (
        _("Angemeldet mit Vertrauensniveau „%(level)s“ (Online-Ausweis bzw. gleichwertig).")
        % {"level": level}
        if level in ("substanziell", "hoch")
        else _("Kein Identitätsnachweis auf hohem Niveau – Ausweis prüfen.")
    )
    if case.on_behalf_of_id or case.acting.get("mandate_id"):
        identity_hint += " " + _("Eingereicht mit Vollmacht – Vollmacht prüfen.")
    if case.organisation_id:
        identity_hint += " " + _(
            "Eingereicht für eine Organisation – Vertretungsbefugnis (Registerauszug) prüfen."
        )
    items.append(ChecklistItem("identitaet", _("Identität und Vertretungsbefugnis geprüft"), identity_hint))
    if kind != "abmeldung":
        requirement = mapping.permit_requirement(values)
        parts = []
        if requirement["erlaubnis"]:
            parts.append(
                _("Erlaubnispflicht laut Vorschlagsliste: %(basis)s.") % {"basis": requirement["erlaubnis"]}
            )
        if requirement["handwerk_a"]:
            parts.append(_("Zulassungspflichtiges Handwerk (Anlage A HwO)."))
        if requirement["handwerk_b"]:
            parts.append(_("Zulassungsfreies bzw. handwerksähnliches Gewerbe (Anlage B HwO)."))
        parts.append(
            _("Erlaubnis: %(e)s; Handwerkskarte: %(h)s.")
            % {
                "e": dict(_NACHWEIS).get(values.get("erlaubnis"), "–"),
                "h": dict(_NACHWEIS).get(values.get("handwerkskarte"), "–"),
            }
        )
        if permit_note_needed(values):
            parts.append(
                _(
                    "Die Empfangsbescheinigung erhält einen Hinweis, dass die Tätigkeit erst nach Vorliegen "
                    "beginnen darf."
                )
            )
        items.append(
            ChecklistItem(
                "erlaubnis",
                _("Erlaubnispflicht und Eintragung in die Handwerksrolle geprüft"),
                " ".join(parts),
                attention=permit_note_needed(values),
            )
        )
        nationality = values.get("p1_staatsangehoerigkeit") or ""
        eu = codes.values("staatsangehoerigkeit").get(nationality, {}).get("eu", False)
        items.append(
            ChecklistItem(
                "aufenthaltstitel",
                _("Aufenthaltstitel geprüft (Staatsangehörige außerhalb von EU, EWR und Schweiz)"),
                _("Nicht nötig (EU, EWR oder Schweiz).")
                if eu
                else _("Nötig: Aufenthaltstitel %(state)s; erlaubt selbstständige Tätigkeit: %(self)s.")
                % {
                    "state": dict(_NACHWEIS).get(values.get("aufenthaltstitel"), "–"),
                    "self": _("ja") if values.get("at_selbststaendig") else _("nicht angegeben"),
                },
                attention=not eu,
            )
        )
    born = validation._date(values.get("p1_geburtsdatum"))
    if born and kind == "anmeldung":
        today = timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < 18:
            items.append(
                ChecklistItem(
                    "minderjaehrig",
                    _("Minderjährig: Genehmigung des Familiengerichts geprüft (§ 112 BGB)"),
                    _("Die anzeigende Person ist %(age)s Jahre alt.") % {"age": age},
                    attention=True,
                )
            )
    items.append(
        ChecklistItem(
            "zustaendigkeit",
            _("Örtlich zuständig (Betriebsstätte in dieser Gemeinde)"),
            _(
                "Postleitzahl der Betriebsstätte: %(plz)s; zuständig nach dem Zuständigkeitsfinder: "
                "%(authority)s."
            )
            % {"plz": values.get("betrieb_plz") or "–", "authority": case.authority.name},
        )
    )
    if kind == "anmeldung":
        duplicate = validation.active_duplicate(values)
        items.append(
            ChecklistItem(
                "doppelt",
                _("Keine doppelte Anmeldung"),
                _("Keine bestehende Anmeldung gefunden.")
                if duplicate is None
                else _("Für Betreiber und Anschrift besteht bereits die Anmeldung %(number)s.")
                % {"number": duplicate.number},
                attention=duplicate is not None
                or not checks.get("keine_doppelanmeldung", {}).get("passed", True),
            )
        )
    return items


_NACHWEIS = (
    ("nicht_erforderlich", "nicht erforderlich"),
    ("liegt_vor", "liegt vor"),
    ("beantragt", "beantragt"),
)


def _find_business(kind: str, values: Mapping, authority) -> Gewerbebetrieb | None:
    number = str(values.get("betriebs_nr") or "").strip().upper()
    if number:
        found = Gewerbebetrieb.objects.filter(number=number, authority=authority).first()
        if found is not None:
            return found
    keys = [validation.identity_key(values)]
    old = validation.parse_address(values.get("fruehere_anschrift") or "")
    if old:
        keys.append(
            validation.identity_key(
                {
                    **values,
                    "betrieb_strasse": f"{old['strasse']} {old['hausnummer']}",
                    "betrieb_plz": old["plz"],
                }
            )
        )
    return (
        Gewerbebetrieb.objects.filter(
            identity_key__in=keys, authority=authority, status=Gewerbebetrieb.Status.ACTIVE
        )
        .order_by("-opened_on")
        .first()
    )


def _recipients_preview(kind: str, values: Mapping, district: str) -> list[dict]:
    facts = mapping.merkmale(kind, values)
    rows = []
    for monthly in (False, True):
        for recipient_kind in routing.recipient_kinds(facts, monthly=monthly):
            rule = codes.recipient_rule(recipient_kind)
            recipient = exchange.recipient_for(recipient_kind, district)
            rows.append(
                {
                    "kind": recipient_kind,
                    "label": rule["label"],
                    "recipient": recipient,
                    "message_type": codes.message_type_for(recipient_kind)["element"],
                    "groups": [codes.groups()[g]["label"] for g in rule["gruppen"]],
                    "monthly": monthly,
                    "legal_basis": rule["rechtsgrundlage"],
                }
            )
    return rows


def open_for_review(case, staff_user, purpose: str = REVIEW_PURPOSE) -> Review:
    """Decrypt the notification for the case worker (audited, transparency record) and prepare the
    checklist."""
    kind = kind_of(case)
    opened = read_submission(case, staff_user, purpose)
    values = dict((opened["submission"] or {}).get("values") or {})
    for answer in opened["answers"]:  # answers to follow-up questions replace the original values
        values.update(answer.get("values") or {})
    ags = municipality_ags(case.authority, case)
    business = None if kind == "anmeldung" else _find_business(kind, values, case.authority)
    warnings = []
    if kind != "anmeldung" and business is None:
        warnings.append(
            _(
                "Der Betrieb ist nicht im Gewerberegister dieser Gemeinde; er wird mit dieser Anzeige "
                "aufgenommen."
            )
        )
    return Review(
        case=case,
        kind=kind,
        values=values,
        checklist=checklist(case, kind, values),
        permit_note=kind != "abmeldung" and permit_note_needed(values),
        recipients=_recipients_preview(kind, values, ags[:5]),
        business=business,
        duplicate=validation.active_duplicate(values) if kind == "anmeldung" else None,
        warnings=warnings,
    )


# --- messages --------------------------------------------------------------------------------------------


@dataclass
class _Outgoing:
    prepared: list
    recipients: list[dict]
    statistics_satz: str
    skipped: list[str]


def _prepare_messages(kind: str, meldung, authority, ags: str, facts) -> _Outgoing:
    """Build, sign and encrypt one message per recipient (outside the transaction), and the statistics
    record."""
    from amtsweg.cases import crypto

    prepared, recipients, skipped = [], [], []
    test = bool(getattr(settings, "DEMO", False) or getattr(settings, "TESTING", False))
    for recipient_kind in routing.recipient_kinds(facts):
        recipient = exchange.recipient_for(recipient_kind, ags[:5])
        if recipient is None:
            skipped.append(recipient_kind)
            logger.warning(
                "no recipient in the address book", extra={"kind": recipient_kind, "district": ags[:5]}
            )
            continue
        message_id = uuid.uuid4()
        xml, described = routing.message_for(
            recipient_kind,
            uuid=str(message_id),
            erstellt=timezone.now(),
            autor=mapping.behoerde(authority, ags),
            leser=mapping.leser(recipient),
            saetze=[meldung],
            test=test,
        )
        rule = codes.recipient_rule(recipient_kind)
        prepared.append(
            exchange.prepare(
                sender=authority,
                recipient=recipient,
                payload=xml,
                message_type=described["element"],
                field_groups=described["groups"],
                legal_basis=rule["rechtsgrundlage"],
                message_id=message_id,
            )
        )
        recipients.append({"kind": recipient_kind, "key": recipient.key, "name": recipient.name})
    fragment = builder.satz_fragment(meldung, routing.groups_for("statistik"))
    token = crypto.encrypt_for(crypto.active_key(authority), {"satz": fragment.decode("utf-8")})
    return _Outgoing(prepared, recipients, token, skipped)


def _queue(outgoing: _Outgoing, reference: str) -> None:
    days = int(getattr(settings, "GEWERBE_LOG_RETENTION_DAYS", 183))
    for item in outgoing.prepared:
        exchange.queue(item, reference=reference, log_retention_days=days)


# --- the receipt ------------------------------------------------------------------------------------------


def _receipt_data(case, kind, values, betrieb, recipients, note: str) -> dict:
    from amtsweg.payments.money import format_cents

    form = rules.legal_forms().get(values.get("rechtsform") or "", {})
    hints = []
    if kind != "abmeldung" and permit_note_needed(values):
        hints.append(
            _(
                "Für die angemeldete Tätigkeit ist nach unserer Prüfung eine Erlaubnis oder eine Eintragung "
                "in die "
                "Handwerksrolle nötig, die noch nicht vorliegt. Sie dürfen die Tätigkeit erst beginnen, "
                "wenn sie "
                "vorliegt."
            )
        )
    if note.strip():
        hints.append(note.strip()[:1000])
    place = f"{values.get('betrieb_plz') or ''} {values.get('betrieb_ort') or ''}"
    street_line = f"{values.get('betrieb_strasse') or ''}, {place}"
    return {
        "betreff": f"{KIND_LABELS[kind]} – {case.number}",
        "anrede": "Guten Tag,",
        "anzeige": KIND_LABELS[kind],
        "eingang": timezone.localtime(case.submitted_at).strftime("%d.%m.%Y"),
        "betriebs_nr": betrieb.number,
        "inhaber": _names(values) or "–",
        "rechtsform": form.get("label", "–"),
        "betrieb": mapping.business_name(values) or "–",
        "anschrift": street_line.strip(", ") or "–",
        "taetigkeit": str(values.get("taetigkeit") or "–")[:1000],
        "datum_label": DATE_LABELS[kind],
        "datum": _format_date(values.get(validation.DATE_FIELD[kind])),
        "hinweis": " ".join(hints) if hints else _("Keine."),
        "weitergabe": ", ".join(r["name"] for r in recipients) or "–",
        "gebuehr": format_cents(case.fee_cents),
    }


def issue_receipt(case, staff_user, *, confirmed: Iterable[str], note: str = "", expected_version=None):
    """The case worker issues the Empfangsbescheinigung; the register and the onward transmission follow in
    the
    same transaction. Raises CaseError (German) when a check is not confirmed, the fee is unpaid, the business
    is
    registered already, or the user may not act for the authority."""
    kind = kind_of(case)
    if not _staff_may_work(staff_user, case.authority):
        raise AccessDenied(_("Dieser Vorgang gehört nicht zu Ihrer Behörde."))
    if Gewerbemeldung.objects.filter(case=case).exists():
        raise CaseError(_("Für diese Anzeige wurde die Empfangsbescheinigung bereits ausgestellt."))
    if not isinstance(note, str) or len(note) > 1000:
        raise CaseError(_("Der Hinweis darf höchstens 1.000 Zeichen haben."))
    review = open_for_review(case, staff_user)
    confirmed = {str(c) for c in confirmed}
    missing = [item.label for item in review.checklist if item.key not in confirmed]
    if missing:
        raise CaseError(
            _("Bitte bestätigen Sie zuerst alle Prüfpunkte: %(items)s.") % {"items": "; ".join(missing)}
        )
    values = review.values
    authority = case.authority
    ags = municipality_ags(authority, case)
    today = timezone.localdate()
    effective = validation._date(values.get(validation.DATE_FIELD[kind])) or today
    betrieb = review.business
    if kind == "anmeldung" or betrieb is None:
        betrieb = Gewerbebetrieb(authority=authority, opened_on=effective)
    _update_business(betrieb, kind, values, case, ags, effective)
    satz_id = uuid.uuid4()
    meldung = mapping.meldung(
        kind,
        values,
        authority=authority,
        ags=ags,
        betrieb_id=str(betrieb.pk),
        satz_uuid=str(satz_id),
        meldung_nr=case.number,
        reported_on=timezone.localtime(case.submitted_at).date(),
    )
    outgoing = _prepare_messages(kind, meldung, authority, ags, mapping.merkmale(kind, values))
    data = _receipt_data(case, kind, values, betrieb, outgoing.recipients, note)
    summary = _("Empfangsbescheinigung ausgestellt.")
    try:
        with transaction.atomic():
            decide(
                case,
                staff_user,
                "acknowledged",
                data=data,
                summary=summary,
                expected_version=expected_version,
            )
            try:
                with transaction.atomic():
                    betrieb.save()
            except IntegrityError:
                raise CaseError(
                    _(
                        "Für diesen Betreiber ist an dieser Anschrift bereits ein Gewerbe angemeldet. Bitte "
                        "klären Sie "
                        "das mit der anzeigenden Person (z. B. Ummeldung statt Anmeldung)."
                    )
                ) from None
            record = Gewerbemeldung.objects.create(
                id=satz_id,
                kind=kind,
                case=case,
                betrieb=betrieb,
                authority=authority,
                meldung_nr=case.number,
                effective_on=effective,
                checklist={"confirmed": sorted(confirmed), "note": bool(note.strip())},
                permit_note=review.permit_note,
                issued_by=staff_user,
                recipients=outgoing.recipients,
                statistics_month=today.strftime("%Y-%m"),
                statistics_satz=outgoing.statistics_satz,
            )
            _queue(outgoing, case.reference)
            audit.append(
                "gewerbe_weitergabe",
                case=case,
                authority=authority,
                actor=staff_user,
                detail={
                    "betrieb": betrieb.number,
                    "empfaenger": [r["key"] for r in outgoing.recipients],
                    "ohne_adresse": outgoing.skipped,
                    "hinweis_erlaubnis": review.permit_note,
                },
            )
    except IntegrityError as exc:  # the same case receipted concurrently
        raise CaseError(_("Für diese Anzeige wurde die Empfangsbescheinigung bereits ausgestellt.")) from exc
    return record


def _update_business(betrieb: Gewerbebetrieb, kind: str, values: Mapping, case, ags: str, effective) -> None:
    form = values.get("rechtsform") or ""
    register = values.get("registerart") or "keine"
    betrieb.ags = ags
    betrieb.name = mapping.business_name(values)[:300] or betrieb.name or "–"
    betrieb.legal_form = form
    betrieb.register_type = "" if register == "keine" else register
    betrieb.register_court = str(values.get("registergericht") or "")[:200] if register != "keine" else ""
    betrieb.register_number = (
        rules.register_number(register, values.get("registernummer") or "") if register != "keine" else ""
    )
    betrieb.street = str(values.get("betrieb_strasse") or "")[:200]
    betrieb.postal_code = str(values.get("betrieb_plz") or "")[:5]
    betrieb.locality = str(values.get("betrieb_ort") or "")[:120]
    betrieb.activity = str(values.get("taetigkeit") or "")
    wz = values.get("wz")
    betrieb.wz = wz if wz and wz != "andere" else betrieb.wz
    betrieb.identity_key = validation.identity_key(values)
    betrieb.last_case = case
    if case is not None and betrieb.owner_user_id is None and betrieb.owner_organisation_id is None:
        if case.organisation_id:
            betrieb.owner_organisation_id = case.organisation_id
        else:
            betrieb.owner_user_id = case.on_behalf_of_id or case.applicant_id
    if kind == "abmeldung":
        betrieb.status = Gewerbebetrieb.Status.CLOSED
        betrieb.closed_on = effective
    else:
        betrieb.status = Gewerbebetrieb.Status.ACTIVE


# --- ex-officio deregistration ----------------------------------------------------------------------------


def deregister_ex_officio(
    betrieb: Gewerbebetrieb, staff_user, *, closed_on: dt.date, reason: str
) -> Gewerbemeldung:
    """§ 14 Abs. 1 Satz 3 GewO: the authority deregisters a business whose closure is certain."""
    from amtsweg.cases.models import Case

    if not _staff_may_work(staff_user, betrieb.authority):
        raise AccessDenied(_("Dieser Betrieb gehört nicht zu Ihrer Behörde."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise CaseError(_("Bitte begründen Sie die Abmeldung von Amts wegen (höchstens 1.000 Zeichen)."))
    if not isinstance(closed_on, dt.date) or closed_on > timezone.localdate():
        raise CaseError(_("Das Datum der Aufgabe darf nicht in der Zukunft liegen."))
    if closed_on < betrieb.opened_on:
        raise CaseError(_("Das Datum der Aufgabe liegt vor der Anmeldung des Betriebs."))
    if betrieb.status != Gewerbebetrieb.Status.ACTIVE:
        raise CaseError(_("Dieser Betrieb ist bereits abgemeldet."))
    values: dict = {}
    last = Case.objects.filter(pk=betrieb.last_case_id).first()
    if last is not None:
        try:
            opened = read_submission(last, staff_user, "Abmeldung von Amts wegen (§ 14 Abs. 1 Satz 3 GewO)")
            values = dict((opened["submission"] or {}).get("values") or {})
        except Exception:  # keys unavailable: the register data is enough for the messages
            logger.warning("ex officio: last submission not readable", extra={"betrieb": betrieb.number})
            values = {}
    values.update(
        {
            "rechtsform": betrieb.legal_form or values.get("rechtsform") or "einzel",
            "geschaeftsbezeichnung": betrieb.name,
            "betrieb_strasse": betrieb.street,
            "betrieb_plz": betrieb.postal_code,
            "betrieb_ort": betrieb.locality,
            "taetigkeit": betrieb.activity,
            "wz": betrieb.wz,
            "ende": closed_on.isoformat(),
        }
    )
    if not values.get("p1_familienname"):
        values["p1_familienname"] = betrieb.name
    authority = betrieb.authority
    ags = betrieb.ags or municipality_ags(authority)
    satz_id = uuid.uuid4()
    number = f"{authority.key.upper()}-AMT-{timezone.localdate():%Y%m%d}-{betrieb.number}"[:120]
    meldung = mapping.meldung(
        "abmeldung",
        values,
        authority=authority,
        ags=ags,
        betrieb_id=str(betrieb.pk),
        satz_uuid=str(satz_id),
        meldung_nr=number,
        reported_on=timezone.localdate(),
        ex_officio=True,
    )
    facts = mapping.merkmale("abmeldung", values)
    facts = routing.Merkmale(
        **{**facts.__dict__, "registereintrag": betrieb.register_type in ("HRA", "HRB", "GnR")}
    )
    outgoing = _prepare_messages("abmeldung", meldung, authority, ags, facts)
    with transaction.atomic():
        locked = Gewerbebetrieb.objects.select_for_update().get(pk=betrieb.pk)
        if locked.status != Gewerbebetrieb.Status.ACTIVE:
            raise CaseError(_("Dieser Betrieb ist bereits abgemeldet."))
        locked.status = Gewerbebetrieb.Status.CLOSED
        locked.closed_on = closed_on
        locked.closed_ex_officio = True
        locked.save(update_fields=["status", "closed_on", "closed_ex_officio", "updated_at"])
        record = Gewerbemeldung.objects.create(
            id=satz_id,
            kind="abmeldung",
            betrieb=locked,
            authority=authority,
            meldung_nr=number,
            effective_on=closed_on,
            ex_officio=True,
            checklist={"reason": True},
            issued_by=staff_user,
            recipients=outgoing.recipients,
            statistics_month=timezone.localdate().strftime("%Y-%m"),
            statistics_satz=outgoing.statistics_satz,
        )
        _queue(outgoing, record.reference)
        audit.append(
            "gewerbe_abmeldung_von_amts_wegen",
            authority=authority,
            actor=staff_user,
            detail={
                "betrieb": locked.number,
                "zum": closed_on.isoformat(),
                "empfaenger": [r["key"] for r in outgoing.recipients],
            },
        )
        _notify_operator(locked, authority, closed_on, reason)
    return record


def _notify_operator(betrieb, authority, closed_on, reason) -> None:
    from amtsweg.postbox.services import Recipient, send_message

    if betrieb.owner_user_id is None and betrieb.owner_organisation_id is None:
        return
    recipient = Recipient(
        name=betrieb.name[:60],
        address_lines=[betrieb.street[:60], f"{betrieb.postal_code} {betrieb.locality}"[:60]],
        user=betrieb.owner_user,
        organisation=betrieb.owner_organisation,
    )
    send_message(
        authority=authority,
        recipient=recipient,
        subject=_("Abmeldung Ihres Gewerbes von Amts wegen (%(number)s)") % {"number": betrieb.number},
        text=_(
            "Wir haben Ihr Gewerbe „%(name)s“ (Betriebs-Nr. %(number)s) zum %(day)s von Amts wegen "
            "abgemeldet "
            "(§ 14 Abs. 1 Satz 3 GewO).\n\nBegründung: %(reason)s\n\nWenn Ihr Betrieb weiter besteht, "
            "melden Sie "
            "sich bitte bei uns."
        )
        % {
            "name": betrieb.name,
            "number": betrieb.number,
            "day": closed_on.strftime("%d.%m.%Y"),
            "reason": reason,
        },
        reference=f"gewerbe:{betrieb.pk}",
    )


# --- monthly statistics ------------------------------------------------------------------------------------


def send_monthly_statistics(today: dt.date | None = None) -> int:
    """Send each municipality's records of every finished month to the statistics office (§ 14 Abs. 13 GewO),
    once: the records are marked in the transaction that queues the message. Returns the number of
    messages."""
    from amtsweg.cases import crypto

    today = today or timezone.localdate()
    current = today.strftime("%Y-%m")
    pending = (
        Gewerbemeldung.objects.filter(statistics_message__isnull=True, statistics_month__lt=current)
        .exclude(statistics_satz="")
        .select_related("authority")
        .order_by("authority_id", "statistics_month", "issued_at")
    )
    groups: dict[tuple, list[Gewerbemeldung]] = {}
    for record in pending:
        groups.setdefault((record.authority_id, record.statistics_month), []).append(record)
    sent = 0
    for (_authority_id, month), records in groups.items():
        authority = records[0].authority
        ags = records[0].betrieb.ags or municipality_ags(authority)
        recipient = exchange.recipient_for("statistik", ags[:5])
        if recipient is None:
            logger.warning("no statistics office in the address book", extra={"district": ags[:5]})
            continue
        fragments = [
            crypto.decrypt(authority.key, r.statistics_satz)["satz"].encode("utf-8") for r in records
        ]
        message_id = uuid.uuid4()
        xml, described = routing.message_for(
            "statistik",
            uuid=str(message_id),
            erstellt=timezone.now(),
            autor=mapping.behoerde(authority, ags),
            leser=mapping.leser(recipient),
            saetze=[],
            berichtszeitraum=month,
            test=bool(getattr(settings, "DEMO", False) or getattr(settings, "TESTING", False)),
            fragments=fragments,
        )
        prepared = exchange.prepare(
            sender=authority,
            recipient=recipient,
            payload=xml,
            message_type=described["element"],
            field_groups=described["groups"],
            legal_basis=codes.recipient_rule("statistik")["rechtsgrundlage"],
            message_id=message_id,
        )
        ids = [r.pk for r in records]
        with transaction.atomic():
            marked = Gewerbemeldung.objects.filter(pk__in=ids, statistics_message__isnull=True).update(
                statistics_message=message_id
            )
            if marked != len(ids):
                transaction.set_rollback(True)  # another worker sent this month meanwhile
                continue
            exchange.queue(
                prepared,
                reference=f"gewerbe-statistik:{authority.key}:{month}",
                log_retention_days=int(getattr(settings, "GEWERBE_LOG_RETENTION_DAYS", 183)),
            )
        sent += 1
    return sent


# --- citizens: my businesses, changes and moves -------------------------------------------------------------


def businesses_for(acting):
    return Gewerbebetrieb.objects.for_acting(acting).select_related("authority").order_by("status", "name")


def business_for(acting, business_id) -> Gewerbebetrieb:
    found = businesses_for(acting).filter(pk=business_id).first()
    if found is None:
        raise AccessDenied(_("Diesen Betrieb gibt es in Ihrem Konto nicht."))
    return found


def _base_values(betrieb: Gewerbebetrieb, user) -> dict:
    """Values to prefill: the citizen's copy of the last submission (kept 30 days), else the register
    entry."""
    from amtsweg.cases.models import Draft
    from amtsweg.cases.services import draft_values

    values: dict = {}
    if betrieb.last_case_id:
        copy = Draft.objects.filter(case_id=betrieb.last_case_id, owner=user).first()
        if copy is not None:
            values = {
                k: v
                for k, v in draft_values(copy).items()
                if not isinstance(v, list) or k in ("betriebsart", "gruende")
            }
    values.update(
        {
            "rechtsform": betrieb.legal_form or values.get("rechtsform"),
            "registerart": betrieb.register_type or values.get("registerart") or "keine",
            "registergericht": betrieb.register_court or values.get("registergericht", ""),
            "registernummer": betrieb.register_number or values.get("registernummer", ""),
            "betrieb_strasse": betrieb.street,
            "betrieb_plz": betrieb.postal_code,
            "betrieb_ort": betrieb.locality,
            "taetigkeit": betrieb.activity,
            "wz": betrieb.wz or values.get("wz") or "",
        }
    )
    for name in ("nachweise", "richtig", "grund", "gruende", "beginn", "ende", "datum_begruendung"):
        values.pop(name, None)
    return values


def _prefilled_draft(user, acting, kind: str, values: Mapping):
    from amtsweg.cases.services import draft_values, save_step_values, start_draft
    from amtsweg.procedures.registry import get

    procedure = get(KEYS[kind])
    draft = start_draft(user, procedure.key, acting)
    merged = {**draft_values(draft), **{k: v for k, v in values.items() if v not in (None, "")}}
    for index, step in enumerate(procedure.steps):
        cleaned = {f.name: merged[f.name] for f in step.fields if f.kind != "file" and f.name in merged}
        save_step_values(draft, index, cleaned, complete=True)
    draft.refresh_from_db()
    return draft


def start_change(user, acting, betrieb: Gewerbebetrieb, kind: str):
    """A prefilled Ummeldung or Abmeldung draft for one of the citizen's businesses."""
    if kind not in ("ummeldung", "abmeldung"):
        raise CaseError(_("Unbekannte Art der Anzeige."))
    if betrieb.status != Gewerbebetrieb.Status.ACTIVE:
        raise CaseError(_("Dieser Betrieb ist bereits abgemeldet."))
    values = _base_values(betrieb, user)
    values["betriebs_nr"] = betrieb.number
    return _prefilled_draft(user, acting, kind, values)


@dataclass
class MovePlan:
    betrieb: Gewerbebetrieb
    same_municipality: bool
    new_authority: object
    new_place: object = None


def plan_move(betrieb: Gewerbebetrieb, postal_code: str, place_id=None) -> MovePlan:
    from amtsweg.catalog.services import CatalogError, find_responsible

    try:
        result = find_responsible("gewerbe-anmelden", postal_code=postal_code, place_id=place_id)
    except CatalogError as exc:
        raise CaseError(exc.message, {"plz": [exc.message]}) from None
    if result.needs_choice:
        raise CaseError(
            _("Zu dieser Postleitzahl gehören mehrere Orte. Bitte wählen Sie den Ort aus."),
            {"ort_id": [c.as_dict() for c in result.candidates]},
        )
    if result.authority is None:
        raise CaseError(result.note or _("Für diesen Ort ist keine sächsische Gemeinde zuständig."))
    return MovePlan(betrieb, result.authority.pk == betrieb.authority_id, result.authority, result.place)


def start_move(
    user,
    acting,
    betrieb: Gewerbebetrieb,
    *,
    street: str,
    postal_code: str,
    locality: str,
    moved_on: dt.date,
    place_id=None,
):
    """Prepare the move. Within the municipality: one Ummeldung draft. Elsewhere: an Abmeldung draft at the
    old
    and an Anmeldung draft at the new municipality, tied together in a `Verlegung` (submitted in one go)."""
    if betrieb.status != Gewerbebetrieb.Status.ACTIVE:
        raise CaseError(_("Dieser Betrieb ist bereits abgemeldet."))
    if not str(street or "").strip() or not str(locality or "").strip():
        raise CaseError(_("Bitte geben Sie die neue Anschrift vollständig an."))
    if not isinstance(moved_on, dt.date):
        raise CaseError(_("Bitte geben Sie das Datum des Umzugs an."))
    plan = plan_move(betrieb, postal_code, place_id)
    old = f"{betrieb.street}, {betrieb.postal_code} {betrieb.locality}"
    new = f"{street.strip()}, {postal_code} {locality.strip()}"
    base = _base_values(betrieb, user)
    if plan.same_municipality:
        values = {
            **base,
            "betrieb_strasse": street.strip(),
            "betrieb_plz": postal_code,
            "betrieb_ort": locality.strip(),
            "fruehere_anschrift": old,
            "gruende": ["01"],
            "beginn": moved_on.isoformat(),
            "betriebs_nr": betrieb.number,
        }
        return plan, _prefilled_draft(user, acting, "ummeldung", values)
    closing = {
        **base,
        "grund": "02",
        "kuenftige_anschrift": new,
        "ende": moved_on.isoformat(),
        "betriebs_nr": betrieb.number,
    }
    opening = {
        **base,
        "betrieb_strasse": street.strip(),
        "betrieb_plz": postal_code,
        "betrieb_ort": locality.strip(),
        "fruehere_anschrift": old,
        "grund": "02",
        "beginn": moved_on.isoformat(),
    }
    with transaction.atomic():
        abmeldung = _prefilled_draft(user, acting, "abmeldung", closing)
        anmeldung = _prefilled_draft(user, acting, "anmeldung", opening)
        move = Verlegung.objects.create(
            user=user,
            betrieb=betrieb,
            anmeldung_draft=anmeldung.pk,
            abmeldung_draft=abmeldung.pk,
            new_authority=plan.new_authority,
            moved_on=moved_on,
        )
    return plan, move


SHARED_STEPS = ("inhaber", "person", "personen")


def move_drafts(move: Verlegung):
    from amtsweg.cases.models import Draft

    drafts = {d.pk: d for d in Draft.objects.filter(pk__in=[move.anmeldung_draft, move.abmeldung_draft])}
    return drafts.get(move.anmeldung_draft), drafts.get(move.abmeldung_draft)


def move_problems(move: Verlegung) -> dict[str, dict]:
    """Open problems of both drafts (after copying the shared steps from the Anmeldung into the Abmeldung)."""
    from amtsweg.cases.services import draft_values, review_errors
    from amtsweg.procedures.registry import get

    anmeldung, abmeldung = move_drafts(move)
    result = {}
    for kind, draft in (("anmeldung", anmeldung), ("abmeldung", abmeldung)):
        if draft is None or draft.status != draft.Status.OPEN:
            continue
        values = draft_values(draft)
        if kind == "abmeldung" and anmeldung is not None:
            values = {**values, **_shared_values(draft_values(anmeldung))}
        result[kind] = review_errors(get(KEYS[kind]), values)
    return result


def _shared_values(values: Mapping) -> dict:
    from amtsweg.procedures.registry import get

    procedure = get(KEYS["abmeldung"])
    names = {f.name for s in procedure.steps if s.key in SHARED_STEPS for f in s.fields}
    return {k: v for k, v in values.items() if k in names}


def submit_move(move: Verlegung, user, acting):
    """Submit the Abmeldung (old municipality) and the Anmeldung (new one) together. The person and operator
    data are entered once (in the Anmeldung) and copied. Idempotent per move: a repeat returns the same
    cases."""
    from amtsweg.cases.services import draft_values, save_step_values, submit
    from amtsweg.procedures.registry import get

    if move.user_id != user.pk:
        raise AccessDenied(_("Diese Verlegung gehört nicht zu Ihrem Konto."))
    if move.anmeldung_case_id and move.abmeldung_case_id:
        return move.abmeldung_case, move.anmeldung_case
    anmeldung, abmeldung = move_drafts(move)
    if anmeldung is None or abmeldung is None:
        raise CaseError(_("Die Entwürfe dieser Verlegung gibt es nicht mehr. Bitte beginnen Sie neu."))
    if abmeldung.status == abmeldung.Status.OPEN and anmeldung.status == anmeldung.Status.OPEN:
        shared = _shared_values(draft_values(anmeldung))
        procedure = get(KEYS["abmeldung"])
        for index, step in enumerate(procedure.steps):
            if step.key in SHARED_STEPS:
                save_step_values(
                    abmeldung, index, {f.name: shared.get(f.name) for f in step.fields if f.kind != "file"}
                )
    problems = move_problems(move)
    if any(problems.values()):
        raise CaseError(_("Bitte ergänzen Sie zuerst die markierten Angaben in beiden Anzeigen."))
    closing_case, _created = submit(abmeldung, user, acting, move.abmeldung_key)
    opening_case, _created = submit(anmeldung, user, acting, move.anmeldung_key)
    Verlegung.objects.filter(pk=move.pk).update(
        abmeldung_case=closing_case, anmeldung_case=opening_case, submitted_at=timezone.now()
    )
    move.refresh_from_db()
    return closing_case, opening_case
