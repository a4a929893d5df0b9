"""The minimal example procedure from docs/procedures.md (not registered automatically).

A dog-licence application (Hundesteuer-Anmeldung) at the municipality: two steps, a fixed fee,
review by a case
worker. Register it with `registry.register(DogLicence)` (the docs' test does exactly that).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from amtsweg.procedures.base import Field, Procedure, Step, Upload


class DogLicence(Procedure):
    key = "hundesteuer-anmeldung"
    service_key = "hundesteuer-anmeldung"  # the catalogue service; its level decides who is responsible
    title = "Hund zur Hundesteuer anmelden"
    trust_level = "niedrig"
    filers = frozenset({"person", "on_behalf"})
    place_field = "plz"
    has_fee = False
    processing_days = 10
    retention_years = 5
    steps = (
        Step(
            "halter",
            "Halterin oder Halter",
            (
                Field("name", "text", "Vor- und Familienname", prefill="full_name", autocomplete="name"),
                Field("plz", "postal_code", "Postleitzahl Ihres Wohnorts", prefill="postal_code"),
            ),
        ),
        Step(
            "hund",
            "Hund",
            (
                Field("rufname", "text", "Rufname des Hundes", max_length=60),
                Field("seit", "date", "Hund gehalten seit"),
                Field("chip", "text", "Chipnummer", required=False, max_length=15),
                Field(
                    "nachweis",
                    "file",
                    "Nachweis (z. B. Kaufvertrag)",
                    required=False,
                    upload=Upload(max_files=1, max_bytes=5 * 1024 * 1024, types=("pdf", "jpeg", "png")),
                ),
            ),
        ),
    )

    def clean(self, data):
        chip = data.get("chip") or ""
        if chip and not (chip.isdigit() and len(chip) == 15):
            raise ValidationError({"chip": "Die Chipnummer hat 15 Ziffern."})
