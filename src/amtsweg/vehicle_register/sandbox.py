"""The SANDBOX vehicle register: the `VehicleRegister` interface on our own tables with fictional vehicles.

Concurrency: every change is one transaction that inserts its `RegisterOperation` (unique operation id) and
updates the vehicle with `UPDATE … WHERE id = … AND version = <expected>` (version + 1). Two applications that
read the same version race on that conditional UPDATE: on PostgreSQL the second one waits for the first's row
lock and then matches no row; on SQLite writers are serialised (IMMEDIATE transactions) and the second sees
the
new version. Either way exactly one succeeds and the other gets `VersionConflict`.

New documents (ZB I, ZB II, seals) get fresh codes. In the SANDBOX they are derived from the sandbox seed
(`codes.sandbox_code`, shown on /sandbox/fahrzeugregister/ like test card numbers), in reality they would be
printed on the new documents; either way only their keyed hash is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.vehicle_register import codes, conf
from amtsweg.vehicle_register.checks import RESERVATION_MAX_MONTHS, add_months
from amtsweg.vehicle_register.interface import (
    CodesLocked,
    CodeVerification,
    Holder,
    InsuranceStatus,
    InvalidState,
    OperationMismatch,
    PlateUnavailable,
    RegisterError,
    RegisterResult,
    SecurityCodes,
    VehicleNotFound,
    VehicleRecord,
    VersionConflict,
)
from amtsweg.vehicle_register.models import (
    CodeAttempt,
    InsuranceConfirmation,
    PlateReservation,
    RegisterOperation,
    TaxDebtor,
    Vehicle,
)
from amtsweg.vehicle_register.plates import PlateFormatError, parse_plate
from amtsweg.vehicle_register.vin import normalize_vin

logger = logging.getLogger("amtsweg.vehicle_register")
HASH_FIELDS = {
    codes.ZB1: "zb1_code_hash",
    codes.ZB2: "zb2_code_hash",
    codes.SEAL_FRONT: "seal_front_hash",
    codes.SEAL_REAR: "seal_rear_hash",
}
LOCK_WINDOW = dt.timedelta(hours=24)


def holder_of(vehicle: Vehicle) -> Holder | None:
    if not (vehicle.holder_family_name or vehicle.holder_organisation):
        return None
    return Holder(
        given_name=vehicle.holder_given_name,
        family_name=vehicle.holder_family_name,
        birth_date=vehicle.holder_birth_date,
        street=vehicle.holder_street,
        postal_code=vehicle.holder_postal_code,
        locality=vehicle.holder_locality,
        organisation=vehicle.holder_organisation,
    )


def holder_fields(holder: Holder) -> dict:
    return {
        "holder_given_name": holder.given_name[:100],
        "holder_family_name": holder.family_name[:100],
        "holder_birth_date": holder.birth_date,
        "holder_organisation": holder.organisation[:200],
        "holder_street": holder.street[:200],
        "holder_postal_code": holder.postal_code[:5],
        "holder_locality": holder.locality[:100],
    }


def _reservation_holder(reservation: PlateReservation) -> Holder:
    return Holder(
        given_name=reservation.holder_given_name,
        family_name=reservation.holder_family_name,
        birth_date=reservation.holder_birth_date,
        organisation=reservation.holder_organisation,
    )


def district_plate_codes(district_ags: str) -> frozenset[str]:
    """The district codes a district issues new plates with (from the regions data)."""
    from amtsweg.regions.services import district_by_ags

    try:
        district = district_by_ags(district_ags)
    except Exception:
        return frozenset()
    return frozenset({district.plate}) if district.plate else frozenset()


def new_document_number(prefix: str) -> str:
    return (
        prefix
        + "".join(secrets.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        + f"{secrets.randbelow(10**7):07d}"
    )


def issue_codes(vehicle: Vehicle, kinds: Iterable[str]) -> dict:
    """New documents of these kinds: the next code generation, stored as keyed hashes. Returns field
    changes."""
    generations = dict(vehicle.code_generations or {})
    changes = {}
    for kind in kinds:
        generations[kind] = int(generations.get(kind, 0)) + 1
        changes[HASH_FIELDS[kind]] = codes.code_hash(
            kind, vehicle.vin, codes.sandbox_code(kind, vehicle.vin, generations[kind])
        )
    changes["code_generations"] = generations
    return changes


class SandboxRegister:
    """SANDBOX implementation of `interface.VehicleRegister` (fictional data, our own database)."""

    is_sandbox = True
    label = "SANDBOX-Fahrzeugregister (Stand-in für das Zentrale Fahrzeugregister des KBA)"

    # --- reading
    # ---------------------------------------------------------------------------------------------

    def _record(self, vehicle: Vehicle) -> VehicleRecord:
        reservation = None
        if (
            vehicle.status == Vehicle.Status.DEREGISTERED
        ):  # only a deregistered vehicle keeps its plate reserved
            reservation = (
                PlateReservation.objects.filter(
                    vehicle=vehicle, released_at__isnull=True, until__gte=timezone.localdate()
                )
                .order_by("-created_at")
                .first()
            )
        return VehicleRecord(
            ref=str(vehicle.public_id),
            vin=vehicle.vin,
            plate=vehicle.plate,
            district_ags=vehicle.district_ags,
            status=vehicle.status,
            holder=holder_of(vehicle),
            make=vehicle.make,
            model=vehicle.model,
            vehicle_class=vehicle.vehicle_class,
            zb1_number=vehicle.zb1_number,
            zb2_number=vehicle.zb2_number,
            next_inspection=vehicle.next_inspection,
            first_registered_on=vehicle.first_registered_on,
            deregistered_on=vehicle.deregistered_on,
            seals_present=bool(vehicle.seal_front_hash and vehicle.seal_rear_hash),
            version=vehicle.version,
            reserved_plate=reservation.plate if reservation else "",
            reserved_until=reservation.until if reservation else None,
        )

    def _vehicle(self, ref: str) -> Vehicle:
        try:
            return Vehicle.objects.get(public_id=ref)
        except (Vehicle.DoesNotExist, ValueError, TypeError):
            raise VehicleNotFound(_("Dieses Fahrzeug ist im Register nicht bekannt.")) from None

    def lookup(self, *, plate: str | None = None, vin: str | None = None) -> VehicleRecord | None:
        queryset = Vehicle.objects.all()
        if plate:
            try:
                queryset = queryset.filter(plate=str(parse_plate(plate)))
            except PlateFormatError:
                return None
        if vin:
            queryset = queryset.filter(vin=normalize_vin(vin))
        if not plate and not vin:
            return None
        vehicle = queryset.first()
        return self._record(vehicle) if vehicle is not None else None

    def get(self, ref: str) -> VehicleRecord:
        return self._record(self._vehicle(ref))

    # --- codes
    # -----------------------------------------------------------------------------------------------

    def verify_codes(self, ref: str, codes_given: SecurityCodes, required: Iterable[str]) -> CodeVerification:
        vehicle = self._vehicle(ref)
        required = [kind for kind in required if kind in codes.KINDS]
        since = timezone.now() - LOCK_WINDOW
        failures = CodeAttempt.objects.filter(vehicle=vehicle, failed=True, at__gte=since).count()
        limit = conf.lock_after()
        if failures >= limit:
            logger.warning("code check refused: vehicle locked", extra={"vehicle": str(vehicle.public_id)})
            raise CodesLocked(
                _(
                    "Für dieses Fahrzeug wurden zu oft falsche Sicherheitscodes eingegeben. Online-Anträge "
                    "sind für "
                    "24 Stunden gesperrt. Bitte wenden Sie sich an Ihre Zulassungsbehörde."
                )
            )
        given = codes_given.as_dict()
        wrong, unusable, rehash = [], [], {}
        for kind in required:
            stored = getattr(vehicle, HASH_FIELDS[kind])
            if not stored:
                unusable.append(kind)
            elif not codes.code_matches(stored, kind, vehicle.vin, given.get(kind, "")):
                wrong.append(kind)
            elif codes.needs_rehash(stored):
                rehash[HASH_FIELDS[kind]] = codes.code_hash(kind, vehicle.vin, given[kind])
        ok = not wrong and not unusable and bool(required)
        CodeAttempt.objects.create(vehicle=vehicle, ok=ok, failed=bool(wrong), wrong=wrong)
        failures += bool(wrong)
        if ok and rehash:  # key rotation: the code was right, store it under the current key
            Vehicle.objects.filter(pk=vehicle.pk).update(**rehash)
        logger.info(
            "security codes checked",
            extra={"vehicle": str(vehicle.public_id), "ok": ok, "wrong": wrong, "unusable": unusable},
        )
        return CodeVerification(
            ok=ok,
            wrong=tuple(wrong),
            unusable=tuple(unusable),
            version=vehicle.version,
            failures_left=max(0, limit - failures),
        )

    # --- other registers (insurers, customs)
    # -------------------------------------------------------------------

    def check_insurance(self, evb: str, *, vin: str, on: dt.date) -> InsuranceStatus:
        number = codes.normalize_code(evb)
        if len(number) != 7 or not number.isalnum():
            return InsuranceStatus(False, "format")
        confirmation = InsuranceConfirmation.objects.filter(evb=number).select_related("used_by").first()
        if confirmation is None:
            return InsuranceStatus(False, "unknown")
        result = {"insurer": confirmation.insurer, "valid_until": confirmation.valid_until}
        if not confirmation.valid_from <= on <= confirmation.valid_until:
            return InsuranceStatus(False, "expired", **result)
        if confirmation.vin and confirmation.vin != normalize_vin(vin):
            return InsuranceStatus(False, "other_vehicle", **result)
        if confirmation.used_by_id and confirmation.used_by.vin != normalize_vin(vin):
            return InsuranceStatus(False, "used", **result)
        return InsuranceStatus(True, "ok", **result)

    def has_tax_arrears(self, *, ref: str | None = None, person: Holder | None = None) -> bool:
        if ref is not None and self._vehicle(ref).tax_arrears:
            return True
        if person is not None:
            if person.organisation:
                return TaxDebtor.objects.filter(organisation__iexact=person.organisation).exists()
            return TaxDebtor.objects.filter(
                given_name__iexact=person.given_name,
                family_name__iexact=person.family_name,
                birth_date=person.birth_date,
            ).exists()
        return False

    # --- plates
    # ----------------------------------------------------------------------------------------------

    def _active_reservation(self, plate: str) -> PlateReservation | None:
        return PlateReservation.objects.filter(
            plate=plate, released_at__isnull=True, until__gte=timezone.localdate()
        ).first()

    def plate_available(self, plate: str, *, holder: Holder | None = None) -> bool:
        try:
            canonical = str(parse_plate(plate))
        except PlateFormatError:
            return False
        if Vehicle.objects.filter(plate=canonical).exists():
            return False
        reservation = self._active_reservation(canonical)
        return reservation is None or (
            holder is not None and _reservation_holder(reservation).same_person(holder)
        )

    def suggest_plate(self, district_ags: str) -> str:
        district_codes = sorted(district_plate_codes(district_ags))
        if not district_codes:
            raise RegisterError(_("Für diesen Zulassungsbezirk ist kein Unterscheidungszeichen bekannt."))
        prefix = district_codes[0]
        letters_alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ"
        for _attempt in range(200):
            letters = "".join(secrets.choice(letters_alphabet) for _ in range(2))
            digits = max(1, min(4, 8 - len(prefix) - 2))
            number = str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))
            try:
                candidate = str(parse_plate(f"{prefix}-{letters} {number}"))
            except PlateFormatError:
                continue
            if self.plate_available(candidate):
                return candidate
        raise PlateUnavailable(
            _("Es konnte kein freies Kennzeichen gefunden werden. Bitte versuchen Sie es erneut.")
        )

    def _release_expired(self, plate: str) -> None:
        PlateReservation.objects.filter(
            plate=plate, released_at__isnull=True, until__lt=timezone.localdate()
        ).update(released_at=timezone.now())

    def _take_plate(self, plate: str, holder: Holder) -> str:
        """Inside the operation's transaction: a free plate (a reservation of the same holder is used up)."""
        try:
            canonical = str(parse_plate(plate))
        except PlateFormatError as exc:
            raise PlateUnavailable(str(exc)) from None
        self._release_expired(canonical)
        reservation = self._active_reservation(canonical)
        if reservation is not None:
            if not _reservation_holder(reservation).same_person(holder):
                raise PlateUnavailable(
                    _("Das Kennzeichen %(plate)s ist für jemand anderen reserviert.") % {"plate": canonical}
                )
            PlateReservation.objects.filter(pk=reservation.pk).update(released_at=timezone.now())
        return canonical

    def _reserve(
        self, plate: str, district_ags: str, holder: Holder, until: dt.date, operation_id: str, vehicle=None
    ) -> None:
        today = timezone.localdate()
        if until < today or until > add_months(today, RESERVATION_MAX_MONTHS):
            raise RegisterError(_("Ein Kennzeichen kann höchstens zwölf Monate reserviert werden."))
        self._release_expired(plate)
        PlateReservation.objects.create(
            plate=plate,
            district_ags=district_ags,
            vehicle=vehicle,
            holder_given_name=holder.given_name,
            holder_family_name=holder.family_name,
            holder_birth_date=holder.birth_date,
            holder_organisation=holder.organisation,
            until=until,
            operation_id=operation_id,
        )

    def reserve_plate(
        self, plate: str, *, holder: Holder, until: dt.date, operation_id: str, authority_key: str
    ) -> str:
        canonical = str(parse_plate(plate))
        if not self.plate_available(canonical, holder=holder):
            raise PlateUnavailable(
                _("Das Kennzeichen %(plate)s ist schon vergeben oder reserviert.") % {"plate": canonical}
            )
        try:
            with transaction.atomic():
                self._reserve(canonical, "", holder, until, operation_id)
        except IntegrityError:
            raise PlateUnavailable(
                _("Das Kennzeichen %(plate)s wurde gerade reserviert.") % {"plate": canonical}
            ) from None
        return canonical

    # --- changes
    # ---------------------------------------------------------------------------------------------

    def operation(self, operation_id: str) -> RegisterResult | None:
        row = RegisterOperation.objects.filter(operation_id=operation_id).select_related("vehicle").first()
        if row is None:
            return None
        return RegisterResult(
            operation_id=row.operation_id,
            kind=row.kind,
            vehicle=self._record(row.vehicle),
            issued_documents=tuple(row.issued_documents),
            replayed=True,
            detail=dict(row.detail),
        )

    def _change(
        self,
        ref: str,
        *,
        kind: str,
        expected_version: int,
        operation_id: str,
        authority_key: str,
        apply: Callable,
    ) -> RegisterResult:
        if not isinstance(operation_id, str) or not 1 <= len(operation_id) <= 100:
            raise RegisterError(_("Die Vorgangskennung für das Register fehlt."))

        def replayed():
            """The same operation id again: the first result (idempotency), or a refusal if it was another."""
            earlier = self.operation(operation_id)
            if earlier is not None and (earlier.kind != kind or earlier.vehicle.ref != str(ref)):
                raise OperationMismatch(
                    _("Diese Vorgangskennung wurde schon für einen anderen Registervorgang verwendet.")
                )
            return earlier

        vehicle = self._vehicle(ref)
        if vehicle.version != expected_version:
            earlier = replayed()
            if earlier is not None:
                return earlier
            raise VersionConflict(_conflict_message())
        try:
            with transaction.atomic():
                changes, issued, detail = apply(vehicle)
                updated = Vehicle.objects.filter(pk=vehicle.pk, version=expected_version).update(
                    **changes, version=F("version") + 1, updated_at=timezone.now()
                )
                if updated != 1:
                    raise VersionConflict(_conflict_message())
                RegisterOperation.objects.create(
                    operation_id=operation_id,
                    kind=kind,
                    vehicle=vehicle,
                    authority_key=authority_key[:100],
                    from_version=expected_version,
                    to_version=expected_version + 1,
                    issued_documents=list(issued),
                    detail=detail,
                )
        except (IntegrityError, VersionConflict):
            earlier = replayed()
            if earlier is not None:
                return earlier
            vehicle.refresh_from_db()
            if vehicle.version != expected_version:
                raise VersionConflict(_conflict_message()) from None
            raise PlateUnavailable(
                _("Das gewünschte Kennzeichen wurde gerade anderweitig vergeben.")
            ) from None
        logger.info(
            "register changed",
            extra={
                "vehicle": str(vehicle.public_id),
                "kind": kind,
                "operation": operation_id,
                "version": expected_version + 1,
            },
        )
        vehicle.refresh_from_db()
        return RegisterResult(
            operation_id=operation_id,
            kind=kind,
            vehicle=self._record(vehicle),
            issued_documents=tuple(issued),
            detail=detail,
        )

    def deregister(
        self,
        ref: str,
        *,
        expected_version: int,
        operation_id: str,
        authority_key: str,
        reserve_until: dt.date | None = None,
    ) -> RegisterResult:
        def apply(vehicle: Vehicle):
            if vehicle.status != Vehicle.Status.REGISTERED:
                raise InvalidState(
                    _("Das Fahrzeug ist nicht zugelassen und kann nicht außer Betrieb gesetzt werden.")
                )
            detail = {"plate": vehicle.plate, "district": vehicle.district_ags}
            if reserve_until is not None:
                holder = holder_of(vehicle) or Holder()
                self._reserve(
                    vehicle.plate, vehicle.district_ags, holder, reserve_until, operation_id, vehicle=vehicle
                )
                detail["reserved_until"] = reserve_until.isoformat()
            changes = {
                "status": Vehicle.Status.DEREGISTERED,
                "plate": "",
                "deregistered_on": timezone.localdate(),
                # The ZB I code and both seal codes are exposed: those documents and seals are used up.
                "zb1_code_hash": "",
                "seal_front_hash": "",
                "seal_rear_hash": "",
            }
            return changes, (), detail

        return self._change(
            ref,
            kind="deregister",
            expected_version=expected_version,
            operation_id=operation_id,
            authority_key=authority_key,
            apply=apply,
        )

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
        def apply(vehicle: Vehicle):
            if vehicle.status == Vehicle.Status.REGISTERED:
                raise InvalidState(_("Das Fahrzeug ist bereits zugelassen."))
            new_plate = self._take_plate(plate, holder)
            self._use_evb(evb, vehicle)
            kind = "first" if vehicle.status == Vehicle.Status.NEW else "again"
            changes = {
                "status": Vehicle.Status.REGISTERED,
                "plate": new_plate,
                "district_ags": district_ags,
                **holder_fields(holder),
                "first_registered_on": vehicle.first_registered_on or timezone.localdate(),
                "deregistered_on": None,
                "zb1_number": new_document_number("AA"),
                "zb2_number": new_document_number("AB"),
                "tax_arrears": False,
                **issue_codes(vehicle, codes.KINDS),
            }
            if next_inspection is not None:
                changes["next_inspection"] = next_inspection
            return (
                changes,
                ("zb1", "zb2", "seals"),
                {"plate": new_plate, "district": district_ags, "registration": kind},
            )

        return self._change(
            ref,
            kind="register",
            expected_version=expected_version,
            operation_id=operation_id,
            authority_key=authority_key,
            apply=apply,
        )

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
    ) -> RegisterResult:
        def apply(vehicle: Vehicle):
            if vehicle.status != Vehicle.Status.REGISTERED:
                raise InvalidState(
                    _("Das Fahrzeug ist nicht zugelassen; eine Umschreibung ist nicht möglich.")
                )
            keep = str(parse_plate(plate)) == vehicle.plate
            new_plate = vehicle.plate if keep else self._take_plate(plate, holder)
            self._use_evb(evb, vehicle)
            kinds = [codes.ZB1, codes.ZB2] + ([] if keep else [codes.SEAL_FRONT, codes.SEAL_REAR])
            changes = {
                "plate": new_plate,
                "district_ags": district_ags,
                **holder_fields(holder),
                "zb1_number": new_document_number("AA"),
                "zb2_number": new_document_number("AB"),
                "tax_arrears": False,
                **issue_codes(vehicle, kinds),
            }
            issued = ("zb1", "zb2") + (() if keep else ("seals",))
            detail = {
                "old_plate": vehicle.plate,
                "plate": new_plate,
                "old_district": vehicle.district_ags,
                "district": district_ags,
            }
            return changes, issued, detail

        return self._change(
            ref,
            kind="change_holder",
            expected_version=expected_version,
            operation_id=operation_id,
            authority_key=authority_key,
            apply=apply,
        )

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
    ) -> RegisterResult:
        def apply(vehicle: Vehicle):
            if vehicle.status != Vehicle.Status.REGISTERED:
                raise InvalidState(
                    _("Das Fahrzeug ist nicht zugelassen; eine Adressänderung ist nicht möglich.")
                )
            current = holder_of(vehicle)
            if current is None or not current.same_person(holder):
                raise InvalidState(_("Die Anschrift kann nur für den eingetragenen Halter geändert werden."))
            keep = str(parse_plate(plate)) == vehicle.plate
            new_plate = vehicle.plate if keep else self._take_plate(plate, holder)
            kinds = [codes.ZB1, codes.ZB2] + ([] if keep else [codes.SEAL_FRONT, codes.SEAL_REAR])
            changes = {
                "plate": new_plate,
                "district_ags": district_ags,
                "holder_street": holder.street[:200],
                "holder_postal_code": holder.postal_code[:5],
                "holder_locality": holder.locality[:100],
                "zb1_number": new_document_number("AA"),
                "zb2_number": new_document_number("AB"),
                **issue_codes(vehicle, kinds),
            }
            issued = ("zb1", "zb2") + (() if keep else ("seals",))
            detail = {
                "old_plate": vehicle.plate,
                "plate": new_plate,
                "old_district": vehicle.district_ags,
                "district": district_ags,
            }
            return changes, issued, detail

        return self._change(
            ref,
            kind="change_address",
            expected_version=expected_version,
            operation_id=operation_id,
            authority_key=authority_key,
            apply=apply,
        )

    def _use_evb(self, evb: str, vehicle: Vehicle) -> None:
        status = self.check_insurance(evb, vin=vehicle.vin, on=timezone.localdate())
        if not status.valid:
            raise RegisterError(_("Die Versicherungsbestätigung (eVB) ist nicht gültig."))
        InsuranceConfirmation.objects.filter(evb=codes.normalize_code(evb)).filter(
            Q(used_by__isnull=True) | Q(used_by=vehicle)
        ).update(used_by=vehicle, used_at=timezone.now())


def _conflict_message() -> str:
    return _(
        "Das Fahrzeug wurde inzwischen durch einen anderen Antrag geändert. Die Zulassungsbehörde prüft "
        "Ihren Antrag "
        "deshalb selbst."
    )
