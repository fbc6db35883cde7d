"""Passive Authentication: a good card passes every check; every tampering is caught by our
verifier and, where the tampering is theirs to see, by OpenSSL and the pyasn1 peer too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dancu.card.chip import CHIP_CHECKS, build_chip, read_sod, verify_card_dir, verify_chip
from dancu.card.chip.lds import DG_TAGS, dg1, read_one, tlv
from dancu.card.chip.pki import LocalKeyStore, Pki
from dancu.card.chip.sod import build_sod
from dancu.card.chip.verify import CheckResult, Evidence
from tests.card.test_chip_sod import (
    SAMPLE_MRZ,
    PeerRejected,
    openssl_verify,
    pyasn1_verify,
    sample_card,
)

MRZ_TEXT = "\n".join(SAMPLE_MRZ) + "\n"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return LocalKeyStore().load_or_create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return LocalKeyStore().load_or_create(tmp_path_factory.mktemp("other"))


@pytest.fixture(scope="module")
def chip(pki: Pki) -> dict[str, bytes]:
    return build_chip(sample_card(), SAMPLE_MRZ, pki.document_signer)


def failed(results: list[CheckResult]) -> set[str]:
    return {r.name for r in results if not r.ok}


def write_card_dir(directory: Path, chip: dict[str, bytes], csca_pem: bytes) -> Path:
    (directory / "chip").mkdir(parents=True)
    for name, data in chip.items():
        (directory / "chip" / name).write_bytes(data)
    (directory / "csca.pem").write_bytes(csca_pem)
    (directory / "mrz.txt").write_text(MRZ_TEXT, encoding="ascii")
    return directory


# --- a good card -------------------------------------------------------------------------------


def test_a_good_card_passes_every_check(tmp_path: Path, chip: dict[str, bytes], pki: Pki) -> None:
    results = verify_card_dir(write_card_dir(tmp_path, chip, pki.csca_pem()))
    assert failed(results) == set(), results
    assert [r.name for r in results] == [
        "sod.parse",
        "sod.content_type",
        "sod.message_digest",
        "sod.signature",
        "csca.certificate",
        "ds.issued_by_csca",
        "ds.certificate",
        "dg.DG1.hash",
        "dg.DG2.hash",
        "dg.DG13.hash",
        "lds.ef_com",
        "lds.data_groups",
        "dg1.mrz_text",
    ]


def test_a_card_without_photo_has_no_dg2_and_passes(pki: Pki) -> None:
    chip = build_chip(sample_card(face_jpeg=None), SAMPLE_MRZ, pki.document_signer)
    assert "DG2.bin" not in chip
    results = verify_chip(chip, pki.csca_pem(), mrz_text=MRZ_TEXT)
    assert failed(results) == set(), results
    assert pyasn1_verify(chip, pki.csca_pem()).keys() == {1, 13}


def test_callers_append_their_own_checks(chip: dict[str, bytes], pki: Pki) -> None:
    def qr_check(evidence: Evidence) -> list[CheckResult]:
        return [CheckResult("qr.matches_chip", "DG13.bin" in evidence.chip, "")]

    results = verify_chip(chip, pki.csca_pem(), checks=(*CHIP_CHECKS, qr_check))
    assert results[-1] == CheckResult("qr.matches_chip", True, "")
    assert "dg1.mrz_text" not in {r.name for r in results}  # no mrz.txt given: not compared


# --- tampering ---------------------------------------------------------------------------------


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _flip_in(data: bytes, needle: bytes, offset: int = -1) -> bytes:
    start = data.find(needle)
    assert start >= 0 and data.count(needle) == 1
    return _flip(data, start + (offset % len(needle)))


def _flip_file(name: str, at: int) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    return lambda chip: {**chip, name: _flip(chip[name], at)}


def _signature(chip: dict[str, bytes]) -> dict[str, bytes]:
    sod = read_sod(chip["EF.SOD"])
    return {**chip, "EF.SOD": _flip_in(chip["EF.SOD"], sod.signature)}


def _message_digest(chip: dict[str, bytes]) -> dict[str, bytes]:
    digest = read_sod(chip["EF.SOD"]).message_digest
    assert digest is not None
    return {**chip, "EF.SOD": _flip_in(chip["EF.SOD"], digest)}


def _signing_time(chip: dict[str, bytes]) -> dict[str, bytes]:
    at = read_sod(chip["EF.SOD"]).signing_time
    assert at is not None
    return {**chip, "EF.SOD": _flip_in(chip["EF.SOD"], at.strftime("%y%m%d%H%M%SZ").encode(), 0)}


def _lds_hash_in_econtent(chip: dict[str, bytes]) -> dict[str, bytes]:
    dg13_hash = read_sod(chip["EF.SOD"]).dg_hashes[13]
    return {**chip, "EF.SOD": _flip_in(chip["EF.SOD"], dg13_hash, 5)}


def _ds_certificate(chip: dict[str, bytes]) -> dict[str, bytes]:
    return {**chip, "EF.SOD": _flip_in(chip["EF.SOD"], b"Document Signer", 0)}


def _mrz_name(chip: dict[str, bytes]) -> dict[str, bytes]:
    # A different holder's name in DG1, still a well-formed MRZ.
    return {**chip, "DG1.bin": chip["DG1.bin"].replace(b"HOANG<HIEP", b"HOANG<HIEN")}


def _mrz_name_resigned_by_other(other: Pki) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    def tamper(chip: dict[str, bytes]) -> dict[str, bytes]:
        forged = {**chip, "DG1.bin": chip["DG1.bin"].replace(b"HOANG<HIEP", b"HOANG<HIEN")}
        groups = {n: forged[f"DG{n}.bin"] for n in (1, 2, 13)}
        return {**forged, "EF.SOD": build_sod(groups, other.document_signer)}

    return tamper


@dataclass(frozen=True)
class Tamper:
    change: Callable[[dict[str, bytes]], dict[str, bytes]]
    ours: set[str]
    """Exactly the checks of ours that must fail."""
    openssl: bool
    """Whether the change is to the SOD or its trust, which OpenSSL judges."""


TAMPERS = {
    "DG1 byte": Tamper(_flip_file("DG1.bin", 9), {"dg.DG1.hash", "dg1.mrz_text"}, False),
    "DG2 byte": Tamper(_flip_file("DG2.bin", 99), {"dg.DG2.hash"}, False),
    "DG13 byte": Tamper(_flip_file("DG13.bin", 30), {"dg.DG13.hash"}, False),
    "MRZ name in DG1": Tamper(_mrz_name, {"dg.DG1.hash", "dg1.mrz_text"}, False),
    "SOD signature": Tamper(_signature, {"sod.signature"}, True),
    "signed messageDigest": Tamper(_message_digest, {"sod.message_digest", "sod.signature"}, True),
    # 2026 -> 2036: also outside the signer's key usage period.
    "signed signingTime": Tamper(_signing_time, {"sod.signature", "ds.certificate"}, True),
    "hash inside eContent": Tamper(
        _lds_hash_in_econtent, {"sod.message_digest", "dg.DG13.hash"}, True
    ),
    "DS certificate": Tamper(_ds_certificate, {"ds.issued_by_csca", "csca.certificate"}, True),
    "DG2 removed": Tamper(
        lambda c: {k: v for k, v in c.items() if k != "DG2.bin"},
        {"dg.DG2.hash", "lds.data_groups"},
        False,
    ),
    "extra DG3": Tamper(
        lambda c: {**c, "DG3.bin": tlv(DG_TAGS[3], b"")}, {"lds.data_groups"}, False
    ),
}


@pytest.mark.parametrize("name", TAMPERS)
def test_tampering_is_caught_by_every_verifier(
    name: str, chip: dict[str, bytes], pki: Pki, tmp_path: Path
) -> None:
    tamper = TAMPERS[name]
    changed = tamper.change(dict(chip))
    assert changed != chip
    ours = failed(verify_chip(changed, pki.csca_pem(), mrz_text=MRZ_TEXT))
    assert ours == tamper.ours
    with pytest.raises(PeerRejected):
        pyasn1_verify(changed, pki.csca_pem())
    if tamper.openssl:
        rc, _, stderr = openssl_verify(changed["EF.SOD"], pki.csca_pem(), tmp_path)
        assert rc != 0, stderr


def test_the_untampered_card_passes_the_same_peers(
    chip: dict[str, bytes], pki: Pki, tmp_path: Path
) -> None:
    """The tamper test's control: the same peers accept the card as built."""
    assert failed(verify_chip(chip, pki.csca_pem(), mrz_text=MRZ_TEXT)) == set()
    pyasn1_verify(chip, pki.csca_pem())
    assert openssl_verify(chip["EF.SOD"], pki.csca_pem(), tmp_path)[0] == 0


def test_another_csca_is_not_trusted(
    chip: dict[str, bytes], pki: Pki, other_pki: Pki, tmp_path: Path
) -> None:
    results = verify_chip(chip, other_pki.csca_pem(), mrz_text=MRZ_TEXT)
    assert failed(results) == {"csca.certificate", "ds.issued_by_csca"}
    with pytest.raises(PeerRejected):
        pyasn1_verify(chip, other_pki.csca_pem())
    assert openssl_verify(chip["EF.SOD"], other_pki.csca_pem(), tmp_path)[0] != 0


def test_a_chip_re_signed_by_a_foreign_signer_is_refused(
    chip: dict[str, bytes], pki: Pki, other_pki: Pki, tmp_path: Path
) -> None:
    forged = _mrz_name_resigned_by_other(other_pki)(dict(chip))
    results = verify_chip(forged, pki.csca_pem())
    assert failed(results) == {"csca.certificate", "ds.issued_by_csca"}
    with pytest.raises(PeerRejected):
        pyasn1_verify(forged, pki.csca_pem())
    assert openssl_verify(forged["EF.SOD"], pki.csca_pem(), tmp_path)[0] != 0


def test_mrz_txt_must_match_dg1(chip: dict[str, bytes], pki: Pki) -> None:
    printed = MRZ_TEXT.replace("HOANG<HIEP", "HOANG<HIEN")
    assert failed(verify_chip(chip, pki.csca_pem(), mrz_text=printed)) == {"dg1.mrz_text"}


def test_ef_com_must_list_the_signed_data_groups(chip: dict[str, bytes], pki: Pki) -> None:
    from dancu.card.chip.lds import ef_com

    changed = {**chip, "EF.COM": ef_com([1, 13])}
    assert failed(verify_chip(changed, pki.csca_pem())) == {"lds.data_groups"}


def test_a_sod_signed_after_the_signers_key_period_is_refused(
    chip: dict[str, bytes], pki: Pki
) -> None:
    late = datetime.now(UTC) + timedelta(days=200)
    groups = {n: chip[f"DG{n}.bin"] for n in (1, 2, 13)}
    resigned = {**chip, "EF.SOD": build_sod(groups, pki.document_signer, signing_time=late)}
    assert failed(verify_chip(resigned, pki.csca_pem(), at=late)) == {"ds.certificate"}


def test_certificates_expire(chip: dict[str, bytes], pki: Pki) -> None:
    decades_later = datetime.now(UTC) + timedelta(days=40 * 365)
    assert {"csca.certificate", "ds.certificate"} <= failed(
        verify_chip(chip, pki.csca_pem(), at=decades_later)
    )


@pytest.mark.parametrize(
    ("chip_change", "csca"),
    [
        (lambda c: {k: v for k, v in c.items() if k != "EF.SOD"}, True),
        (lambda c: {**c, "EF.SOD": b"\x77\x02\x30\x00"}, True),
        (lambda c: {**c, "EF.COM": b"\x60"}, True),
        (lambda c: c, False),
    ],
    ids=["no SOD", "garbage SOD", "garbage EF.COM", "no csca.pem"],
)
def test_missing_or_garbage_inputs_fail_with_reasons_never_crash(
    chip: dict[str, bytes],
    pki: Pki,
    chip_change: Callable[[dict[str, bytes]], dict[str, bytes]],
    csca: bool,
) -> None:
    results = verify_chip(chip_change(dict(chip)), pki.csca_pem() if csca else None)
    assert failed(results)
    assert all(r.detail for r in results if not r.ok)


def test_verify_card_dir_reads_the_layout(tmp_path: Path, chip: dict[str, bytes], pki: Pki) -> None:
    directory = write_card_dir(tmp_path, chip, pki.csca_pem())
    (directory / "chip" / "DG1.bin").write_bytes(dg1((*SAMPLE_MRZ[:2], "X" * 30)))
    assert failed(verify_card_dir(directory)) == {"dg.DG1.hash", "dg1.mrz_text"}
    assert read_one(chip["EF.SOD"], 0x77)  # EF.SOD keeps its 0x77 wrapper on disk
