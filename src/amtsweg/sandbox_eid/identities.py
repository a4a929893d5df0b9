"""SANDBOX: the fictional people and organisations a tester can log in as. All names are invented."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxIdentity:
    key: str
    given_name: str
    family_name: str
    birthdate: str
    street_address: str
    postal_code: str
    locality: str
    email: str
    organisation_id: str = ""
    organisation_name: str = ""
    organisation_kind: str = ""

    @property
    def subject(self) -> str:
        """Stable pseudonymous subject, the same on every installation."""
        return "sbx-" + hashlib.sha256(f"amtsweg-sandbox-eid:{self.key}".encode()).hexdigest()[:32]

    @property
    def is_organisation(self) -> bool:
        return bool(self.organisation_id)

    @property
    def label(self) -> str:
        person = f"{self.given_name} {self.family_name}"
        if self.is_organisation:
            return f"{self.organisation_name} – vertreten durch {person}"
        return f"{person}, {self.postal_code} {self.locality}"


IDENTITIES = [
    SandboxIdentity(
        "erika",
        "Erika",
        "Beispiel-Musterfrau",
        "1964-08-12",
        "Musterstraße 1",
        "09456",
        "Annaberg-Buchholz",
        "erika.beispiel@example.org",
    ),
    SandboxIdentity(
        "max", "Max", "Testmann", "1990-04-01", "Teststraße 7", "01067", "Dresden", "max.testmann@example.org"
    ),
    SandboxIdentity(
        "lena", "Lena", "Probe", "2001-11-30", "Probeweg 3", "04109", "Leipzig", "lena.probe@example.org"
    ),
    SandboxIdentity(
        "muster-bohr",
        "Bernd",
        "Bohrer-Beispiel",
        "1972-02-29",
        "Bohrweg 12",
        "09599",
        "Freiberg",
        "bernd.bohrer@example.org",
        organisation_id="SANDBOX-HRB-4711",
        organisation_name="Muster Bohr GmbH (Sandbox)",
        organisation_kind="drilling_firm",
    ),
    SandboxIdentity(
        "haarscharf",
        "Hanna",
        "Scherer-Test",
        "1985-06-15",
        "Kammgasse 5",
        "09456",
        "Annaberg-Buchholz",
        "hanna.scherer@example.org",
        organisation_id="SANDBOX-GEW-0815",
        organisation_name="Friseursalon Haarscharf Beispiel (Sandbox)",
        organisation_kind="company",
    ),
    SandboxIdentity(
        "planungsbuero",
        "Paul",
        "Planer-Muster",
        "1979-09-09",
        "Planstraße 9",
        "01069",
        "Dresden",
        "paul.planer@example.org",
        organisation_id="SANDBOX-PR-2024",
        organisation_name="Planungsbüro Erdwärme Beispiel (Sandbox)",
        organisation_kind="planning_office",
    ),
]
BY_KEY = {identity.key: identity for identity in IDENTITIES}

# acr values the sandbox asserts (eIDAS levels of assurance).
LEVELS = {
    "niedrig": "http://eidas.europa.eu/LoA/low",
    "substanziell": "http://eidas.europa.eu/LoA/substantial",
    "hoch": "http://eidas.europa.eu/LoA/high",
}
ACR_TO_LEVEL = {acr: level for level, acr in LEVELS.items()}
