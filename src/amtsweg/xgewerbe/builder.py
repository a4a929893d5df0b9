"""Build XGewerbeanzeige 2.2 messages with lxml, and cut them down to what one recipient may receive.

    from amtsweg.xgewerbe import builder
    xml_bytes = builder.build(nachricht)                                  # the whole message
    xml_bytes = builder.build(nachricht, groups=["satzkopf", "betrieb"])  # only these field groups per satz

Element names, their order and the namespace follow the KoSIT test instances of the standard (namespace
`http://www.xgewerbeanzeige.de/spezifikation/2.2`, prefix `xga`; code values in an unqualified `code` child).
Three elements were not seen in those instances and are marked in `UNVERIFIED_ELEMENTS`: they carry form
content (permit, previous premises, previous operator) whose place in the schema must be checked against
the XSD.

Filtering is data (`data/weitergabe.json`): a field group is a list of element paths below the satz's
`anmeldung`/`ummeldung`/`abmeldung`; an element stays if it is on an allowed path, below one, or above one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from lxml import etree

from amtsweg.xgewerbe import codes
from amtsweg.xgewerbe.model import (
    ABMELDUNG,
    ANMELDUNG,
    UMMELDUNG,
    Anschrift,
    Behoerde,
    Erreichbarkeit,
    Gewerbe,
    Meldung,
    Nachricht,
    Nachweis,
    Person,
    Taetigkeit,
)

NS = "http://www.xgewerbeanzeige.de/spezifikation/2.2"
PREFIX = "xga"
VERSION = "2.2"
BERLIN = ZoneInfo("Europe/Berlin")
# Paths (below the satz kind element) that the KoSIT examples do not show; see the module docstring.
UNVERIFIED_ELEMENTS = frozenset(
    {"gewerbe/erlaubnis", "gewerbe/fruehereAnschrift", "fruehererGewerbetreibender"}
)
# Seen in KoSIT's xgwa2.1-valid.xml (validator-configuration-xgewerbeanzeige), which is not in the shared
# reference folder; the position of `geschaeftsbezeichnung` relative to `eingetragenerName` is not shown
# there (verify).
SEEN_ELSEWHERE = frozenset(
    {
        "gewerbe/betrieb/geschaeftsbezeichnung",
        "gewerbe/beteiligtePerson/doktorgrad",
        "ursacheAbmeldungSchluessel",
    }
)
SATZ_KINDS = (ANMELDUNG, UMMELDUNG, ABMELDUNG)
_INVALID_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MAX_TEXT = 2000


class BuildError(ValueError):
    """The data cannot become a message (e.g. an unknown code); the message names the field."""


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(value) -> str:
    return _INVALID_XML.sub("", str(value)).strip()[:_MAX_TEXT]


def _el(parent, name: str, text=None):
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = _text(text)
    return element


def _opt(parent, name: str, text) -> None:
    if text not in (None, ""):
        _el(parent, name, text)


def _code(parent, name: str, code: str, list_name: str | None = None, *, check: bool = True):
    if (
        list_name
        and check
        and codes.code_list(list_name).get("values")
        and not codes.is_valid(list_name, code)
    ):
        raise BuildError(f"{name}: unknown code {code!r} in list {list_name}")
    element = _el(parent, name)
    if list_name:
        info = codes.code_list(list_name)
        if info.get("uri"):
            element.set("listURI", info["uri"])
        if info.get("version"):
            element.set("listVersionID", info["version"])
    etree.SubElement(element, "code").text = _text(code)
    return element


def _janein(parent, name: str, value: bool) -> None:
    _code(parent, name, "1" if value else "0", "janein")


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise BuildError("times must be timezone-aware")
    return value.astimezone(BERLIN).isoformat(timespec="seconds")


def _birth_date(value: dt.date) -> str:
    return value.strftime("%d%m%Y")  # the examples carry DDMMYYYY, not an ISO date (domain.md § 1.2)


# --- head ---------------------------------------------------------------------------------------------------


def _erreichbarkeiten(parent, items: Iterable[Erreichbarkeit]) -> None:
    for item in items:
        if not item.kennung:
            continue
        node = _el(parent, "erreichbarkeit")
        _code(node, "kanal", item.kanal, "erreichbarkeit")
        _el(node, "kennung", item.kennung)


def _behoerde(parent, name: str, behoerde: Behoerde):
    node = _el(parent, name)
    kennung = _el(node, "behoerdenkennung")
    _code(kennung, "praefix", behoerde.praefix, "dvdv_praefix")
    key = _el(kennung, "kennung")
    if behoerde.kennung_liste:
        key.set("listURI", behoerde.kennung_liste)
    if behoerde.kennung_version:
        key.set("listVersionID", behoerde.kennung_version)
    etree.SubElement(key, "code").text = _text(behoerde.kennung)
    _erreichbarkeiten(node, behoerde.erreichbarkeiten)
    if behoerde.anschrift is not None and not behoerde.anschrift.is_empty():
        address = _el(node, "anschrift")
        _opt(address, "strasse", behoerde.anschrift.strasse)
        _opt(address, "hausNr", behoerde.anschrift.hausnummer)
        _opt(address, "ort", behoerde.anschrift.ort)
        _opt(address, "plz", behoerde.anschrift.plz)
    _el(node, "behoerdenname", behoerde.name)
    return node


# --- records ------------------------------------------------------------------------------------------------


def _anschrift(parent, name: str, anschrift: Anschrift):
    node = _el(parent, name)
    _opt(node, "strasse", anschrift.strasse)
    _opt(node, "strassenschluessel", anschrift.strassenschluessel)
    _opt(node, "hausNrVon", anschrift.hausnummer)
    _opt(node, "hausNrBis", anschrift.hausnummer_bis)
    _opt(node, "anschriftZusatz", anschrift.zusatz)
    _opt(node, "ort", anschrift.ort)
    _opt(node, "ortsteil", anschrift.ortsteil)
    _opt(node, "plz", anschrift.plz)
    if anschrift.staat:
        nation = _el(node, "nationSchluessel")
        nation.set("listVersionID", "2")
        etree.SubElement(nation, "code").text = _text(anschrift.staat)
    return node


def _nachweis(parent, name: str, nachweis: Nachweis, *, with_name: bool) -> None:
    node = _el(parent, name)
    _code(node, "status", nachweis.status, "nachweis_status")
    if nachweis.ausgestellt_am:
        _el(node, "ausgestelltAm", nachweis.ausgestellt_am.isoformat())
    if with_name:
        _opt(node, "ausgestelltVonName", nachweis.aussteller_name)
    _opt(node, "ausgestelltVonPLZ", nachweis.aussteller_plz)
    _opt(node, "ausgestelltVonOrt", nachweis.aussteller_ort)
    if nachweis.aussteller_schluessel:
        _code(node, "ausgestelltVonSchluessel", nachweis.aussteller_schluessel)


def _person(parent, person: Person) -> None:
    node = _el(parent, "beteiligtePerson")
    _code(node, "personFunktion", person.funktion, "person_funktion")
    _opt(node, "doktorgrad", person.doktorgrad)
    _el(node, "familienname", person.familienname)
    _el(node, "vorname", person.vornamen)
    if person.geschlecht:
        _code(node, "geschlecht", person.geschlecht, "geschlecht")
    _opt(node, "geburtsname", person.geburtsname)
    if person.geburtsdatum:
        _el(node, "geburtsdatum", _birth_date(person.geburtsdatum))
    _opt(node, "geburtsort", person.geburtsort)
    _opt(node, "geburtsland", person.geburtsland)
    if person.staatsangehoerigkeiten:
        nationalities = _el(node, "staatangehoerigkeiten")  # sic: the standard's spelling
        for key in person.staatsangehoerigkeiten:
            _code(nationalities, "staatsangehoerigkeitSchluessel", key, "staatsangehoerigkeit", check=False)
    if person.anschrift is not None and not person.anschrift.is_empty():
        _anschrift(node, "anschrift", person.anschrift)
    _erreichbarkeiten(node, person.erreichbarkeiten)
    if person.aufenthaltstitel is not None:
        _nachweis(node, "aufenthaltstitel", person.aufenthaltstitel, with_name=True)


def _gewerbe(parent, gewerbe: Gewerbe) -> None:
    node = _el(parent, "gewerbe")
    betrieb = _el(node, "betrieb")
    _el(betrieb, "ID", "1")
    b = gewerbe.betrieb
    _opt(betrieb, "geschaeftsbezeichnung", b.geschaeftsbezeichnung)
    _opt(betrieb, "eingetragenerName", b.eingetragener_name)
    _opt(betrieb, "eintragungNr", b.eintragung_nr)
    _opt(betrieb, "eintragungOrt", b.eintragung_ort)
    _opt(betrieb, "eintragungPLZ", b.eintragung_plz)
    if b.eintragung_art:
        _code(betrieb, "eintragungArt", b.eintragung_art, "eintragung_art")
    if b.gericht_schluessel:
        _code(betrieb, "gerichtSchluessel", b.gericht_schluessel)
    _code(betrieb, "rechtsformSchluessel", b.rechtsform, "rechtsform")
    if gewerbe.vollzeit is not None:
        _el(node, "anzahlVollzeitBeschaeftigte", int(gewerbe.vollzeit))
    if gewerbe.teilzeit is not None:
        _el(node, "anzahlTeilzeitBeschaeftigte", int(gewerbe.teilzeit))
    if gewerbe.has_betrieb_art:
        art = _el(node, "betriebArt")
        for name in ("industrie", "handwerk", "handel", "sonstiges"):
            _janein(art, name, getattr(gewerbe, name))
    if gewerbe.niederlassung:
        _code(node, "niederlassungArt", gewerbe.niederlassung, "niederlassung")
    if gewerbe.reisegewerbe is not None:
        _janein(node, "istReisegewerbe", gewerbe.reisegewerbe)
    if gewerbe.nebenerwerb is not None:
        _janein(node, "istNebenerwerb", gewerbe.nebenerwerb)
    if gewerbe.handwerkskarte is not None:
        _nachweis(node, "handwerkskarte", gewerbe.handwerkskarte, with_name=False)
    if gewerbe.erlaubnis is not None:
        _nachweis(node, "erlaubnis", gewerbe.erlaubnis, with_name=True)  # ⚠ UNVERIFIED_ELEMENTS
    _anschrift(node, "anschrift", gewerbe.anschrift)
    _erreichbarkeiten(node, gewerbe.erreichbarkeiten)
    if gewerbe.hauptniederlassung is not None and not gewerbe.hauptniederlassung.is_empty():
        main = _el(node, "hauptniederlassung")
        _anschrift(main, "anschrift", gewerbe.hauptniederlassung)
        _erreichbarkeiten(main, gewerbe.hauptniederlassung_erreichbarkeiten)
    if gewerbe.fruehere_anschrift is not None and not gewerbe.fruehere_anschrift.is_empty():
        _anschrift(node, "fruehereAnschrift", gewerbe.fruehere_anschrift)  # ⚠ UNVERIFIED_ELEMENTS
    for person in gewerbe.personen:
        _person(node, person)
    if gewerbe.oeffentliche_hand is not None:
        _janein(node, "beteiligungOeffentlicheHand", gewerbe.oeffentliche_hand)


def _taetigkeit(parent, taetigkeit: Taetigkeit) -> None:
    node = _el(parent, "taetigkeitenGesamt")
    main = _el(node, "schwerpunkt")
    _el(main, "taetigkeitSchwerpunkt", taetigkeit.schwerpunkt)
    _opt(main, "taetigkeitSchluessel", taetigkeit.schluessel)
    _opt(main, "stichwort", taetigkeit.stichwort)
    if taetigkeit.neu_ausgeuebt is not None:
        _janein(main, "neuAusgeuebt", taetigkeit.neu_ausgeuebt)
    if taetigkeit.weitere or taetigkeit.weitere_schluessel:
        more = _el(node, "weitereTaetigkeiten")
        if taetigkeit.weitere:
            _el(
                more, "taetigkeitenZusammengefasst", "|".join(t.replace("|", "/") for t in taetigkeit.weitere)
            )
        for key, keyword in taetigkeit.weitere_schluessel:
            item = _el(more, "taetigkeit")
            _el(item, "taetigkeitSchluessel", key)
            _opt(item, "stichwort", keyword)


def _satz(parent, meldung: Meldung) -> None:
    satz = _el(parent, "satz")
    node = _el(satz, meldung.art)
    _el(node, "satzErstellung", _datetime(meldung.satz_erstellung))
    if meldung.ereigniszeitpunkt is not None:
        _el(node, "ereigniszeitpunkt", _datetime(meldung.ereigniszeitpunkt))
    _behoerde(node, "autor", meldung.autor)
    _janein(node, "istKorrektur", meldung.ist_korrektur)
    if not re.fullmatch(r"[0-9]{8}", meldung.gemeinde_schluessel or ""):
        raise BuildError("gemeindeSchluessel must be an 8-digit AGS")
    _code(node, "gemeindeSchluessel", meldung.gemeinde_schluessel, "ags")
    _el(node, "gemeindeMeldungNr", meldung.gemeinde_meldung_nr)
    _el(node, "gewerbebetriebID", meldung.gewerbebetrieb_id)
    _el(node, "uuid", meldung.uuid)
    _gewerbe(node, meldung.gewerbe)
    _el(node, "gueltigAb", meldung.gueltig_ab.isoformat())
    if meldung.datum_meldung is not None:
        _el(node, "datumMeldung", meldung.datum_meldung.isoformat())
    _taetigkeit(node, meldung.taetigkeit)
    if meldung.art == ANMELDUNG:
        _code(node, "grundAnmeldungSchluessel", meldung.grund or "01", "grund_anmeldung")
        _opt(node, "fruehererGewerbetreibender", meldung.frueherer_inhaber)  # ⚠ UNVERIFIED_ELEMENTS
    elif meldung.art == UMMELDUNG:
        reasons = _el(node, "gruendeUmmeldung")
        for code in meldung.gruende_ummeldung or ["01"]:
            _code(reasons, "grundUmmeldungSchluessel", code, "grund_ummeldung")
    else:
        future = _el(node, "kuenftigesGewerbe")
        _opt(future, "nameFirmaGewerbetreibender", meldung.kuenftig_name)
        if meldung.kuenftig_anschrift is not None and not meldung.kuenftig_anschrift.is_empty():
            _anschrift(future, "anschrift", meldung.kuenftig_anschrift)
        _code(node, "grundAbmeldungSchluessel", meldung.grund or "01", "grund_abmeldung")
        if meldung.ursache:
            _code(node, "ursacheAbmeldungSchluessel", meldung.ursache, "ursache_abmeldung")


# --- message ------------------------------------------------------------------------------------------------


def build_tree(nachricht: Nachricht, groups: Iterable[str] | None = None, *, fragments: Iterable[bytes] = ()):
    """The message as an lxml tree. `fragments`: already built (and filtered) `satz` elements to append after
    `nachricht.saetze`, e.g. the records of a month collected for the statistics message."""
    fragments = list(fragments)
    if not re.fullmatch(r"[a-z]{2,5}\.gewerbemeldung\.[0-9]{4}", nachricht.element or ""):
        raise BuildError(f"invalid message element {nachricht.element!r}")
    if not nachricht.saetze and not fragments:
        raise BuildError("a message needs at least one satz")
    root = etree.Element(_q(nachricht.element), nsmap={PREFIX: NS})
    root.set("produkt", nachricht.produkt)
    root.set("produkthersteller", nachricht.produkthersteller)
    root.set("produktversion", nachricht.produktversion)
    root.set("standard", "XGewerbeanzeige")
    root.set("version", VERSION)
    if nachricht.test:
        root.set("test", "100")  # value as in the KoSIT test instances (meaning of the value: verify)
    head = _el(root, "nachrichtenkopf")
    ident = _el(head, "identifikation.nachricht")
    _el(ident, "nachrichtenUUID", nachricht.uuid)
    _code(ident, "nachrichtentyp", nachricht.code)
    _el(ident, "erstellungszeitpunkt", _datetime(nachricht.erstellt))
    _behoerde(head, "leser", nachricht.leser)
    _behoerde(head, "autor", nachricht.autor)
    if nachricht.berichtszeitraum:
        if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", nachricht.berichtszeitraum):
            raise BuildError("berichtszeitraum must be YYYY-MM")
        _el(root, "berichtszeitraum", nachricht.berichtszeitraum)
    for meldung in nachricht.saetze:
        _satz(root, meldung)
    if groups is not None:
        prune(root, codes.paths_for_groups(list(groups)))
    for fragment in fragments:
        satz = parse(fragment)
        if satz.tag != _q("satz"):
            raise BuildError("a fragment must be one satz element")
        root.append(satz)
    etree.cleanup_namespaces(root, top_nsmap={PREFIX: NS})
    return root


def satz_fragment(meldung: Meldung, groups: Iterable[str] | None = None) -> bytes:
    """One record as a standalone `satz` element (filtered to `groups`), to be collected into a later
    message."""
    holder = Nachricht(
        element="sta.gewerbemeldung.0100",
        code="0100",
        uuid="fragment",
        erstellt=meldung.satz_erstellung,
        autor=meldung.autor,
        leser=meldung.autor,
        saetze=[meldung],
    )
    root = build_tree(holder, groups)
    return etree.tostring(root.find(_q("satz")), encoding="UTF-8")


def build(nachricht: Nachricht, groups: Iterable[str] | None = None) -> bytes:
    return etree.tostring(
        build_tree(nachricht, groups), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def local(element) -> str:
    return etree.QName(element).localname


def prune(root, allowed_paths: Iterable[str]) -> None:
    """Remove from every satz's record whatever is not on, below or above an allowed path."""
    allowed = {tuple(p.split("/")) for p in allowed_paths}
    ancestors = {a[:k] for a in allowed for k in range(1, len(a))}

    def covered(path: tuple[str, ...]) -> bool:  # on or below an allowed path
        return any(path[:k] in allowed for k in range(1, len(path) + 1))

    def walk(element, path: tuple[str, ...]) -> None:
        for child in list(element):
            if not isinstance(child.tag, str) or etree.QName(child).namespace != NS:
                continue  # `code`/`name` children belong to their parent
            child_path = (*path, local(child))
            if covered(child_path):
                continue  # kept with everything below it
            if child_path not in ancestors:
                element.remove(child)
                continue
            walk(child, child_path)
            # An element kept only as an ancestor is dropped when nothing below it survived.
            if len(child) == 0:
                element.remove(child)

    for satz in root.findall(_q("satz")):
        for record in satz:
            if isinstance(record.tag, str) and local(record) in SATZ_KINDS:
                walk(record, ())


def element_paths(root) -> set[str]:
    """All element paths below each satz record, e.g. "gewerbe/beteiligtePerson/geburtsdatum"."""
    paths: set[str] = set()

    def walk(element, path):
        for child in element:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != NS:
                continue
            child_path = f"{path}/{local(child)}" if path else local(child)
            paths.add(child_path)
            walk(child, child_path)

    for satz in root.findall(_q("satz")):
        for record in satz:
            if isinstance(record.tag, str):
                walk(record, "")
    return paths


def parse(data: bytes):
    """Parse a message safely (no DTDs, no entities, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)
