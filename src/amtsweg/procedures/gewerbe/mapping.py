"""From a submission's values (the engine's JSON form) to XGewerbeanzeige data, the facts for the recipient
rules, and the lines of the Empfangsbescheinigung."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone

from amtsweg.procedures.gewerbe import rules
from amtsweg.procedures.gewerbe.fields import EXTRA_PERSON_SLOTS
from amtsweg.procedures.gewerbe.validation import (
    ABMELDUNG,
    ANMELDUNG,
    DATE_FIELD,
    UMMELDUNG,
    _date,
    extra_lines,
    parse_address,
    split_street,
)
from amtsweg.xgewerbe import model as x
from amtsweg.xgewerbe.routing import Merkmale

NACHWEIS_STATUS = {"liegt_vor": "1", "beantragt": "2", "nicht_erforderlich": "3"}
AGS_LIST = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags"


def _anschrift_from_text(text: str) -> x.Anschrift | None:
    parts = parse_address(text or "")
    if parts is None:
        return x.Anschrift(strasse=text.strip()) if str(text or "").strip() else None
    return x.Anschrift(
        strasse=parts["strasse"], hausnummer=parts["hausnummer"], plz=parts["plz"], ort=parts["ort"]
    )


def _contacts(phone: str = "", email: str = "", web: str = "") -> list[x.Erreichbarkeit]:
    items = []
    if email:
        items.append(x.Erreichbarkeit(x.KANAL_EMAIL, email))
    if phone:
        items.append(x.Erreichbarkeit(x.KANAL_TELEFON, phone))
    if web:
        items.append(x.Erreichbarkeit(x.KANAL_WEB, web))
    return items


def _nachweis(values: Mapping, choice: str, date_field: str, issuer: str) -> x.Nachweis | None:
    status = values.get(choice)
    if not status:
        return None
    return x.Nachweis(
        status=NACHWEIS_STATUS[status],
        ausgestellt_am=_date(values.get(date_field)) if status == "liegt_vor" else None,
        aussteller_name=str(values.get(issuer) or "") if status == "liegt_vor" else "",
    )


def _function_code(key: str) -> str:
    return rules.functions().get(key or "", {}).get("code", "1")


def persons(values: Mapping, kind: str) -> list[x.Person]:
    street, number = split_street(values.get("p1_strasse") or "")
    nationalities = [values["p1_staatsangehoerigkeit"]] if values.get("p1_staatsangehoerigkeit") else []
    first = x.Person(
        funktion=_function_code(values.get("p1_funktion")),
        familienname=values.get("p1_familienname") or "",
        vornamen=values.get("p1_vornamen") or "",
        geschlecht=values.get("p1_geschlecht") or "",
        geburtsname=values.get("p1_geburtsname") or "",
        geburtsdatum=_date(values.get("p1_geburtsdatum")),
        geburtsort=values.get("p1_geburtsort") or "",
        geburtsland=values.get("p1_geburtsland") or "",
        staatsangehoerigkeiten=nationalities,
        anschrift=x.Anschrift(
            strasse=street, hausnummer=number, plz=values.get("p1_plz") or "", ort=values.get("p1_ort") or ""
        ),
        erreichbarkeiten=_contacts(values.get("p1_telefon") or "", values.get("p1_email") or ""),
        aufenthaltstitel=(
            _nachweis(values, "aufenthaltstitel", "at_datum", "at_behoerde")
            if kind != ABMELDUNG and values.get("aufenthaltstitel") in ("liegt_vor", "beantragt")
            else None
        ),
    )
    result = [first]
    for n in EXTRA_PERSON_SLOTS:
        if not values.get(f"p{n}_familienname"):
            continue
        result.append(
            x.Person(
                funktion=_function_code(values.get(f"p{n}_funktion")),
                familienname=values.get(f"p{n}_familienname") or "",
                vornamen=values.get(f"p{n}_vornamen") or "",
                geschlecht=values.get(f"p{n}_geschlecht") or "",
                geburtsdatum=_date(values.get(f"p{n}_geburtsdatum")),
                staatsangehoerigkeiten=[values[f"p{n}_staatsangehoerigkeit"]]
                if values.get(f"p{n}_staatsangehoerigkeit")
                else [],
                anschrift=_anschrift_from_text(values.get(f"p{n}_anschrift") or ""),
            )
        )
    for line in extra_lines(values):
        parts = [p.strip() for p in line.split(",")]
        born = None
        if len(parts) > 2:
            try:
                born = dt.datetime.strptime(parts[2], "%d.%m.%Y").date()
            except ValueError:
                born = None
        function = next(
            (
                k
                for k, f in rules.functions().items()
                if len(parts) > 3 and parts[3].lower() in f["label"].lower()
            ),
            "",
        )
        result.append(
            x.Person(
                funktion=_function_code(function or "gesellschafter"),
                familienname=parts[0],
                vornamen=parts[1] if len(parts) > 1 else "",
                geburtsdatum=born,
            )
        )
    return result


def business_name(values: Mapping) -> str:
    name = values.get("geschaeftsbezeichnung") or values.get("eingetragener_name")
    if name:
        return str(name)
    return f"{values.get('p1_vornamen') or ''} {values.get('p1_familienname') or ''}".strip()


def gewerbe(values: Mapping, kind: str) -> x.Gewerbe:
    form = rules.legal_forms().get(values.get("rechtsform") or "", {})
    register = values.get("registerart") or "keine"
    registered = register != "keine"
    art = set(values.get("betriebsart") or [])
    street, number = split_street(values.get("betrieb_strasse") or "")
    craft = _nachweis(values, "handwerkskarte", "hwk_datum", "hwk_kammer") if kind != ABMELDUNG else None
    if craft is not None and values.get("handwerkskarte") == "liegt_vor":
        craft.aussteller_ort = str(values.get("hwk_kammer") or "")
        craft.aussteller_name = ""
    return x.Gewerbe(
        betrieb=x.Betrieb(
            rechtsform=form.get("code", "180"),
            eingetragener_name=(values.get("eingetragener_name") or "") if registered else "",
            geschaeftsbezeichnung=values.get("geschaeftsbezeichnung") or "",
            eintragung_nr=rules.register_number(register, values.get("registernummer") or "")
            if registered
            else "",
            eintragung_ort=(values.get("registergericht") or "") if registered else "",
            eintragung_art=rules.registers().get(register, {}).get("code", "") if registered else "",
        ),
        anschrift=x.Anschrift(
            strasse=street,
            hausnummer=number,
            plz=values.get("betrieb_plz") or "",
            ort=values.get("betrieb_ort") or "",
        ),
        personen=persons(values, kind),
        vollzeit=values.get("vollzeit"),
        teilzeit=values.get("teilzeit"),
        industrie="industrie" in art,
        handwerk="handwerk" in art,
        handel="handel" in art,
        sonstiges="sonstiges" in art,
        niederlassung=values.get("niederlassung") or "1",
        reisegewerbe=bool(values.get("reisegewerbe")),
        nebenerwerb=values.get("nebenerwerb") == "ja",
        handwerkskarte=craft,
        erlaubnis=(
            _nachweis(values, "erlaubnis", "erlaubnis_datum", "erlaubnis_behoerde")
            if kind != ABMELDUNG and values.get("erlaubnis") in ("liegt_vor", "beantragt")
            else None
        ),
        erreichbarkeiten=_contacts(
            values.get("betrieb_telefon") or "",
            values.get("betrieb_email") or "",
            values.get("betrieb_web") or "",
        ),
        hauptniederlassung=_anschrift_from_text(values.get("hauptniederlassung") or "")
        if values.get("niederlassung") in ("2", "3")
        else None,
        fruehere_anschrift=_anschrift_from_text(values.get("fruehere_anschrift") or ""),
    )


def taetigkeit(values: Mapping, kind: str) -> x.Taetigkeit:
    wz = values.get("wz") if values.get("wz") not in (None, "", "andere") else ""
    info = rules.activity(wz) or {}
    reasons = set(values.get("gruende") or [])
    return x.Taetigkeit(
        schwerpunkt=str(values.get("taetigkeit") or "").strip(),
        schluessel=wz,
        stichwort=info.get("stichwort", ""),
        neu_ausgeuebt=(bool(reasons & {"02", "04"}) if kind == UMMELDUNG else None),
        weitere=[
            line.strip()
            for line in str(values.get("weitere_taetigkeiten") or "").splitlines()
            if line.strip()
        ],
    )


def behoerde(authority, ags: str) -> x.Behoerde:
    """The municipality as author: DVDV prefix MELDID + AGS, as in the standard's instances."""
    office = None
    try:
        from amtsweg.directory.services import main_office

        office = main_office(authority)
    except Exception:
        office = None
    address = None
    if office is not None and office.street:
        street, number = split_street(office.street)
        address = x.Anschrift(
            strasse=street, hausnummer=number, plz=office.postal_code or "", ort=office.city or ""
        )
    contacts = _contacts(authority.phone or "", authority.email or "")
    return x.Behoerde(
        praefix="MELDID",
        kennung=ags,
        kennung_liste=AGS_LIST,
        kennung_version="2018-01-31",
        name=authority.name,
        anschrift=address,
        erreichbarkeiten=contacts,
    )


def leser(recipient) -> x.Behoerde:
    address = None
    if recipient.street or recipient.city:
        street, number = split_street(recipient.street or "")
        address = x.Anschrift(
            strasse=street, hausnummer=number, plz=recipient.postal_code or "", ort=recipient.city or ""
        )
    return x.Behoerde(
        praefix=recipient.dvdv_prefix,
        kennung=recipient.dvdv_key,
        kennung_liste=recipient.dvdv_list,
        kennung_version="2018-10-11" if recipient.dvdv_list else "",
        name=recipient.name,
        anschrift=address,
        erreichbarkeiten=_contacts(email=recipient.email or ""),
    )


def meldung(
    kind: str,
    values: Mapping,
    *,
    authority,
    ags: str,
    betrieb_id: str,
    satz_uuid: str,
    meldung_nr: str,
    reported_on: dt.date,
    now: dt.datetime | None = None,
    ex_officio: bool = False,
) -> x.Meldung:
    now = now or timezone.now()
    effective = _date(values.get(DATE_FIELD[kind])) or reported_on
    result = x.Meldung(
        art=kind,
        autor=behoerde(authority, ags),
        gemeinde_schluessel=ags,
        gemeinde_meldung_nr=meldung_nr,
        gewerbebetrieb_id=betrieb_id,
        uuid=satz_uuid,
        gewerbe=gewerbe(values, kind),
        taetigkeit=taetigkeit(values, kind),
        gueltig_ab=effective,
        satz_erstellung=now,
        ereigniszeitpunkt=now,
        datum_meldung=reported_on,
    )
    if kind == ANMELDUNG:
        result.grund = values.get("grund") or "01"
        result.frueherer_inhaber = values.get("frueherer_inhaber") or ""
    elif kind == UMMELDUNG:
        result.gruende_ummeldung = sorted(values.get("gruende") or ["01"])
    else:
        result.grund = "09" if ex_officio else (values.get("grund") or "01")
        result.ursache = values.get("ursache") or ""
        result.kuenftig_name = values.get("nachfolger") or ""
        result.kuenftig_anschrift = _anschrift_from_text(values.get("kuenftige_anschrift") or "")
    return result


def merkmale(kind: str, values: Mapping) -> Merkmale:
    art = set(values.get("betriebsart") or [])
    wz = values.get("wz") if values.get("wz") not in (None, "", "andere") else ""
    info = rules.activity(wz) or {}
    register = values.get("registerart") or "keine"
    return Merkmale(
        art=kind,
        industrie="industrie" in art,
        handwerk="handwerk" in art or bool(info.get("handwerk")),
        handel="handel" in art,
        sonstiges="sonstiges" in art,
        handwerkskarte=values.get("handwerkskarte") in ("liegt_vor", "beantragt"),
        wz=wz,
        lebensmittel=bool(info.get("lebensmittel")),
        eichrelevant=bool(info.get("eichrelevant")),
        registereintrag=register in ("HRA", "HRB", "GnR"),
    )


def permit_requirement(values: Mapping) -> dict:
    """What the activity list says about permits and the craft register (suggestions for the case worker)."""
    wz = values.get("wz") if values.get("wz") not in (None, "", "andere") else ""
    info = rules.activity(wz) or {}
    return {
        "erlaubnis": info.get("erlaubnis", ""),
        "handwerk_a": info.get("handwerk") == "A",
        "handwerk_b": info.get("handwerk") == "B",
    }
