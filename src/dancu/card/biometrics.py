"""Biometric records (face, fingerprints, iris) encrypted at rest.

AES-256-GCM with a key from settings (``DANCU_CARD__BIOMETRIC_KEY``, 32 bytes in base64), or a
key made on first use in ``var/biometric.key`` for a laptop. Each record is bound to its
application and kind as associated data, so a ciphertext moved to another record does not
decrypt. The key's id (a hash prefix) is stored with each record so keys can be rotated.
Biometric bytes are never logged and never returned by list endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dancu.kit.errors import InvalidInput

NONCE_BYTES = 12


class BiometricKeyError(InvalidInput):
    code = "card.biometric_key"


@dataclass(frozen=True)
class BiometricCipher:
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != 32:
            raise BiometricKeyError("the biometric key must be 32 bytes (base64 of 32 bytes)")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"dancu-biometric-key:" + self.key).hexdigest()[:16]

    def seal(self, data: bytes, *, context: str) -> bytes:
        """nonce || ciphertext+tag, bound to ``context`` (e.g. ``"application:42:face"``)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self.key).encrypt(nonce, data, context.encode())

    def open(self, sealed: bytes, *, context: str) -> bytes:
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return AESGCM(self.key).decrypt(nonce, body, context.encode())


def load_key(configured: str | None, var_dir: Path) -> BiometricCipher:
    """The configured key, else the local one (made on first use, mode 0600)."""
    if configured is not None:
        try:
            return BiometricCipher(base64.b64decode(configured, validate=True))
        except ValueError as exc:
            raise BiometricKeyError(f"DANCU_CARD__BIOMETRIC_KEY is not base64: {exc}") from None
    path = var_dir / "biometric.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return BiometricCipher(base64.b64decode(path.read_text().strip()))
