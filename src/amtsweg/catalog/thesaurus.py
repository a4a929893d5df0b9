"""Colloquial words citizens type, mapped to the words official descriptions use.

This is general German vocabulary, not a list of services: the synonyms of each service live in the
catalogue content (`synonyms`). The thesaurus only widens a query word ("Perso" also searches
"Personalausweis"); the original word is always searched too. Keys and values are written as
`search.normalize` produces them (lower case, umlauts folded: ä → a, ß → ss).
"""

from __future__ import annotations

# word → words it also means (weight 0.8 each: a little less than the word the citizen typed)
_GROUPS: dict[str, tuple[str, ...]] = {
    # vehicles
    "auto": ("fahrzeug", "kfz", "pkw"),
    "autos": ("fahrzeug", "kfz"),
    "pkw": ("fahrzeug", "kfz", "auto"),
    "wagen": ("fahrzeug", "kfz"),
    "kfz": ("fahrzeug", "auto"),
    "motorrad": ("fahrzeug", "kfz"),
    "karre": ("fahrzeug", "auto"),
    "nummernschild": ("kennzeichen",),
    "autokennzeichen": ("kennzeichen",),
    "stilllegen": ("ausser", "betrieb", "abmelden"),
    "stilllegung": ("ausser", "betrieb", "abmelden"),
    "anmelden": ("zulassen", "anmeldung"),
    "zulassung": ("zulassen",),
    "lappen": ("fuhrerschein",),
    "fahrerlaubnis": ("fuhrerschein",),
    # identity documents
    "perso": ("personalausweis", "ausweis"),
    "ausweis": ("personalausweis",),
    "id": ("personalausweis",),
    "pass": ("reisepass",),
    "passe": ("reisepass",),
    # loss
    "verloren": ("verlust", "ersatz"),
    "verlegt": ("verlust",),
    "weg": ("verlust",),
    "gestohlen": ("verlust", "diebstahl", "ersatz"),
    "geklaut": ("verlust", "diebstahl", "ersatz"),
    "kaputt": ("ersatz",),
    # family
    "heiraten": ("eheschliessung", "ehe", "trauung"),
    "heirat": ("eheschliessung", "ehe", "trauung"),
    "hochzeit": ("eheschliessung", "ehe", "trauung"),
    "trauung": ("eheschliessung",),
    "standesamtlich": ("eheschliessung",),
    "baby": ("geburt", "kind"),
    "geboren": ("geburt",),
    "gestorben": ("sterbefall", "tod"),
    "tod": ("sterbefall",),
    "verstorben": ("sterbefall",),
    "todesfall": ("sterbefall",),
    "kindergarten": ("kindertageseinrichtung", "kita", "betreuungsplatz"),
    "krippe": ("kindertageseinrichtung", "kita", "betreuungsplatz"),
    "kita": ("kindertageseinrichtung", "betreuungsplatz"),
    "kitaplatz": ("kindertageseinrichtung", "kita", "betreuungsplatz"),
    # home and moving
    "umzug": ("wohnsitz", "umziehen"),
    "umziehen": ("umzug", "verlegung"),
    "umgezogen": ("umzug", "wohnsitz"),
    "zugezogen": ("wohnsitz", "anmelden"),
    "adresse": ("wohnsitz", "anschrift", "adressanderung"),
    "wohnung": ("wohnsitz",),
    "wohnort": ("wohnsitz",),
    "ummelden": ("umschreiben", "ummeldung", "adressanderung", "wohnsitz"),
    # business
    "firma": ("gewerbe", "betrieb", "unternehmen"),
    "selbststandig": ("gewerbe", "grundung"),
    "selbstandig": ("gewerbe", "grundung"),
    "selbststandigkeit": ("gewerbe", "grundung"),
    "laden": ("gewerbe", "betrieb"),
    "geschaft": ("gewerbe", "betrieb"),
    "kneipe": ("gaststatte",),
    "restaurant": ("gaststatte",),
    "imbiss": ("gaststatte", "lebensmittel"),
    "grunden": ("grundung", "anmelden"),
    "aufgeben": ("abmelden", "abmeldung"),
    "schliessen": ("abmelden", "abmeldung"),
    # building, environment
    "bauen": ("baugenehmigung", "bau"),
    "hausbau": ("baugenehmigung",),
    "baum": ("baume", "baumfallung"),
    "fallen": ("fallung",),
    "erdwarme": ("erdwarmesonde", "bohrung"),
    "warmepumpe": ("erdwarmesonde", "erdwarme"),
    "bohren": ("bohrung", "bohranzeige"),
    # money
    "geld": ("gebuhr", "leistung"),
    "miete": ("wohngeld",),
    "mietzuschuss": ("wohngeld",),
    "studium": ("bafog", "studierende"),
    "studieren": ("bafog", "studierende"),
    # other
    "wahlen": ("wahl", "briefwahl", "wahlschein"),
    "behinderung": ("schwerbehindertenausweis", "schwerbehinderung"),
    "behindert": ("schwerbehindertenausweis",),
    "hund": ("hundesteuer",),
    "angeln": ("fischereischein", "angelschein"),
    "angelschein": ("fischereischein",),
    "jagen": ("jagdschein",),
    "waffe": ("waffenbesitzkarte",),
    "waffen": ("waffenbesitzkarte",),
    "kopie": ("beglaubigung",),
    "beglaubigen": ("beglaubigung",),
    "fest": ("veranstaltung",),
    "feier": ("veranstaltung",),
    "konzert": ("veranstaltung",),
    "parken": ("parkausweis", "bewohnerparkausweis"),
    "parkausweis": ("bewohnerparkausweis",),
    "anwohnerparken": ("bewohnerparkausweis",),
    "staatsangehorigkeit": ("einburgerung",),
    "eingeburgert": ("einburgerung",),
    "deutscher": ("einburgerung",),
    "visum": ("aufenthaltstitel",),
    "aufenthalt": ("aufenthaltstitel",),
    "aufenthaltserlaubnis": ("aufenthaltstitel",),
    "polizeiliches": ("fuhrungszeugnis",),
    "gesundheitszeugnis": ("infektionsschutz", "belehrung"),
    "kirche": ("kirchenaustritt",),
    "austreten": ("kirchenaustritt", "austritt"),
    "gefunden": ("fundsache",),
    "fundburo": ("fundsache",),
}
WEIGHT = 0.8


def expand(word: str) -> list[tuple[str, float]]:
    """Further words to search for a normalised query word, with their weight."""
    return [(alternative, WEIGHT) for alternative in _GROUPS.get(word, ())]
