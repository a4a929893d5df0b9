"""Template language: broken templates are rejected, all missing values are named, values add no markup."""

import datetime as dt
from decimal import Decimal

import pytest

from amtsweg.documents import templating
from amtsweg.documents.templating import MissingData, TemplateSyntaxError


def test_parse_blocks_headings_items_and_bold():
    blocks = templating.parse(
        "Hallo {{ name }},\nzweite Zeile\n\n# Begründung\n- Punkt **fett** {{ a.b_c }}\n"
    )
    assert [b.kind for b in blocks] == ["p", "h", "li"]
    assert templating.placeholders("Hallo {{ name }}\n\n{{ a.b }} {{ name }}") == ["name", "a.b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hallo {{ name", "ohne „}}“"),
        ("Hallo name }}", "„}}“ ohne „{{“"),
        ("{% if x %}ja{% endif %}", "Befehle sind nicht erlaubt"),
        ("{{ Name }}", "kein gültiger Platzhalter"),
        ("{{ a..b }}", "kein gültiger Platzhalter"),
        ("{{ name|upper }}", "kein gültiger Platzhalter"),
        ("{{ __class__.__mro__ }}x{{ }}", "kein gültiger Platzhalter"),
        ("**fett ohne Ende", "nicht geschlossen"),
        ("# **Titel", "nicht geschlossen"),
        ("   \n\n  ", "leer"),
        ("#  ", "Zeile 1"),
        ("a" * 50_001, "zu lang"),
        ("Null\x00Byte", "Steuerzeichen"),
    ],
)
def test_broken_templates_are_rejected_with_a_german_message(text, message):
    with pytest.raises(TemplateSyntaxError) as excinfo:
        templating.parse(text)
    assert message in str(excinfo.value)


def test_error_names_the_line():
    with pytest.raises(TemplateSyntaxError, match="Zeile 3"):
        templating.parse("eins\n\nzwei {{ x-y }}")


def test_missing_data_lists_every_missing_field_at_once():
    text = "{{ a }} {{ b.c }} {{ d }} {{ e }} {{ f }}"
    with pytest.raises(MissingData) as excinfo:
        templating.fill(text, {"a": "da", "b": {"c": None}, "e": "   ", "f": ["liste"]})
    assert excinfo.value.fields == ["b.c", "d", "e", "f"]
    assert "fehlen Angaben: b.c, d, e, f" in str(excinfo.value)


def test_values_are_escaped_and_cannot_add_markup_or_placeholders():
    filled = templating.fill("**Name:** {{ name }}", {"name": "<b>Bösewicht</b> & {{ geheim }} **x**"})
    (block,) = filled
    assert block.markup == "<b>Name:</b> &lt;b&gt;Bösewicht&lt;/b&gt; &amp; {{ geheim }} **x**"
    assert "<b>Bösewicht" not in block.markup


def test_private_attributes_are_not_reachable():
    class Thing:
        _secret = "geheim"
        visible = "sichtbar"

    assert templating.lookup({"t": Thing()}, "t.visible") == "sichtbar"
    with pytest.raises(MissingData):
        templating.fill("{{ t._secret }}", {"t": Thing()})


def test_values_are_formatted_the_german_way():
    data = {
        "tag": dt.date(2026, 2, 1),
        "zeit": dt.datetime(2026, 7, 1, 10, 5, tzinfo=dt.UTC),
        "betrag": Decimal("1234.5"),
        "anzahl": 12000,
        "ja": True,
    }
    (block,) = templating.fill("{{ tag }} {{ zeit }} {{ betrag }} {{ anzahl }} {{ ja }}", data)
    assert block.text == "01.02.2026 01.07.2026, 12:05 Uhr 1.234,50 12.000 ja"


def test_paragraph_references_do_not_break_after_section_sign():
    (block,) = templating.fill("nach § 3a Abs. 2 VwVfG und §§ 187 ff.", {})
    assert "§\u00a03a Abs.\u00a02" in block.markup
    assert "§§\u00a0187" in block.markup
