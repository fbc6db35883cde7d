"""The card system's external parts, built from settings: biometric cipher, key store, printer."""

from __future__ import annotations

from dancu.card.biometrics import BiometricCipher, load_key
from dancu.card.chip import LocalKeyStore, Pki
from dancu.card.printer import FolderPrinter
from dancu.card.production import Production
from dancu.config import Settings


def cipher(settings: Settings) -> BiometricCipher:
    key = settings.card.biometric_key
    return load_key(key.get_secret_value() if key else None, settings.var_dir)


def pki(settings: Settings) -> Pki:
    passphrase = settings.card.pki_passphrase
    store = LocalKeyStore(passphrase.get_secret_value().encode() if passphrase else None)
    return store.load_or_create(settings.card.pki_dir or settings.var_dir / "card-pki")


def production(settings: Settings, *, images: bool = True) -> Production:
    return Production(
        pki=pki(settings),
        printer=FolderPrinter(settings.card.printer_dir or settings.var_dir / "card-printer"),
        cipher=cipher(settings),
        images=images,
    )
