"""Submissions are stored only encrypted (JWE per authority, AES-GCM files); decryption only in the back
office,
audited; portal-only deployments cannot decrypt; keys rotate without losing old cases."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from engine_fixtures import Acting, drain, small_pdf, staff
from test_procedure_shapes import fill

from amtsweg.cases import crypto, services
from amtsweg.cases.models import AuditEvent, AuthorityKey, Case, EncryptedPayload

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zauberschnitt-Quirlwitz-7Q3"
SECRET_FILE_TEXT = "GEHEIM-AUSWEIS-4711"


def _all_database_text() -> bytes:
    """Every value of every row of every table, as bytes (what someone reading the database would see)."""
    chunks = []
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if isinstance(value, memoryview):
                    value = value.tobytes()
                chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)


def _all_files(root: Path) -> list[bytes]:
    return [path.read_bytes() for path in root.rglob("*") if path.is_file()]


def _submit(world, name=SECRET_NAME):
    user = world.citizen
    upload = SimpleUploadedFile("ausweis.pdf", small_pdf(SECRET_FILE_TEXT))
    draft = fill(user, "test-gewerbe", files={"ausweis": [upload]}, betriebsname=name)
    case, _created = services.submit(draft, user, Acting(user), uuid.uuid4())
    return case


def test_no_personal_value_in_database_or_file_store(world):
    case = _submit(world)
    drain()  # receipt PDF, payment request, postbox message
    database = _all_database_text()
    assert SECRET_NAME.encode() not in database
    assert SECRET_FILE_TEXT.encode() not in database
    files = _all_files(Path(settings.MEDIA_ROOT))
    assert files, "the receipt and the encrypted upload are in the file store"
    assert not any(SECRET_NAME.encode() in blob or SECRET_FILE_TEXT.encode() in blob for blob in files)
    # ... and yet the authority can read both.
    staff_user = world.stadt_staff[0]
    content = services.read_submission(case, staff_user, "Prüfung")
    assert content["submission"]["values"]["betriebsname"] == SECRET_NAME
    file_id = content["submission"]["values"]["ausweis"][0]["id"]
    data, _meta = services.read_attachment(case, staff_user, file_id, "Prüfung")
    assert SECRET_FILE_TEXT.encode() in data
    payload = EncryptedPayload.objects.get(case=case, kind="submission")
    assert payload.jwe.count(".") == 4
    assert crypto.jwe_kid(payload.jwe) == payload.kid


def test_decryption_is_audited_and_shown_in_the_transparency_log(world):
    from amtsweg.accounts.models import DataAccessRecord

    case = _submit(world)
    staff_user = world.stadt_staff[0]
    before = AuditEvent.objects.filter(case=case, kind="data_access").count()
    services.read_submission(case, staff_user, "Prüfung der Anzeige")
    event = AuditEvent.objects.filter(case=case, kind="data_access").latest("id")
    assert AuditEvent.objects.filter(case=case, kind="data_access").count() == before + 1
    assert event.actor == staff_user
    assert event.detail["purpose"] == "Prüfung der Anzeige"
    record = DataAccessRecord.objects.get(subject_user=world.citizen)
    assert record.reference == case.number
    assert record.purpose == "Prüfung der Anzeige"


def test_other_authority_and_citizens_cannot_decrypt(world):
    case = _submit(world)
    other_staff, _device = staff(world.landratsamt)
    with pytest.raises(services.AccessDenied):
        services.read_submission(case, other_staff, "Neugier")
    with pytest.raises(services.AccessDenied):
        services.read_submission(case, world.citizen, "Neugier")
    with pytest.raises(services.CaseError):
        services.read_submission(case, world.stadt_staff[0], "   ")
    assert not AuditEvent.objects.filter(case=case, kind="data_access").exists()


def test_portal_only_deployment_encrypts_but_cannot_decrypt(world, settings):
    call_command("init_authority_keys", "stadt-freiberg")
    settings.CASES_PRIVATE_KEYS = False
    crypto.clear_cache()
    case = _submit(world)  # public keys suffice to accept submissions
    assert Case.objects.filter(pk=case.pk).exists()
    with pytest.raises(crypto.PrivateKeysUnavailable, match="nur öffentliche Schlüssel"):
        services.read_submission(case, world.stadt_staff[0], "Prüfung")
    with pytest.raises(CommandError):
        call_command("init_authority_keys")
    # An authority without a key cannot receive anything, and the portal cannot make one.
    with pytest.raises(crypto.NoAuthorityKey):
        crypto.active_key(world.oberbergamt)


def test_rotation_keeps_old_cases_readable(world):
    first = _submit(world, "Erster-Betrieb-XY")
    old_kid = AuthorityKey.objects.get(authority=world.stadt, is_active=True).kid
    call_command("rotate_authority_key", "stadt-freiberg")
    new_key = AuthorityKey.objects.get(authority=world.stadt, is_active=True)
    assert new_key.kid != old_kid
    assert AuthorityKey.objects.get(kid=old_kid).retired_at is not None
    second = _submit(world, "Zweiter-Betrieb-XY")
    assert EncryptedPayload.objects.get(case=second, kind="submission").kid == new_key.kid
    staff_user = world.stadt_staff[0]
    assert (
        services.read_submission(first, staff_user, "alt")["submission"]["values"]["betriebsname"]
        == "Erster-Betrieb-XY"
    )
    assert (
        services.read_submission(second, staff_user, "neu")["submission"]["values"]["betriebsname"]
        == "Zweiter-Betrieb-XY"
    )
    assert AuditEvent.objects.filter(kind="key_rotated", authority=world.stadt).count() == 1


def test_init_authority_keys_is_idempotent_and_private_keys_are_protected_files(world, monkeypatch):
    call_command("init_authority_keys")
    count = AuthorityKey.objects.count()
    assert count >= 6
    call_command("init_authority_keys")
    assert AuthorityKey.objects.count() == count
    row = AuthorityKey.objects.get(authority=world.stadt)
    path = crypto.private_key_path("stadt-freiberg", row.kid)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    assert "d" not in row.public_jwk  # never the private exponent in the database
    crypto.clear_cache()
    monkeypatch.setenv("AMTSWEG_KEY_PASSPHRASE_STADT_FREIBERG", "falsches-passwort")
    with pytest.raises(crypto.CryptoError, match="Passwort"):
        crypto.load_private_key("stadt-freiberg", row.kid)
    with pytest.raises(CommandError, match="Unbekannte Behörde"):
        call_command("init_authority_keys", "gibt-es-nicht")


def test_tampered_ciphertext_is_refused(world):
    case = _submit(world)
    payload = EncryptedPayload.objects.get(case=case, kind="submission")
    parts = payload.jwe.split(".")
    parts[3] = ("A" if parts[3][0] != "A" else "B") + parts[3][1:]
    EncryptedPayload.objects.filter(pk=payload.pk).update(jwe=".".join(parts))
    with pytest.raises(crypto.CryptoError, match="nicht öffnen"):
        services.read_submission(case, world.stadt_staff[0], "Prüfung")
