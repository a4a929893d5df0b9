"""The drilling notification (Bohranzeige) as a plugin of the case engine.

One notification reaches every competent authority (domain notes § 2): the geological service of the LfULG
always (lead, § 8 GeolDG), the lower water authority of the district where the drilling lies (§ 49 WHG, § 41
SächsWG) and the Sächsisches Oberbergamt for drillings deeper than 100 m or in a known cavity area (§ 127
BBergG). Each works its own part. The results (§ 9 GeolDG) follow as a follow-up within three months after the
planned end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.procedures.base import CheckResult, Deadline, Field, FollowUp, Procedure, Route, Step, Upload
from amtsweg.procedures.bohrung import geo, layers
from amtsweg.procedures.registry import register

KEY = "bohranzeige"
GEOLOGY, WATER, MINING = "Geologie", "Wasserrecht", "Bergbau"
GEOLOGY_DAYS = 14  # § 8 GeolDG: at least two weeks before the start
MINING_DEPTH_M = 100  # § 127 BBergG
RESULTS_DAYS = 92  # § 9 GeolDG: three months after completion
DOCS = Upload(max_files=5, max_bytes=10 * 1024 * 1024, types=("pdf", "jpeg", "png"))

PURPOSES = (
    ("erdwaermesonde", gettext_lazy("Erdwärmesonde")),
    ("brunnen", gettext_lazy("Brunnen")),
    ("messstelle", gettext_lazy("Grundwassermessstelle")),
    ("baugrund", gettext_lazy("Baugrunduntersuchung")),
    ("erkundung", gettext_lazy("Erkundung (Rohstoffe, Geologie)")),
    ("altlast", gettext_lazy("Altlastenerkundung")),
)
METHODS = (
    ("spuel", gettext_lazy("Spülbohrung (direkt oder indirekt)")),
    ("imloch", gettext_lazy("Imlochhammer (Druckluft)")),
    ("kern", gettext_lazy("Kernbohrung")),
    ("rammkern", gettext_lazy("Rammkernsondierung")),
    ("sonstige", gettext_lazy("anderes Verfahren")),
)
YES_NO_UNKNOWN = (
    ("ja", gettext_lazy("ja")),
    ("nein", gettext_lazy("nein")),
    ("unbekannt", gettext_lazy("unbekannt")),
)


def add_month(day: dt.date) -> dt.date:
    """The same day one month later (the last day of the month where that day does not exist)."""
    import calendar

    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def lead_time_warnings(start: dt.date, today: dt.date | None = None) -> list[str]:
    """The notice periods a planned start does not keep (empty when it keeps all)."""
    today = today or timezone.localdate()
    warnings = []
    if start < today + dt.timedelta(days=GEOLOGY_DAYS):
        warnings.append(
            _(
                "Der Beginn liegt weniger als zwei Wochen in der Zukunft. Das LfULG muss die Anzeige "
                "mindestens "
                "zwei Wochen vor Beginn erhalten (§ 8 GeolDG)."
            )
        )
    if start < add_month(today):
        warnings.append(
            _(
                "Der Beginn liegt weniger als einen Monat in der Zukunft. Die untere Wasserbehörde kann die "
                "Bohrung innerhalb eines Monats nach Eingang der Anzeige untersagen oder Auflagen "
                "machen (§ 49 "
                "WHG); bis dahin beginnen Sie auf eigenes Risiko."
            )
        )
    return warnings


@register
class Bohranzeige(Procedure):
    key = KEY
    service_key = "bohranzeige"
    title = gettext_lazy("Bohrung anzeigen (Bohranzeige)")
    intro = gettext_lazy(
        "Mit einer Anzeige erreichen Sie alle zuständigen Stellen: den Geologischen Dienst des "
        "LfULG, die untere "
        "Wasserbehörde des Kreises, in dem gebohrt wird, und bei Bohrungen tiefer als 100 Meter oder in "
        "Gebieten mit altem Bergbau das Sächsische Oberbergamt. Zeigen Sie die Bohrung mindestens "
        "einen Monat "
        "vor Beginn an. Nach der Bohrung reichen Sie die Ergebnisse innerhalb von drei Monaten nach."
    )
    trust_level = "substanziell"
    filers = frozenset({"person", "organisation", "on_behalf"})
    processing_days = 10
    retention_years = 30
    decision_templates = {
        "granted": "bescheid",
        "partly_granted": "bescheid",
        "rejected": "bescheid",
        "acknowledged": "bescheid",
    }
    step_templates = {"lage": "bohrung/_map_field.html"}
    steps = (
        Step(
            "beteiligte",
            gettext_lazy("Beteiligte"),
            (
                Field(
                    "anzeigender_name",
                    "text",
                    gettext_lazy("Anzeigende Person oder Firma"),
                    prefill="full_name",
                ),
                Field(
                    "anzeigender_anschrift",
                    "text",
                    gettext_lazy("Anschrift der Anzeigenden"),
                    help=gettext_lazy("Straße, Hausnummer, Postleitzahl, Ort"),
                ),
                Field("anzeigender_email", "email", gettext_lazy("E-Mail für Rückfragen"), prefill="email"),
                Field(
                    "auftraggeber_name",
                    "text",
                    gettext_lazy("Auftraggeberin oder Auftraggeber"),
                    help=gettext_lazy("Für wen gebohrt wird, z. B. die Grundstückseigentümerin."),
                ),
                Field(
                    "auftraggeber_anschrift",
                    "text",
                    gettext_lazy("Anschrift der Auftraggeberin oder des Auftraggebers"),
                ),
                Field("bohrfirma_name", "text", gettext_lazy("Bohrunternehmen")),
                Field(
                    "bohrfirma_kontakt",
                    "text",
                    gettext_lazy("Ansprechperson und Telefon des Bohrunternehmens"),
                ),
                Field(
                    "bohrfirma_zertifikat",
                    "text",
                    gettext_lazy("Zertifizierung (z. B. DVGW W 120)"),
                    required=False,
                ),
            ),
        ),
        Step(
            "bohrung",
            gettext_lazy("Bohrung"),
            (
                Field(
                    "bezeichnung",
                    "text",
                    gettext_lazy("Bezeichnung der Bohrung(en)"),
                    help=gettext_lazy("Zum Beispiel „EWS 1–3“. Bei mehreren Bohrungen alle Namen."),
                ),
                Field("anzahl", "integer", gettext_lazy("Anzahl der Bohrungen"), min_value=1, max_value=500),
                Field("zweck", "choice", gettext_lazy("Zweck"), choices=PURPOSES),
                Field("verfahren", "choice", gettext_lazy("Bohrverfahren"), choices=METHODS),
                Field("beginn", "date", gettext_lazy("Geplanter Beginn")),
                Field("ende", "date", gettext_lazy("Geplantes Ende")),
                Field(
                    "frist_bestaetigt",
                    "boolean",
                    gettext_lazy(
                        "Mir ist bekannt, dass der Beginn die Anzeigefristen (zwei Wochen LfULG, ein Monat "
                        "Wasserbehörde) nicht einhält."
                    ),
                    required=False,
                    help=gettext_lazy("Nur nötig, wenn der Beginn weniger als einen Monat entfernt ist."),
                ),
            ),
        ),
        Step(
            "lage",
            gettext_lazy("Lage"),
            (
                Field("koord_system", "choice", gettext_lazy("Koordinatensystem"), choices=geo.CRS_CHOICES),
                Field(
                    "koord_ost",
                    "text",
                    gettext_lazy("Rechtswert (Ost) oder geografische Länge"),
                    max_length=30,
                    help=gettext_lazy("WGS 84: Länge in Grad, z. B. 13,3428. UTM: Ostwert, z. B. 383498."),
                ),
                Field(
                    "koord_nord",
                    "text",
                    gettext_lazy("Hochwert (Nord) oder geografische Breite"),
                    max_length=30,
                    help=gettext_lazy("WGS 84: Breite in Grad, z. B. 50,9119. UTM: Nordwert, z. B. 5641336."),
                ),
                Field("gemarkung", "text", gettext_lazy("Gemarkung"), required=False, max_length=100),
                Field("flurstueck", "text", gettext_lazy("Flurstück"), required=False, max_length=60),
                Field("standort_adresse", "text", gettext_lazy("Anschrift des Bohrorts"), required=False),
                Field(
                    "ansatzhoehe",
                    "decimal",
                    gettext_lazy("Ansatzhöhe (m über NHN)"),
                    min_value=0,
                    max_value=1300,
                    help=gettext_lazy("Höhe des Bohransatzpunkts, in Sachsen etwa 70 bis 1215 m."),
                ),
            ),
            help=gettext_lazy(
                "Klicken Sie in die Karte oder tippen Sie die Koordinaten ein. amtsweg rechnet sie "
                "in ETRS89/UTM "
                "33N um und ermittelt Gemeinde und Kreis."
            ),
        ),
        Step(
            "technik",
            gettext_lazy("Bohrpfad und Geologie"),
            (
                Field(
                    "verlauf",
                    "choice",
                    gettext_lazy("Bohrpfad"),
                    choices=(("senkrecht", gettext_lazy("senkrecht")), ("schraeg", gettext_lazy("schräg"))),
                ),
                Field(
                    "azimut",
                    "decimal",
                    gettext_lazy("Azimut (Grad, nur schräg)"),
                    required=False,
                    min_value=0,
                    max_value=359.99,
                ),
                Field(
                    "neigung",
                    "decimal",
                    gettext_lazy("Neigung gegen die Horizontale (Grad, nur schräg)"),
                    required=False,
                    min_value=0,
                    max_value=90,
                ),
                Field(
                    "endtiefe",
                    "decimal",
                    gettext_lazy("Geplante Endtiefe (m unter Ansatzpunkt)"),
                    min_value=0.1,
                    max_value=10000,
                ),
                Field(
                    "schichtenprognose", "textarea", gettext_lazy("Erwartete Schichtenfolge"), max_length=5000
                ),
                Field(
                    "kerne_lagerung",
                    "text",
                    gettext_lazy("Lagerort und -dauer von Kernen und Proben"),
                    required=False,
                ),
            ),
        ),
        Step(
            "wasser",
            gettext_lazy("Grundwasser"),
            (
                Field(
                    "grundwasser",
                    "choice",
                    gettext_lazy("Wird Grundwasser erwartet?"),
                    choices=YES_NO_UNKNOWN,
                ),
                Field(
                    "schutzgebiet",
                    "choice",
                    gettext_lazy("Liegt der Bohrort in einem Wasserschutzgebiet?"),
                    choices=YES_NO_UNKNOWN,
                ),
                Field(
                    "entnahme",
                    "decimal",
                    gettext_lazy("Geplante Grundwasserentnahme (m³ pro Jahr)"),
                    required=False,
                    min_value=0,
                    max_value=10_000_000,
                ),
                Field(
                    "ews_leistung",
                    "decimal",
                    gettext_lazy("Erdwärmesonde: Heizleistung der Wärmepumpe (kW)"),
                    required=False,
                    min_value=0,
                    max_value=10000,
                ),
                Field(
                    "ews_fluid", "text", gettext_lazy("Erdwärmesonde: Wärmeträgerflüssigkeit"), required=False
                ),
                Field(
                    "ews_verfuellung", "text", gettext_lazy("Erdwärmesonde: Verfüllmaterial"), required=False
                ),
            ),
        ),
        Step(
            "anlagen",
            gettext_lazy("Anlagen"),
            (
                Field("lageplan", "file", gettext_lazy("Lageplan"), upload=DOCS),
                Field(
                    "ausbauplan",
                    "file",
                    gettext_lazy("Ausbauzeichnung oder Bohrprofil"),
                    upload=DOCS,
                    required=False,
                ),
            ),
        ),
    )
    follow_ups = (
        FollowUp(
            "ergebnisse",
            gettext_lazy("Bohrergebnisse (§ 9 GeolDG)"),
            (
                Step(
                    "ergebnisse",
                    gettext_lazy("Ergebnisse"),
                    (
                        Field(
                            "ist_endtiefe",
                            "decimal",
                            gettext_lazy("Erreichte Endtiefe (m)"),
                            min_value=0.1,
                            max_value=10000,
                        ),
                        Field(
                            "schichten",
                            "textarea",
                            gettext_lazy("Schichtenverzeichnis"),
                            max_length=60000,
                            required=False,
                            validators=(layers.validate_json,),
                        ),
                        Field("ausbau", "textarea", gettext_lazy("Ausbau und Verfüllung"), max_length=5000),
                        Field(
                            "ergebnis_dateien",
                            "file",
                            gettext_lazy("Dokumente (Schichtenverzeichnis, Bohrprotokoll)"),
                            upload=DOCS,
                            required=False,
                        ),
                    ),
                ),
            ),
            due_after_days=RESULTS_DAYS,
            anchor_field="ende",
            remind_days_before=14,
        ),
    )

    def clean(self, data: Mapping) -> None:
        errors: dict[str, str] = {}
        start, end = _date(data.get("beginn")), _date(data.get("ende"))
        today = timezone.localdate()
        if start and start < today:
            errors["beginn"] = _(
                "Der geplante Beginn liegt in der Vergangenheit. Eine Bohranzeige ist vorher nötig."
            )
        elif start and lead_time_warnings(start, today) and not data.get("frist_bestaetigt"):
            errors["frist_bestaetigt"] = (
                " ".join(lead_time_warnings(start, today))
                + " "
                + _("Bitte bestätigen Sie, dass Ihnen das bekannt ist, oder verschieben Sie den Beginn.")
            )
        if start and end and end < start:
            errors["ende"] = _("Das geplante Ende liegt vor dem Beginn.")
        if start and end and (end - start).days > 3 * 366:
            errors["ende"] = _("Eine Bohrung dauert nicht länger als drei Jahre. Bitte prüfen Sie das Ende.")
        if data.get("verlauf") == "schraeg":
            azimuth, dip = _float(data.get("azimut")), _float(data.get("neigung"))
            if azimuth is None:
                errors["azimut"] = _(
                    "Bei einer schrägen Bohrung geben Sie bitte den Azimut an (0 bis unter 360 Grad)."
                )
            if dip is None or not 0 < dip < 90:
                errors["neigung"] = _(
                    "Bei einer schrägen Bohrung liegt die Neigung zwischen 0 und 90 Grad (90 Grad "
                    "wäre senkrecht)."
                )
        depth = _float(data.get("endtiefe"))
        if depth is not None and data.get("zweck") == "baugrund" and depth > 300:
            errors["endtiefe"] = _(
                "Eine Baugrunduntersuchung reicht nicht tiefer als 300 m. Bitte prüfen Sie die Tiefe."
            )
        if data.get("zweck") == "erdwaermesonde":
            if _float(data.get("ews_leistung")) is None:
                errors["ews_leistung"] = _("Für eine Erdwärmesonde geben Sie bitte die Heizleistung an.")
            if not data.get("ews_fluid"):
                errors["ews_fluid"] = _(
                    "Für eine Erdwärmesonde geben Sie bitte die Wärmeträgerflüssigkeit an."
                )
        if data.get("koord_system") or data.get("koord_ost") or data.get("koord_nord"):
            try:
                geo.locate(data.get("koord_system"), data.get("koord_ost"), data.get("koord_nord"))
            except geo.LocationError as exc:
                errors[exc.field] = exc.message
        if errors:
            raise ValidationError(errors)

    # --- routing and what the engine tracks ---------------------------------------------------------------

    def location(self, data: Mapping) -> geo.Location:
        return geo.locate(data.get("koord_system"), data.get("koord_ost"), data.get("koord_nord"))

    def needs_mining(self, data: Mapping, location: geo.Location) -> bool:
        depth = _float(data.get("endtiefe")) or 0
        return depth > MINING_DEPTH_M or bool(location.cavity_area)

    def routing(self, case, data: Mapping, lead) -> list[Route]:
        from amtsweg.cases.services import CaseError
        from amtsweg.directory.services import authority_for_district, state_authority

        location = self.location(data)
        water = authority_for_district(location.district_ags)
        if water is None:
            raise CaseError(
                _(
                    "Für den Kreis %(name)s ist keine untere Wasserbehörde eingerichtet. Bitte "
                    "wenden Sie sich an "
                    "das LfULG."
                )
                % {"name": location.district_name}
            )
        lfulg = state_authority("lfulg") or lead
        routes = [Route(lfulg, label=GEOLOGY, lead=True, processing_days=10)]
        if water.pk != lfulg.pk:
            routes.append(Route(water, label=WATER, processing_days=22))
        if self.needs_mining(data, location):
            mining = state_authority("oberbergamt")
            if mining is None:
                raise CaseError(
                    _("Das Oberbergamt ist nicht eingerichtet. Bitte wenden Sie sich an das LfULG.")
                )
            routes.append(Route(mining, label=MINING, processing_days=10))
        return routes

    def checks(self, case, data: Mapping) -> list[CheckResult]:
        start = _date(data.get("beginn"))
        submitted = timezone.localdate()
        location = self.location(data)
        depth = _float(data.get("endtiefe")) or 0
        return [
            CheckResult(
                "frist_geologie",
                bool(start and start >= submitted + dt.timedelta(days=GEOLOGY_DAYS)),
                _("Anzeige mindestens zwei Wochen vor Beginn (§ 8 GeolDG)."),
            ),
            CheckResult(
                "frist_wasser",
                bool(start and start >= add_month(submitted)),
                _("Anzeige mindestens einen Monat vor Beginn (§ 49 WHG)."),
            ),
            CheckResult(
                "bergbau",
                not self.needs_mining(data, location),
                _("Tiefe %(depth)s m; Hohlraumgebiet: %(area)s.")
                % {"depth": f"{depth:g}", "area": location.cavity_area or _("nein")},
            ),
        ]

    def deadlines(self, case, data: Mapping) -> list[Deadline]:
        today = timezone.localdate()
        rows = [
            Deadline("objection", str(_("Einspruchsfrist der Wasserbehörde (ein Monat)")), add_month(today))
        ]
        start = _date(data.get("beginn"))
        if start:
            rows.append(Deadline("start", str(_("Geplanter Beginn der Bohrung")), start))
        return rows

    def case_links(self, case) -> list[tuple[str, str]]:
        from django.urls import reverse

        return [
            (
                str(_("Stand bei jeder beteiligten Behörde und Ergebnisse der Bohrung")),
                reverse("bohrung:status", args=[case.public_id]),
            )
        ]

    def submitted(self, case, data: Mapping) -> None:
        """Inside the submission transaction: the registry entry (no personal data)."""
        from amtsweg.procedures.bohrung import services

        services.record_submission(case, data, self.location(data))

    def decision_data(self, case, data: Mapping, outcome: str) -> dict:
        return {
            "betreff": f"{self.title} – {case.number}",
            "anrede": "Guten Tag,",
            "entscheidung": str(_("Gegen die angezeigte Bohrung bestehen keine Einwände.")),
            "begruendung": "",
        }

    def derived_rows(self, data: Mapping) -> list[tuple[str, str, str]]:
        """Canonical position, municipality, district, cavity area and the receiving authorities."""
        try:
            location = self.location(data)
        except geo.LocationError:
            return []
        position = f"E {location.easting:,.1f} m, N {location.northing:,.1f} m".replace(",", "\u202f")
        rows = [
            ("lage", str(_("Lage in ETRS89/UTM 33N (EPSG:25833)")), position),
            (
                "lage",
                str(_("Gemeinde und Kreis (ermittelt)")),
                f"{location.municipality}, {location.district_name}",
            ),
        ]
        if location.cavity_area:
            rows.append(("lage", str(_("Hohlraumgebiet")), location.cavity_area))
        try:
            from amtsweg.directory.services import authority_for_district, state_authority

            names = [f"{state_authority('lfulg').name} ({GEOLOGY})"]
            water = authority_for_district(location.district_ags)
            if water is not None:
                names.append(f"{water.name} ({WATER})")
            if self.needs_mining(data, location):
                names.append(f"{state_authority('oberbergamt').name} ({MINING})")
            rows.append(("lage", str(_("Die Anzeige geht an")), "; ".join(names)))
        except AttributeError:
            pass
        return rows

    def summary(self, data: Mapping, fields=None) -> list[tuple[str, str, str]]:
        rows = super().summary(data, fields)
        if fields is not None and "koord_ost" not in fields:
            return rows
        titles = {step.key: str(step.title) for step in self.steps}
        return rows + [(titles[key], label, value) for key, label, value in self.derived_rows(data)]
