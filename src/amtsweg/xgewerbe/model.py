"""Plain data of an XGewerbeanzeige message: what the builder turns into XML.

The classes mirror the element groups of the standard (see the KoSIT test instances): a message (`Nachricht`)
has a head with author and reader (`Behoerde`) and one or more records (`Meldung`), each an Anmeldung,
Ummeldung or Abmeldung about one business (`Gewerbe`: operator `Betrieb`, premises `Anschrift`, `Person`s,
activity `Taetigkeit`). Code values are the strings of the standard's code lists (see `codes.py`), not labels.

Nothing here knows Django: the gewerbe procedures fill these from a submission, tests fill them by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ANMELDUNG, UMMELDUNG, ABMELDUNG = "anmeldung", "ummeldung", "abmeldung"
KINDS = (ANMELDUNG, UMMELDUNG, ABMELDUNG)

# Channels of `erreichbarkeit` (code list urn:de:xoev:codeliste:erreichbarkeit, seen in the KoSIT examples).
KANAL_EMAIL, KANAL_TELEFON, KANAL_FAX, KANAL_WEB = "01", "02", "04", "09"


@dataclass
class Anschrift:
    strasse: str = ""
    hausnummer: str = ""
    hausnummer_bis: str = ""
    zusatz: str = ""
    ort: str = ""
    ortsteil: str = ""
    plz: str = ""
    strassenschluessel: str = ""
    staat: str = "276"  # nationSchluessel (Destatis country key; 276 = Deutschland)

    def is_empty(self) -> bool:
        return not any((self.strasse, self.hausnummer, self.ort, self.plz))


@dataclass
class Erreichbarkeit:
    kanal: str
    kennung: str


@dataclass
class Behoerde:
    """Author or reader of a message: DVDV-style prefix + key, name, address, contacts."""

    praefix: str  # e.g. "MELDID" (municipality by AGS), "xga" (other communication partners), "azr"
    kennung: str
    name: str
    kennung_liste: str = ""  # listURI of the key's code list
    kennung_version: str = ""  # listVersionID of the key's code list
    anschrift: Anschrift | None = None
    erreichbarkeiten: list[Erreichbarkeit] = field(default_factory=list)


@dataclass
class Nachweis:
    """Craft card (Handwerkskarte), permit (Erlaubnis) or residence title (Aufenthaltstitel)."""

    status: str  # code: see codes.NACHWEIS_STATUS
    ausgestellt_am: dt.date | None = None
    aussteller_name: str = ""
    aussteller_plz: str = ""
    aussteller_ort: str = ""
    aussteller_schluessel: str = ""


@dataclass
class Person:
    funktion: str  # code list funktioneinerperson
    familienname: str
    vornamen: str
    doktorgrad: str = ""
    geschlecht: str = ""
    geburtsname: str = ""
    geburtsdatum: dt.date | None = None
    geburtsort: str = ""
    geburtsland: str = ""
    staatsangehoerigkeiten: list[str] = field(default_factory=list)  # Destatis keys, "000" = deutsch
    anschrift: Anschrift | None = None
    erreichbarkeiten: list[Erreichbarkeit] = field(default_factory=list)
    aufenthaltstitel: Nachweis | None = None


@dataclass
class Betrieb:
    rechtsform: str  # code list rechtsformen
    eingetragener_name: str = ""
    geschaeftsbezeichnung: str = ""
    eintragung_nr: str = ""
    eintragung_ort: str = ""
    eintragung_plz: str = ""
    eintragung_art: str = ""  # A (HRA), B (HRB), ...: see codes.EINTRAGUNG_ART
    gericht_schluessel: str = ""


@dataclass
class Taetigkeit:
    schwerpunkt: str
    schluessel: str = ""  # WZ 2008, five digits
    stichwort: str = ""
    neu_ausgeuebt: bool | None = None  # Ummeldung: is the main activity new?
    weitere: list[str] = field(default_factory=list)
    weitere_schluessel: list[tuple[str, str]] = field(default_factory=list)  # (WZ key, keyword)


@dataclass
class Gewerbe:
    betrieb: Betrieb
    anschrift: Anschrift
    personen: list[Person] = field(default_factory=list)
    vollzeit: int | None = None
    teilzeit: int | None = None
    industrie: bool = False
    handwerk: bool = False
    handel: bool = False
    sonstiges: bool = False
    niederlassung: str = ""  # code list artderniederlassung
    reisegewerbe: bool | None = None
    nebenerwerb: bool | None = None
    handwerkskarte: Nachweis | None = None
    erlaubnis: Nachweis | None = None
    erreichbarkeiten: list[Erreichbarkeit] = field(default_factory=list)
    hauptniederlassung: Anschrift | None = None
    hauptniederlassung_erreichbarkeiten: list[Erreichbarkeit] = field(default_factory=list)
    fruehere_anschrift: Anschrift | None = None
    oeffentliche_hand: bool | None = None

    @property
    def has_betrieb_art(self) -> bool:
        return any((self.industrie, self.handwerk, self.handel, self.sonstiges))


@dataclass
class Meldung:
    """One record (`satz`): an Anmeldung, Ummeldung or Abmeldung."""

    art: str  # ANMELDUNG | UMMELDUNG | ABMELDUNG
    autor: Behoerde
    gemeinde_schluessel: str  # AGS, 8 digits
    gemeinde_meldung_nr: str
    gewerbebetrieb_id: str
    uuid: str
    gewerbe: Gewerbe
    taetigkeit: Taetigkeit
    gueltig_ab: dt.date
    satz_erstellung: dt.datetime
    ereigniszeitpunkt: dt.datetime | None = None
    datum_meldung: dt.date | None = None
    ist_korrektur: bool = False
    grund: str = ""  # Anmeldung: grundAnmeldung; Abmeldung: grundAbmeldung
    gruende_ummeldung: list[str] = field(default_factory=list)
    ursache: str = ""  # Abmeldung: statistical cause
    kuenftig_name: str = ""  # Abmeldung: future operator / business
    kuenftig_anschrift: Anschrift | None = None
    frueherer_inhaber: str = ""  # Anmeldung on takeover (⚠ element not seen in the examples)

    def __post_init__(self):
        if self.art not in KINDS:
            raise ValueError(f"unknown Meldungsart {self.art!r}")


@dataclass
class Nachricht:
    """A whole message: `<prefix>.gewerbemeldung.<code>` with head and records."""

    element: str  # e.g. "ihk.gewerbemeldung.0300" — see message_types
    code: str  # the 4-digit nachrichtentyp
    uuid: str
    erstellt: dt.datetime
    autor: Behoerde
    leser: Behoerde
    saetze: list[Meldung]
    berichtszeitraum: str = ""  # "YYYY-MM" (monthly statistics)
    test: bool = False
    produkt: str = "amtsweg"
    produkthersteller: str = "Freistaat Sachsen – amtsweg"
    produktversion: str = "0.1"
