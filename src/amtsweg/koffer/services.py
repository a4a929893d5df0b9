"""The offline Bürgerkoffer: devices, the forms a device may cache, and the idempotent sync of captured items.

Public surface:

* `register_device(authority, staff_user, name, *, by, kit=None)` → `(device, token)`; the token
  (`<device_id>.<secret>`) is shown once, only an HMAC of the secret is stored.
* `revoke_device(device, *, by, reason)`: refused from the next contact on, with the order to wipe.
* `authenticate(authorization_header)` → `Device` or `DeviceRefused` (HTTP status, German message, wipe flag).
* `offline_forms(device)`: the tours of the device's authority and the procedures their stops offer.
* `sync(device, items)`: files every item through the assisted-filing engine
  (`amtsweg.assisted.filing.file_for_citizen`, channel "buergerkoffer"); one result per item.

The wire format of one item (all three keys required):

    {"idempotency_key": "<uuid4>", "checksum": "<sha256 hex of payload>", "payload": "<canonical JSON text>"}

`payload` is the canonical JSON text (keys sorted, no whitespace, UTF-8) of
`{"v": 1, "idempotency_key", "procedure", "tour", "captured_at", "values", "identification", "consent",
"signature_png"}`. The server hashes the text exactly as received, so any change in transit or on the device
(tampering, truncation) is a checksum mismatch: the item is rejected, nothing is filed, and the device keeps
it and shows the reason.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts.tenancy import authorities_for
from amtsweg.assisted import audit
from amtsweg.assisted.models import Tour
from amtsweg.cases.services import CaseError
from amtsweg.koffer.models import Device, SyncItem
from amtsweg.procedures import registry

logger = logging.getLogger("amtsweg.koffer")

CHANNEL = "buergerkoffer"
PAYLOAD_VERSION = 1
DEVICE_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
IDENTIFICATION_METHODS = ("ausweis_gesehen", "eid")  # assisted.models.AssistedFiling.Identification


# ---------------------------------------------------------------- devices


def _secret_hash(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def _new_device_id() -> str:
    return "BK-" + "".join(secrets.choice(DEVICE_ID_ALPHABET) for _ in range(10))


def may_operate(user, authority) -> bool:
    """The staff member works for the authority in assisted filing (an active membership with the role)."""
    return authorities_for(user, "assisted_operator").filter(pk=authority.pk).exists()


def register_device(authority, staff_user, name: str, *, by, kit=None) -> tuple[Device, str]:
    if not may_operate(staff_user, authority):
        raise ValidationError(
            _(
                "Das Gerät kann nur für Beschäftigte mit der Rolle „Assistierte Antragstellung“ "
                "registriert werden."
            )
        )
    if kit is not None and kit.authority_id != authority.pk:
        raise ValidationError(_("Der Bürgerkoffer gehört zu einer anderen Behörde."))
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = Device.objects.create(
            authority=authority,
            staff_user=staff_user,
            kit=kit,
            name=name.strip(),
            device_id=_new_device_id(),
            secret_hash=_secret_hash(secret),
            created_by=by,
        )
        audit.record(
            "koffer.device_registered", device, authority=authority, actor=by, staff_user=staff_user.pk
        )
    return device, f"{device.device_id}.{secret}"


def revoke_device(device: Device, *, by, reason: str) -> Device:
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.revoked_by = by
            device.revoke_reason = reason.strip()[:300]
            device.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
            audit.record("koffer.device_revoked", device, authority=device.authority, actor=by, reason=reason)
    return device


@dataclass
class DeviceRefused(Exception):
    status: int
    message: str
    wipe: bool = False


def authenticate(header: str | None) -> Device:
    """The device behind `Authorization: Bearer <device_id>.<secret>`, or `DeviceRefused`."""
    if not header or not header.startswith("Bearer "):
        raise DeviceRefused(401, _("Das Gerät hat sich nicht angemeldet. Bitte richten Sie es neu ein."))
    token = header[len("Bearer ") :].strip()
    device_id, _sep, secret = token.partition(".")
    if not device_id or not secret or len(token) > 200:
        raise DeviceRefused(401, _("Die Gerätekennung ist ungültig. Bitte richten Sie das Gerät neu ein."))
    device = Device.objects.select_related("authority", "staff_user").filter(device_id=device_id).first()
    # Compare even when the device is unknown, so timing does not tell which IDs exist.
    expected = device.secret_hash if device else _secret_hash("unknown-device")
    if not hmac.compare_digest(expected, _secret_hash(secret)) or device is None:
        logger.warning("koffer: unknown device or wrong secret", extra={"device_id": device_id[:40]})
        raise DeviceRefused(401, _("Die Gerätekennung ist ungültig. Bitte richten Sie das Gerät neu ein."))
    if device.is_revoked:
        if device.wipe_sent_at is None:
            Device.objects.filter(pk=device.pk).update(wipe_sent_at=timezone.now())
            audit.record("koffer.wipe_sent", device, authority=device.authority)
        raise DeviceRefused(
            403,
            _(
                "Dieses Gerät wurde von der Behörde gesperrt. Es nimmt keine Daten mehr an; alle auf dem "
                "Gerät gespeicherten Anträge werden jetzt gelöscht."
            ),
            wipe=True,
        )
    if not may_operate(device.staff_user, device.authority):
        raise DeviceRefused(
            403,
            _(
                "Die Mitarbeiterin oder der Mitarbeiter dieses Geräts hat die Rolle „Assistierte "
                "Antragstellung“ bei der Behörde nicht mehr."
            ),
        )
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    return device


# ---------------------------------------------------------------- offline forms


def offline_fields(procedure):
    """The fields of all steps that can be captured offline (uploads cannot)."""
    return [item for step in procedure.steps for item in step.fields if item.kind != "file"]


def works_offline(procedure) -> bool:
    """Offline capture needs every required field to be a non-upload field."""
    return not any(item.kind == "file" and item.required for step in procedure.steps for item in step.fields)


def tour_procedures(tour: Tour) -> list:
    keys = sorted(
        {
            key
            for key in tour.stops.exclude(status="abgesagt")
            .values_list("services__online_procedure", flat=True)
            .distinct()
            if key
        }
    )
    found = []
    for key in keys:
        if registry.is_registered(key):
            procedure = registry.get(key)
            if works_offline(procedure):
                found.append(procedure)
    return found


def device_tours(device: Device, today: dt.date | None = None):
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.KOFFER_TOUR_DAYS)
    tours = (
        Tour.objects.filter(authority=device.authority, date__gte=today, date__lte=horizon)
        .exclude(status=Tour.Status.CANCELLED)
        .prefetch_related("stops__services")
        .order_by("date", "start_time")
    )
    mine = tours.filter(team__members=device.staff_user)
    return mine if mine.exists() else tours.filter(team__isnull=True)


def offline_forms(device: Device) -> dict:
    from django.urls import reverse

    result = []
    for tour in device_tours(device):
        result.append(
            {
                "id": tour.pk,
                "title": tour.title,
                "date": tour.date.strftime("%d.%m.%Y"),
                "procedures": [
                    {
                        "key": procedure.key,
                        "title": str(procedure.title),
                        "url": reverse("koffer:form", kwargs={"key": procedure.key}),
                    }
                    for procedure in tour_procedures(tour)
                ],
            }
        )
    return {
        "device": device.device_id,
        "authority": device.authority.name,
        "staff": device.staff_user.get_full_name(),
        "tours": result,
    }


# ---------------------------------------------------------------- sync


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Rejected(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Result:
    idempotency_key: str
    status: str  # "filed" | "duplicate" | "rejected"
    case_number: str = ""
    message: str = ""
    code: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v != "" or k in ("idempotency_key", "status")}


def _parse_key(raw) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError, AttributeError):
        raise Rejected(_("Der Idempotenzschlüssel des Antrags ist ungültig."), "key") from None


def _verify(item) -> tuple[uuid.UUID, str, dict]:
    if not isinstance(item, dict):
        raise Rejected(_("Der Eintrag ist kein gültiger Antrag."), "malformed")
    key = _parse_key(item.get("idempotency_key"))
    payload_text = item.get("payload")
    sent = item.get("checksum")
    if not isinstance(payload_text, str) or not isinstance(sent, str):
        raise Rejected(_("Dem Antrag fehlen Inhalt oder Prüfsumme."), "malformed")
    if len(payload_text.encode("utf-8")) > settings.KOFFER_MAX_ITEM_BYTES:
        raise Rejected(
            _("Der Antrag ist zu groß (höchstens %(kb)d kB).")
            % {"kb": settings.KOFFER_MAX_ITEM_BYTES // 1024},
            "too_large",
        )
    actual = checksum(payload_text)
    if not hmac.compare_digest(actual, sent.lower()):
        raise Rejected(
            _(
                "Die Prüfsumme stimmt nicht: der Antrag wurde unvollständig oder verändert übertragen. "
                "Er wurde nicht angenommen und bleibt auf dem Gerät."
            ),
            "checksum",
        )
    try:
        payload = json.loads(payload_text)
    except ValueError:
        raise Rejected(
            _("Der Inhalt des Antrags ist unvollständig (kein gültiges JSON)."), "malformed"
        ) from None
    if not isinstance(payload, dict) or canonical_json(payload) != payload_text:
        raise Rejected(_("Der Inhalt des Antrags ist nicht in der vereinbarten Form."), "malformed")
    if payload.get("v") != PAYLOAD_VERSION:
        raise Rejected(_("Diese Version des Antragsformats wird nicht unterstützt."), "version")
    if str(payload.get("idempotency_key")) != str(key):
        raise Rejected(_("Inhalt und Idempotenzschlüssel des Antrags passen nicht zusammen."), "key")
    return key, actual, payload


def _signature(payload) -> bytes:
    raw = payload.get("signature_png")
    if not isinstance(raw, str) or not raw:
        raise Rejected(_("Die Unterschrift der Antragstellerin oder des Antragstellers fehlt."), "signature")
    if raw.startswith("data:image/png;base64,"):
        raw = raw[len("data:image/png;base64,") :]
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected(_("Die Unterschrift ist kein gültiges Bild."), "signature") from None
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Rejected(_("Die Unterschrift ist kein PNG-Bild."), "signature")
    return data


def _captured_at(payload):
    raw = payload.get("captured_at")
    try:
        value = dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if timezone.is_aware(value) else None


def _check(device: Device, payload: dict):
    procedure_key = payload.get("procedure")
    if not isinstance(procedure_key, str) or not registry.is_registered(procedure_key):
        raise Rejected(_("Dieses Verfahren ist nicht bekannt."), "procedure")
    tour_id = payload.get("tour")
    tour = (
        Tour.objects.filter(authority=device.authority, pk=tour_id).first()
        if isinstance(tour_id, int) and not isinstance(tour_id, bool)
        else None
    )
    if tour is None:
        raise Rejected(_("Die Tour gehört nicht zur Behörde dieses Geräts."), "tour")
    if procedure_key not in {p.key for p in tour_procedures(tour)}:
        raise Rejected(_("Dieses Verfahren wird auf der Tour nicht angeboten."), "procedure")
    values = payload.get("values")
    if not isinstance(values, dict):
        raise Rejected(_("Die Angaben des Antrags fehlen."), "malformed")
    if payload.get("identification") not in IDENTIFICATION_METHODS:
        raise Rejected(_("Die Art der Identifizierung fehlt oder ist unbekannt."), "identification")
    if payload.get("consent") is not True:
        raise Rejected(_("Die Einwilligung der Antragstellerin oder des Antragstellers fehlt."), "consent")
    return registry.get(procedure_key), tour, values


def _file(device, procedure, values, payload, key, signature):
    from amtsweg.assisted.filing import file_for_citizen

    return file_for_citizen(
        procedure.key,
        values,
        operator=device.staff_user,
        identification=payload["identification"],
        consent_given=True,
        signature_png=signature,
        channel=CHANNEL,
        idempotency_key=key,
        authority=device.authority,
    )


def _error_text(procedure, message: str, errors: dict) -> str:
    """The engine's message plus every field's problem, by the field's label (shown on the device)."""
    parts = []
    for name, messages in errors.items():
        item = procedure.field(name) if name != "__all__" else None
        label = str(item.label) if item is not None else ""
        text = " ".join(str(m) for m in messages)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join([str(message), *(f"{part}" for part in parts)]).strip()


def sync_item(device: Device, item) -> Result:
    raw_key = str(item.get("idempotency_key", ""))[:64] if isinstance(item, dict) else ""
    try:
        key, digest, payload = _verify(item)
        existing = SyncItem.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _replay(device, existing, digest)
        procedure, tour, values = _check(device, payload)
        signature = _signature(payload)
        try:
            case, _created = _file(device, procedure, values, payload, key, signature)
        except CaseError as exc:
            raise Rejected(_error_text(procedure, exc.message, exc.errors), "invalid") from None
        except ValidationError as exc:
            raise Rejected(" ".join(exc.messages), "invalid") from None
        try:
            with transaction.atomic():
                SyncItem.objects.create(
                    device=device,
                    idempotency_key=key,
                    checksum=digest,
                    procedure_key=procedure.key,
                    tour=tour,
                    captured_at=_captured_at(payload),
                    case=case,
                    case_number=case.number,
                )
                audit.record(
                    "koffer.item_filed",
                    device,
                    authority=device.authority,
                    actor=device.staff_user,
                    case=case.number,
                    tour=tour.pk,
                    procedure=procedure.key,
                )
        except IntegrityError:
            # The same item arrived twice at the same moment: the engine returned the same case to both.
            return _replay(device, SyncItem.objects.get(idempotency_key=key), digest)
        return Result(str(key), "filed", case_number=case.number)
    except Rejected as rejected:
        audit.record(
            "koffer.item_rejected",
            device,
            authority=device.authority,
            idempotency_key=raw_key,
            code=rejected.code,
        )
        return Result(raw_key, "rejected", message=rejected.message, code=rejected.code)


def _replay(device: Device, existing: SyncItem, digest: str) -> Result:
    if existing.device_id != device.pk:
        raise Rejected(_("Dieser Idempotenzschlüssel gehört zu einem anderen Gerät."), "key")
    if existing.checksum != digest:
        raise Rejected(
            _("Dieser Antrag wurde bereits mit anderem Inhalt übertragen (Vorgang %(number)s).")
            % {"number": existing.case_number},
            "conflict",
        )
    SyncItem.objects.filter(pk=existing.pk).update(uploads=F("uploads") + 1)
    return Result(str(existing.idempotency_key), "duplicate", case_number=existing.case_number)


def sync(device: Device, items: list) -> list[Result]:
    """Every item on its own: a failure of one never undoes another, so an interrupted batch resumes."""
    return [sync_item(device, item) for item in items]
