"""General templates every installation starts with (procedure = any, authority = any, version 1).

Procedures and authorities add more specific versions; these make `issue()` work out of the box. The
Rechtsbehelfsbelehrung follows domain.md § 5 (remedy, where to file, one month after notification, the forms
of § 3a Abs. 2 and 3 VwVfG and § 9a Abs. 5 OZG); ⚠ to be checked by each authority's legal office.
"""

DECISION_TITLE = "{{ betreff }}"
DECISION_BODY = """{{ anrede }}

# Entscheidung

{{ entscheidung }}

# Begründung

{{ begruendung }}
"""

LETTER_TITLE = "{{ betreff }}"
LETTER_BODY = """{{ anrede }}

{{ text }}
"""

# Lines of one paragraph are joined with spaces by the template language; a blank line starts a new one.
REMEDY_OBJECTION = """
Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden.
Der Widerspruch ist bei der Behörde, die den Bescheid erlassen hat
({{ behoerde.name }}, {{ behoerde.anschrift }}), schriftlich, in elektronischer Form oder zur Niederschrift
einzulegen.

Die elektronische Form wird gewahrt durch ein elektronisches Dokument mit qualifizierter
elektronischer Signatur (§ 3a Abs. 2 VwVfG) oder durch ein schriftformersetzendes Verfahren nach
§ 3a Abs. 3 VwVfG, insbesondere ein elektronisches Formular der Behörde in Verbindung mit dem
elektronischen Identitätsnachweis (Online-Ausweis) oder die Übermittlung aus dem Postfach Ihres
Nutzerkontos (§ 9a Abs. 5 OZG). Eine einfache E-Mail genügt nicht.
"""

DEFAULTS = {
    "templates": [
        {
            "doc_type": "bescheid",
            "title": DECISION_TITLE,
            "body": DECISION_BODY,
            "closing": "automated",
            "with_remedy": True,
        },
        {
            "doc_type": "schreiben",
            "title": LETTER_TITLE,
            "body": LETTER_BODY,
            "closing": "official",
            "with_remedy": False,
        },
    ],
    "remedies": [{"remedy": "widerspruch", "text": REMEDY_OBJECTION}],
}


def ensure_default_templates(template_model=None, remedy_model=None) -> int:
    """Create the general templates if missing (idempotent; works with migration models)."""
    if template_model is None or remedy_model is None:
        from amtsweg.documents.models import DocumentTemplate, RemedyTemplate

        template_model, remedy_model = DocumentTemplate, RemedyTemplate
    created = 0
    for item in DEFAULTS["templates"]:
        values = dict(item)
        doc_type = values.pop("doc_type")
        _obj, new = template_model.objects.get_or_create(
            doc_type=doc_type, procedure="", authority=None, version=1, defaults=values
        )
        created += new
    for item in DEFAULTS["remedies"]:
        _obj, new = remedy_model.objects.get_or_create(
            procedure="", authority=None, version=1, defaults=dict(item)
        )
        created += new
    return created
