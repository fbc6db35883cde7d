"""EF.SOD and the card PKI, checked by peers that share no code with ours: OpenSSL's ``cms`` and a
pyasn1 + ``pyasn1_modules.rfc5652`` reader (the LDSSecurityObject spec is written here again)."""

from __future__ import annotations

import hashlib
import io
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import parser as asn1_parser
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import namedtype, tag, univ
from pyasn1_modules import rfc5280, rfc5652

from dancu.card.chip import build_chip, read_sod
from dancu.card.chip.lds import ChipFormatError
from dancu.card.chip.pki import (
    CSCA_COMMON_NAME,
    DS_KEY_USAGE,
    CscaKeyRetired,
    KeyFileExposed,
    LocalKeyStore,
    Pki,
    export_csca,
    signing_period_end,
)
from dancu.card.chip.sod import build_sod, lds_security_object
from dancu.card.data import CardData
from dancu.kit.partial_date import PartialDate

OPENSSL = "/usr/bin/openssl"
SAMPLE_MRZ = (
    "IDVNM0930470641001093047064<<2",
    "9301054M3301052VNM<<<<<<<<<<<8",
    "UNG<<HOANG<HIEP<<<<<<<<<<<<<<<",
)
ICAO_LDS_SO = "2.23.136.1.1.1"
ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2"
SHA256 = "2.16.840.1.101.3.4.2.1"


# --- shared helpers (also used by test_chip_verify) --------------------------------------------


def small_jpeg(size: tuple[int, int] = (60, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (190, 140, 110)).save(buffer, "JPEG")
    return buffer.getvalue()


def sample_card(**over: object) -> CardData:
    card = CardData(
        card_number="0930470641",
        id_number="001093047064",
        full_name="Ưng Hoàng Hiệp",
        birth_date=PartialDate(1993, 1, 5),
        sex="M",
        issue_date=date(2021, 1, 5),
        expiry_date=date(2033, 1, 5),
        old_id_number="012345678",
        ethnicity="Kinh",
        religion="Không",
        hometown="Xã Đông Hội, Huyện Đông Anh, Thành phố Hà Nội",
        residence="Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội",
        father_name="Ưng Văn Hùng",
        mother_name="Nguyễn Thị Lan",
        identifying_marks="Nốt ruồi C:1cm trên trước đầu lông mày phải",
        face_jpeg=small_jpeg(),
    )
    return replace(card, **over)


def unwrap_sod(ef_sod: bytes) -> bytes:
    """The CMS ContentInfo inside EF.SOD's 0x77 wrapper, cut out by asn1crypto's parser."""
    class_, method, number, _, contents, _ = asn1_parser.parse(ef_sod, strict=True)
    assert (class_, method, number) == (1, 1, 23)
    return bytes(contents)


def openssl_verify(ef_sod: bytes, csca_pem: bytes, workdir: Path) -> tuple[int, bytes, str]:
    """``openssl cms -verify`` with the CSCA as the only trust anchor: (rc, eContent, stderr)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "sod.cms").write_bytes(unwrap_sod(ef_sod))
    (workdir / "csca.pem").write_bytes(csca_pem)
    out = workdir / "econtent.der"
    out.unlink(missing_ok=True)
    run = subprocess.run(
        [
            *(OPENSSL, "cms", "-verify", "-inform", "DER", "-in", str(workdir / "sod.cms")),
            *("-CAfile", str(workdir / "csca.pem"), "-purpose", "any", "-binary"),
            *("-out", str(out)),
        ],
        capture_output=True,
        check=False,
    )
    econtent = out.read_bytes() if run.returncode == 0 else b""
    return run.returncode, econtent, run.stderr.decode(errors="replace")


class DataGroupHash(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("dataGroupNumber", univ.Integer()),
        namedtype.NamedType("dataGroupHashValue", univ.OctetString()),
    )


class LDSSecurityObject(univ.Sequence):
    """ICAO 9303-10 §4.6.2, transcribed independently of ``dancu.card.chip.sod``."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("hashAlgorithm", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("dataGroupHashValues", univ.SequenceOf(componentType=DataGroupHash())),
    )


class PeerRejected(Exception):
    pass


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise PeerRejected(reason)


def _decode(data: bytes, spec: object) -> object:
    value, rest = der_decoder.decode(data, asn1Spec=spec)
    _require(not rest, "trailing bytes")
    return value


def _attribute(attrs: univ.SetOf, oid: univ.ObjectIdentifier) -> bytes:
    values = [a["attrValues"] for a in attrs if a["attrType"] == oid]
    _require(len(values) == 1 and len(values[0]) == 1, f"one {oid} attribute")
    return bytes(values[0][0])


def pyasn1_verify(chip: Mapping[str, bytes], csca_pem: bytes) -> dict[int, bytes]:
    """Passive Authentication on pyasn1: decode, re-encode the signed attributes as DER SET OF,
    verify the SOD signature and the DS certificate's TBS signature with ``cryptography``, and
    recompute every data group's hash. Returns the hashes; raises PeerRejected otherwise."""
    wrapped = rfc5652.ContentInfo().subtype(
        explicitTag=tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 23)
    )
    content_info = _decode(chip["EF.SOD"], wrapped)
    _require(content_info["contentType"] == rfc5652.id_signedData, "not SignedData")
    signed = _decode(bytes(content_info["content"]), rfc5652.SignedData())
    encap = signed["encapContentInfo"]
    _require(str(encap["eContentType"]) == ICAO_LDS_SO, "eContentType")
    econtent = bytes(encap["eContent"])
    lds = _decode(econtent, LDSSecurityObject())
    _require(str(lds["hashAlgorithm"]["algorithm"]) == SHA256, "hash algorithm")
    (signer,) = list(signed["signerInfos"])
    (choice,) = list(signed["certificates"])
    ds = x509.load_der_x509_certificate(der_encoder.encode(choice["certificate"]))
    sid = signer["sid"]["issuerAndSerialNumber"]
    _require(int(sid["serialNumber"]) == ds.serial_number, "sid serial")
    _require(der_encoder.encode(sid["issuer"]) == ds.issuer.public_bytes(), "sid issuer")
    attrs = univ.SetOf(componentType=rfc5652.Attribute())
    for index, attribute in enumerate(signer["signedAttrs"]):
        attrs.setComponentByPosition(index, attribute)
    content_type = _decode(_attribute(attrs, rfc5652.id_contentType), univ.ObjectIdentifier())
    _require(str(content_type) == ICAO_LDS_SO, "contentType attribute")
    digest = _decode(_attribute(attrs, rfc5652.id_messageDigest), univ.OctetString())
    _require(bytes(digest) == hashlib.sha256(econtent).digest(), "messageDigest")
    _require(str(signer["signatureAlgorithm"]["algorithm"]) == ECDSA_WITH_SHA256, "sig alg")
    public = ds.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    try:
        public.verify(
            bytes(signer["signature"]), der_encoder.encode(attrs), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature:
        raise PeerRejected("SOD signature") from None
    _verify_ds_certificate(der_encoder.encode(choice["certificate"]), csca_pem)
    hashes_in_sod = {
        int(item["dataGroupNumber"]): bytes(item["dataGroupHashValue"])
        for item in lds["dataGroupHashValues"]
    }
    files = {int(n[2:-4]): b for n, b in chip.items() if n.startswith("DG")}
    _require(set(files) == set(hashes_in_sod), "data groups present vs signed")
    for number, value in files.items():
        _require(hashlib.sha256(value).digest() == hashes_in_sod[number], f"DG{number} hash")
    return hashes_in_sod


def _verify_ds_certificate(ds_der: bytes, csca_pem: bytes) -> None:
    certificate = _decode(ds_der, rfc5280.Certificate())
    tbs = der_encoder.encode(certificate["tbsCertificate"])
    signature = certificate["signature"].asOctets()
    for csca in x509.load_pem_x509_certificates(csca_pem):
        public = csca.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        try:
            public.verify(signature, tbs, ec.ECDSA(hashes.SHA384()))
        except InvalidSignature:
            continue
        return
    raise PeerRejected("DS certificate not signed by the CSCA")


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return LocalKeyStore().load_or_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def chip(pki: Pki) -> dict[str, bytes]:
    return build_chip(sample_card(), SAMPLE_MRZ, pki.document_signer)


# --- SOD ---------------------------------------------------------------------------------------


def test_sod_reads_back_what_was_signed(chip: dict[str, bytes], pki: Pki) -> None:
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    groups = {1: chip["DG1.bin"], 2: chip["DG2.bin"], 13: chip["DG13.bin"]}
    sod = read_sod(build_sod(groups, pki.document_signer, signing_time=at))
    assert sod.version == 0
    assert sod.hash_algorithm == "sha256"
    assert sod.dg_hashes == {n: hashlib.sha256(b).digest() for n, b in groups.items()}
    assert sod.econtent_type == ICAO_LDS_SO
    assert sod.content_type_attr == ICAO_LDS_SO
    assert sod.message_digest == hashlib.sha256(sod.econtent).digest()
    assert sod.signing_time == at
    assert (sod.digest_algorithm, sod.signature_algorithm) == ("sha256", "ecdsa")
    assert sod.signer_certificate == pki.document_signer.certificate


def test_openssl_verifies_the_sod_and_returns_the_exact_lds_security_object(
    chip: dict[str, bytes], pki: Pki, tmp_path: Path
) -> None:
    rc, econtent, stderr = openssl_verify(chip["EF.SOD"], pki.csca_pem(), tmp_path)
    assert rc == 0, stderr
    assert "Verification successful" in stderr
    assert econtent == read_sod(chip["EF.SOD"]).econtent
    assert econtent == lds_security_object(
        {1: chip["DG1.bin"], 2: chip["DG2.bin"], 13: chip["DG13.bin"]}
    )


def test_pyasn1_peer_verifies_the_sod_and_every_hash(chip: dict[str, bytes], pki: Pki) -> None:
    hashes_in_sod = pyasn1_verify(chip, pki.csca_pem())
    assert sorted(hashes_in_sod) == [1, 2, 13]


def test_sod_structure_is_the_icao_profile(chip: dict[str, bytes]) -> None:
    content_info, _ = der_decoder.decode(unwrap_sod(chip["EF.SOD"]), rfc5652.ContentInfo())
    signed, _ = der_decoder.decode(bytes(content_info["content"]), rfc5652.SignedData())
    assert int(signed["version"]) == 3  # eContentType is not id-data (RFC 5652 §5.1)
    assert [str(a["algorithm"]) for a in signed["digestAlgorithms"]] == [SHA256]
    (signer,) = list(signed["signerInfos"])
    assert int(signer["version"]) == 1
    assert signer["sid"].getName() == "issuerAndSerialNumber"
    attribute_types = {str(a["attrType"]) for a in signer["signedAttrs"]}
    assert attribute_types == {
        str(rfc5652.id_contentType),
        str(rfc5652.id_messageDigest),
        "1.2.840.113549.1.9.5",  # signingTime
    }


def test_signed_attributes_are_der_as_a_peer_re_encodes_them(chip: dict[str, bytes]) -> None:
    sod = read_sod(chip["EF.SOD"])
    assert sod.signed_attrs is not None
    decoded, rest = der_decoder.decode(sod.signed_attrs, rfc5652.SignedAttributes())
    assert not rest
    assert der_encoder.encode(decoded) == sod.signed_attrs


def test_lds_security_object_needs_two_data_groups() -> None:
    with pytest.raises(ValueError, match="at least two"):
        lds_security_object({1: b"x"})


def test_read_sod_refuses_what_is_not_a_sod(chip: dict[str, bytes]) -> None:
    with pytest.raises(ChipFormatError):
        read_sod(chip["DG1.bin"])
    with pytest.raises(ChipFormatError):
        read_sod(b"\x77\x03\x30\x01\x00")


# --- PKI -------------------------------------------------------------------------------------


def _extension(certificate: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.Extension:
    return certificate.extensions.get_extension_for_class(kind)


def test_csca_is_a_self_signed_country_ca(pki: Pki) -> None:
    csca = pki.csca
    csca.verify_directly_issued_by(csca)
    assert csca.subject.rfc4514_string() == f"CN={CSCA_COMMON_NAME},O=dancu,C=VN"
    constraints = _extension(csca, x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = _extension(csca, x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature
    assert csca.not_valid_after_utc - csca.not_valid_before_utc > timedelta(days=25 * 365)


def test_document_signer_profile(pki: Pki) -> None:
    ds = pki.document_signer.certificate
    ds.verify_directly_issued_by(pki.csca)
    usage = _extension(ds, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    key_id = _extension(ds, x509.AuthorityKeyIdentifier).value.key_identifier
    assert key_id == _extension(pki.csca, x509.SubjectKeyIdentifier).value.digest
    assert signing_period_end(ds) - ds.not_valid_before_utc == DS_KEY_USAGE
    assert ds.not_valid_after_utc - signing_period_end(ds) >= timedelta(days=20 * 365)
    doc_types = ds.extensions.get_extension_for_oid(x509.ObjectIdentifier("2.23.136.1.1.6.2"))
    decoded, _ = der_decoder.decode(doc_types.value.value)
    assert int(decoded[0]) == 0 and [str(t) for t in decoded[1]] == ["ID"]


def test_openssl_chains_the_document_signer_to_the_csca(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "csca.pem").write_bytes(pki.csca_pem())
    pem = pki.document_signer.certificate.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "ds.pem").write_bytes(pem)
    run = subprocess.run(
        [OPENSSL, "verify", "-CAfile", str(tmp_path / "csca.pem"), str(tmp_path / "ds.pem")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_key_store_keeps_keys_private_and_reloads_the_same_pki(tmp_path: Path) -> None:
    first = LocalKeyStore().load_or_create(tmp_path / "keys")
    for name in ("csca.key.pem", "ds.key.pem"):
        assert stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode) == 0o600
    again = LocalKeyStore().load_or_create(tmp_path / "keys")
    assert again.csca == first.csca
    assert again.document_signer.certificate == first.document_signer.certificate
    assert "private" not in repr(first).lower()
    exported = export_csca(first, tmp_path / "csca.pem")
    assert exported.read_bytes() == (tmp_path / "keys" / "csca.pem").read_bytes()


def test_key_store_encrypts_keys_with_a_passphrase(tmp_path: Path) -> None:
    LocalKeyStore(b"correct horse").load_or_create(tmp_path)
    key_pem = (tmp_path / "ds.key.pem").read_bytes()
    assert key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(key_pem, None)
    with pytest.raises(ValueError):
        LocalKeyStore(b"wrong").load_or_create(tmp_path)
    assert LocalKeyStore(b"correct horse").load_or_create(tmp_path).csca is not None


def test_key_store_refuses_a_key_file_others_can_read(tmp_path: Path) -> None:
    LocalKeyStore().load_or_create(tmp_path)
    (tmp_path / "ds.key.pem").chmod(0o644)
    with pytest.raises(KeyFileExposed):
        LocalKeyStore().load_or_create(tmp_path)


def test_key_store_rolls_the_document_signer_over_after_its_signing_period(
    tmp_path: Path,
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    first = LocalKeyStore(now=lambda: start).load_or_create(tmp_path)
    later = LocalKeyStore(now=lambda: start + timedelta(days=100)).load_or_create(tmp_path)
    assert later.csca == first.csca
    assert later.document_signer.certificate != first.document_signer.certificate
    later.document_signer.certificate.verify_directly_issued_by(first.csca)


def test_key_store_stops_when_the_csca_key_is_retired(tmp_path: Path) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    LocalKeyStore(now=lambda: start).load_or_create(tmp_path)
    with pytest.raises(CscaKeyRetired):
        LocalKeyStore(now=lambda: start + timedelta(days=6 * 365)).load_or_create(tmp_path)
