"""Upload checks: type from content, limits, active or encrypted PDFs, image metadata, malware scan,
storage."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from engine_fixtures import encrypted_pdf, jpeg_with_gps, pdf_with_javascript, small_pdf
from PIL import Image

from amtsweg.cases import services, uploads
from amtsweg.cases.models import DraftFile
from amtsweg.procedures.base import Upload

RULES = Upload(max_files=2, max_bytes=200_000, types=("pdf", "jpeg", "png"))
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_type_is_detected_from_the_content_not_the_name():
    assert uploads.check(small_pdf(), "a.pdf", RULES).kind == "pdf"
    with pytest.raises(uploads.UploadRefused, match="keine zulässige Datei"):
        uploads.check(b"MZ\x90\x00" + b"\x00" * 100, "rechnung.pdf", RULES)  # a Windows program named .pdf
    with pytest.raises(uploads.UploadRefused, match="geprüft wird der Inhalt"):
        uploads.check(b"<html><script>alert(1)</script></html>", "bild.png", RULES)
    only_pdf = Upload(types=("pdf",))
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    with pytest.raises(uploads.UploadRefused, match="erlaubt sind PDF"):
        uploads.check(png.getvalue(), "scan.pdf", only_pdf)


def test_size_limits_and_empty_files():
    with pytest.raises(uploads.UploadRefused, match="höchstens 195 kB"):
        uploads.check(small_pdf() + b"%" * 250_000, "gross.pdf", RULES)
    with pytest.raises(uploads.UploadRefused, match="leer"):
        uploads.check(b"", "leer.pdf", RULES)
    with pytest.raises(uploads.UploadRefused, match="höchstens 2 Dateien"):
        uploads.check_count(1, 2, RULES)


@pytest.mark.parametrize("escaped", [False, True])
def test_pdf_with_javascript_is_refused(escaped):
    with pytest.raises(uploads.UploadRefused, match="aktive Inhalte"):
        uploads.check(pdf_with_javascript(escaped=escaped), "formular.pdf", RULES)


def test_encrypted_pdf_is_refused():
    with pytest.raises(uploads.UploadRefused, match="Verschlüsselte"):
        uploads.check(encrypted_pdf(), "geheim.pdf", RULES)


def test_broken_pdf_is_refused():
    with pytest.raises(uploads.UploadRefused, match="beschädigt"):
        uploads.check(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R", "kaputt.pdf", RULES)


def test_image_metadata_is_removed():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825) is not None
    checked = uploads.check(original, "../../etc/foto.JPG", RULES)
    cleaned = Image.open(io.BytesIO(checked.content))
    assert not cleaned.getexif()
    assert b"Exif" not in checked.content[:200]
    assert b"Kamera-Hersteller" not in checked.content
    assert cleaned.size == (64, 48)
    assert checked.name == "foto.jpg"


def test_decompression_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")
    with pytest.raises(uploads.UploadRefused, match="zu groß"):
        uploads.check(buffer.getvalue(), "bombe.png", Upload(max_bytes=5_000_000, types=("png",)))


def test_malware_scan_refuses_when_the_daemon_is_unreachable(settings, tmp_path):
    settings.CASES_CLAMAV_SOCKET = str(tmp_path / "kein-clamd.sock")
    with pytest.raises(uploads.UploadRefused, match="nicht auf Schadsoftware geprüft"):
        uploads.check(small_pdf(), "a.pdf", RULES)


def _clamd_socket() -> str | None:
    for candidate in (
        os.environ.get("AMTSWEG_CLAMAV_SOCKET", ""),
        "/run/clamav/clamd.ctl",
        "/var/run/clamav/clamd.ctl",
    ):
        if candidate and candidate.startswith("/") and Path(candidate).exists():
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(candidate)
                return candidate
            except OSError:
                continue
    return None


def test_eicar_test_file_is_found_by_clamav(settings):
    address = _clamd_socket()
    if address is None:
        pytest.skip("kein ClamAV-Daemon erreichbar (Debian: clamav-daemon)")
    settings.CASES_CLAMAV_SOCKET = address
    assert uploads.scan(EICAR, address)
    pdf_with_eicar = small_pdf("x") + EICAR
    with pytest.raises(uploads.UploadRefused, match="Schadsoftware"):
        uploads.check(pdf_with_eicar, "virus.pdf", Upload(types=("pdf",)))


@pytest.mark.django_db
def test_draft_uploads_are_all_or_nothing_and_encrypted(world):
    user = world.citizen
    draft = services.start_draft(user, "test-gewerbe")
    files_root = Path(settings.MEDIA_ROOT)
    good = SimpleUploadedFile("a.pdf", small_pdf("Klartext-im-PDF"))
    bad = SimpleUploadedFile("b.pdf", pdf_with_javascript())
    with pytest.raises(uploads.UploadRefused):
        services.add_files(draft, "ausweis", [good, bad])
    assert not DraftFile.objects.exists()
    assert not [p for p in files_root.rglob("*") if p.is_file()] if files_root.exists() else True
    good.seek(0)
    stored = services.add_files(draft, "ausweis", [good])
    blob = next(p for p in files_root.rglob("*.bin")).read_bytes()
    assert b"Klartext-im-PDF" not in blob
    assert blob.startswith(b"AWF1")
    assert uploads.read(stored[0]) == small_pdf("Klartext-im-PDF")
    with pytest.raises(uploads.UploadRefused, match="höchstens 2 Dateien"):
        services.add_files(draft, "ausweis", [SimpleUploadedFile(f"{i}.pdf", small_pdf()) for i in range(2)])
    assert services.remove_file(draft, "ausweis", stored[0]["id"]) is True
    draft.refresh_from_db()
    assert services.draft_values(draft)["ausweis"] == []
