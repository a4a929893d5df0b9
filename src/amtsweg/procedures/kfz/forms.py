"""Forms of the i-Kfz dialogue. The details step reuses the engine's generated forms (`cases.forms.step_form`)
from the procedure's declared fields; the vehicle step is ours because security codes never reach the
engine."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.cases.forms import ERROR_MESSAGES
from amtsweg.vehicle_register import codes as code_rules
from amtsweg.vehicle_register.interface import SecurityCodes


class CodeInput(forms.TextInput):
    """A visible text input that never echoes the code back into the page (e.g. after an error)."""

    def format_value(self, value):
        return None


def _code_field(kind: str) -> forms.CharField:
    length = code_rules.LENGTHS[kind]
    return forms.CharField(
        label=code_rules.LABELS[kind],
        max_length=length + 8,  # spaces and hyphens are allowed while typing
        help_text=_("%(n)d Zeichen, Buchstaben und Ziffern") % {"n": length},
        error_messages=dict(ERROR_MESSAGES),
        widget=CodeInput(
            attrs={
                "class": "kern-form-input__input aw-kfz-code",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "size": length + 2,
            }
        ),
    )


class VehicleForm(forms.Form):
    """Step 1: which vehicle, and the codes that prove possession of its documents and plates."""

    def __init__(self, procedure, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        if procedure.identify_by == "plate":
            self.fields["kennzeichen"] = forms.CharField(
                label=_("Kennzeichen"),
                max_length=20,
                help_text=_("wie auf dem Schild, zum Beispiel „ERZ-AB 123“"),
                error_messages=dict(ERROR_MESSAGES),
                widget=forms.TextInput(
                    attrs={
                        "class": "kern-form-input__input",
                        "autocapitalize": "characters",
                        "autocomplete": "off",
                    }
                ),
            )
        else:
            self.fields["fin"] = forms.CharField(
                label=_("Fahrzeug-Identifizierungsnummer (FIN)"),
                max_length=30,
                help_text=_("17 Zeichen, Feld E der Zulassungsbescheinigung"),
                error_messages=dict(ERROR_MESSAGES),
                widget=forms.TextInput(
                    attrs={
                        "class": "kern-form-input__input",
                        "autocapitalize": "characters",
                        "autocomplete": "off",
                    }
                ),
            )
        if procedure.key == "kfz-neuzulassung":
            self.fields["zb2_nummer"] = forms.CharField(
                label=_("Nummer der Zulassungsbescheinigung Teil II"),
                max_length=20,
                help_text=_("oben rechts auf dem Dokument, zum Beispiel „AC8000001“"),
                error_messages=dict(ERROR_MESSAGES),
                widget=forms.TextInput(attrs={"class": "kern-form-input__input", "autocomplete": "off"}),
            )
        for kind in procedure.code_kinds:
            self.fields[f"code_{kind}"] = _code_field(kind)

    def security_codes(self) -> SecurityCodes:
        data = self.cleaned_data
        return SecurityCodes(
            **{kind: data.get(f"code_{kind}", "") or "" for kind in self.procedure.code_kinds}
        )


CODE_FIELD_NAMES = tuple(f"code_{kind}" for kind in code_rules.KINDS)


class ConfirmForm(forms.Form):
    bestaetigung = forms.BooleanField(
        label=_(
            "Ich habe meine Angaben geprüft. Sie sind vollständig und richtig. Ich beantrage die "
            "Entscheidung "
            "gebührenpflichtig."
        ),
        error_messages={
            "required": _(
                "Bitte bestätigen Sie Ihre Angaben, bevor Sie den Antrag gebührenpflichtig stellen."
            )
        },
        widget=forms.CheckboxInput(attrs={"class": "kern-form-check__checkbox"}),
    )
