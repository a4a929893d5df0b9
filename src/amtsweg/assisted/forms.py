"""Forms of the assisted services (German labels; KERN classes are added in `KernForm`)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.assisted import geo
from amtsweg.assisted.mapdata import Filters, offered_services
from amtsweg.assisted.models import LocationKind, TourStop
from amtsweg.regions import services as regions
from amtsweg.regions.models import Place

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
TIME_FORMATS = ["%H:%M"]
MAX_SEARCH = 100


class KernForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "kern-form-check__checkbox")
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "kern-form-input__input")
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}-hint")


def _district_choices():
    return [("", _("alle Kreise"))] + [(d.ags, d.full_name) for d in regions.all_districts()]


class MapFilterForm(KernForm):
    typ = forms.ChoiceField(
        label=gettext_lazy("Art"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Diese Art gibt es nicht. Bitte wählen Sie aus der Liste.")
        },
    )
    leistung = forms.ChoiceField(
        label=gettext_lazy("Leistung"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Diese Leistung wird vor Ort nicht angeboten. Bitte wählen Sie aus der Liste."
            )
        },
    )
    kreis = forms.ChoiceField(
        label=gettext_lazy("Kreis oder kreisfreie Stadt"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Diesen Kreis gibt es in Sachsen nicht. Bitte wählen Sie aus der Liste."
            )
        },
    )
    datum = forms.DateField(
        label=gettext_lazy("Datum"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Bitte geben Sie ein Datum wie 03.12.2026 an.")},
    )
    ort = forms.CharField(
        label=gettext_lazy("In der Nähe von"),
        required=False,
        max_length=MAX_SEARCH,
        help_text=gettext_lazy("Postleitzahl oder Gemeinde, z. B. 08523 oder Plauen"),
        error_messages={"max_length": gettext_lazy("Bitte geben Sie höchstens 100 Zeichen ein.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typ"].choices = [("", _("alle Arten"))] + [(k.value, k.label) for k in LocationKind]
        self.fields["leistung"].choices = [("", _("alle Leistungen"))] + [
            (s.key, s.display_name) for s in offered_services()
        ]
        self.fields["kreis"].choices = _district_choices()
        self.near_place = None

    def clean_ort(self):
        text = " ".join((self.cleaned_data.get("ort") or "").split())
        if not text:
            return ""
        place = None
        if re.fullmatch(r"[0-9]{5}", text):
            try:
                places = [p for p in regions.places_for_postal_code(text) if p.lat is not None]
            except regions.UnknownPostalCode as error:
                raise forms.ValidationError(str(error)) from None
            place = places[0] if places else None
        else:
            candidates = Place.objects.filter(lat__isnull=False).select_related("district")
            place = (
                candidates.filter(name__iexact=text).first()
                or candidates.filter(name__istartswith=text).order_by("name").first()
            )
        if place is None:
            raise forms.ValidationError(
                _(
                    "Den Ort „%(text)s“ kennen wir nicht. Bitte geben Sie eine sächsische Postleitzahl oder "
                    "Gemeinde an."
                )
                % {"text": text[:40]}
            )
        self.near_place = place
        return text

    def filters(self) -> Filters:
        """The valid filters; a field with an error is left out (the page shows the error next to it)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        result = Filters()
        result.kind = data.get("typ") or None
        key = data.get("leistung")
        if key:
            from amtsweg.catalog.models import Service

            result.service = Service.objects.filter(key=key).first()
        ags = data.get("kreis")
        if ags:
            result.district = regions.district_by_ags(ags)
        result.day = data.get("datum")
        if self.near_place is not None:
            result.near_name = self.near_place.name
            result.near = (self.near_place.lat, self.near_place.lon)
        return result


class ContactFields(KernForm):
    name = forms.CharField(label=gettext_lazy("Vor- und Nachname"), max_length=200)
    email = forms.EmailField(
        label=gettext_lazy("E-Mail-Adresse"),
        max_length=254,
        help_text=gettext_lazy(
            "Hierhin schicken wir den Link zur Bestätigung und später die Terminbestätigung."
        ),
        error_messages={
            "invalid": gettext_lazy("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@example.org.")
        },
    )
    telefon = forms.CharField(label=gettext_lazy("Telefon für Rückfragen"), max_length=40, required=False)
    # Honeypot: hidden from people (CSS class and aria-hidden wrapper), filled in by many bots.
    website = forms.CharField(required=False, label=gettext_lazy("Bitte leer lassen"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["telefon"].widget.attrs["autocomplete"] = "tel"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class BookingForm(ContactFields):
    termin = forms.CharField(
        label=gettext_lazy("Termin"),
        max_length=32,
        error_messages={
            "required": gettext_lazy("Bitte wählen Sie einen Termin aus."),
        },
    )
    anliegen = forms.ChoiceField(label=gettext_lazy("Ihr Anliegen"), required=False)
    hinweis = forms.CharField(
        label=gettext_lazy("Hinweis für uns"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    datenschutz = forms.BooleanField(
        label=gettext_lazy("Ich bin einverstanden, dass meine Angaben zur Terminvergabe gespeichert werden."),
        error_messages={
            "required": gettext_lazy("Bitte stimmen Sie der Speicherung für die Terminvergabe zu.")
        },
    )

    field_order = ["termin", "anliegen", "name", "email", "telefon", "hinweis", "datenschutz", "website"]

    def __init__(self, *args, target=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        services = list(target.services.all()) if target is not None else []
        self.fields["anliegen"].choices = [("", _("bitte wählen (optional)"))] + [
            (s.key, s.display_name) for s in services
        ]
        self.services = {s.key: s for s in services}
        if user is not None and user.is_authenticated and not self.is_bound:
            self.initial.setdefault("name", user.get_full_name())
            self.initial.setdefault("email", user.email)

    def clean_anliegen(self):
        key = self.cleaned_data.get("anliegen")
        return self.services.get(key) if key else None


class RebookForm(forms.Form):
    termin = forms.CharField(
        label=gettext_lazy("Neuer Termin"),
        max_length=32,
        error_messages={"required": gettext_lazy("Bitte wählen Sie einen Termin aus.")},
    )


class HomeVisitForm(ContactFields):
    kreis = forms.ChoiceField(
        label=gettext_lazy("Kreis oder kreisfreie Stadt, in dem Sie wohnen"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Diesen Kreis gibt es in Sachsen nicht. Bitte wählen Sie aus der Liste."
            ),
            "required": gettext_lazy("Bitte wählen Sie Ihren Kreis."),
        },
    )
    strasse = forms.CharField(label=gettext_lazy("Straße und Hausnummer"), max_length=200)
    plz = forms.RegexField(
        label=gettext_lazy("Postleitzahl"),
        regex=r"^[0-9]{5}\Z",
        error_messages={"invalid": gettext_lazy("Die Postleitzahl besteht aus fünf Ziffern.")},
        max_length=5,
    )
    ort = forms.CharField(label=gettext_lazy("Ort"), max_length=120)
    grund = forms.CharField(
        label=gettext_lazy("Warum können Sie nicht zu uns kommen?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("z. B. bettlägerig, Pflegegrad, keine Fahrmöglichkeit"),
    )
    anliegen = forms.ChoiceField(label=gettext_lazy("Ihr Anliegen"), required=False)
    wunschtermine = forms.CharField(
        label=gettext_lazy("Wann passt es Ihnen?"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("z. B. vormittags, nicht mittwochs"),
    )
    datenschutz = forms.BooleanField(
        label=gettext_lazy(
            "Ich bin einverstanden, dass meine Angaben zur Planung des Besuchs gespeichert werden."
        ),
        error_messages={"required": gettext_lazy("Bitte stimmen Sie der Speicherung zu.")},
    )

    field_order = [
        "kreis",
        "name",
        "strasse",
        "plz",
        "ort",
        "email",
        "telefon",
        "grund",
        "anliegen",
        "wunschtermine",
        "datenschutz",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from amtsweg.catalog.models import Service

        self.fields["kreis"].choices = [("", _("bitte wählen")), *_district_choices()[1:]]
        services = list(Service.objects.filter(assisted_stops__isnull=False).distinct().order_by("name"))
        self.fields["anliegen"].choices = [("", _("bitte wählen (optional)"))] + [
            (s.key, s.display_name) for s in services
        ]
        self.services = {s.key: s for s in services}

    def clean_kreis(self):
        try:
            return regions.district_by_ags(self.cleaned_data["kreis"])
        except regions.UnknownDistrict as error:
            raise forms.ValidationError(str(error)) from None

    def clean_anliegen(self):
        key = self.cleaned_data.get("anliegen")
        return self.services.get(key) if key else None


# --- staff --------------------------------------------------------------------------------------------------


class CoordinateField(forms.FloatField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "error_messages", {"invalid": gettext_lazy("Bitte eine Zahl mit Punkt angeben, z. B. 50.4973.")}
        )
        super().__init__(*args, **kwargs)


class TourForm(KernForm):
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    date = forms.DateField(
        label=gettext_lazy("Datum"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_time = forms.TimeField(
        label=gettext_lazy("Abfahrt"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    end_time = forms.TimeField(
        label=gettext_lazy("Rückkehr spätestens"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    depot_name = forms.CharField(label=gettext_lazy("Startort"), max_length=200)
    depot_lat = CoordinateField(label=gettext_lazy("Breitengrad des Startorts"))
    depot_lon = CoordinateField(label=gettext_lazy("Längengrad des Startorts"))
    slot_minutes = forms.IntegerField(
        label=gettext_lazy("Dauer eines Termins (Minuten)"), min_value=5, max_value=120, initial=15
    )
    capacity_per_slot = forms.IntegerField(
        label=gettext_lazy("Plätze je Termin"), min_value=1, max_value=20, initial=1
    )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("depot_lat"), data.get("depot_lon")
        if lat is not None and lon is not None:
            error = geo.saxony_error(lat, lon)
            if error:
                self.add_error("depot_lat", error)
        return data


class StopForm(KernForm):
    name = forms.CharField(
        label=gettext_lazy("Ort der Sprechstunde"),
        max_length=200,
        help_text=gettext_lazy("z. B. Gemeindeamt, Pflegeheim Sonnenhof"),
    )
    place = forms.ChoiceField(label=gettext_lazy("Gemeinde"))
    street = forms.CharField(label=gettext_lazy("Straße und Hausnummer"), max_length=200, required=False)
    postal_code = forms.RegexField(
        label=gettext_lazy("Postleitzahl"),
        regex=r"^[0-9]{5}\Z",
        required=False,
        max_length=5,
        error_messages={"invalid": gettext_lazy("Die Postleitzahl besteht aus fünf Ziffern.")},
    )
    lat = CoordinateField(
        label=gettext_lazy("Breitengrad"),
        required=False,
        help_text=gettext_lazy("leer: Ortsmitte der Gemeinde"),
    )
    lon = CoordinateField(label=gettext_lazy("Längengrad"), required=False)
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Dauer des Halts (Minuten)"), min_value=15, max_value=600, initial=90
    )
    kind = forms.ChoiceField(label=gettext_lazy("Art"), choices=TourStop.Kind.choices)
    services = forms.MultipleChoiceField(
        label=gettext_lazy("Leistungen"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, places=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(p.pk): p for p in places}
        self.fields["place"].choices = [("", _("bitte wählen"))] + [(str(p.pk), p.name) for p in places]
        self.service_map = {s.key: s for s in services}
        self.fields["services"].choices = [(s.key, s.display_name) for s in services]

    def clean(self):
        data = super().clean()
        place = self.places.get(data.get("place") or "")
        data["place_obj"] = place
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None):
            self.add_error("lat", _("Bitte beide Koordinaten angeben oder beide leer lassen."))
            return data
        if lat is None and place is not None:
            if place.lat is None:
                self.add_error("lat", _("Für diese Gemeinde kennen wir keine Koordinaten; bitte angeben."))
                return data
            data["lat"], data["lon"] = place.lat, place.lon
        if data.get("lat") is not None:
            error = geo.saxony_error(data["lat"], data["lon"])
            if error:
                self.add_error("lat", error)
        data["service_objs"] = [
            self.service_map[k] for k in data.get("services", []) if k in self.service_map
        ]
        return data


class AssignForm(KernForm):
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    kit = forms.ChoiceField(label=gettext_lazy("Bürgerkoffer"), required=False)

    def __init__(self, *args, teams=(), kits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.team_map = {str(t.pk): t for t in teams}
        self.kit_map = {str(k.pk): k for k in kits}
        self.fields["team"].choices = [("", _("kein Team"))] + [(k, t.name) for k, t in self.team_map.items()]
        self.fields["kit"].choices = [("", _("kein Koffer"))] + [(k, v.name) for k, v in self.kit_map.items()]


class ReasonForm(KernForm):
    reason = forms.CharField(
        label=gettext_lazy("Grund"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Bitte geben Sie einen Grund an.")},
    )


class KitForm(KernForm):
    name = forms.CharField(label=gettext_lazy("Bezeichnung"), max_length=120)
    inventory_number = forms.CharField(label=gettext_lazy("Inventarnummer"), max_length=60, required=False)
    equipment = forms.CharField(
        label=gettext_lazy("Ausstattung"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TeamForm(KernForm):
    name = forms.CharField(label=gettext_lazy("Name des Teams"), max_length=120)
    members = forms.MultipleChoiceField(
        label=gettext_lazy("Mitglieder"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["members"].choices = [
            (k, p.get_full_name() or p.get_username()) for k, p in self.people.items()
        ]


class AcceptVisitForm(KernForm):
    date = forms.DateField(
        label=gettext_lazy("Datum"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.TimeField(
        label=gettext_lazy("Uhrzeit"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Dauer (Minuten)"), min_value=15, max_value=240, initial=45
    )
    note = forms.CharField(
        label=gettext_lazy("Hinweis an die Person"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
