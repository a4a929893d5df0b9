"""How catalogue data is shown: fees in German money format, the FIM modules of a service page,
and the responsible authority (through `directory.services.serialize_authority`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.catalog.models import FeeKind, Service


def format_cents(cents: int) -> str:
    """12,80 € (German format, thousands separator, non-breaking space before the sign)."""
    euros, rest = divmod(int(cents), 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d}\u00a0€"


def fee_text(service: Service) -> str:
    low, high = service.fee_min_cents, service.fee_max_cents
    if service.fee_kind == FeeKind.FREE:
        return _("gebührenfrei")
    if service.fee_kind == FeeKind.FIXED and low is not None:
        return format_cents(low)
    if service.fee_kind == FeeKind.RANGE and low is not None and high is not None:
        return _("%(low)s bis %(high)s") % {"low": format_cents(low), "high": format_cents(high)}
    if service.fee_kind == FeeKind.LOCAL:
        if low is not None and high is not None:
            return _("nach der örtlichen Satzung, meist %(low)s bis %(high)s") % {
                "low": format_cents(low),
                "high": format_cents(high),
            }
        return _("nach der Gebührensatzung der zuständigen Stelle")
    return _("keine Angabe")


# FIM text modules in the order of the Stammtext; (field, heading, kind)
SECTIONS = (
    ("full_text", gettext_lazy("Beschreibung"), "text"),
    ("target_groups", gettext_lazy("Für wen"), "groups"),
    ("prerequisites", gettext_lazy("Voraussetzungen"), "list"),
    ("documents", gettext_lazy("Erforderliche Unterlagen"), "list"),
    ("fee", gettext_lazy("Kosten"), "fee"),
    ("deadlines", gettext_lazy("Fristen"), "list"),
    ("processing_time", gettext_lazy("Bearbeitungsdauer"), "text"),
    ("steps", gettext_lazy("Verfahrensablauf"), "steps"),
    ("legal_bases", gettext_lazy("Rechtsgrundlagen"), "legal"),
    ("remarks", gettext_lazy("Hinweise"), "text"),
)


def service_sections(service: Service) -> list[dict]:
    """The FIM modules with content; each {"id", "heading", "kind", "value"}."""
    sections = []
    for name, heading, kind in SECTIONS:
        if kind == "fee":
            value = {"text": fee_text(service), "note": service.fee_note}
        elif kind == "groups":
            labels = dict(_target_group_labels())
            value = [labels.get(group, group) for group in service.target_groups]
        else:
            value = getattr(service, name)
        if not value:
            continue
        sections.append({"id": name.replace("_", "-"), "heading": heading, "kind": kind, "value": value})
    return sections


def _target_group_labels():
    from amtsweg.catalog.models import TargetGroup

    return [(choice.value, choice.label) for choice in TargetGroup]


def authority_view(authority, *, at=None) -> dict:
    """The directory's public description of an authority (name, address, opening hours, open now)."""
    from amtsweg.directory import services as directory

    return directory.serialize_authority(authority, at)
