"""The three test procedures that prove the engine carries the pilots' shapes. Registered only in tests.

(a) ReviewedApplication: a case worker reviews it (a business-registration-like form with an upload);
(b) RoutedNotification: one notification routed to the district, the geological survey and (deep drillings)
the
    mining authority, each with its own part and state; the results are expected three months after the end;
(c) AutomaticDecision: checks run on receipt, the fee is paid first, then the engine decides at once; a share
of
    the decisions is drawn for sample review.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from amtsweg.procedures.base import (
    CheckResult,
    Deadline,
    Decision,
    Field,
    FollowUp,
    Procedure,
    Route,
    Step,
    Upload,
)

PDF_OR_IMAGE = Upload(max_files=2, max_bytes=2 * 1024 * 1024, types=("pdf", "jpeg", "png"))


def _not_vague(value):
    if value.strip().lower() in {"alles", "waren aller art", "diverses"}:
        raise ValidationError("Bitte beschreiben Sie die Tätigkeit genau (nicht „alles“).")


class ReviewedApplication(Procedure):
    key = "test-gewerbe"
    service_key = "test-gewerbe"
    title = "Testantrag Gewerbe (Prüfung durch Sachbearbeitung)"
    intro = "Ein Testverfahren mit Prüfung durch die Behörde."
    trust_level = "niedrig"
    filers = frozenset({"person", "organisation", "on_behalf"})
    place_field = "plz"
    processing_days = 3
    has_fee = True
    payment_first = False
    steps = (
        Step(
            "person",
            "Angaben zur Person",
            (
                Field("vorname", "text", "Vorname", prefill="first_name", autocomplete="given-name"),
                Field("nachname", "text", "Familienname", prefill="last_name", autocomplete="family-name"),
                Field("geburtsdatum", "date", "Geburtsdatum", max_value=dt.date(2010, 12, 31)),
            ),
        ),
        Step(
            "betrieb",
            "Angaben zum Betrieb",
            (
                Field("betriebsname", "text", "Name des Betriebs", max_length=120),
                Field(
                    "taetigkeit",
                    "textarea",
                    "Tätigkeit",
                    help="Genaue Beschreibung",
                    max_length=2000,
                    validators=(_not_vague,),
                ),
                Field(
                    "plz",
                    "postal_code",
                    "Postleitzahl der Betriebsstätte",
                    help="Bestimmt die zuständige Gemeinde.",
                ),
                Field("beginn", "date", "Beginn der Tätigkeit"),
                Field(
                    "beschaeftigte", "integer", "Beschäftigte", required=False, min_value=0, max_value=100000
                ),
                Field(
                    "art",
                    "choice",
                    "Art des Betriebs",
                    choices=(("handel", "Handel"), ("handwerk", "Handwerk"), ("sonstiges", "Sonstiges")),
                ),
            ),
        ),
        Step("nachweise", "Nachweise", (Field("ausweis", "file", "Ausweiskopie", upload=PDF_OR_IMAGE),)),
        Step(
            "erklaerung",
            "Erklärung",
            (Field("richtig", "boolean", "Ich versichere, dass die Angaben richtig sind."),),
        ),
    )

    def clean(self, data):
        begin = data.get("beginn")
        if begin and dt.date.fromisoformat(begin) < dt.date(2000, 1, 1):
            raise ValidationError({"beginn": "Der Beginn liegt zu weit in der Vergangenheit."})


class RoutedNotification(Procedure):
    key = "test-bohrung"
    service_key = "test-bohrung"
    title = "Testanzeige Bohrung (an mehrere Behörden)"
    trust_level = "niedrig"
    filers = frozenset({"person", "organisation"})
    place_field = "plz"
    processing_days = 20
    steps = (
        Step(
            "bohrung",
            "Bohrung",
            (
                Field("bezeichnung", "text", "Bezeichnung der Bohrung"),
                Field("plz", "postal_code", "Postleitzahl des Bohrorts"),
                Field("tiefe", "decimal", "Endtiefe in Metern", min_value=1, max_value=5000),
                Field("beginn", "date", "geplanter Beginn"),
                Field("ende", "date", "geplantes Ende"),
            ),
        ),
        Step(
            "anlagen",
            "Anlagen",
            (Field("lageplan", "file", "Lageplan", upload=PDF_OR_IMAGE, required=False),),
        ),
    )
    follow_ups = (
        FollowUp(
            "ergebnisse",
            "Bohrergebnisse (Schichtenverzeichnis)",
            (
                Step(
                    "ergebnis",
                    "Ergebnisse",
                    (Field("schichten", "textarea", "Schichtenverzeichnis", max_length=10000),),
                ),
            ),
            due_after_days=90,
            anchor_field="ende",
        ),
    )

    def clean(self, data):
        if data.get("beginn") and data.get("ende") and data["ende"] < data["beginn"]:
            raise ValidationError({"ende": "Das Ende liegt vor dem Beginn."})

    def routing(self, case, data, lead):
        from amtsweg.directory.services import state_authority

        routes = [
            Route(lead, label="Wasserrecht", lead=True),
            Route(state_authority("lfulg"), label="Geologie", processing_days=10),
        ]
        if float(data.get("tiefe") or 0) > 100:
            routes.append(
                Route(
                    state_authority("oberbergamt"),
                    label="Bergbau",
                    fields=("bezeichnung", "plz", "tiefe", "beginn", "ende"),
                )
            )
        return routes

    def deadlines(self, case, data):
        start = dt.date.fromisoformat(data["beginn"])
        return [Deadline("start", "geplanter Beginn der Bohrung", start)]


class AutomaticDecision(Procedure):
    key = "test-abmeldung"
    service_key = "test-kfz"
    title = "Testabmeldung Fahrzeug (automatisch)"
    trust_level = "substanziell"
    filers = frozenset({"person"})
    place_field = "plz"
    has_fee = True
    payment_first = True
    sample_review_share = 0.5
    steps = (
        Step(
            "fahrzeug",
            "Fahrzeug",
            (
                Field("kennzeichen", "text", "Kennzeichen", max_length=12),
                Field("code", "text", "Sicherheitscode", max_length=20),
                Field("plz", "postal_code", "Postleitzahl des Halters"),
            ),
        ),
    )

    def checks(self, case, data):
        return [
            CheckResult("code", data.get("code") == "GUT-123", "Sicherheitscode geprüft"),
            CheckResult("kennzeichen", bool(data.get("kennzeichen")), "Kennzeichen vorhanden"),
        ]

    def decides_automatically(self, case, check_results):
        return all(result.passed for result in check_results)

    def automatic_decision(self, case, data, check_results):
        return Decision(
            "granted",
            summary="Das Fahrzeug ist außer Betrieb gesetzt.",
            data={
                "betreff": "Außerbetriebsetzung",
                "anrede": "Guten Tag,",
                "entscheidung": f"Das Fahrzeug {data['kennzeichen']} ist außer Betrieb gesetzt.",
                "begruendung": "Alle Prüfungen waren erfolgreich (§ 35a VwVfG).",
            },
        )


ALL = (ReviewedApplication, RoutedNotification, AutomaticDecision)
