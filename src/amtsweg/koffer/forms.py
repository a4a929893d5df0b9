from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import StaffMembership
from amtsweg.accounts.tenancy import authorities_for
from amtsweg.assisted.models import Kit


class _MembershipChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.user.get_full_name() or obj.user.get_username()
        return f"{name} – {obj.authority.name}"


class DeviceForm(forms.Form):
    name = forms.CharField(
        label=_("Bezeichnung des Geräts"),
        max_length=120,
        help_text=_("z. B. „Laptop Koffer 2“ oder die Inventarnummer"),
    )
    membership = _MembershipChoice(
        label=_("Mitarbeiterin oder Mitarbeiter"),
        queryset=StaffMembership.objects.none(),
        empty_label=_("Bitte wählen"),
        error_messages={"invalid_choice": _("Bitte wählen Sie eine Person aus der Liste.")},
    )
    kit = forms.ModelChoiceField(
        label=_("Bürgerkoffer"),
        queryset=Kit.objects.none(),
        required=False,
        empty_label=_("keiner"),
        error_messages={"invalid_choice": _("Bitte wählen Sie einen Koffer aus der Liste.")},
    )

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        authorities = authorities_for(admin, "authority_admin")
        self.fields["membership"].queryset = (
            StaffMembership.objects.filter(authority__in=authorities, is_active=True, assisted_operator=True)
            .select_related("user", "authority")
            .order_by("authority__name", "user__last_name")
        )
        self.fields["kit"].queryset = Kit.objects.filter(authority__in=authorities, is_active=True)

    def clean(self):
        data = super().clean()
        membership, kit = data.get("membership"), data.get("kit")
        if membership and kit and kit.authority_id != membership.authority_id:
            self.add_error("kit", _("Der Koffer gehört zu einer anderen Behörde als die Person."))
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund der Sperre"),
        max_length=300,
        help_text=_("z. B. „Laptop verloren“"),
        error_messages={"required": _("Bitte nennen Sie den Grund der Sperre.")},
    )
