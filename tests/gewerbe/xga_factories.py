"""Fictional XGewerbeanzeige data for the builder tests (written for amtsweg; all persons are invented)."""

from __future__ import annotations

import datetime as dt

from amtsweg.xgewerbe.model import (
    ABMELDUNG,
    ANMELDUNG,
    KANAL_EMAIL,
    KANAL_TELEFON,
    UMMELDUNG,
    Anschrift,
    Behoerde,
    Betrieb,
    Erreichbarkeit,
    Gewerbe,
    Meldung,
    Nachricht,
    Nachweis,
    Person,
    Taetigkeit,
)

BERLIN = dt.timezone(dt.timedelta(hours=1))
AGS = "14522180"


def gemeinde() -> Behoerde:
    return Behoerde(
        praefix="MELDID",
        kennung=AGS,
        kennung_liste="urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags",
        kennung_version="2018-01-31",
        name="Stadtverwaltung Bergstadt (Gewerbeamt)",
        anschrift=Anschrift(strasse="Rathausplatz", hausnummer="3", ort="Bergstadt", plz="09599"),
        erreichbarkeiten=[Erreichbarkeit(KANAL_EMAIL, "gewerbe@bergstadt.example")],
    )


def kammer() -> Behoerde:
    return Behoerde(
        praefix="xga",
        kennung="990000000001",
        kennung_liste="urn:xoev-de:xgewerbeanzeige:codeliste:weiterekommunikationspartner",
        kennung_version="2018-10-11",
        name="Handwerkskammer Beispielbezirk (Sandbox)",
    )


def inhaberin(**changes) -> Person:
    values = dict(
        funktion="1",
        familienname="Kammkraus",
        vornamen="Wilma",
        geschlecht="2",
        geburtsname="Lockenhaupt",
        geburtsdatum=dt.date(1988, 4, 17),
        geburtsort="Bergstadt",
        geburtsland="Deutschland",
        staatsangehoerigkeiten=["000"],
        anschrift=Anschrift(strasse="Am Scherenweg", hausnummer="7", ort="Bergstadt", plz="09599"),
        erreichbarkeiten=[Erreichbarkeit(KANAL_TELEFON, "03731 000000")],
        aufenthaltstitel=None,
    )
    values.update(changes)
    return Person(**values)


def friseur_gewerbe(**changes) -> Gewerbe:
    values = dict(
        betrieb=Betrieb(rechtsform="180", geschaeftsbezeichnung="Salon Lockenpracht"),
        anschrift=Anschrift(strasse="Kammgasse", hausnummer="12", ort="Bergstadt", plz="09599"),
        personen=[inhaberin()],
        vollzeit=1,
        teilzeit=2,
        handwerk=True,
        niederlassung="1",
        reisegewerbe=False,
        nebenerwerb=False,
        handwerkskarte=Nachweis(
            "1", dt.date(2024, 5, 2), aussteller_plz="09111", aussteller_ort="Kammerstadt"
        ),
        erlaubnis=None,
        erreichbarkeiten=[Erreichbarkeit(KANAL_EMAIL, "salon@lockenpracht.example")],
        oeffentliche_hand=False,
    )
    values.update(changes)
    return Gewerbe(**values)


def meldung(art=ANMELDUNG, **changes) -> Meldung:
    now = dt.datetime(2026, 3, 2, 10, 15, tzinfo=BERLIN)
    values = dict(
        art=art,
        autor=gemeinde(),
        gemeinde_schluessel=AGS,
        gemeinde_meldung_nr="GEW-2026-000001",
        gewerbebetrieb_id="6b1f0c64-0000-4000-8000-000000000001",
        uuid="6b1f0c64-0000-4000-8000-0000000000a1",
        gewerbe=friseur_gewerbe(),
        taetigkeit=Taetigkeit(
            "Friseursalon für Damen und Herren",
            "96021",
            "Friseursalons",
            weitere=["Verkauf von Haarpflegemitteln"],
            weitere_schluessel=[("47750", "Einzelhandel mit kosmetischen Erzeugnissen")],
        ),
        gueltig_ab=dt.date(2026, 4, 1),
        satz_erstellung=now,
        ereigniszeitpunkt=now,
        datum_meldung=dt.date(2026, 3, 1),
        grund="01",
    )
    if art == UMMELDUNG:
        values["gruende_ummeldung"] = ["01"]
        values["grund"] = ""
        values["taetigkeit"].neu_ausgeuebt = False
        values["gewerbe"].fruehere_anschrift = Anschrift(
            strasse="Alte Gasse", hausnummer="1", ort="Bergstadt", plz="09599"
        )
    if art == ABMELDUNG:
        values["grund"] = "02"
        values["ursache"] = "17"
        values["kuenftig_name"] = "Salon Lockenpracht"
        values["kuenftig_anschrift"] = Anschrift(
            strasse="Neue Straße", hausnummer="5", ort="Talstadt", plz="01067"
        )
    values.update(changes)
    return Meldung(**values)


def nachricht(saetze=None, **changes) -> Nachricht:
    values = dict(
        element="alg.gewerbemeldung.0300",
        code="0300",
        uuid="6b1f0c64-0000-4000-8000-0000000000f1",
        erstellt=dt.datetime(2026, 3, 2, 10, 16, tzinfo=BERLIN),
        autor=gemeinde(),
        leser=kammer(),
        saetze=saetze if saetze is not None else [meldung()],
    )
    values.update(changes)
    return Nachricht(**values)
