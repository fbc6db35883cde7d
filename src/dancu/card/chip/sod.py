"""EF.SOD, the Document Security Object (ICAO Doc 9303 Part 10 §4.6.2, Part 12 §4.6 and App. D).

EF.SOD is tag 0x77 wrapping a CMS ``ContentInfo`` (RFC 5652) of type SignedData whose
encapsulated content is the ``LDSSecurityObject``: the SHA-256 hash of every data group's file. The
signer is the Document Signer, identified by issuer and serial number; its certificate travels in
``certificates`` so that a verifier needs only the CSCA. Signed attributes: contentType,
messageDigest and signingTime (ICAO 9303-10 §4.6.2). Signature: ECDSA with SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from asn1crypto import algos, cms, core, parser
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dancu.card.chip.lds import EF_SOD_TAG, ChipFormatError, read_one, tlv
from dancu.card.chip.pki import DocumentSigner
from dancu.kit import clock

LDS_SECURITY_OBJECT_OID = "2.23.136.1.1.1"
"""id-icao-mrtd-security-ldsSecurityObject (ICAO 9303-10 §4.6.2)."""
HASHES: Mapping[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
"""Digest algorithms ICAO 9303-12 §4 allows for the SOD that a verifier here accepts."""


class DataGroupHash(core.Sequence):
    """``DataGroupHash ::= SEQUENCE { dataGroupNumber, dataGroupHashValue OCTET STRING }``."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("data_group_number", core.Integer),
        ("data_group_hash_value", core.OctetString),
    ]


class DataGroupHashValues(core.SequenceOf):
    _child_spec = DataGroupHash


class LDSVersionInfo(core.Sequence):
    """Present only in LDSSecurityObject v1 (LDS 1.8); we write v0 (LDS 1.7)."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class LDSSecurityObject(core.Sequence):
    """ICAO 9303-10 §4.6.2: version, hashAlgorithm, dataGroupHashValues[, ldsVersionInfo]."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LDSVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class SodContents:
    """Everything a verifier needs from EF.SOD, as found (nothing here is checked yet)."""

    version: int
    hash_algorithm: str
    """Of the data-group hashes, e.g. ``"sha256"``."""
    dg_hashes: dict[int, bytes]
    econtent_type: str
    econtent: bytes
    """The LDSSecurityObject's DER exactly as signed."""
    signed_attrs: bytes | None
    """The signed attributes re-tagged as ``SET OF`` (0x31): the bytes the signature covers."""
    content_type_attr: str | None
    message_digest: bytes | None
    signing_time: datetime | None
    digest_algorithm: str
    """The signer's digest algorithm (for messageDigest and the signature)."""
    signature_algorithm: str
    """``"ecdsa"`` or ``"rsassa_pkcs1v15"`` (as asn1crypto names them)."""
    signature: bytes
    signer_issuer: bytes
    """DER of the issuer Name in the signer's issuerAndSerialNumber."""
    signer_serial: int
    certificates: tuple[x509.Certificate, ...]

    @property
    def signer_certificate(self) -> x509.Certificate | None:
        """The included certificate the signer identifier names, if any."""
        for certificate in self.certificates:
            same_issuer = certificate.issuer.public_bytes() == self.signer_issuer
            if same_issuer and certificate.serial_number == self.signer_serial:
                return certificate
        return None


def lds_security_object(data_groups: Mapping[int, bytes]) -> bytes:
    """DER of the LDSSecurityObject v0 listing SHA-256 of each data group's whole file."""
    if len(data_groups) < 2:
        raise ValueError("an LDSSecurityObject lists at least two data groups")
    encoded: bytes = LDSSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": "sha256"},
            "data_group_hash_values": [
                {"data_group_number": n, "data_group_hash_value": hashlib.sha256(b).digest()}
                for n, b in sorted(data_groups.items())
            ],
        }
    ).dump()
    return encoded


def _signed_attributes(econtent: bytes, signing_time: datetime) -> cms.CMSAttributes:
    # asn1crypto sorts a SET OF on encoding, so the DER signed here is the DER a verifier rebuilds.
    return cms.CMSAttributes(
        [
            {"type": "content_type", "values": [LDS_SECURITY_OBJECT_OID]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]},
            {"type": "message_digest", "values": [hashlib.sha256(econtent).digest()]},
        ]
    )


def build_sod(
    data_groups: Mapping[int, bytes],
    signer: DocumentSigner,
    *,
    signing_time: datetime | None = None,
) -> bytes:
    """EF.SOD over ``data_groups`` (number -> the DG file's bytes), signed by ``signer``.

    ICAO 9303-10 §4.6.2: SignedData v3, digestAlgorithms {SHA-256}, the DS certificate in
    ``certificates``, one SignerInfo v1 (issuerAndSerialNumber) with signed attributes and an
    ECDSA-with-SHA-256 signature over their DER (RFC 5652 §5.4).
    """
    econtent = lds_security_object(data_groups)
    signed_attrs = _signed_attributes(econtent, signing_time or clock.now())
    signature = signer.private_key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
    certificate = asn1_x509.Certificate.load(
        signer.certificate.public_bytes(serialization.Encoding.DER)
    )
    signer_info = {
        "version": "v1",
        "sid": cms.SignerIdentifier(
            "issuer_and_serial_number",
            {"issuer": certificate.issuer, "serial_number": certificate.serial_number},
        ),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": signed_attrs,
        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
        "signature": signature,
    }
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": LDS_SECURITY_OBJECT_OID, "content": econtent},
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    content_info = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    return tlv(EF_SOD_TAG, content_info.dump())


def _attribute(attrs: cms.CMSAttributes, name: str) -> Any:
    """The single value of signed attribute ``name`` (asn1crypto object), or None if absent."""
    for attribute in attrs:
        if attribute["type"].native == name:
            values = attribute["values"]
            if len(values) != 1:
                raise ChipFormatError(f"signed attribute {name} must have exactly one value")
            return values[0]
    return None


@dataclass(frozen=True)
class _SignedAttributes:
    der: bytes | None = None
    content_type: str | None = None
    message_digest: bytes | None = None
    signing_time: datetime | None = None


def _signed_attributes_of(signer_info: cms.SignerInfo) -> _SignedAttributes:
    attrs = signer_info["signed_attrs"]
    if not attrs:
        return _SignedAttributes()
    return _SignedAttributes(
        # The signature covers the attributes as received but tagged SET OF (RFC 5652 §5.4),
        # not with the [0] they travel under.
        der=parser.emit(0, 1, 17, attrs.contents),
        content_type=_native(_attribute(attrs, "content_type"), dotted=True),
        message_digest=_native(_attribute(attrs, "message_digest")),
        signing_time=_native(_attribute(attrs, "signing_time")),
    )


def _native(value: Any, *, dotted: bool = False) -> Any:
    if value is None:
        return None
    return value.dotted if dotted else value.native


def load_certificate(der: bytes) -> x509.Certificate:
    """A certificate whose every part a verifier reads has been decoded once (``cryptography``
    decodes lazily, so damage would otherwise surface in the middle of a check)."""
    try:
        certificate = x509.load_der_x509_certificate(der)
    except x509.InvalidVersion as exc:
        raise ValueError(str(exc)) from None
    _ = (certificate.issuer, certificate.subject, certificate.extensions)
    certificate.public_key()
    return certificate


def _certificates(signed_data: cms.SignedData) -> tuple[x509.Certificate, ...]:
    found = []
    for choice in signed_data["certificates"] or []:
        if choice.name == "certificate":
            found.append(load_certificate(choice.chosen.dump()))
    return tuple(found)


def _signed_data(sod_bytes: bytes) -> cms.SignedData:
    content_info = cms.ContentInfo.load(read_one(sod_bytes, EF_SOD_TAG), strict=True)
    if content_info["content_type"].native != "signed_data":
        raise ChipFormatError("EF.SOD does not hold a CMS SignedData")
    signed_data: cms.SignedData = content_info["content"]
    if len(signed_data["signer_infos"]) != 1:
        raise ChipFormatError("EF.SOD must have exactly one signer (ICAO 9303-10 §4.6.2)")
    return signed_data


def _lds_object(signed_data: cms.SignedData) -> tuple[str, bytes, LDSSecurityObject]:
    encap = signed_data["encap_content_info"]
    econtent_type: str = encap["content_type"].dotted
    if encap["content"].native is None:
        raise ChipFormatError("EF.SOD has no encapsulated content")
    econtent = bytes(encap["content"])  # joins the chunks of a BER constructed OCTET STRING
    return econtent_type, econtent, LDSSecurityObject.load(econtent, strict=True)


def read_sod(sod_bytes: bytes) -> SodContents:
    """Parse EF.SOD (ICAO 9303-10 §4.6.2) without judging it; ``verify`` does the judging."""
    try:
        signed_data = _signed_data(sod_bytes)
        econtent_type, econtent, lds = _lds_object(signed_data)
        signer_info = signed_data["signer_infos"][0]
        sid = signer_info["sid"]
        if sid.name != "issuer_and_serial_number":
            raise ChipFormatError("the SOD signer is not identified by issuer and serial number")
        attrs = _signed_attributes_of(signer_info)
        return SodContents(
            version=lds["version"].native,
            hash_algorithm=lds["hash_algorithm"]["algorithm"].native,
            dg_hashes={
                item["data_group_number"].native: item["data_group_hash_value"].native
                for item in lds["data_group_hash_values"]
            },
            econtent_type=econtent_type,
            econtent=econtent,
            signed_attrs=attrs.der,
            content_type_attr=attrs.content_type,
            message_digest=attrs.message_digest,
            signing_time=attrs.signing_time,
            digest_algorithm=signer_info["digest_algorithm"]["algorithm"].native,
            signature_algorithm=signer_info["signature_algorithm"].signature_algo,
            signature=signer_info["signature"].native,
            signer_issuer=sid.chosen["issuer"].dump(),
            signer_serial=sid.chosen["serial_number"].native,
            certificates=_certificates(signed_data),
        )
    except (ValueError, TypeError, KeyError, UnsupportedAlgorithm) as exc:
        raise ChipFormatError(f"EF.SOD does not parse: {exc}") from None
