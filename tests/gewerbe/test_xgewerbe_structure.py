"""The XGewerbeanzeige builder: namespaces, head, element order and paths compared with the published KoSIT
examples (read at test time from the shared reference folder, never copied), and the per-recipient filters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree

from amtsweg.xgewerbe import builder, codes, routing
from amtsweg.xgewerbe.model import ABMELDUNG, ANMELDUNG, UMMELDUNG

from . import xga_factories as f

REFERENCE_DIR = Path(os.environ.get("XGEWERBE_REFERENCE_DIR", "/work/shared/reference/xgewerbeanzeige"))
NS = builder.NS


def _local(el) -> str:
    return etree.QName(el).localname


def _reference_files() -> list[Path]:
    return sorted(REFERENCE_DIR.glob("*.xml")) if REFERENCE_DIR.is_dir() else []


@pytest.fixture(scope="module")
def reference():
    files = _reference_files()
    if not files:
        pytest.skip(f"KoSIT-Beispiele nicht vorhanden ({REFERENCE_DIR})")
    paths: dict[str, set[str]] = defaultdict(set)  # satz kind -> element paths (local names)
    head: set[str] = set()
    before: dict[str, set[tuple[str, str]]] = defaultdict(set)  # parent path -> (a, b): a seen before b
    for file in files:
        root = builder.parse(file.read_bytes())

        def walk(element, path, sink):
            children = [c for c in element if isinstance(c.tag, str) and etree.QName(c).namespace]
            names = [_local(c) for c in children]
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    if a != b:
                        before[path].add((a, b))
            for child in children:
                child_path = f"{path}/{_local(child)}" if path else _local(child)
                sink.add(child_path)
                walk(child, child_path, sink)

        walk(root.find("{*}nachrichtenkopf"), "nachrichtenkopf", head)
        for satz in root.findall("{*}satz"):
            for record in satz:
                if isinstance(record.tag, str):
                    walk(record, _local(record), paths[_local(record)])
    return {"paths": paths, "head": head, "before": before}


def _paths(root, kind) -> set[str]:
    found = set()

    def walk(element, path):
        for child in element:
            if isinstance(child.tag, str) and etree.QName(child).namespace == NS:
                child_path = f"{path}/{_local(child)}"
                found.add(child_path)
                walk(child, child_path)

    for record in root.iter(f"{{{NS}}}{kind}"):
        walk(record, kind)
    return found


def _order_violations(root, before) -> list[str]:
    problems = []

    def walk(element, path):
        children = [c for c in element if isinstance(c.tag, str) and etree.QName(c).namespace == NS]
        names = [_local(c) for c in children]
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if (b, a) in before.get(path, set()) and (a, b) not in before.get(path, set()):
                    problems.append(f"{path}: {a} vor {b}, in den Beispielen umgekehrt")
        for child in children:
            walk(child, f"{path}/{_local(child)}")

    walk(root.find(f"{{{NS}}}nachrichtenkopf"), "nachrichtenkopf")
    for satz in root.findall(f"{{{NS}}}satz"):
        for record in satz:
            walk(record, _local(record))
    return problems


def _unverified(path: str, kind: str) -> bool:
    inner = path.split("/", 1)[1] if "/" in path else ""
    listed = builder.UNVERIFIED_ELEMENTS | builder.SEEN_ELSEWHERE
    return any(inner == u or inner.startswith(u + "/") for u in listed)


SHARED = ("autor", "gewerbe", "taetigkeitenGesamt")  # the same types in all three record kinds


def _known(reference, kind: str, path: str) -> bool:
    if path in reference["paths"][kind]:
        return True
    inner = path.split("/", 1)[1]
    if inner.split("/")[0] not in SHARED:
        return False  # kind-specific elements (reasons, successor) must be seen in this kind
    return any(p.split("/", 1)[1] == inner for paths in reference["paths"].values() for p in paths)


@pytest.mark.parametrize("kind", [ANMELDUNG, UMMELDUNG, ABMELDUNG])
def test_each_record_kind_uses_only_elements_and_order_of_the_published_examples(reference, kind):
    root = builder.parse(builder.build(f.nachricht([f.meldung(kind)])))
    ours = _paths(root, kind)
    known = reference["paths"][kind]
    assert known, f"no {kind} in the examples"
    unknown = sorted(p for p in ours if not _known(reference, kind, p) and not _unverified(p, kind))
    assert unknown == []
    # The central elements of a record are there (not an empty shell that passes by having nothing).
    for required in (
        "satzErstellung",
        "autor/behoerdenkennung/praefix",
        "gemeindeSchluessel",
        "gewerbebetriebID",
        "uuid",
        "gewerbe/betrieb/rechtsformSchluessel",
        "gewerbe/anschrift/plz",
        "gewerbe/beteiligtePerson/familienname",
        "gueltigAb",
        "taetigkeitenGesamt/schwerpunkt/taetigkeitSchwerpunkt",
    ):
        assert f"{kind}/{required}" in ours
    assert _order_violations(root, reference["before"]) == []


def test_head_matches_the_examples(reference):
    root = builder.parse(builder.build(f.nachricht()))
    head = {p for p in _paths_head(root)}
    assert head <= reference["head"] | {"nachrichtenkopf"}, sorted(head - reference["head"])
    for required in (
        "identifikation.nachricht/nachrichtenUUID",
        "identifikation.nachricht/nachrichtentyp",
        "identifikation.nachricht/erstellungszeitpunkt",
        "leser/behoerdenkennung/praefix",
        "leser/behoerdenkennung/kennung",
        "leser/behoerdenname",
        "autor/behoerdenkennung/kennung",
        "autor/behoerdenname",
    ):
        assert f"nachrichtenkopf/{required}" in head


def _paths_head(root):
    found = set()

    def walk(element, path):
        for child in element:
            if isinstance(child.tag, str) and etree.QName(child).namespace == NS:
                child_path = f"{path}/{_local(child)}"
                found.add(child_path)
                walk(child, child_path)

    walk(root.find(f"{{{NS}}}nachrichtenkopf"), "nachrichtenkopf")
    return found


def test_namespace_root_and_nachrichtenkopf_name_author_and_reader():
    root = builder.parse(builder.build(f.nachricht()))
    assert root.tag == f"{{{NS}}}alg.gewerbemeldung.0300"
    assert root.nsmap == {"xga": NS}
    assert root.get("standard") == "XGewerbeanzeige"
    assert root.get("version") == "2.2"
    assert root.get("test") is None
    head = root.find(f"{{{NS}}}nachrichtenkopf")
    assert [_local(c) for c in head] == ["identifikation.nachricht", "leser", "autor"]
    x = {"x": NS}
    assert head.xpath("x:identifikation.nachricht/x:nachrichtentyp/code/text()", namespaces=x) == ["0300"]
    assert head.xpath("x:autor/x:behoerdenkennung/x:praefix/code/text()", namespaces=x) == ["MELDID"]
    assert head.xpath("x:autor/x:behoerdenkennung/x:kennung/code/text()", namespaces=x) == [f.AGS]
    assert head.xpath("x:leser/x:behoerdenkennung/x:praefix/code/text()", namespaces=x) == ["xga"]
    stamp = head.xpath("x:identifikation.nachricht/x:erstellungszeitpunkt/text()", namespaces=x)[0]
    assert dt.datetime.fromisoformat(stamp).utcoffset() is not None
    # The birth date is DDMMYYYY as in the standard's instances, dates elsewhere ISO.
    assert root.xpath("//x:geburtsdatum/text()", namespaces=x) == ["17041988"]
    assert root.xpath("//x:gueltigAb/text()", namespaces=x) == ["2026-04-01"]


def test_statistics_message_carries_the_reporting_month_after_the_head():
    saetze = [f.meldung(ANMELDUNG), f.meldung(ABMELDUNG, uuid="6b1f0c64-0000-4000-8000-0000000000a2")]
    xml, described = routing.message_for(
        "statistik",
        uuid="6b1f0c64-0000-4000-8000-0000000000f2",
        erstellt=f.nachricht().erstellt,
        autor=f.gemeinde(),
        leser=f.kammer(),
        saetze=saetze,
        berichtszeitraum="2026-03",
    )
    root = builder.parse(xml)
    assert root.tag == f"{{{NS}}}sta.gewerbemeldung.0100"
    assert [_local(c) for c in root] == ["nachrichtenkopf", "berichtszeitraum", "satz", "satz"]
    assert root.findtext(f"{{{NS}}}berichtszeitraum") == "2026-03"
    assert described["code"] == "0100"
    with pytest.raises(builder.BuildError):
        builder.build(f.nachricht(berichtszeitraum="2026-13"))


# --- per-recipient field filters ----------------------------------------------------------------------------


def _allowed(kind):
    return [tuple(p.split("/")) for p in codes.paths_for_groups(routing.groups_for(kind))]


@pytest.mark.parametrize("kind", sorted(codes.recipient_rules()))
def test_every_recipient_gets_only_its_field_groups(kind):
    saetze = [
        f.meldung(a, uuid=f"6b1f0c64-0000-4000-8000-00000000000{i}")
        for i, a in enumerate((ANMELDUNG, UMMELDUNG, ABMELDUNG))
    ]
    for meldung in saetze:
        meldung.gewerbe.personen[0].aufenthaltstitel = f.Nachweis(
            "1", dt.date(2020, 1, 2), aussteller_name="Ausländerbehörde"
        )
        meldung.gewerbe.erlaubnis = f.Nachweis("1", dt.date(2021, 1, 1), aussteller_name="Landratsamt")
    xml, described = routing.message_for(
        kind,
        uuid="6b1f0c64-0000-4000-8000-0000000000f3",
        erstellt=f.nachricht().erstellt,
        autor=f.gemeinde(),
        leser=f.kammer(),
        saetze=saetze,
    )
    root = builder.parse(xml)
    assert root.tag == f"{{{NS}}}{described['element']}"
    allowed = _allowed(kind)
    for art in (ANMELDUNG, UMMELDUNG, ABMELDUNG):
        for path in _paths(root, art):
            inner = tuple(path.split("/")[1:])
            assert any(inner[: len(a)] == a or a[: len(inner)] == inner for a in allowed), (kind, path)
    assert len(root.findall(f"{{{NS}}}satz")) == 3  # filtering never drops a record


def test_filters_follow_data_minimisation():
    def paths_for(kind):
        with_title = f.friseur_gewerbe(personen=[f.inhaberin(aufenthaltstitel=f.Nachweis("1"))])
        xml, _ = routing.message_for(
            kind,
            uuid="u",
            erstellt=f.nachricht().erstellt,
            autor=f.gemeinde(),
            leser=f.kammer(),
            saetze=[f.meldung(gewerbe=with_title)],
        )
        return _paths(builder.parse(xml), ANMELDUNG)

    hwk, ihk, stat, eich = paths_for("hwk"), paths_for("ihk"), paths_for("statistik"), paths_for("eichamt")
    abh, register = paths_for("auslaenderbehoerde"), paths_for("registergericht")
    person = "anmeldung/gewerbe/beteiligtePerson"
    assert f"{person}/geburtsdatum" in hwk
    assert "anmeldung/gewerbe/handwerkskarte" in hwk
    assert "anmeldung/gewerbe/handwerkskarte" not in ihk
    assert all(f"{person}/aufenthaltstitel" not in p for p in (hwk, ihk, stat, eich, register))
    assert f"{person}/aufenthaltstitel" in abh
    # Statistics: name, sex and nationality (as in the sta.0100 example), no birth data, no home address.
    assert {f"{person}/familienname", f"{person}/geschlecht", f"{person}/staatangehoerigkeiten"} <= stat
    assert f"{person}/geburtsdatum" not in stat
    assert f"{person}/anschrift" not in stat
    # Weights and measures: business and activity, names only.
    assert f"{person}/familienname" in eich
    assert f"{person}/geburtsdatum" not in eich
    assert "anmeldung/gewerbe/anzahlVollzeitBeschaeftigte" not in eich
    # Register court: no persons at all.
    assert not any(p.startswith(person) for p in register)


def test_filter_data_is_consistent(reference):
    rules = codes.weitergabe()
    known = set().union(*reference["paths"].values())
    for name, group in rules["gruppen"].items():
        for path in group["pfade"]:
            anywhere = any(
                k.split("/", 1)[-1] == path or k.split("/", 1)[-1].startswith(path + "/") for k in known
            )
            assert anywhere or path in builder.UNVERIFIED_ELEMENTS | builder.SEEN_ELSEWHERE, (name, path)
    for kind, rule in rules["empfaenger"].items():
        assert rule["nachricht"] in rules["nachrichtentypen"], kind
        assert set(rule["gruppen"]) <= set(rules["gruppen"]), kind
        assert rule["bedingung"] in rules["bedingungen"], kind
        assert "satzkopf" in rule["gruppen"], kind
        assert rule.get("status"), kind  # every rule says whether it is verified


# --- who receives what --------------------------------------------------------------------------------------


def test_routing_by_business_type_and_event():
    friseur = routing.Merkmale(ANMELDUNG, handwerk=True, handwerkskarte=True, wz="96021")
    kinds = routing.recipient_kinds(friseur)
    assert "hwk" in kinds
    assert "ihk" not in kinds
    assert "finanzamt" in kinds
    assert "statistik" not in kinds
    assert routing.recipient_kinds(friseur, monthly=True) == ["statistik"]
    assert "lebensmittel" not in kinds
    assert "registergericht" not in kinds
    imbiss = routing.Merkmale(ANMELDUNG, sonstiges=True, wz="56102")
    assert {"ihk", "lebensmittel"} <= set(routing.recipient_kinds(imbiss))
    assert "hwk" not in routing.recipient_kinds(imbiss)
    closing = routing.Merkmale(ABMELDUNG, handel=True, wz="47250", registereintrag=True)
    assert "registergericht" in routing.recipient_kinds(closing)
    assert "registergericht" not in routing.recipient_kinds(
        dataclasses.replace(closing, registereintrag=False)
    )
    assert "auslaenderbehoerde" not in routing.recipient_kinds(friseur)
    with pytest.raises(ValueError, match="unknown condition"):
        routing.condition_met("vielleicht", friseur)


# --- bad input ----------------------------------------------------------------------------------------------


def test_bad_input_is_refused_or_neutralised():
    with pytest.raises(builder.BuildError, match="rechtsformSchluessel"):
        builder.build(
            f.nachricht([f.meldung(gewerbe=f.friseur_gewerbe(betrieb=f.Betrieb(rechtsform="999")))])
        )
    with pytest.raises(builder.BuildError, match="timezone"):
        builder.build(f.nachricht(erstellt=dt.datetime(2026, 1, 1, 12, 0)))
    with pytest.raises(builder.BuildError, match="AGS"):
        builder.build(f.nachricht([f.meldung(gemeinde_schluessel="1452218")]))
    with pytest.raises(builder.BuildError):
        builder.build(f.nachricht(element="<script>"))
    with pytest.raises(builder.BuildError):
        builder.build(f.nachricht([]))
    with pytest.raises(KeyError):
        builder.build(f.nachricht(), groups=["gibt-es-nicht"])
    with pytest.raises(ValueError, match="Meldungsart"):
        f.meldung("verlegung")
    nasty = f.meldung(taetigkeit=f.Taetigkeit("Friseur\x00\x07 <b>&amp;" + "x" * 10_000))
    root = builder.parse(builder.build(f.nachricht([nasty])))
    text = root.findtext(f".//{{{NS}}}taetigkeitSchwerpunkt")
    assert "\x00" not in text
    assert text.startswith("Friseur <b>&amp;")
    assert len(text) <= 2000


def test_parser_refuses_entities_and_dtds():
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    root = builder.parse(evil)
    assert "root:" not in (root.text or "")
