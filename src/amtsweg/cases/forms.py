"""Django forms generated from a procedure's declared steps. Server-side validation is the source of truth.

`step_form(procedure, step, data=..., initial=...)` builds a bound or unbound form for one step (or any list
of
fields, for follow-up questions). Values are stored JSON-friendly (`to_json`): dates as ISO strings, decimals
as
strings, lists for multiple choice; files are handled by the views through `cases.uploads` and stored as
lists of
file metadata.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.procedures.base import Field

POSTAL_CODE = RegexValidator(
    r"^[0-9]{5}$", gettext_lazy("Bitte geben Sie eine Postleitzahl aus fünf Ziffern an."), code="postal_code"
)
PHONE = RegexValidator(
    r"^\+?[0-9 ()/-]{5,30}$",
    gettext_lazy("Bitte geben Sie eine Telefonnummer an (Ziffern, Leerzeichen, + - /)."),
    code="phone",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ERROR_MESSAGES = {
    "required": gettext_lazy("Bitte füllen Sie dieses Feld aus."),
    "invalid": gettext_lazy("Diese Angabe ist ungültig."),
    "invalid_choice": gettext_lazy("Bitte wählen Sie einen der angebotenen Werte."),
    "max_length": gettext_lazy("Bitte kürzen Sie die Angabe auf höchstens %(limit_value)d Zeichen."),
    "min_value": gettext_lazy("Der Wert muss mindestens %(limit_value)s sein."),
    "max_value": gettext_lazy("Der Wert darf höchstens %(limit_value)s sein."),
}


def _no_control(value):
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValidationError(_("Die Angabe enthält unzulässige Steuerzeichen."))


def _attrs(item: Field, field_id_prefix: str = "") -> dict:
    attrs = {}
    if item.autocomplete:
        attrs["autocomplete"] = item.autocomplete
    return attrs


def django_field(item: Field) -> forms.Field:
    common = {
        "label": item.label,
        "help_text": item.help,
        "required": item.required,
        "error_messages": dict(ERROR_MESSAGES),
        "validators": [_no_control, *item.validators],
    }
    attrs = _attrs(item)
    kind = item.kind
    if kind == "text":
        return forms.CharField(
            max_length=item.max_length,
            widget=forms.TextInput(attrs={**attrs, "class": "kern-form-input__input"}),
            **common,
        )
    if kind == "textarea":
        return forms.CharField(
            max_length=item.max_length,
            widget=forms.Textarea(attrs={**attrs, "class": "kern-form-input__input", "rows": 5}),
            **common,
        )
    if kind == "email":
        common["error_messages"]["invalid"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
        return forms.EmailField(
            max_length=254,
            widget=forms.EmailInput(attrs={**attrs, "class": "kern-form-input__input"}),
            **common,
        )
    if kind == "phone":
        common["validators"].append(PHONE)
        return forms.CharField(
            max_length=30,
            widget=forms.TextInput(attrs={**attrs, "class": "kern-form-input__input", "type": "tel"}),
            **common,
        )
    if kind == "postal_code":
        common["validators"].append(POSTAL_CODE)
        return forms.CharField(
            max_length=5,
            widget=forms.TextInput(
                attrs={
                    **attrs,
                    "class": "kern-form-input__input",
                    "inputmode": "numeric",
                    "size": 6,
                    "autocomplete": attrs.get("autocomplete", "postal-code"),
                }
            ),
            **common,
        )
    if kind == "date":
        common["error_messages"]["invalid"] = _("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")
        field = forms.DateField(
            input_formats=["%Y-%m-%d", "%d.%m.%Y"],
            widget=forms.DateInput(
                attrs={**attrs, "class": "kern-form-input__input", "type": "date"}, format="%Y-%m-%d"
            ),
            **common,
        )
        if item.min_value is not None or item.max_value is not None:
            field.validators.append(_range(item))
        return field
    if kind == "integer":
        common["error_messages"]["invalid"] = _("Bitte geben Sie eine ganze Zahl an.")
        return forms.IntegerField(
            min_value=item.min_value,
            max_value=item.max_value,
            widget=forms.NumberInput(attrs={**attrs, "class": "kern-form-input__input"}),
            **common,
        )
    if kind == "decimal":
        common["error_messages"]["invalid"] = _("Bitte geben Sie eine Zahl an (Komma oder Punkt).")
        return forms.DecimalField(
            min_value=item.min_value,
            max_value=item.max_value,
            max_digits=15,
            decimal_places=4,
            localize=True,
            widget=forms.TextInput(
                attrs={**attrs, "class": "kern-form-input__input", "inputmode": "decimal"}
            ),
            **common,
        )
    if kind == "choice":
        widget = (
            forms.RadioSelect(attrs={"class": "kern-form-check__radio"})
            if len(item.choices) <= 5
            else forms.Select(attrs={"class": "kern-form-input__select"})
        )
        choices = (
            list(item.choices) if len(item.choices) <= 5 else [("", _("Bitte wählen")), *list(item.choices)]
        )
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=list(item.choices),
            widget=forms.CheckboxSelectMultiple(attrs={"class": "kern-form-check__checkbox"}),
            **common,
        )
    if kind == "boolean":
        return forms.BooleanField(
            widget=forms.CheckboxInput(attrs={"class": "kern-form-check__checkbox"}), **common
        )
    if kind == "file":
        return FilesField(item)
    raise ValueError(kind)


def _range(item: Field):
    def check(value):
        if item.min_value is not None and value < item.min_value:
            raise ValidationError(
                _("Das Datum darf nicht vor dem %(day)s liegen.")
                % {"day": item.min_value.strftime("%d.%m.%Y")}
            )
        if item.max_value is not None and value > item.max_value:
            raise ValidationError(
                _("Das Datum darf nicht nach dem %(day)s liegen.")
                % {"day": item.max_value.strftime("%d.%m.%Y")}
            )

    return check


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.Field):
    """A file field whose value is the list of stored files (metadata); new uploads come separately."""

    widget = MultipleFileInput

    def __init__(self, item: Field):
        self.item = item
        accept = ",".join(
            {"pdf": "application/pdf,.pdf", "jpeg": "image/jpeg,.jpg,.jpeg", "png": "image/png,.png"}.get(
                t, ""
            )
            for t in item.upload.types
        )
        attrs = {"accept": accept, "class": "kern-form-input__input"}
        if item.upload.max_files > 1:
            attrs["multiple"] = True
        super().__init__(
            label=item.label, help_text=item.help, required=False, widget=MultipleFileInput(attrs=attrs)
        )

    def to_python(self, value):
        return value


def step_form(procedure, fields, *, data=None, initial=None, prefix=None) -> forms.Form:
    form_fields = {item.name: django_field(item) for item in fields}
    form_class = type("StepForm", (forms.Form,), form_fields)
    form = form_class(data=data, initial=initial or {}, prefix=prefix)
    form.declared = {item.name: item for item in fields}
    return form


def to_json(item: Field, value):
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # format "f": Decimal("400").normalize() would print as "4E+2"
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


def from_json(item: Field, value):
    """The stored value as the form's initial value."""
    if value is None or value == "":
        return None
    if item.kind == "date":
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if item.kind == "decimal":
        try:
            return Decimal(value)
        except (InvalidOperation, TypeError):
            return None
    return value


def validate_values(procedure, fields, values: dict) -> dict[str, list[str]]:
    """Re-validate stored values (JSON) of `fields` as the server's truth; returns {field: [messages]}."""
    form_data = {}
    for item in fields:
        value = values.get(item.name)
        if item.kind == "file":
            continue
        if item.kind == "multichoice":
            form_data[item.name] = value or []
        elif item.kind == "boolean":
            if value:
                form_data[item.name] = "on"
        elif value is not None:
            form_data[item.name] = str(value)
    form = step_form(procedure, [f for f in fields if f.kind != "file"], data=_QueryDict(form_data))
    errors = {} if form.is_valid() else {name: list(messages) for name, messages in form.errors.items()}
    for item in fields:
        if item.kind == "file" and item.required and not values.get(item.name):
            errors.setdefault(item.name, []).append(_("Bitte laden Sie mindestens eine Datei hoch."))
    return errors


class _QueryDict(dict):
    """A mapping that answers getlist() like a QueryDict (for multiple-choice values)."""

    def getlist(self, key, default=None):
        value = self.get(key, default if default is not None else [])
        return value if isinstance(value, list) else [value]


def display_value(item: Field, value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if item.kind == "boolean":
        return _("ja") if value else _("nein")
    if item.kind == "date":
        try:
            return date_format(dt.date.fromisoformat(value), "d.m.Y")
        except (TypeError, ValueError):
            return str(value)
    if item.kind == "choice":
        return str(dict(item.choices).get(value, value))
    if item.kind == "multichoice":
        labels = dict(item.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if item.kind == "decimal":
        return str(value).replace(".", ",")
    if item.kind == "file":
        return ", ".join(f"{meta.get('name', '')} ({meta.get('size', 0) // 1024 or 1} kB)" for meta in value)
    return str(value)
