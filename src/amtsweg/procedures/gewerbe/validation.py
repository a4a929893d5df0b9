"""Rules across fields of GewA 1–3 (legal form ↔ register ↔ persons, dates, permits, residence title,
duplicates,
moves). `clean(kind, data)` raises one ValidationError with German messages per field."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.procedures.gewerbe import rules
from amtsweg.procedures.gewerbe.fields import EXTRA_PERSON_SLOTS
from amtsweg.xgewerbe import codes

ANMELDUNG, UMMELDUNG, ABMELDUNG = "anmeldung", "ummeldung", "abmeldung"
DATE_FIELD = {ANMELDUNG: "beginn", UMMELDUNG: "beginn", ABMELDUNG: "ende"}
_ADDRESS = re.compile(
    r"^\s*(?P<street>.+?)\s+(?P<number>\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?)\s*,\s*"
    r"(?P<plz>\d{5})\s+(?P<city>.+?)\s*$"
)
_STREET = re.compile(r"^\s*(?P<street>.+?)\s+(?P<number>\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?)\s*$")


class Errors:
    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def split_street(text: str) -> tuple[str, str]:
    """ "Kammgasse 12a" -> ("Kammgasse", "12a"); without a number the whole text is the street."""
    match = _STREET.match(text or "")
    return (match["street"], match["number"].replace(" ", "")) if match else ((text or "").strip(), "")


def parse_address(text: str) -> dict | None:
    """ "Kammgasse 12, 09599 Bergstadt" -> parts, or None if it does not look like an address."""
    match = _ADDRESS.match(text or "")
    if not match:
        return None
    return {
        "strasse": match["street"],
        "hausnummer": match["number"].replace(" ", ""),
        "plz": match["plz"],
        "ort": match["city"],
    }


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def persons(data: Mapping) -> list[dict]:
    """The filing person and every filled extra slot (each with its slot number)."""
    found = [
        {
            "slot": 1,
            "funktion": data.get("p1_funktion") or "",
            "familienname": data.get("p1_familienname") or "",
            "vornamen": data.get("p1_vornamen") or "",
        }
    ]
    for n in EXTRA_PERSON_SLOTS:
        values = {k: data.get(f"p{n}_{k}") for k in ("funktion", "familienname", "vornamen", "geburtsdatum")}
        if any(values.values()) or data.get(f"p{n}_anschrift"):
            found.append({"slot": n, **{k: v or "" for k, v in values.items()}})
    return found


def extra_lines(data: Mapping) -> list[str]:
    return [line.strip() for line in str(data.get("weitere_personen") or "").splitlines() if line.strip()]


# --- identity of a business (duplicates) --------------------------------------------------------------------


def _norm_street(text: str) -> str:
    text = rules.normalise(text)
    text = re.sub(r"stra(ss|ß)e\b|str\b", "str", text)
    return re.sub(r"[^a-z0-9äöüß]", "", text)


def identity_key(data: Mapping) -> str:
    """A keyed hash of operator + premises (same operator at the same address = the same business)."""
    register = data.get("registerart") or "keine"
    if register != "keine" and data.get("registernummer"):
        operator = (
            f"R|{register}|{rules.register_number(register, data['registernummer'])}|"
            + rules.normalise(data.get("registergericht") or "")
        )
    else:
        operator = "P|{}|{}|{}".format(
            rules.normalise(data.get("p1_familienname") or ""),
            rules.normalise(data.get("p1_vornamen") or ""),
            data.get("p1_geburtsdatum") or "",
        )
    street, number = split_street(data.get("betrieb_strasse") or "")
    premises = f"{data.get('betrieb_plz') or ''}|{_norm_street(street)}|{rules.normalise(number)}"
    key = hashlib.sha256(("gewerbe-identitaet:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{operator}#{premises}".encode(), hashlib.sha256).hexdigest()


def active_duplicate(data: Mapping):
    from amtsweg.procedures.gewerbe.models import Gewerbebetrieb

    return Gewerbebetrieb.objects.filter(
        identity_key=identity_key(data), status=Gewerbebetrieb.Status.ACTIVE
    ).first()


# --- the rules ----------------------------------------------------------------------------------------------


def _check_register(data: Mapping, errors: Errors) -> None:
    form_key = data.get("rechtsform") or ""
    form = rules.legal_forms().get(form_key)
    if form is None:
        return
    register = data.get("registerart") or "keine"
    allowed = form["register"]
    names = " oder ".join(rules.registers()[r]["label"] for r in allowed) or _("keinem Register")
    if register != "keine" and register not in allowed:
        errors.add(
            "registerart",
            _(
                "Eine Gesellschaft in der Rechtsform „%(form)s“ wird in %(names)s eingetragen, nicht im "
                "„%(reg)s“."
            )
            % {"form": form["label"], "names": names, "reg": rules.registers()[register]["label"]},
        )
        return
    if register == "keine":
        if data.get("registernummer"):
            errors.add("registerart", _("Bitte wählen Sie die Registerart zu Ihrer Registernummer."))
        if form.get("register_pflicht") and not (form.get("gruendung_moeglich") and data.get("in_gruendung")):
            hint = (
                _(" Ist die Gesellschaft noch nicht eingetragen, kreuzen Sie „in Gründung“ an.")
                if form.get("gruendung_moeglich")
                else ""
            )
            errors.add(
                "registerart",
                _(
                    "Die Rechtsform „%(form)s“ setzt eine Eintragung im %(names)s voraus. Bitte geben Sie "
                    "Registerart, "
                    "Registergericht und Registernummer an."
                )
                % {"form": form["label"], "names": names}
                + hint,
            )
        return
    info = rules.registers()[register]
    number = str(data.get("registernummer") or "").strip()
    if not number:
        errors.add(
            "registernummer", _("Bitte geben Sie die Registernummer an (z. B. %s).") % info["beispiel"]
        )
    elif not rules.register_pattern(register).fullmatch(re.sub(r"\s+", " ", number)):
        errors.add(
            "registernummer",
            _("Die Registernummer passt nicht zur Registerart „%(reg)s“ (Beispiel: %(example)s).")
            % {"reg": register, "example": info["beispiel"]},
        )
    if not str(data.get("registergericht") or "").strip():
        errors.add(
            "registergericht", _("Bitte geben Sie das Registergericht an (z. B. Amtsgericht Chemnitz).")
        )
    if not str(data.get("eingetragener_name") or "").strip():
        errors.add("eingetragener_name", _("Bitte geben Sie den im Register eingetragenen Namen an."))


def _check_persons(data: Mapping, errors: Errors) -> None:
    form_key = data.get("rechtsform") or ""
    form = rules.legal_forms().get(form_key)
    if form is None:
        return
    functions = rules.functions()
    wanted = set(form["personen"])
    found = persons(data)
    for person in found[1:]:
        n = person["slot"]
        for key, label in (
            ("familienname", _("Familienname")),
            ("vornamen", _("Vornamen")),
            ("funktion", _("Funktion")),
        ):
            if not person[key]:
                errors.add(
                    f"p{n}_{key}",
                    _("Bitte ergänzen Sie bei Person %(n)s: %(what)s.") % {"n": n, "what": label},
                )
        if not person["geburtsdatum"]:
            errors.add(
                f"p{n}_geburtsdatum", _("Bitte ergänzen Sie bei Person %(n)s das Geburtsdatum.") % {"n": n}
            )
    allowed = wanted | {"betriebsleitung"}
    if found[0]["funktion"] and found[0]["funktion"] not in wanted and found[0]["funktion"] in allowed:
        errors.add(
            "p1_funktion",
            _("Die anzeigende Person muss bei der Rechtsform „%(form)s“ %(allowed)s sein.")
            % {
                "form": form["label"],
                "allowed": " oder ".join(functions[f]["label"] for f in sorted(wanted)),
            },
        )
    for person in found:
        if person["funktion"] and person["funktion"] not in allowed:
            errors.add(
                f"p{person['slot']}_funktion",
                _(
                    "Bei der Rechtsform „%(form)s“ ist die Funktion „%(function)s“ nicht möglich; möglich "
                    "ist: %(allowed)s."
                )
                % {
                    "form": form["label"],
                    "function": functions[person["funktion"]]["label"],
                    "allowed": ", ".join(functions[f]["label"] for f in sorted(wanted)),
                },
            )
    lines = extra_lines(data)
    for i, line in enumerate(lines, start=1):
        if len([part for part in line.split(",") if part.strip()]) < 3:
            errors.add(
                "weitere_personen",
                _(
                    "Zeile %(n)s: Bitte je Zeile Familienname, Vornamen und Geburtsdatum, durch Kommas "
                    "getrennt."
                )
                % {"n": i},
            )
    counted = sum(1 for p in found if p["funktion"] in wanted) + len(lines)
    minimum = int(form.get("mindestens", 1))
    if counted < minimum:
        label = functions[sorted(wanted)[0]]["label"]
        errors.add(
            "p2_familienname",
            _(
                "Bei der Rechtsform „%(form)s“ geben Sie bitte alle Personen mit der Funktion „%(label)s“ an "
                "(mindestens %(min)s)."
            )
            % {"form": form["label"], "label": label, "min": minimum},
        )
    if (
        form_key in ("einzel", "ek")
        and len(found) > 1
        and any(p["funktion"] != "betriebsleitung" for p in found[1:])
    ):
        errors.add(
            "p2_funktion",
            _("Bei einem Einzelunternehmen kann nur eine Betriebsleitung zusätzlich angegeben werden."),
        )
    declared = data.get("anzahl_personen")
    if form_key not in ("einzel", "ek"):
        if declared in (None, ""):
            errors.add(
                "anzahl_personen",
                _(
                    "Bitte geben Sie die Zahl der geschäftsführenden Gesellschafter bzw. gesetzlichen "
                    "Vertreter an."
                ),
            )
        elif form.get("alle_gesellschafter") and int(declared) != counted:
            errors.add(
                "anzahl_personen",
                _(
                    "Sie haben %(declared)s geschäftsführende Gesellschafter angegeben, aber %(counted)s "
                    "Personen "
                    "eingetragen. Bei einer %(form)s geben Sie bitte alle an."
                )
                % {"declared": declared, "counted": counted, "form": form["label"]},
            )
        elif not form.get("alle_gesellschafter") and int(declared) < counted:
            errors.add("anzahl_personen", _("Die Zahl ist kleiner als die Zahl der eingetragenen Vertreter."))


def _check_date(kind: str, data: Mapping, errors: Errors, today: dt.date) -> None:
    name = DATE_FIELD[kind]
    day = _date(data.get(name))
    if day is None:
        return
    max_past, max_future = rules.start_limits()
    if day < today - dt.timedelta(days=max_past) and not str(data.get("datum_begruendung") or "").strip():
        errors.add(
            name,
            _(
                "Das Datum liegt mehr als %(months)s Monate zurück. Die Anzeige ist gleichzeitig mit dem "
                "Ereignis zu "
                "erstatten (§ 14 Abs. 1 GewO); bitte begründen Sie die Verspätung im Feld „Begründung“."
            )
            % {"months": round(max_past / 30.5)},
        )
    if day > today + dt.timedelta(days=max_future):
        errors.add(
            name,
            _(
                "Das Datum liegt mehr als ein Jahr in der Zukunft (%(day)s). Bitte erstatten Sie die "
                "Anzeige näher am "
                "Termin."
            )
            % {"day": day.strftime("%d.%m.%Y")},
        )
    if day < dt.date(1900, 1, 1):
        errors.add(name, _("Bitte prüfen Sie das Datum."))


def _check_permits(data: Mapping, errors: Errors) -> None:
    for choice, date_field, issuer, what in (
        ("erlaubnis", "erlaubnis_datum", "erlaubnis_behoerde", _("der Erlaubnis")),
        ("handwerkskarte", "hwk_datum", "hwk_kammer", _("der Handwerkskarte")),
        ("aufenthaltstitel", "at_datum", "at_behoerde", _("des Aufenthaltstitels")),
    ):
        if data.get(choice) == "liegt_vor":
            if not data.get(date_field):
                errors.add(date_field, _("Bitte geben Sie das Datum %(what)s an.") % {"what": what})
            if not str(data.get(issuer) or "").strip():
                errors.add(issuer, _("Bitte geben Sie an, wer %(what)s ausgestellt hat.") % {"what": what})
    nationality = data.get("p1_staatsangehoerigkeit")
    if nationality == "999" and not str(data.get("p1_staatsangehoerigkeit_text") or "").strip():
        errors.add("p1_staatsangehoerigkeit_text", _("Bitte nennen Sie Ihre Staatsangehörigkeit."))
    info = codes.values("staatsangehoerigkeit").get(nationality or "", {})
    if (
        nationality
        and not info.get("eu", False)
        and data.get("aufenthaltstitel", "nicht_erforderlich") == "nicht_erforderlich"
    ):
        errors.add(
            "aufenthaltstitel",
            _(
                "Für Staatsangehörige außerhalb von EU, EWR und Schweiz ist ein Aufenthaltstitel nötig, der "
                "die "
                "selbstständige Tätigkeit erlaubt. Bitte machen Sie Angaben dazu."
            ),
        )


def _municipalities(postal_code: str) -> set[int]:
    from amtsweg.regions.services import places_for_postal_code

    try:
        return {place.pk for place in places_for_postal_code(postal_code)}
    except Exception:
        return set()


def clean(kind: str, data: Mapping, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    errors = Errors()
    _check_register(data, errors)
    _check_persons(data, errors)
    _check_date(kind, data, errors, today)
    if data.get("niederlassung") in ("2", "3") and not str(data.get("hauptniederlassung") or "").strip():
        errors.add("hauptniederlassung", _("Bitte geben Sie die Anschrift der Hauptniederlassung an."))
    for field in ("hauptniederlassung", "fruehere_anschrift", "kuenftige_anschrift"):
        if str(data.get(field) or "").strip() and parse_address(data[field]) is None:
            errors.add(field, _("Bitte schreiben Sie die Anschrift so: Straße Hausnummer, PLZ Ort."))
    if kind != ABMELDUNG:
        _check_permits(data, errors)
    if kind == ANMELDUNG:
        grund = data.get("grund")
        if grund in ("04", "05", "06", "07", "08") and not str(data.get("frueherer_inhaber") or "").strip():
            errors.add(
                "frueherer_inhaber",
                _("Bitte nennen Sie den früheren Gewerbetreibenden oder die frühere Firma."),
            )
        if grund == "02" and not str(data.get("fruehere_anschrift") or "").strip():
            errors.add("fruehere_anschrift", _("Bitte geben Sie die frühere Betriebsanschrift an."))
        if not errors.by_field and data.get("betrieb_strasse") and data.get("betrieb_plz"):
            duplicate = active_duplicate(data)
            if duplicate is not None:
                errors.add(
                    "betrieb_strasse",
                    _(
                        "Für diesen Betrieb ist an dieser Anschrift bereits ein Gewerbe angemeldet "
                        "(Betriebs-Nr. "
                        "%(number)s). Eine zweite Anmeldung ist nicht möglich – für Änderungen nutzen Sie "
                        "bitte die "
                        "Gewerbeummeldung."
                    )
                    % {"number": duplicate.number},
                )
    if kind == UMMELDUNG:
        reasons = set(data.get("gruende") or [])
        if "01" in reasons:
            old = parse_address(data.get("fruehere_anschrift") or "")
            if not str(data.get("fruehere_anschrift") or "").strip():
                errors.add("fruehere_anschrift", _("Bitte geben Sie die bisherige Betriebsanschrift an."))
            elif old and data.get("betrieb_plz"):
                before, after = _municipalities(old["plz"]), _municipalities(data["betrieb_plz"])
                if before and after and not (before & after):
                    errors.add(
                        "betrieb_plz",
                        _(
                            "Der Betrieb zieht in eine andere Gemeinde. Dann melden Sie ihn bei der "
                            "bisherigen Gemeinde "
                            "ab und bei der neuen an – nutzen Sie dafür „Betrieb verlegen“."
                        ),
                    )
        if reasons & {"02", "04", "05"} and not str(data.get("bisherige_taetigkeit") or "").strip():
            errors.add("bisherige_taetigkeit", _("Bitte beschreiben Sie die bisherige Tätigkeit."))
    if kind == ABMELDUNG:
        grund = data.get("grund")
        if grund == "02" and not str(data.get("kuenftige_anschrift") or "").strip():
            errors.add("kuenftige_anschrift", _("Bitte geben Sie die künftige Betriebsanschrift an."))
        if grund in ("06", "07", "08") and not str(data.get("nachfolger") or "").strip():
            errors.add("nachfolger", _("Bitte nennen Sie den künftigen Gewerbetreibenden."))
    errors.raise_if_any()
