import pytest

from amtsweg.documents import pki


@pytest.fixture(scope="session")
def shared_pki_dir(tmp_path_factory):
    """One platform CA for the whole run (seal certificates are DB rows and roll back with each test)."""
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(scope="session")
def _rsa_keys():
    return [pki.new_rsa_key() for _ in range(2)]


@pytest.fixture(autouse=True)
def documents_storage(settings, tmp_path, shared_pki_dir, monkeypatch, _rsa_keys):
    settings.DOCUMENTS_PKI_DIR = shared_pki_dir
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.DOCUMENTS_TIMESTAMPS = "local"
    settings.DOCUMENTS_AUTO_ISSUE_SEALS = True
    settings.BASE_URL = "https://amtsweg.example"
    # Seal certificates get one of two pre-generated keys: finding RSA-3072 primes takes up to seconds each.
    counter = iter(range(10**6))
    monkeypatch.setattr(pki, "new_rsa_key", lambda bits=3072: _rsa_keys[next(counter) % 2])
    return tmp_path
