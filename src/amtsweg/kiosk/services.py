"""Public surface of the kiosk app: terminals (register, revoke, resolve a device token), staff presence and
the video consultation queue with its signalling, and documents attached during a call."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts.tenancy import authorities_for
from amtsweg.assisted import audit as assisted_audit
from amtsweg.kiosk.models import CallDocument, Signal, StaffPresence, Terminal, VideoRequest

COOKIE_NAME = "aw_kiosk"
OPERATOR_ROLE = "assisted_operator"
ADMIN_ROLE = "authority_admin"
SIGNAL_KINDS = {"offer", "answer", "candidate", "bye"}
MAX_SIGNAL_BYTES = 64 * 1024
MAX_SIGNALS_PER_REQUEST = 500


class KioskError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# --- terminals ----------------------------------------------------------------------------------------------


def register_terminal(site, name: str, admin) -> tuple[Terminal, str]:
    """A new terminal for `site`; returns (terminal, token). The token is shown once and stored hashed."""
    if not authorities_for(admin, ADMIN_ROLE).filter(pk=site.authority_id).exists():
        raise KioskError(_("Dieser Standort gehört nicht zu Ihrer Behörde."))
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise KioskError(_("Bitte geben Sie eine Bezeichnung mit höchstens 120 Zeichen an."))
    token = "bt_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        terminal = Terminal.objects.create(
            site=site, name=name, token_sha256=hash_token(token), token_hint=token[:8], created_by=admin
        )
        assisted_audit.record("terminal_registered", terminal, authority=site.authority, actor=admin)
    return terminal, token


def revoke_terminal(terminal: Terminal, admin) -> Terminal:
    if not authorities_for(admin, ADMIN_ROLE).filter(pk=terminal.site.authority_id).exists():
        raise KioskError(_("Dieses Terminal gehört nicht zu Ihrer Behörde."))
    with transaction.atomic():
        updated = Terminal.objects.filter(pk=terminal.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=admin
        )
        if updated:
            VideoRequest.objects.filter(
                terminal=terminal, status__in=[VideoRequest.Status.WAITING, VideoRequest.Status.ACCEPTED]
            ).update(status=VideoRequest.Status.CANCELLED, ended_at=timezone.now())
            assisted_audit.record(
                "terminal_revoked", terminal, authority=terminal.site.authority, actor=admin
            )
    terminal.refresh_from_db()
    return terminal


def resolve(token: str | None) -> tuple[Terminal | None, str]:
    """The terminal for a device token: (terminal, "") or (None, reason) with reason "unknown"/"revoked"."""
    if not token or len(token) > 200:
        return None, "unknown"
    terminal = (
        Terminal.objects.select_related("site", "site__authority")
        .filter(token_sha256=hash_token(token))
        .first()
    )
    if terminal is None:
        return None, "unknown"
    if terminal.revoked_at is not None:
        return None, "revoked"
    return terminal, ""


def touch(terminal: Terminal) -> None:
    now = timezone.now()
    if terminal.last_seen_at is None or now - terminal.last_seen_at > dt.timedelta(minutes=1):
        Terminal.objects.filter(pk=terminal.pk).update(last_seen_at=now)


# --- presence and queue -------------------------------------------------------------------------------------


def online_window() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "KIOSK_STAFF_ONLINE_SECONDS", 60))


def mark_present(user) -> list:
    """The staff member has the video queue open: present for each authority where they are an operator."""
    now = timezone.now()
    authorities = list(authorities_for(user, OPERATOR_ROLE))
    for authority in authorities:
        StaffPresence.objects.update_or_create(user=user, authority=authority, defaults={"last_seen_at": now})
    return authorities


def staff_online(authority) -> bool:
    since = timezone.now() - online_window()
    return StaffPresence.objects.filter(authority=authority, last_seen_at__gte=since).exists()


def request_video(terminal: Terminal, topic: str = "") -> VideoRequest:
    """Queue a video consultation for the terminal's authority. Raises KioskError when nobody is online."""
    authority = terminal.site.authority
    if not terminal.site.video_consultation:
        raise KioskError(_("An diesem Terminal wird keine Videoberatung angeboten."))
    if not staff_online(authority):
        raise KioskError(_("Im Moment ist leider niemand für ein Videogespräch erreichbar."))
    with transaction.atomic():
        VideoRequest.objects.filter(terminal=terminal, status=VideoRequest.Status.WAITING).update(
            status=VideoRequest.Status.CANCELLED, ended_at=timezone.now()
        )
        video = VideoRequest.objects.create(authority=authority, terminal=terminal, topic=(topic or "")[:200])
        assisted_audit.record("video_requested", video, authority=authority, site=terminal.site.slug)
    return video


def queue_for(user):
    """Waiting requests of the authorities where `user` is an operator (oldest first)."""
    return (
        VideoRequest.objects.for_staff(user, OPERATOR_ROLE)
        .filter(status=VideoRequest.Status.WAITING)
        .select_related("terminal", "terminal__site")
        .order_by("created_at")
    )


def accept(video: VideoRequest, user) -> VideoRequest:
    """One staff member takes the request; a second accept (or a cancelled request) is refused."""
    if not VideoRequest.objects.for_staff(user, OPERATOR_ROLE).filter(pk=video.pk).exists():
        raise KioskError(_("Diese Anfrage gehört nicht zu Ihrer Behörde."))
    with transaction.atomic():
        updated = VideoRequest.objects.filter(pk=video.pk, status=VideoRequest.Status.WAITING).update(
            status=VideoRequest.Status.ACCEPTED, accepted_by=user, accepted_at=timezone.now()
        )
        if not updated:
            raise KioskError(_("Diese Anfrage wurde schon angenommen oder abgebrochen."))
        assisted_audit.record("video_accepted", video, authority=video.authority, actor=user)
    video.refresh_from_db()
    return video


def end(video: VideoRequest, *, by_staff=None) -> VideoRequest:
    with transaction.atomic():
        target = (
            VideoRequest.Status.ENDED
            if video.status == VideoRequest.Status.ACCEPTED
            else VideoRequest.Status.CANCELLED
        )
        VideoRequest.objects.filter(
            pk=video.pk, status__in=[VideoRequest.Status.WAITING, VideoRequest.Status.ACCEPTED]
        ).update(status=target, ended_at=timezone.now())
        Signal.objects.create(
            request=video, sender="staff" if by_staff else "terminal", kind="bye", payload={}
        )
        assisted_audit.record("video_ended", video, authority=video.authority, actor=by_staff)
    video.refresh_from_db()
    return video


def post_signal(video: VideoRequest, sender: str, kind: str, payload) -> Signal:
    import json

    if video.status != VideoRequest.Status.ACCEPTED:
        raise KioskError(_("Das Gespräch ist nicht (mehr) aktiv."))
    if kind not in SIGNAL_KINDS:
        raise KioskError(_("Unbekannte Signalisierungsnachricht."))
    if not isinstance(payload, dict) or len(json.dumps(payload)) > MAX_SIGNAL_BYTES:
        raise KioskError(_("Die Signalisierungsnachricht ist ungültig oder zu groß."))
    if video.signals.count() >= MAX_SIGNALS_PER_REQUEST:
        raise KioskError(_("Zu viele Signalisierungsnachrichten."))
    return Signal.objects.create(request=video, sender=sender, kind=kind, payload=payload)


def signals_for(video: VideoRequest, receiver: str, after: int) -> list[dict]:
    other = "staff" if receiver == "terminal" else "terminal"
    return [
        {"id": s.pk, "kind": s.kind, "payload": s.payload}
        for s in video.signals.filter(sender=other, pk__gt=after).order_by("pk")[:100]
    ]


# --- documents during a call --------------------------------------------------------------------------------


def _upload_rules():
    from amtsweg.procedures.base import Upload

    return Upload(max_files=10, max_bytes=10 * 1024 * 1024, types=("pdf", "jpeg", "png"))


def attach_document(video: VideoRequest, user, upload, case_number: str = "") -> CallDocument:
    """Check, encrypt and store a scanned/uploaded document; link it to a case of the same authority (by its
    number) and audit it in that case's chain."""
    from amtsweg.cases import audit, crypto, uploads
    from amtsweg.cases.models import Case

    if video.accepted_by_id != user.pk or video.status != VideoRequest.Status.ACCEPTED:
        raise KioskError(_("Dokumente können nur während Ihres eigenen Gesprächs angehängt werden."))
    case = None
    case_number = (case_number or "").strip()
    if case_number:
        case = Case.objects.for_staff(user).filter(number=case_number, authority=video.authority).first()
        if case is None:
            raise KioskError(_("Einen Vorgang mit dieser Nummer gibt es bei Ihrer Behörde nicht."))
    rules = _upload_rules()
    if upload.size > rules.max_bytes:
        raise uploads.UploadRefused(_("Die Datei ist zu groß (höchstens 10 MB)."))
    checked = uploads.check(upload.read(rules.max_bytes + 1), upload.name, rules)
    meta = uploads.store(checked)
    try:
        token = crypto.encrypt_for(crypto.active_key(video.authority), meta)
        with transaction.atomic():
            document = CallDocument.objects.create(
                request=video,
                case=case,
                storage_name=meta["storage"],
                meta_jwe=token,
                sha256=meta.get("sha256", ""),
                added_by=user,
            )
            if case is not None:
                audit.append(
                    "call_document_attached",
                    case=case,
                    actor=user,
                    detail={
                        "document": str(document.pk),
                        "sha256": document.sha256,
                        "video": str(video.public_id),
                    },
                )
            assisted_audit.record("call_document", document, authority=video.authority, actor=user)
    except Exception:
        uploads.delete(meta["storage"])
        raise
    return document


def read_document(document: CallDocument, user) -> tuple[dict, bytes]:
    from amtsweg.cases import crypto, uploads

    if not CallDocument.objects.for_staff(user, OPERATOR_ROLE).filter(pk=document.pk).exists() and not (
        document.case_id
        and document.case.authority_id in set(authorities_for(user).values_list("pk", flat=True))
    ):
        raise KioskError(_("Dieses Dokument gehört nicht zu Ihrer Behörde."))
    meta = crypto.decrypt(document.request.authority.key, document.meta_jwe)
    return meta, uploads.read(meta)
