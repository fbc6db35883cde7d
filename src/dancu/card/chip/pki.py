"""The card PKI: a Country Signing CA and the Document Signers it certifies (ICAO 9303 Part 12).

CSCA: self-signed, ECDSA P-384/SHA-384, keyCertSign + cRLSign, private key used to certify for
five years, certificate valid long enough to cover every Document Signer it certified. Document
Signer: ECDSA P-256, signs card SODs for about three months (privateKeyUsagePeriod) and stays
valid for the longest card lifetime after that (20 years: a card issued at 40 runs to 60), so a
verifier can check a card's SOD for as long as the card is valid (ICAO 9303-12 §5, §7).

Curves are named (RFC 5480) rather than given as explicit domain parameters: OpenSSL 3 and
``cryptography`` refuse explicit-parameter keys, and every current inspection system accepts
named curves.

Where the private keys live is a ``KeyStore``; ``LocalKeyStore`` keeps PEM files in a directory
with mode 0600 (PKCS#8, encrypted when a passphrase is given). An HSM-backed store is the
production choice. Keys are never logged, printed or put in a ``repr``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol

from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dancu.kit import clock
from dancu.kit.errors import PreconditionFailed

CSCA_COMMON_NAME = "CSCA Viet Nam (dancu)"
CSCA_KEY_USAGE = timedelta(days=5 * 365)
DS_KEY_USAGE = timedelta(days=92)
"""About three months of signing per Document Signer key (ICAO 9303-12 §5 suggests <= 3)."""
LONGEST_CARD = timedelta(days=20 * 366)
"""The longest a card stays valid (issued at 40, replaced at 60; Law 2023 Art 21)."""
DS_VALIDITY = DS_KEY_USAGE + LONGEST_CARD
CSCA_VALIDITY = CSCA_KEY_USAGE + DS_VALIDITY
DOCUMENT_TYPE_LIST_OID = x509.ObjectIdentifier("2.23.136.1.1.6.2")
"""ICAO 9303-12 §7 documentTypeList: the document types a Document Signer may sign."""
_BACKDATE = timedelta(minutes=5)  # tolerate clocks that are slightly behind ours


class CscaKeyRetired(PreconditionFailed):
    """The CSCA key's usage period is over: a new CSCA (with a link certificate) is needed."""

    code = "card.chip.csca_key_retired"


class KeyFileExposed(PreconditionFailed):
    """A private key file is readable by others than its owner."""

    code = "card.chip.key_file_exposed"


@dataclass(frozen=True)
class DocumentSigner:
    """The key that signs card SODs and its certificate (ICAO 9303-12 §7)."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)


@dataclass(frozen=True)
class Pki:
    """What card personalisation needs: the CSCA certificate (published) and the current signer."""

    csca: x509.Certificate
    document_signer: DocumentSigner

    def csca_pem(self) -> bytes:
        """The CSCA certificate as PEM: what a verifier trusts (``csca.pem``)."""
        return self.csca.public_bytes(serialization.Encoding.PEM)


class KeyStore(Protocol):
    """Where the CSCA and Document Signer keys live (settings choose; an HSM in production)."""

    def load_or_create(self, directory: Path) -> Pki: ...


class _DocumentTypes(core.SetOf):
    _child_spec = core.PrintableString


class _DocumentTypeList(core.Sequence):
    """ICAO 9303-12 §7: ``SEQUENCE { version INTEGER (v0), docTypeList SET OF
    PrintableString }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("doc_type_list", _DocumentTypes),
    ]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dancu"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign: bool, certify: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certify,
        crl_sign=certify,
        encipher_only=False,
        decipher_only=False,
    )


def create_csca(*, now: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new self-signed CSCA (ICAO 9303-12 §7): CA, path length 0, keyCertSign + cRLSign."""
    key = ec.generate_private_key(ec.SECP384R1())
    name = _name(CSCA_COMMON_NAME)
    start = now - _BACKDATE
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CSCA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, certify=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.PrivateKeyUsagePeriod(start, start + CSCA_KEY_USAGE), critical=False)
        .sign(key, hashes.SHA384())
    )
    return key, certificate


def issue_document_signer(
    csca_key: ec.EllipticCurvePrivateKey, csca: x509.Certificate, *, now: datetime
) -> DocumentSigner:
    """A new Document Signer certified by the CSCA (ICAO 9303-12 §7): digitalSignature only,
    signs for ``DS_KEY_USAGE``, valid ``DS_VALIDITY``, limited to ID cards by documentTypeList."""
    key = ec.generate_private_key(ec.SECP256R1())
    start = now - _BACKDATE
    doc_types = _DocumentTypeList({"version": 0, "doc_type_list": ["ID"]}).dump()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(f"Document Signer {now:%Y-%m-%d} (dancu)"))
        .issuer_name(csca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + DS_VALIDITY)
        .add_extension(_key_usage(sign=True, certify=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_ec_public(csca)), critical=False
        )
        .add_extension(x509.PrivateKeyUsagePeriod(start, start + DS_KEY_USAGE), critical=False)
        .add_extension(
            x509.UnrecognizedExtension(DOCUMENT_TYPE_LIST_OID, doc_types), critical=False
        )
        .sign(csca_key, hashes.SHA384())
    )
    return DocumentSigner(certificate=certificate, private_key=key)


def _ec_public(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey:
    public = certificate.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise TypeError("expected an ECDSA certificate")
    return public


def signing_period_end(certificate: x509.Certificate) -> datetime:
    """When the certificate's key stops signing: privateKeyUsagePeriod.notAfter, else notAfter."""
    try:
        period = certificate.extensions.get_extension_for_class(x509.PrivateKeyUsagePeriod)
    except x509.ExtensionNotFound:
        return certificate.not_valid_after_utc
    end = period.value.not_after
    if end is None:
        return certificate.not_valid_after_utc
    return end.replace(tzinfo=UTC)  # cryptography gives this one as naive UTC


class LocalKeyStore:
    """PEM files in one directory: ``csca.pem``, ``csca.key.pem``, ``ds.pem``, ``ds.key.pem``.

    Key files are written with mode 0600 (never wider, not even for an instant) and refused on
    load if group or others can read them. With a passphrase they are PKCS#8 encrypted. A new
    Document Signer is issued when the current one's signing period is over.
    """

    def __init__(
        self, passphrase: bytes | None = None, *, now: Callable[[], datetime] = clock.now
    ) -> None:
        self._passphrase = passphrase
        self._now = now

    def __repr__(self) -> str:
        return f"LocalKeyStore(encrypted={self._passphrase is not None})"

    def load_or_create(self, directory: Path) -> Pki:
        """The PKI kept in ``directory``, created there on first use."""
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        now = self._now()
        if (directory / "csca.pem").exists():
            csca_key, csca = self._load(directory, "csca")
        else:
            csca_key, csca = create_csca(now=now)
            self._save(directory, "csca", csca_key, csca)
        signer = self._current_signer(directory, now)
        if signer is None:
            if signing_period_end(csca) <= now:
                raise CscaKeyRetired(
                    "the CSCA key may no longer certify Document Signers; create a new CSCA"
                )
            signer = issue_document_signer(csca_key, csca, now=now)
            self._save(directory, "ds", signer.private_key, signer.certificate)
        return Pki(csca=csca, document_signer=signer)

    def _current_signer(self, directory: Path, now: datetime) -> DocumentSigner | None:
        if not (directory / "ds.pem").exists():
            return None
        key, certificate = self._load(directory, "ds")
        if signing_period_end(certificate) <= now:
            return None
        return DocumentSigner(certificate=certificate, private_key=key)

    def _encryption(self) -> serialization.KeySerializationEncryption:
        if self._passphrase is None:
            return serialization.NoEncryption()
        return serialization.BestAvailableEncryption(self._passphrase)

    def _save(
        self,
        directory: Path,
        stem: str,
        key: ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate,
    ) -> None:
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, self._encryption()
        )
        _write_private(directory / f"{stem}.key.pem", key_pem)
        (directory / f"{stem}.pem").write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
        )

    def _load(
        self, directory: Path, stem: str
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key_path = directory / f"{stem}.key.pem"
        if key_path.stat().st_mode & 0o077:
            raise KeyFileExposed(f"{key_path} is readable by others: chmod 600 it")
        key = serialization.load_pem_private_key(key_path.read_bytes(), self._passphrase)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError(f"{key_path} does not hold an ECDSA key")
        certificate = x509.load_pem_x509_certificate((directory / f"{stem}.pem").read_bytes())
        return key, certificate


def _write_private(path: Path, data: bytes) -> None:
    """Write a key file that is 0600 from its first byte, replacing any previous one atomically."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # O_CREAT's mode is only applied to a new file
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def export_csca(pki: Pki, path: Path) -> Path:
    """Write ``csca.pem`` (the trust anchor verifiers need) to ``path``."""
    path.write_bytes(pki.csca_pem())
    return path
