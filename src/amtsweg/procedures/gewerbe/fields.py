"""The form steps of GewA 1 (Anmeldung), GewA 2 (Ummeldung) and GewA 3 (Abmeldung) as engine declarations.

Field numbers of the federal forms (GewAnzV Anlagen 1–3) are given in the help texts where they help; the
numbering follows domain.md § 1.2 (⚠ verify against the official form). Per-field checks live here as
validators;
rules across fields (legal form, persons, dates, register numbers) live in `validation.py`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from amtsweg.procedures.base import Field, Step, Upload
from amtsweg.procedures.gewerbe import rules
from amtsweg.xgewerbe import codes

EXTRA_PERSON_SLOTS = (2, 3, 4)
YES_NO = (("nein", _("nein")), ("ja", _("ja")))
NACHWEIS = (
    ("nicht_erforderlich", _("nicht erforderlich")),
    ("liegt_vor", _("liegt vor")),
    ("beantragt", _("beantragt")),
)
NIEDERLASSUNG = (
    ("1", _("Hauptniederlassung")),
    ("2", _("Zweigniederlassung")),
    ("3", _("Unselbstständige Zweigstelle")),
)
BETRIEBSART = (
    ("industrie", _("Industrie")),
    ("handwerk", _("Handwerk")),
    ("handel", _("Handel")),
    ("sonstiges", _("Sonstiges")),
)
UPLOADS = Upload(max_files=5, max_bytes=5 * 1024 * 1024, types=("pdf", "jpeg", "png"))


def not_vague(value) -> None:
    if rules.is_too_vague(value):
        raise ValidationError(
            _(
                "Bitte beschreiben Sie die Tätigkeit genau, zum Beispiel „Friseursalon“ oder „Einzelhandel "
                "mit "
                "Kinderbekleidung“. Angaben wie „alles“, „Waren aller Art“ oder nur „Dienstleistungen“ "
                "reichen "
                "nicht aus."
            )
        )


def saxon_postal_code(value) -> None:
    from amtsweg.regions.services import MalformedPostalCode, UnknownPostalCode, district_for_postal_code

    try:
        district_for_postal_code(value)
    except MalformedPostalCode:
        return  # the field's own check says how a postal code looks
    except UnknownPostalCode:
        raise ValidationError(
            _(
                "Die Postleitzahl %(plz)s liegt nicht in Sachsen. Ein Gewerbe zeigen Sie bei der Gemeinde "
                "an, in "
                "der Ihr Betrieb liegt – für Betriebe außerhalb Sachsens ist die dortige Gemeinde zuständig."
            )
            % {"plz": value}
        ) from None


def plausible_birth_date(value) -> None:
    today = dt.date.today()
    if value > today:
        raise ValidationError(_("Das Geburtsdatum liegt in der Zukunft."))
    if value < today.replace(year=today.year - 120):
        raise ValidationError(_("Bitte prüfen Sie das Geburtsdatum."))


def postal_code_any(value) -> None:
    import re

    if not re.fullmatch(r"[0-9A-Za-z -]{3,10}", value or ""):
        raise ValidationError(_("Bitte geben Sie eine gültige Postleitzahl an."))


def _gender():
    return codes.choices("geschlecht")


def _nationality():
    return codes.choices("staatsangehoerigkeit")


# --- steps --------------------------------------------------------------------------------------------------


def operator_step(kind_label: str) -> Step:
    return Step(
        "inhaber",
        _("Betriebsinhaber"),
        (
            Field("rechtsform", "choice", _("Rechtsform"), choices=rules.legal_form_choices()),
            Field(
                "eingetragener_name",
                "text",
                _("Im Register eingetragener Name mit Rechtsform"),
                help=_(
                    "Feld 1, nur bei Eintragung im Handels-, Genossenschafts-, Vereins- oder "
                    "Partnerschaftsregister."
                ),
                required=False,
                max_length=200,
            ),
            Field("registerart", "choice", _("Registerart"), choices=rules.register_choices()),
            Field(
                "registergericht", "text", _("Registergericht (Amtsgericht)"), required=False, max_length=120
            ),
            Field(
                "registernummer",
                "text",
                _("Registernummer"),
                help=_("Feld 2, z. B. HRB 12345."),
                required=False,
                max_length=20,
            ),
            Field(
                "in_gruendung",
                "boolean",
                _("Die Gesellschaft ist noch nicht im Register eingetragen (in Gründung)."),
                required=False,
            ),
            Field(
                "anzahl_personen",
                "integer",
                _("Zahl der geschäftsführenden Gesellschafter bzw. der gesetzlichen Vertreter"),
                help=_("Feld 12: nur bei Personengesellschaften und juristischen Personen."),
                required=False,
                min_value=1,
                max_value=500,
            ),
        ),
        help=kind_label,
    )


def person_step() -> Step:
    return Step(
        "person",
        _("Angaben zur Person"),
        (
            Field(
                "p1_funktion",
                "choice",
                _("Sie zeigen an als"),
                choices=rules.function_choices(),
                help=_(
                    "Bei einer GbR oder OHG meldet jede geschäftsführende Gesellschafterin und jeder "
                    "geschäftsführende Gesellschafter an; eine GmbH meldet durch ihre Geschäftsführung an."
                ),
            ),
            Field(
                "p1_familienname",
                "text",
                _("Familienname"),
                prefill="last_name",
                autocomplete="family-name",
                max_length=100,
            ),
            Field(
                "p1_vornamen",
                "text",
                _("Vornamen"),
                prefill="first_name",
                autocomplete="given-name",
                max_length=100,
            ),
            Field("p1_geburtsname", "text", _("Geburtsname"), required=False, max_length=100),
            Field("p1_geschlecht", "choice", _("Geschlecht"), choices=_gender()),
            Field(
                "p1_geburtsdatum",
                "date",
                _("Geburtsdatum"),
                prefill="birth_date",
                autocomplete="bday",
                validators=(plausible_birth_date,),
            ),
            Field("p1_geburtsort", "text", _("Geburtsort"), max_length=100),
            Field("p1_geburtsland", "text", _("Geburtsland"), max_length=100),
            Field("p1_staatsangehoerigkeit", "choice", _("Staatsangehörigkeit"), choices=_nationality()),
            Field(
                "p1_staatsangehoerigkeit_text",
                "text",
                _("Staatsangehörigkeit(en), wenn „andere“ oder mehrere"),
                required=False,
                max_length=100,
            ),
            Field(
                "p1_strasse",
                "text",
                _("Wohnanschrift: Straße und Hausnummer"),
                prefill="street_address",
                autocomplete="street-address",
                max_length=150,
            ),
            Field(
                "p1_plz",
                "text",
                _("Postleitzahl"),
                prefill="postal_code",
                autocomplete="postal-code",
                max_length=10,
                validators=(postal_code_any,),
            ),
            Field(
                "p1_ort", "text", _("Ort"), prefill="locality", autocomplete="address-level2", max_length=100
            ),
            Field("p1_telefon", "phone", _("Telefon"), required=False, autocomplete="tel"),
            Field("p1_email", "email", _("E-Mail"), required=False, prefill="email", autocomplete="email"),
        ),
        help=_("Felder 3 bis 11 des Formulars. Die Angaben beziehen sich auf die anzeigende Person."),
    )


def extra_persons_step() -> Step:
    fields = []
    for n in EXTRA_PERSON_SLOTS:
        fields += [
            Field(
                f"p{n}_funktion",
                "choice",
                format_lazy(_("Person {n}: Funktion"), n=n),
                required=False,
                choices=rules.function_choices(),
            ),
            Field(
                f"p{n}_familienname",
                "text",
                format_lazy(_("Person {n}: Familienname"), n=n),
                required=False,
                max_length=100,
            ),
            Field(
                f"p{n}_vornamen",
                "text",
                format_lazy(_("Person {n}: Vornamen"), n=n),
                required=False,
                max_length=100,
            ),
            Field(
                f"p{n}_geburtsdatum",
                "date",
                format_lazy(_("Person {n}: Geburtsdatum"), n=n),
                required=False,
                validators=(plausible_birth_date,),
            ),
            Field(
                f"p{n}_geschlecht",
                "choice",
                format_lazy(_("Person {n}: Geschlecht"), n=n),
                required=False,
                choices=_gender(),
            ),
            Field(
                f"p{n}_staatsangehoerigkeit",
                "choice",
                format_lazy(_("Person {n}: Staatsangehörigkeit"), n=n),
                required=False,
                choices=_nationality(),
            ),
            Field(
                f"p{n}_anschrift",
                "text",
                format_lazy(_("Person {n}: Wohnanschrift"), n=n),
                help=_("Straße Hausnummer, PLZ Ort"),
                required=False,
                max_length=200,
            ),
        ]
    fields.append(
        Field(
            "weitere_personen",
            "textarea",
            _("Weitere Personen (mehr als vier)"),
            help=_("Je Zeile: Familienname, Vornamen, Geburtsdatum (TT.MM.JJJJ), Funktion"),
            required=False,
            max_length=5000,
        )
    )
    return Step(
        "personen",
        _("Gesellschafter und Vertretung"),
        tuple(fields),
        help=_(
            "Bei GbR und OHG alle geschäftsführenden Gesellschafter, bei juristischen Personen die "
            "gesetzlichen "
            "Vertreter, bei Bedarf die Betriebsleitung. Bei einem Einzelunternehmen bleibt dieser Schritt "
            "leer."
        ),
    )


def business_step(*, closing: bool = False) -> Step:
    fields = [
        Field(
            "geschaeftsbezeichnung",
            "text",
            _("Geschäftsbezeichnung (Name des Betriebs)"),
            required=False,
            max_length=200,
        ),
        Field("betrieb_strasse", "text", _("Betriebsstätte: Straße und Hausnummer"), max_length=150),
        Field(
            "betrieb_plz",
            "postal_code",
            _("Betriebsstätte: Postleitzahl"),
            help=_("Bestimmt die zuständige Gemeinde. Die Betriebsstätte muss in Sachsen liegen."),
            validators=(saxon_postal_code,),
        ),
        Field("betrieb_ort", "text", _("Betriebsstätte: Ort"), max_length=100),
        Field("betrieb_telefon", "phone", _("Telefon des Betriebs"), required=False),
        Field("betrieb_email", "email", _("E-Mail des Betriebs"), required=False),
        Field("betrieb_web", "text", _("Internetseite"), required=False, max_length=200),
        Field("niederlassung", "choice", _("Die Anzeige wird erstattet für"), choices=NIEDERLASSUNG),
        Field(
            "hauptniederlassung",
            "text",
            _("Anschrift der Hauptniederlassung"),
            help=_(
                "Nur bei Zweigniederlassung oder unselbstständiger Zweigstelle: Straße Hausnummer, PLZ Ort"
            ),
            required=False,
            max_length=200,
        ),
        Field(
            "fruehere_anschrift",
            "text",
            _("Frühere Betriebsanschrift"),
            help=_("Straße Hausnummer, PLZ Ort – bei Verlegung des Betriebs"),
            required=False,
            max_length=200,
        ),
        Field("automaten", "boolean", _("Automatenaufstellungsgewerbe"), required=False),
        Field("reisegewerbe", "boolean", _("Reisegewerbe"), required=False),
    ]
    return Step(
        "betrieb",
        _("Betriebsstätte, die aufgegeben wird") if closing else _("Angaben zum Betrieb"),
        tuple(fields),
    )


def activity_step(*, date_name: str, date_label, staff_label) -> Step:
    return Step(
        "taetigkeit",
        _("Tätigkeit"),
        (
            Field(
                "wz",
                "choice",
                _("Schwerpunkt der Tätigkeit (Vorschlag)"),
                help=_("Hilft bei der Einordnung; Ihre eigene Beschreibung ist maßgeblich."),
                required=False,
                choices=rules.activity_choices(),
            ),
            Field(
                "taetigkeit",
                "textarea",
                _("Tätigkeit (genaue Beschreibung)"),
                help=_("So genau wie möglich, z. B. „Friseursalon für Damen und Herren“."),
                max_length=1000,
                validators=(not_vague,),
            ),
            Field(
                "weitere_taetigkeiten", "textarea", _("Weitere Tätigkeiten"), required=False, max_length=1000
            ),
            Field(
                "betriebsart",
                "multichoice",
                _("Art des Betriebs"),
                help=_("Mehrere Angaben sind möglich."),
                choices=BETRIEBSART,
            ),
            Field(
                "nebenerwerb",
                "choice",
                _("Wird die Tätigkeit (vorerst) im Nebenerwerb betrieben?"),
                choices=YES_NO,
            ),
            Field(date_name, "date", date_label),
            Field(
                "datum_begruendung",
                "textarea",
                _("Begründung, wenn das Datum mehr als drei Monate zurückliegt"),
                required=False,
                max_length=1000,
            ),
            Field(
                "vollzeit",
                "integer",
                format_lazy("{} – {}", staff_label, _("Vollzeit")),
                min_value=0,
                max_value=100000,
            ),
            Field(
                "teilzeit",
                "integer",
                format_lazy("{} – {}", staff_label, _("Teilzeit")),
                min_value=0,
                max_value=100000,
            ),
        ),
    )


def registration_reason_step() -> Step:
    grounds = tuple((code, item["label"]) for code, item in codes.values("grund_anmeldung").items())
    return Step(
        "anlass",
        _("Grund der Anmeldung"),
        (
            Field("grund", "choice", _("Grund der Anmeldung"), choices=grounds),
            Field(
                "frueherer_inhaber",
                "text",
                _("Name des früheren Gewerbetreibenden oder frühere Firma"),
                help=_("Bei Übernahme, Wechsel der Rechtsform oder Gesellschaftereintritt."),
                required=False,
                max_length=200,
            ),
        ),
    )


def change_reason_step() -> Step:
    grounds = tuple((code, item["label"]) for code, item in codes.values("grund_ummeldung").items())
    return Step(
        "anlass",
        _("Grund der Ummeldung"),
        (
            Field("gruende", "multichoice", _("Die Ummeldung erfolgt wegen"), choices=grounds),
            Field(
                "bisherige_taetigkeit",
                "textarea",
                _("Bisherige Tätigkeit"),
                help=_("Bei Wechsel, Ausdehnung oder Einschränkung der Tätigkeit."),
                required=False,
                max_length=1000,
            ),
            Field(
                "betriebs_nr",
                "text",
                _("Betriebs-Nr. (von der Empfangsbescheinigung, wenn bekannt)"),
                required=False,
                max_length=20,
            ),
        ),
    )


def closing_reason_step() -> Step:
    grounds = tuple(
        (code, item["label"]) for code, item in codes.values("grund_abmeldung").items() if code != "09"
    )
    causes = tuple((code, item["label"]) for code, item in codes.values("ursache_abmeldung").items())
    return Step(
        "anlass",
        _("Grund der Abmeldung"),
        (
            Field("grund", "choice", _("Grund der Abmeldung"), choices=grounds),
            Field(
                "ursache",
                "choice",
                _("Ursache der Aufgabe (für die Statistik, freiwillig)"),
                required=False,
                choices=causes,
            ),
            Field(
                "nachfolger",
                "text",
                _("Name des künftigen Gewerbetreibenden"),
                help=_("Bei Übergabe durch Erbfolge, Verkauf oder Verpachtung."),
                required=False,
                max_length=200,
            ),
            Field(
                "kuenftige_anschrift",
                "text",
                _("Künftige Betriebsanschrift"),
                help=_("Bei Verlegung in einen anderen Meldebezirk: Straße Hausnummer, PLZ Ort"),
                required=False,
                max_length=200,
            ),
            Field(
                "betriebs_nr",
                "text",
                _("Betriebs-Nr. (von der Empfangsbescheinigung, wenn bekannt)"),
                required=False,
                max_length=20,
            ),
        ),
    )


def permits_step() -> Step:
    return Step(
        "erlaubnisse",
        _("Erlaubnis, Handwerkskarte, Aufenthaltstitel"),
        (
            Field("erlaubnis", "choice", _("Erlaubnis für die Tätigkeit"), choices=NACHWEIS),
            Field("erlaubnis_datum", "date", _("Erlaubnis erteilt am"), required=False),
            Field(
                "erlaubnis_behoerde",
                "text",
                _("Erlaubnis erteilt von (Behörde)"),
                required=False,
                max_length=200,
            ),
            Field(
                "handwerkskarte",
                "choice",
                _("Handwerkskarte (Eintragung in die Handwerksrolle)"),
                choices=NACHWEIS,
            ),
            Field("hwk_datum", "date", _("Handwerkskarte ausgestellt am"), required=False),
            Field(
                "hwk_kammer",
                "text",
                _("Handwerkskarte ausgestellt von (Handwerkskammer)"),
                required=False,
                max_length=200,
            ),
            Field(
                "aufenthaltstitel",
                "choice",
                _("Aufenthaltstitel"),
                help=_("Nur für Staatsangehörige außerhalb von EU, EWR und Schweiz."),
                choices=NACHWEIS,
            ),
            Field("at_datum", "date", _("Aufenthaltstitel erteilt am"), required=False),
            Field(
                "at_behoerde",
                "text",
                _("Aufenthaltstitel erteilt von (Behörde)"),
                required=False,
                max_length=200,
            ),
            Field(
                "at_selbststaendig",
                "boolean",
                _("Der Aufenthaltstitel erlaubt eine selbstständige Tätigkeit."),
                required=False,
            ),
            Field(
                "nachweise",
                "file",
                _("Nachweise (freiwillig)"),
                help=_("Z. B. Erlaubnis, Handwerkskarte, Registerauszug oder Vollmacht; PDF, JPEG oder PNG."),
                required=False,
                upload=UPLOADS,
            ),
        ),
    )


def declaration_step() -> Step:
    return Step(
        "erklaerung",
        _("Erklärung"),
        (
            Field(
                "richtig",
                "boolean",
                _("Ich versichere, dass meine Angaben richtig und vollständig sind."),
            ),
        ),
    )
