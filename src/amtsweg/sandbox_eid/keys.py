"""SANDBOX: the signing key, generated on first use and kept in DATA_DIR (never in the repository)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from django.conf import settings
from joserfc.jwk import RSAKey

KEY_FILE_NAME = "signing-key.json"
_lock = threading.Lock()
_loaded: dict[str, RSAKey] = {}


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "sandbox-eid" / KEY_FILE_NAME


def signing_key() -> RSAKey:
    path = key_path()
    with _lock:
        cached = _loaded.get(str(path))
        if cached is not None and path.exists():
            return cached
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = RSAKey.generate_key(3072, parameters={"use": "sig", "alg": "RS256"}, private=True)
            key.ensure_kid()
            # Write to a private temporary file, then link it into place: readers never see a half-written
            # key,
            # and if another process was faster, its key wins.
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(key.as_dict(private=True), handle)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        key = RSAKey.import_key(json.loads(path.read_text()))
        key.ensure_kid()
        _loaded[str(path)] = key
        return key


def public_jwks() -> dict:
    key = signing_key()
    public = key.as_dict(private=False)
    public.update(use="sig", alg="RS256", kid=key.kid)
    return {"keys": [public]}
