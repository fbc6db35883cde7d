"""Secrets kept in the database sealed with AES-256-GCM under a key derived (HKDF-SHA256) from
the deployment secret and a purpose, so each kind of secret has its own key."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


class Sealer:
    def __init__(self, secret: bytes, purpose: str) -> None:
        key = HKDF(hashes.SHA256(), 32, salt=None, info=purpose.encode()).derive(secret)
        self._aead = AESGCM(key)

    def seal(self, data: bytes, *, context: bytes | None = None) -> str:
        """nonce || ciphertext+tag as hex; ``context`` is bound as associated data."""
        nonce = os.urandom(NONCE_BYTES)
        return (nonce + self._aead.encrypt(nonce, data, context)).hex()

    def open(self, sealed: str, *, context: bytes | None = None) -> bytes:
        raw = bytes.fromhex(sealed)
        return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
