"""Passive Authentication of a card's chip data (ICAO Doc 9303 Part 11 §5.1), as named checks.

``verify_card_dir`` reads a card directory (``chip/EF.COM``, ``chip/DG<n>.bin``, ``chip/EF.SOD``,
``csca.pem`` and optionally ``mrz.txt``), ``verify_chip`` takes the same data in memory. Both run
a tuple of checks over one ``Evidence``; each check returns ``CheckResult``s. Callers add their
own checks (MRZ check digits, QR) by passing ``checks=(*CHIP_CHECKS, their_check)``. Every check
reports whether it passed; a check whose input is missing or unreadable fails with the reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from dancu.card.chip.lds import ChipFormatError, EfCom, parse_dg1, parse_ef_com
from dancu.card.chip.pki import signing_period_end
from dancu.card.chip.sod import (
    HASHES,
    LDS_SECURITY_OBJECT_OID,
    SodContents,
    load_certificate,
    read_sod,
)
from dancu.kit import clock


@dataclass(frozen=True)
class CheckResult:
    name: str
    """Stable dotted name, e.g. ``"sod.signature"``, ``"dg.DG2.hash"``."""
    ok: bool
    detail: str = ""


@dataclass
class Evidence:
    """What a verifier was given, with the parsed SOD and EF.COM computed once on demand."""

    chip: Mapping[str, bytes]
    """Chip files by name: ``"EF.COM"``, ``"DG1.bin"``, ``"DG13.bin"``, ``"EF.SOD"``."""
    csca_pem: bytes | None
    mrz_text: str | None = None
    at: datetime = field(default_factory=clock.now)
    """The moment certificates must be valid at."""
    directory: Path | None = None
    """The card directory, for checks that read more of it (the QR image, say)."""

    @cached_property
    def sod(self) -> SodContents | str:
        """The parsed SOD, or why it could not be parsed."""
        data = self.chip.get("EF.SOD")
        if data is None:
            return "EF.SOD is missing"
        try:
            return read_sod(data)
        except ChipFormatError as exc:
            return exc.detail

    @cached_property
    def ef_com(self) -> EfCom | str:
        data = self.chip.get("EF.COM")
        if data is None:
            return "EF.COM is missing"
        try:
            return parse_ef_com(data)
        except ChipFormatError as exc:
            return exc.detail

    @cached_property
    def cscas(self) -> tuple[x509.Certificate, ...] | str:
        if self.csca_pem is None:
            return "csca.pem is missing"
        try:
            pems = x509.load_pem_x509_certificates(self.csca_pem)
            return tuple(load_certificate(c.public_bytes(Encoding.DER)) for c in pems)
        except (ValueError, UnsupportedAlgorithm) as exc:
            return f"csca.pem does not parse: {exc}"

    def data_groups(self) -> dict[int, bytes]:
        """DG files present, by number."""
        found = {}
        for name, data in self.chip.items():
            if name.startswith("DG") and name.endswith(".bin") and name[2:-4].isdigit():
                found[int(name[2:-4])] = data
        return found


Check = Callable[[Evidence], Iterable[CheckResult]]


def _fail(name: str, detail: str) -> list[CheckResult]:
    return [CheckResult(name, False, detail)]


def _sod_or_reason(evidence: Evidence) -> SodContents | str:
    sod = evidence.sod
    return sod if isinstance(sod, SodContents) else f"not checked: {sod}"


def check_sod_parses(evidence: Evidence) -> list[CheckResult]:
    """EF.SOD is a 0x77-wrapped CMS SignedData holding an LDSSecurityObject (9303-10 §4.6.2)."""
    sod = evidence.sod
    if isinstance(sod, str):
        return _fail("sod.parse", sod)
    if sod.econtent_type != LDS_SECURITY_OBJECT_OID:
        return _fail("sod.parse", f"eContentType {sod.econtent_type} is not ldsSecurityObject")
    if sod.hash_algorithm not in HASHES:
        return _fail("sod.parse", f"data-group hash algorithm {sod.hash_algorithm} unsupported")
    return [CheckResult("sod.parse", True, f"LDSSecurityObject v{sod.version}")]


def check_signed_attributes(evidence: Evidence) -> list[CheckResult]:
    """contentType equals eContentType and messageDigest is the eContent's hash (RFC 5652 §11)."""
    sod = _sod_or_reason(evidence)
    if isinstance(sod, str):
        return _fail("sod.content_type", sod) + _fail("sod.message_digest", sod)
    if sod.signed_attrs is None:
        missing = "the SignerInfo has no signed attributes (ICAO 9303-10 §4.6.2)"
        return _fail("sod.content_type", missing) + _fail("sod.message_digest", missing)
    same_type = sod.content_type_attr == sod.econtent_type
    supported = sod.digest_algorithm in HASHES
    digest = hashlib.new(sod.digest_algorithm, sod.econtent).digest() if supported else None
    return [
        CheckResult("sod.content_type", same_type, f"contentType {sod.content_type_attr}"),
        CheckResult(
            "sod.message_digest",
            digest is not None and digest == sod.message_digest,
            f"{sod.digest_algorithm} of the LDSSecurityObject",
        ),
    ]


def _verify_signature(certificate: x509.Certificate, sod: SodContents) -> None:
    algorithm = HASHES.get(sod.digest_algorithm)
    if algorithm is None or sod.signed_attrs is None:
        raise UnsupportedAlgorithm(f"digest {sod.digest_algorithm}")
    public = certificate.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey) and sod.signature_algorithm == "ecdsa":
        public.verify(sod.signature, sod.signed_attrs, ec.ECDSA(algorithm()))
    elif isinstance(public, rsa.RSAPublicKey) and sod.signature_algorithm == "rsassa_pkcs1v15":
        public.verify(sod.signature, sod.signed_attrs, padding.PKCS1v15(), algorithm())
    else:
        raise UnsupportedAlgorithm(f"{sod.signature_algorithm} with this key")


def check_signature(evidence: Evidence) -> list[CheckResult]:
    """The SignerInfo signature over the signed attributes verifies under the included DS
    certificate that its issuerAndSerialNumber names (ICAO 9303-11 §5.1)."""
    sod = _sod_or_reason(evidence)
    if isinstance(sod, str):
        return _fail("sod.signature", sod)
    certificate = sod.signer_certificate
    if certificate is None:
        return _fail("sod.signature", "no included certificate matches the signer identifier")
    try:
        _verify_signature(certificate, sod)
    except InvalidSignature:
        return _fail("sod.signature", "the signature does not verify")
    except UnsupportedAlgorithm as exc:
        return _fail("sod.signature", f"unsupported signature: {exc}")
    return [CheckResult("sod.signature", True, certificate.subject.rfc4514_string())]


def _valid_at(certificate: x509.Certificate, at: datetime) -> bool:
    return certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _csca_problem(csca: x509.Certificate, at: datetime) -> str | None:
    """Why ``csca`` cannot anchor a chain (ICAO 9303-12 §7), or None."""
    usage = _key_usage(csca)
    if not _is_ca(csca) or usage is None or not usage.key_cert_sign:
        return "the CSCA is not a CA with keyCertSign"
    if not _valid_at(csca, at):
        return f"the CSCA is not valid at {at:%Y-%m-%d %H:%M}Z"
    try:
        csca.verify_directly_issued_by(csca)
    except (ValueError, InvalidSignature, TypeError, UnsupportedAlgorithm):
        return "the CSCA's self-signature does not verify"
    return None


def _issuing_csca(evidence: Evidence, ds: x509.Certificate) -> x509.Certificate | str:
    """The trusted CSCA that signed ``ds``, or why there is none."""
    cscas = evidence.cscas
    if isinstance(cscas, str):
        return cscas
    for csca in cscas:
        try:
            ds.verify_directly_issued_by(csca)
        except (ValueError, InvalidSignature, TypeError, UnsupportedAlgorithm):
            continue
        return csca
    return "no trusted CSCA issued and signed the Document Signer certificate"


def check_csca_chain(evidence: Evidence) -> list[CheckResult]:
    """The DS certificate is signed by a trusted CSCA that is itself a valid CA (9303-11 §5.1)."""
    sod = _sod_or_reason(evidence)
    ds = sod.signer_certificate if isinstance(sod, SodContents) else None
    if ds is None:
        reason = sod if isinstance(sod, str) else "not checked: no signer certificate"
        return _fail("csca.certificate", reason) + _fail("ds.issued_by_csca", reason)
    csca = _issuing_csca(evidence, ds)
    if isinstance(csca, str):
        return _fail("csca.certificate", f"not checked: {csca}") + _fail("ds.issued_by_csca", csca)
    problem = _csca_problem(csca, evidence.at)
    return [
        CheckResult("csca.certificate", problem is None, problem or csca.subject.rfc4514_string()),
        CheckResult("ds.issued_by_csca", True, f"serial {ds.serial_number:X}"),
    ]


def _ds_problem(ds: x509.Certificate, at: datetime, signed: datetime | None) -> str | None:
    usage = _key_usage(ds)
    if usage is None or not usage.digital_signature or _is_ca(ds):
        return "the Document Signer certificate lacks digitalSignature or is a CA"
    if not _valid_at(ds, at):
        return f"the Document Signer certificate is not valid at {at:%Y-%m-%d %H:%M}Z"
    if signed is not None and not ds.not_valid_before_utc <= signed <= signing_period_end(ds):
        return f"signed at {signed:%Y-%m-%d}, outside the signer's key usage period"
    return None


def check_document_signer(evidence: Evidence) -> list[CheckResult]:
    """The DS certificate is valid now, may sign (digitalSignature) and signed in its key usage
    period (ICAO 9303-12 §7)."""
    sod = _sod_or_reason(evidence)
    if isinstance(sod, str):
        return _fail("ds.certificate", sod)
    ds = sod.signer_certificate
    if ds is None:
        return _fail("ds.certificate", "not checked: no signer certificate")
    problem = _ds_problem(ds, evidence.at, sod.signing_time)
    return [CheckResult("ds.certificate", problem is None, problem or "valid, digitalSignature")]


def check_data_group_hashes(evidence: Evidence) -> list[CheckResult]:
    """Each data group the SOD lists is present and hashes to the SOD's value (9303-11 §5.1)."""
    sod = _sod_or_reason(evidence)
    if isinstance(sod, str):
        return _fail("dg.hashes", sod)
    present = evidence.data_groups()
    results = []
    for number, expected in sorted(sod.dg_hashes.items()):
        name = f"dg.DG{number}.hash"
        if number not in present:
            results.append(CheckResult(name, False, f"DG{number} is listed in EF.SOD, missing"))
        elif sod.hash_algorithm not in HASHES:
            results.append(CheckResult(name, False, f"unsupported hash {sod.hash_algorithm}"))
        else:
            actual = hashlib.new(sod.hash_algorithm, present[number]).digest()
            results.append(CheckResult(name, actual == expected, sod.hash_algorithm))
    return results


def check_data_group_inventory(evidence: Evidence) -> list[CheckResult]:
    """EF.COM, EF.SOD and the files present name the same data groups (9303-10 §4.6.1)."""
    com = evidence.ef_com
    if isinstance(com, str):
        return _fail("lds.ef_com", com) + _fail("lds.data_groups", f"not checked: {com}")
    results = [CheckResult("lds.ef_com", True, f"LDS {com.lds_version}")]
    listed = set(com.data_groups)
    present = set(evidence.data_groups())
    sod = evidence.sod
    signed = set(sod.dg_hashes) if isinstance(sod, SodContents) else listed
    if listed == present == signed:
        return [*results, CheckResult("lds.data_groups", True, _dg_names(listed))]
    detail = (
        f"EF.COM lists {_dg_names(listed)}; files {_dg_names(present)}; "
        f"EF.SOD hashes {_dg_names(signed)}"
    )
    return [*results, CheckResult("lds.data_groups", False, detail)]


def _dg_names(numbers: Iterable[int]) -> str:
    return ", ".join(f"DG{n}" for n in sorted(numbers)) or "none"


def check_mrz_text(evidence: Evidence) -> list[CheckResult]:
    """DG1's MRZ is the MRZ printed on the card (``mrz.txt``), when that file is given."""
    if evidence.mrz_text is None:
        return []
    dg1 = evidence.chip.get("DG1.bin")
    if dg1 is None:
        return _fail("dg1.mrz_text", "DG1 is missing")
    try:
        chip_mrz = parse_dg1(dg1)
    except ChipFormatError as exc:
        return _fail("dg1.mrz_text", exc.detail)
    printed = tuple(line.strip() for line in evidence.mrz_text.strip().splitlines())
    same = printed == chip_mrz
    return [CheckResult("dg1.mrz_text", same, "" if same else "DG1 differs from mrz.txt")]


CHIP_CHECKS: tuple[Check, ...] = (
    check_sod_parses,
    check_signed_attributes,
    check_signature,
    check_csca_chain,
    check_document_signer,
    check_data_group_hashes,
    check_data_group_inventory,
    check_mrz_text,
)
"""Passive Authentication in ICAO 9303-11 §5.1 order, then the printed-MRZ comparison."""


def run_checks(evidence: Evidence, checks: Sequence[Check] = CHIP_CHECKS) -> list[CheckResult]:
    return [result for check in checks for result in check(evidence)]


def verify_chip(
    chip: Mapping[str, bytes],
    csca_pem: bytes | None,
    *,
    mrz_text: str | None = None,
    at: datetime | None = None,
    checks: Sequence[Check] = CHIP_CHECKS,
) -> list[CheckResult]:
    """Passive Authentication of in-memory chip files (names as in ``Evidence.chip``)."""
    evidence = Evidence(chip=chip, csca_pem=csca_pem, mrz_text=mrz_text, at=at or clock.now())
    return run_checks(evidence, checks)


def load_card_dir(directory: Path, *, at: datetime | None = None) -> Evidence:
    """The evidence in a card directory: ``chip/*``, ``csca.pem``, ``mrz.txt`` if present."""
    chip_dir = directory / "chip"
    files = sorted(chip_dir.iterdir()) if chip_dir.is_dir() else []
    chip = {path.name: path.read_bytes() for path in files if path.is_file()}
    csca = directory / "csca.pem"
    mrz = directory / "mrz.txt"
    return Evidence(
        chip=chip,
        csca_pem=csca.read_bytes() if csca.is_file() else None,
        mrz_text=mrz.read_text(encoding="ascii", errors="replace") if mrz.is_file() else None,
        at=at or clock.now(),
        directory=directory,
    )


def verify_card_dir(
    directory: Path, *, at: datetime | None = None, checks: Sequence[Check] = CHIP_CHECKS
) -> list[CheckResult]:
    """Passive Authentication of a card directory (what ``dancu card verify DIR`` runs)."""
    return run_checks(load_card_dir(directory, at=at), checks)
