"""The interface between the i-Kfz procedures and a vehicle register.

The procedures (`amtsweg.procedures.kfz`) talk **only** to this interface. The built-in implementation is the
SANDBOX register (`amtsweg.vehicle_register.sandbox.SandboxRegister`: fictional vehicles in our own tables). A
real
connection to the Kraftfahrt-Bundesamt's central register (ZFZR) and the authority's local register would be a
second class with the same methods (e.g. over the KBA's portal interface), chosen by
`VEHICLE_REGISTER_BACKEND`.

Rules every implementation keeps:
* security codes are never stored or logged in clear (`SecurityCodes.__repr__` masks them);
* `verify_codes` counts a wrong entry against the vehicle and refuses with `CodesLocked` after too many;
* mutating calls (`deregister`, `register`, `change_holder`, `change_address`, `reserve_plate`) are atomic,
  take the `expected_version` the caller read (optimistic concurrency: a changed vehicle raises
  `VersionConflict`, so of two concurrent deregistrations exactly one succeeds) and an `operation_id` that
  makes
  them idempotent (the same id again returns the first result with `replayed=True`, never a second change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


class RegisterError(Exception):
    """The register refused; `message` is German and may be shown to the applicant."""

    code = "register_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class VehicleNotFound(RegisterError):
    code = "not_found"


class VersionConflict(RegisterError):
    """The vehicle changed since the caller read it (another application was faster)."""

    code = "version_conflict"


class CodesLocked(RegisterError):
    """Too many wrong security codes for this vehicle: online procedures are locked for a while."""

    code = "codes_locked"


class PlateUnavailable(RegisterError):
    code = "plate_unavailable"


class InvalidState(RegisterError):
    """The vehicle's state does not allow the operation (e.g. deregistering a deregistered vehicle)."""

    code = "invalid_state"


class OperationMismatch(RegisterError):
    """An operation id was reused for a different operation."""

    code = "operation_mismatch"


class RegisterUnavailable(RegisterError):
    code = "unavailable"


@dataclass(frozen=True)
class Holder:
    """A vehicle holder (Halter). Natural persons: given/family name and birth date; legal persons:
    organisation."""

    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    street: str = ""
    postal_code: str = ""
    locality: str = ""
    organisation: str = ""

    @property
    def display_name(self) -> str:
        return self.organisation or f"{self.given_name} {self.family_name}".strip()

    def same_person(self, other: Holder | None) -> bool:
        """Same natural person (names case-insensitively, birth date) or same organisation name."""
        if other is None:
            return False
        if self.organisation or other.organisation:
            return _fold(self.organisation) == _fold(other.organisation) and bool(self.organisation)
        return (
            _fold(self.given_name) == _fold(other.given_name)
            and _fold(self.family_name) == _fold(other.family_name)
            and self.birth_date is not None
            and self.birth_date == other.birth_date
        )


def _fold(value: str) -> str:
    return " ".join((value or "").casefold().split())


@dataclass(frozen=True)
class VehicleRecord:
    """What the register says about a vehicle (never any code or code hash)."""

    ref: str  # opaque, stable id issued by the register
    vin: str
    plate: str  # canonical, "" without plate
    district_ags: str  # registering district (5 digits); "" for a vehicle never registered
    status: str  # "registered" | "deregistered" | "new"
    holder: Holder | None
    make: str
    model: str
    vehicle_class: str
    zb1_number: str
    zb2_number: str
    next_inspection: dt.date | None
    first_registered_on: dt.date | None
    deregistered_on: dt.date | None
    seals_present: bool
    version: int
    reserved_plate: str = ""
    reserved_until: dt.date | None = None

    REGISTERED = "registered"
    DEREGISTERED = "deregistered"
    NEW = "new"


@dataclass(frozen=True)
class SecurityCodes:
    """Codes as the applicant typed them. Never logged: the repr shows only which codes are present."""

    zb1: str = ""
    zb2: str = ""
    seal_front: str = ""
    seal_rear: str = ""

    def given(self) -> dict[str, str]:
        return {kind: value for kind, value in self.as_dict().items() if value}

    def as_dict(self) -> dict[str, str]:
        return {"zb1": self.zb1, "zb2": self.zb2, "seal_front": self.seal_front, "seal_rear": self.seal_rear}

    def __repr__(self) -> str:
        present = ", ".join(f"{kind}=***" for kind in self.given())
        return f"SecurityCodes({present})"

    __str__ = __repr__


@dataclass(frozen=True)
class CodeVerification:
    ok: bool
    wrong: tuple[str, ...] = ()  # kinds whose code did not match
    unusable: tuple[
        str, ...
    ] = ()  # kinds the vehicle has no valid code for (e.g. seals of a deregistered car)
    version: int = 0  # the vehicle version the check saw (pass it as expected_version)
    failures_left: int | None = None  # wrong entries left for this vehicle before it is locked


@dataclass(frozen=True)
class InsuranceStatus:
    valid: bool
    reason: str  # "ok" | "unknown" | "expired" | "other_vehicle" | "used"
    insurer: str = ""
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class RegisterResult:
    operation_id: str
    kind: str
    vehicle: VehicleRecord
    issued_documents: tuple[str, ...] = ()  # e.g. ("zb1", "zb2", "seals"): to be printed and posted
    replayed: bool = False
    detail: dict = field(default_factory=dict)


@runtime_checkable
class VehicleRegister(Protocol):
    """The operations the i-Kfz portal needs (FZV 2023 §§ 18–38)."""

    is_sandbox: bool
    label: str

    def lookup(self, *, plate: str | None = None, vin: str | None = None) -> VehicleRecord | None:
        """By canonical plate or VIN; None if unknown."""

    def get(self, ref: str) -> VehicleRecord:
        """By the register's id; raises VehicleNotFound."""

    def verify_codes(self, ref: str, codes: SecurityCodes, required: Iterable[str]) -> CodeVerification:
        """Check the `required` code kinds; counts a failure against the vehicle; raises CodesLocked."""

    def check_insurance(self, evb: str, *, vin: str, on: dt.date) -> InsuranceStatus:
        """The insurer's confirmation (eVB number) for this vehicle on this day."""

    def has_tax_arrears(self, *, ref: str | None = None, person: Holder | None = None) -> bool:
        """Vehicle-tax arrears (customs) of the vehicle's holder or of a person."""

    def plate_available(self, plate: str, *, holder: Holder | None = None) -> bool:
        """Neither on a vehicle nor reserved for somebody else."""

    def suggest_plate(self, district_ags: str) -> str:
        """A free plate for the district (random recognition letters and number)."""

    def reserve_plate(
        self, plate: str, *, holder: Holder, until: dt.date, operation_id: str, authority_key: str
    ) -> str: ...

    def deregister(
        self,
        ref: str,
        *,
        expected_version: int,
        operation_id: str,
        authority_key: str,
        reserve_until: dt.date | None = None,
    ) -> RegisterResult: ...

    def register(
        self,
        ref: str,
        *,
        expected_version: int,
        operation_id: str,
        authority_key: str,
        holder: Holder,
        plate: str,
        district_ags: str,
        evb: str,
        next_inspection: dt.date | None = None,
    ) -> RegisterResult:
        """First registration (status "new") or re-registration (status "deregistered")."""

    def change_holder(
        self,
        ref: str,
        *,
        expected_version: int,
        operation_id: str,
        authority_key: str,
        holder: Holder,
        plate: str,
        district_ags: str,
        evb: str,
    ) -> RegisterResult: ...

    def change_address(
        self,
        ref: str,
        *,
        expected_version: int,
        operation_id: str,
        authority_key: str,
        holder: Holder,
        plate: str,
        district_ags: str,
    ) -> RegisterResult: ...

    def operation(self, operation_id: str) -> RegisterResult | None:
        """The result of an earlier operation (idempotency), or None."""
