"""Forms of the authority administration: parsing and field checks only; the rules live in services."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import STAFF_ROLES
from amtsweg.directory.models import WeeklyHours
from amtsweg.payments.money import parse_euros

ROLE_CHOICES = [(key, label) for key, label in STAFF_ROLES.items()]
_INPUT = {"class": "kern-form-input__input"}
_SELECT = {"class": "kern-form-input__select"}
_CHECK = {"class": "kern-form-check__input"}


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=ROLE_CHOICES,
            label=_("Rollen"),
            error_messages={"required": _("Bitte wählen Sie mindestens eine Rolle.")},
            **kwargs,
        )


class InviteForm(forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150, widget=forms.TextInput(_INPUT))
    last_name = forms.CharField(label=_("Nachname"), max_length=150, widget=forms.TextInput(_INPUT))
    username = forms.CharField(
        label=_("Benutzername"),
        max_length=150,
        validators=[RegexValidator(r"^[\w.@+-]+$", _("Nur Buchstaben, Ziffern und . @ + - _ sind erlaubt."))],
        widget=forms.TextInput({**_INPUT, "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Dienstliche E-Mail-Adresse"),
        help_text=_("An diese Adresse geht der Link zum Festlegen des Passworts."),
        widget=forms.EmailInput(_INPUT),
    )
    roles = RolesField()


class RolesForm(forms.Form):
    roles = RolesField()


class FeeForm(forms.Form):
    amount = forms.CharField(label=_("Betrag in Euro"), max_length=20, widget=forms.TextInput(_INPUT))

    def clean_amount(self) -> int:
        try:
            return parse_euros(self.cleaned_data["amount"])
        except ValueError:
            raise forms.ValidationError(_("Bitte geben Sie einen Betrag in Euro an, z. B. 30,00.")) from None


class WeeklyHoursForm(forms.Form):
    office = forms.TypedChoiceField(label=_("Dienststelle"), coerce=int, widget=forms.Select(_SELECT))
    weekday = forms.TypedChoiceField(
        label=_("Wochentag"), choices=WeeklyHours.Weekday.choices, coerce=int, widget=forms.Select(_SELECT)
    )
    opens = forms.TimeField(label=_("öffnet (HH:MM)"), widget=forms.TimeInput({**_INPUT, "type": "time"}))
    closes = forms.TimeField(label=_("schließt (HH:MM)"), widget=forms.TimeInput({**_INPUT, "type": "time"}))
    note = forms.CharField(label=_("Hinweis"), max_length=200, required=False, widget=forms.TextInput(_INPUT))

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [(o.pk, o.name) for o in offices]


class SpecialDayForm(forms.Form):
    date = forms.DateField(
        label=_("Datum"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput({**_INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    office = forms.TypedChoiceField(
        label=_("Dienststelle"), coerce=int, required=False, empty_value=None, widget=forms.Select(_SELECT)
    )
    closed = forms.BooleanField(
        label=_("ganztägig geschlossen"), required=False, initial=True, widget=forms.CheckboxInput(_CHECK)
    )
    opens = forms.TimeField(
        label=_("öffnet (bei geänderten Zeiten)"),
        required=False,
        widget=forms.TimeInput({**_INPUT, "type": "time"}),
    )
    closes = forms.TimeField(
        label=_("schließt (bei geänderten Zeiten)"),
        required=False,
        widget=forms.TimeInput({**_INPUT, "type": "time"}),
    )
    reason = forms.CharField(
        label=_("Anlass"), max_length=200, required=False, widget=forms.TextInput(_INPUT)
    )

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [("", _("alle Dienststellen"))] + [(o.pk, o.name) for o in offices]


class RotateKeyForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Ich möchte einen neuen Schlüssel erzeugen. Neue Anträge werden dann nur noch mit ihm "
            "verschlüsselt."
        ),
        error_messages={"required": _("Bitte bestätigen Sie den Schlüsselwechsel.")},
        widget=forms.CheckboxInput(_CHECK),
    )


class ProcedureSettingForm(forms.Form):
    procedure_key = forms.SlugField(widget=forms.HiddenInput)
    processing_days = forms.IntegerField(
        label=_("Bearbeitungsziel in Arbeitstagen"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Leer: das Bearbeitungsziel des Verfahrens gilt."),
        widget=forms.NumberInput(_INPUT),
    )
    second_approval = forms.BooleanField(
        label=_("Freigabe durch eine zweite Person (Vier-Augen-Prinzip)"),
        required=False,
        widget=forms.CheckboxInput(_CHECK),
    )


class LetterSettingsForm(forms.Form):
    letterhead = forms.CharField(
        label=_("Briefkopf"),
        help_text=_("Eine Angabe je Zeile, höchstens 6 Zeilen, z. B. Behörde, Amt, Anschrift."),
        widget=forms.Textarea({"class": "kern-form-input__input", "rows": 6}),
    )
    signatory_name = forms.CharField(
        label=_("Name der unterzeichnenden Person"),
        max_length=200,
        required=False,
        widget=forms.TextInput(_INPUT),
    )
    signatory_title = forms.CharField(
        label=_("Funktion der unterzeichnenden Person"),
        max_length=200,
        required=False,
        help_text=_("z. B. „Leiterin des Ordnungsamts“"),
        widget=forms.TextInput(_INPUT),
    )
    footer = forms.CharField(
        label=_("Fußzeile"),
        required=False,
        help_text=_("z. B. Bankverbindung, Sprechzeiten; höchstens 6 Zeilen."),
        widget=forms.Textarea({"class": "kern-form-input__input", "rows": 4}),
    )


class AbsenceForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Abwesende Person"), coerce=int, widget=forms.Select(_SELECT))
    starts_on = forms.DateField(
        label=_("von"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput({**_INPUT, "type": "date"}),
    )
    ends_on = forms.DateField(
        label=_("bis (einschließlich)"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput({**_INPUT, "type": "date"}),
    )
    substitute = forms.TypedChoiceField(label=_("Vertretung"), coerce=int, widget=forms.Select(_SELECT))

    def __init__(self, *args, staff=(), substitutes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = list(staff)
        self.fields["substitute"].choices = list(substitutes)
