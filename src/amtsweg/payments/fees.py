"""Fee computation: one pure function used by the server and (through a rendered fragment) the page.

`compute_fee(rule, inputs)` reads only the rule's attributes and the inputs; it touches no database,
so what the citizen sees before submitting is exactly what the case will be charged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from amtsweg.payments.money import format_cents

MAX_FEE_CENTS = 100_000_000  # 1 Mio. €: anything above is a configuration error, not a fee


class FeeError(ValueError):
    """The rule is misconfigured or the inputs do not fit it; the message is German and shown as is."""


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount_cents: int
    quantity: int = 1

    @property
    def amount_display(self) -> str:
        return format_cents(self.amount_cents)

    def as_dict(self) -> dict:
        return {"label": self.label, "amount_cents": self.amount_cents, "quantity": self.quantity}


@dataclass(frozen=True)
class FeeQuote:
    total_cents: int
    lines: tuple[FeeLine, ...] = field(default_factory=tuple)
    legal_basis: str = ""

    @property
    def total_display(self) -> str:
        return format_cents(self.total_cents)

    @property
    def is_free(self) -> bool:
        return self.total_cents == 0

    def as_dict(self) -> dict:
        return {
            "total_cents": self.total_cents,
            "total": self.total_display,
            "lines": [line.as_dict() for line in self.lines],
            "legal_basis": self.legal_basis,
        }


def _int(value, name: str, *, minimum: int = 0, maximum: int = MAX_FEE_CENTS) -> int:
    if isinstance(value, bool):
        raise FeeError(_("%(name)s muss eine ganze Zahl sein.") % {"name": name})
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise FeeError(_("%(name)s muss eine ganze Zahl sein.") % {"name": name}) from None
    if number < minimum or number > maximum:
        raise FeeError(
            _("%(name)s muss zwischen %(min)s und %(max)s liegen.")
            % {"name": name, "min": minimum, "max": maximum}
        )
    return number


def validate_rule(rule) -> None:
    """Raise FeeError when a rule cannot produce a lawful fee (e.g. a range fee outside its legal bounds)."""
    kind = rule.kind
    if kind == "range":
        if rule.min_cents is None or rule.max_cents is None:
            raise FeeError(_("Eine Rahmengebühr braucht ein gesetzliches Minimum und Maximum."))
        if rule.min_cents > rule.max_cents:
            raise FeeError(_("Das Minimum der Rahmengebühr ist größer als das Maximum."))
        if not rule.min_cents <= rule.amount_cents <= rule.max_cents:
            raise FeeError(
                _("Der Betrag %(amount)s liegt außerhalb des gesetzlichen Rahmens von %(min)s bis %(max)s.")
                % {
                    "amount": format_cents(rule.amount_cents),
                    "min": format_cents(rule.min_cents),
                    "max": format_cents(rule.max_cents),
                }
            )
    elif kind == "sum_of_items":
        seen = set()
        for item in rule.items or []:
            if not isinstance(item, Mapping) or not item.get("key") or not item.get("label"):
                raise FeeError(_("Jeder Posten braucht einen Schlüssel und eine Bezeichnung."))
            if item["key"] in seen:
                raise FeeError(_("Der Posten „%(key)s“ ist doppelt.") % {"key": item["key"]})
            seen.add(item["key"])
            _int(item.get("amount_cents"), _("Postenbetrag"))
    elif kind not in {"fixed", "per_item", "free"}:
        raise FeeError(_("Unbekannte Gebührenart „%(kind)s“.") % {"kind": kind})
    if kind != "free" and not (rule.legal_basis or "").strip():
        raise FeeError(_("Eine Gebühr braucht eine Rechtsgrundlage."))


def compute_fee(rule, inputs: Mapping | None = None) -> FeeQuote:
    """The fee for `rule` given the applicant's `inputs`.

    inputs (all optional): ``quantity`` (int, per-item fees: number of units beyond the base),
    ``items`` (list of item keys, sum-of-items fees; required items are always charged).
    """
    inputs = inputs or {}
    if not isinstance(inputs, Mapping):
        raise FeeError(_("Die Angaben zur Gebühr sind ungültig."))
    validate_rule(rule)
    kind = rule.kind
    lines: list[FeeLine] = []
    if kind == "free":
        return FeeQuote(0, (FeeLine(rule.label, 0),), rule.legal_basis)
    if kind in {"fixed", "range"}:
        lines.append(FeeLine(rule.label, rule.amount_cents))
    elif kind == "per_item":
        quantity = _int(inputs.get("quantity", 0), _("Anzahl"), maximum=rule.max_units)
        if rule.amount_cents:
            lines.append(FeeLine(rule.label, rule.amount_cents))
        if quantity:
            lines.append(
                FeeLine(rule.unit_label or _("je weitere Einheit"), rule.unit_cents * quantity, quantity)
            )
    elif kind == "sum_of_items":
        chosen = inputs.get("items", [])
        if isinstance(chosen, str) or not isinstance(chosen, list | tuple | set | frozenset):
            raise FeeError(_("Die gewählten Posten sind ungültig."))
        chosen = {str(key) for key in chosen}
        known = {item["key"]: item for item in rule.items}
        unknown = sorted(chosen - known.keys())
        if unknown:
            raise FeeError(_("Unbekannter Posten: %(keys)s.") % {"keys": ", ".join(unknown)[:200]})
        if rule.amount_cents:
            lines.append(FeeLine(rule.label, rule.amount_cents))
        for item in rule.items:
            if item.get("required") or item["key"] in chosen:
                lines.append(FeeLine(item["label"], int(item["amount_cents"])))
    total = sum(line.amount_cents for line in lines)
    if total > MAX_FEE_CENTS:
        raise FeeError(_("Die Gebühr übersteigt den zulässigen Höchstbetrag."))
    return FeeQuote(total, tuple(lines), rule.legal_basis)
