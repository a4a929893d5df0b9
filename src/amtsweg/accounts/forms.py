from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Organisation, OrganisationMembership, User

PROCEDURE_KEY_MAX = 20


class KernFormMixin:
    """Adds the KERN classes and ARIA links to every widget (no inline styles: CSP)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                widget.attrs.setdefault("class", "kern-form-check__checkbox")
            elif isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "kern-form-check__radio")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            else:
                widget.attrs.setdefault("class", "kern-form-input__input")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            error_id = f"id_{self.add_prefix(name)}-error"
            described = widget.attrs.get("aria-describedby", "")
            if error_id not in described:
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()
                widget.attrs["aria-invalid"] = "true"
                base = widget.attrs.get("class", "").split()[0]
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {base}--error".strip()


class LoginForm(KernFormMixin, forms.Form):
    username = forms.CharField(
        label=_("E-Mail-Adresse"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Passwort"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class StaffLoginForm(KernFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Benutzername"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Passwort"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(KernFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code aus der Authenticator-App oder Wiederherstellungscode"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )


class EnrolForm(KernFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Sechsstelliger Code aus der App"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class RegistrationForm(KernFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Familienname"), max_length=150)
    email = forms.EmailField(
        label=_("E-Mail-Adresse"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Passwort"),
        strip=False,
        max_length=4096,
        help_text=_(
            "Mindestens 10 Zeichen, nicht nur Ziffern, nicht zu ähnlich zu Name oder E-Mail-Adresse."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    electronic_access = forms.BooleanField(
        label=_(
            "Ich habe zur Kenntnis genommen: Wenn ich über dieses Konto einen Antrag stelle oder eine "
            "Behörde kontaktiere, kann mir die Behörde elektronisch antworten und Bescheide in mein "
            "Postfach zustellen "
            "(§ 11a Abs. 3 SächsEGovG)."
        ),
        error_messages={"required": _("Bitte bestätigen Sie den Hinweis zur elektronischen Kommunikation.")},
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        elif password1:
            probe = User(
                username="probe",
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "street_address", "postal_code", "locality"]
        labels = {"first_name": _("Vorname"), "last_name": _("Familienname")}

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"].strip()
        if value and not (value.isdigit() and len(value) == 5):
            raise forms.ValidationError(_("Bitte geben Sie eine fünfstellige Postleitzahl an."))
        return value


class OrganisationForm(KernFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "register_number"]


class MemberAddForm(KernFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse des Kontos"), max_length=254)
    role = forms.ChoiceField(label=_("Rolle"), choices=OrganisationMembership.Role.choices, initial="member")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=OrganisationMembership.Role.choices)


class MandateForm(KernFormMixin, forms.Form):
    principal = forms.ChoiceField(label=_("Vollmachtgeber/in"))
    agent_email = forms.EmailField(
        label=_("E-Mail-Adresse der bevollmächtigten Person"),
        max_length=254,
        help_text=_("Die Person braucht ein Konto auf dieser Plattform."),
    )
    all_procedures = forms.BooleanField(label=_("für alle Leistungen"), required=False)
    procedure_keys = forms.CharField(
        label=_("oder nur für diese Leistungen (Kennungen, durch Komma getrennt)"),
        required=False,
        max_length=1000,
        help_text=_("z. B. gewerbe-anmeldung, bohranzeige"),
    )
    valid_until = forms.DateField(
        label=_("gültig bis (leer: unbefristet)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Bemerkung"), required=False, max_length=500)

    def __init__(self, *args, principal_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principal"].choices = list(principal_choices)

    def clean_procedure_keys(self):
        raw = self.cleaned_data.get("procedure_keys", "")
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        if len(keys) > PROCEDURE_KEY_MAX:
            raise forms.ValidationError(
                _("Höchstens %(n)d Leistungen pro Vollmacht.") % {"n": PROCEDURE_KEY_MAX}
            )
        for key in keys:
            if len(key) > 100 or not all(ch.isalnum() or ch in "-_." for ch in key):
                raise forms.ValidationError(
                    _("„%(key)s“ ist keine gültige Leistungskennung.") % {"key": key[:100]}
                )
        return keys

    def clean_valid_until(self):
        value = self.cleaned_data.get("valid_until")
        if value and value <= timezone.localdate():
            raise forms.ValidationError(_("Das Ende der Vollmacht muss in der Zukunft liegen."))
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_procedures") and not cleaned.get("procedure_keys") and not self.errors:
            raise forms.ValidationError(
                _("Bitte wählen Sie „für alle Leistungen“ oder nennen Sie Leistungen.")
            )
        return cleaned


class DeleteAccountForm(KernFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("Ich habe die Hinweise gelesen und möchte mein Konto löschen."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten.")},
    )
