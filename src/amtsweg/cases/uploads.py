"""Upload checks: pure functions from bytes to a checked file or a German refusal, plus encrypted storage.

* the type comes from the content (magic bytes), never from the name or the browser's content type;
  allowed: PDF, JPEG, PNG (per field, `Upload.types`; more types can be registered in `SIGNATURES`);
* PDFs with JavaScript (/JS, /JavaScript, an /OpenAction or /AA running script, /Launch) or with encryption
  are refused; the check parses every object (including object streams) with pyHanko's reader and also scans
  the raw bytes with #xx-escapes in names decoded;
* images are re-encoded with Pillow: EXIF (GPS!), XMP, ICC text and comments are gone, the orientation is
  applied first; decompression bombs are refused;
* optionally a ClamAV daemon scans the bytes (INSTREAM over its socket) when `AMTSWEG_CLAMAV_SOCKET` is set
  (a unix socket path or host:port); an unreachable daemon refuses the upload rather than letting it through;
* `store()` writes the file encrypted (AES-256-GCM, fresh key) and returns the metadata that goes into the
  encrypted draft or payload; nothing is written before every check has passed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import socket
import struct
import unicodedata
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from amtsweg.cases import crypto

logger = logging.getLogger("amtsweg.cases.uploads")

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}
TYPE_LABELS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
MAX_IMAGE_PIXELS = 40_000_000
STORAGE_PREFIX = "cases"


class UploadRefused(ValueError):
    """The file is not accepted; the message is German and names the reason."""


@dataclass
class CheckedFile:
    content: bytes
    kind: str
    name: str
    sha256: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def size(self) -> int:
        return len(self.content)


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} kB"


def detect_type(data: bytes) -> str | None:
    head = data[:1024]
    for kind, signatures in SIGNATURES.items():
        if kind == "pdf":
            # A PDF header may be preceded by a little garbage; real readers accept it within the first 1 kB.
            if b"%PDF-" in head:
                return kind
            continue
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def clean_name(name: str, kind: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    stem = base.rsplit(".", 1)[0].strip(" .") or _("Datei")
    return stem[:100] + EXTENSIONS[kind]


# --- PDF --------------------------------------------------------------------------------------------------

_DANGEROUS_NAMES = {b"/JS", b"/JavaScript", b"/AA", b"/Launch", b"/EmbeddedFile", b"/RichMedia"}
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_RAW_NAME = re.compile(rb"/[A-Za-z0-9#]+")


def _raw_names(data: bytes) -> set[bytes]:
    names = set()
    for match in _RAW_NAME.finditer(data):
        token = match.group(0)
        if b"#" in token:
            token = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
        names.add(token)
    return names


def _walk_pdf_objects(data: bytes):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    if reader.encrypted or "/Encrypt" in reader.trailer_view:
        raise UploadRefused(
            _("Verschlüsselte oder kennwortgeschützte PDF-Dateien können wir nicht annehmen.")
        )
    seen = set()
    for revision in range(reader.xrefs.total_revisions):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            if ref in seen:
                continue
            seen.add(ref)
            try:
                obj = reader.get_object(ref)
            except Exception:  # an unreadable object cannot run anything; the raw scan already looked at it
                logger.debug("pdf object not readable", exc_info=True)
                continue
            stack = [obj]
            depth = 0
            while stack and depth < 10_000:
                depth += 1
                item = stack.pop()
                if isinstance(item, generic.DictionaryObject):  # includes stream objects
                    yield item
                    stack.extend(v for v in item.values() if not isinstance(v, generic.IndirectObject))
                elif isinstance(item, generic.ArrayObject):
                    stack.extend(v for v in item if not isinstance(v, generic.IndirectObject))


def check_pdf(data: bytes) -> None:
    """Refuse PDFs that run code or are encrypted. Raises UploadRefused."""
    script = UploadRefused(
        _(
            "Die PDF-Datei enthält aktive Inhalte (JavaScript oder automatische Aktionen) und wird aus "
            "Sicherheitsgründen nicht angenommen."
        )
    )
    names = _raw_names(data)
    if b"/Encrypt" in names:
        raise UploadRefused(
            _("Verschlüsselte oder kennwortgeschützte PDF-Dateien können wir nicht annehmen.")
        )
    if names & _DANGEROUS_NAMES:
        raise script
    try:
        for dictionary in _walk_pdf_objects(data):
            keys = {str(key) for key in dictionary}
            if keys & {"/JS", "/JavaScript", "/AA", "/Launch"}:
                raise script
            if "/S" in keys and str(dictionary.get("/S")) in (
                "/JavaScript",
                "/Launch",
                "/ImportData",
                "/SubmitForm",
            ):
                raise script
    except UploadRefused:
        raise
    except Exception:
        logger.info("pdf could not be parsed", exc_info=True)
        raise UploadRefused(
            _("Die PDF-Datei ist beschädigt oder unvollständig und kann nicht gelesen werden.")
        ) from None


# --- images -----------------------------------------------------------------------------------------------


def reencode_image(data: bytes, kind: str) -> bytes:
    """Decode and encode again: only pixels survive (no EXIF/GPS, XMP, comments). Raises UploadRefused."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UploadRefused(_("Das Bild ist zu groß (zu viele Bildpunkte)."))
            image.load()
            image = ImageOps.exif_transpose(image)
            output = io.BytesIO()
            if kind == "jpeg":
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                clean = Image.new(image.mode, image.size)
                clean.paste(image)
                clean.save(output, format="JPEG", quality=90, optimize=True)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                clean = Image.new(image.mode, image.size)
                if image.mode == "P":
                    clean.putpalette(image.getpalette())
                clean.paste(image)
                clean.save(output, format="PNG", optimize=True)
            return output.getvalue()
    except UploadRefused:
        raise
    except Image.DecompressionBombError:
        raise UploadRefused(_("Das Bild ist zu groß (zu viele Bildpunkte).")) from None
    except Exception:
        raise UploadRefused(_("Das Bild ist beschädigt und kann nicht gelesen werden.")) from None


# --- malware scan -----------------------------------------------------------------------------------------


def clamav_address() -> str:
    return getattr(settings, "CASES_CLAMAV_SOCKET", "") or ""


def scan(data: bytes, address: str | None = None, timeout: float = 30.0) -> str | None:
    """Scan with clamd (INSTREAM). Returns the signature name if infected, None if clean. Raises OSError."""
    address = address if address is not None else clamav_address()
    if address.startswith("/"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = address
    else:
        host, _sep, port = address.rpartition(":")
        conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host or "127.0.0.1", int(port))
    with conn:
        conn.settimeout(timeout)
        conn.connect(target)
        conn.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), 65536):
            chunk = data[start : start + 65536]
            conn.sendall(struct.pack("!L", len(chunk)) + chunk)
        conn.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            part = conn.recv(4096)
            if not part:
                break
            reply += part
    text = reply.rstrip(b"\0").decode("utf-8", "replace")
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].removesuffix("FOUND").strip()
    if text.endswith("OK"):
        return None
    raise OSError(f"unexpected clamd reply: {text[:100]}")


# --- the whole check --------------------------------------------------------------------------------------


def check(data: bytes, name: str, rules) -> CheckedFile:
    """Check one uploaded file against the field's `Upload` rules; returns the (re-encoded) file."""
    if len(data) == 0:
        raise UploadRefused(_("Die Datei „%(name)s“ ist leer.") % {"name": name[:80]})
    if len(data) > rules.max_bytes:
        raise UploadRefused(
            _("Die Datei „%(name)s“ ist %(size)s groß; erlaubt sind höchstens %(max)s.")
            % {"name": name[:80], "size": human_size(len(data)), "max": human_size(rules.max_bytes)}
        )
    kind = detect_type(data)
    allowed = ", ".join(TYPE_LABELS.get(t, t) for t in rules.types)
    if kind is None or kind not in rules.types:
        raise UploadRefused(
            _(
                "Die Datei „%(name)s“ ist keine zulässige Datei: erlaubt sind %(types)s (geprüft wird der "
                "Inhalt, nicht die Endung)."
            )
            % {"name": name[:80], "types": allowed}
        )
    if kind == "pdf":
        check_pdf(data)
        content = data
    else:
        content = reencode_image(data, kind)
    if clamav_address():
        try:
            found = scan(content)
        except OSError:
            logger.exception("virus scanner unreachable")
            raise UploadRefused(
                _(
                    "Die Datei kann gerade nicht auf Schadsoftware geprüft werden. Bitte versuchen Sie es "
                    "später erneut."
                )
            ) from None
        if found:
            logger.warning("malware refused", extra={"signature": found})
            raise UploadRefused(
                _("In der Datei „%(name)s“ wurde Schadsoftware gefunden.") % {"name": name[:80]}
            )
    return CheckedFile(content, kind, clean_name(name, kind), hashlib.sha256(content).hexdigest())


def check_count(existing: int, new: int, rules) -> None:
    if existing + new > rules.max_files:
        raise UploadRefused(
            _("Hier sind höchstens %(max)s Dateien möglich.") % {"max": rules.max_files}
            if rules.max_files != 1
            else _("Hier ist nur eine Datei möglich. Entfernen Sie zuerst die vorhandene.")
        )


# --- encrypted storage ------------------------------------------------------------------------------------


def store(checked: CheckedFile) -> dict:
    """Encrypt and write the file; returns its metadata (with the file key) for the encrypted
    draft/payload."""
    file_id = uuid.uuid4()
    key = crypto.new_file_key()
    blob = crypto.encrypt_file(key, checked.content, aad=str(file_id).encode())
    storage_name = default_storage.save(
        f"{STORAGE_PREFIX}/{file_id.hex[:2]}/{file_id}.bin", ContentFile(blob)
    )
    return {
        "id": str(file_id),
        "storage": storage_name,
        "name": checked.name,
        "type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
        "key": crypto.b64(key),
    }


def read(meta: dict) -> bytes:
    """Decrypt a stored file with the key from its (decrypted) metadata."""
    with default_storage.open(meta["storage"], "rb") as handle:
        blob = handle.read()
    content = crypto.decrypt_file(crypto.unb64(meta["key"]), blob, aad=meta["id"].encode())
    if hashlib.sha256(content).hexdigest() != meta.get("sha256"):
        raise crypto.CryptoError(_("Die Datei wurde verändert."))
    return content


def delete(storage_name: str) -> None:
    try:
        default_storage.delete(storage_name)
    except OSError:
        logger.warning("stored file could not be deleted", extra={"file": storage_name})
