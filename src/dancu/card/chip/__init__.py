"""The card's chip data: ICAO Doc 9303 LDS 1.7 files, their SOD, the PKI and the verifier.

Pure code with no database: the card service hands a ``CardData`` and the MRZ lines to
``build_chip`` and stores the files it returns under ``chip/``. ``verify`` performs Passive
Authentication (ICAO 9303-11 §5.1) over such files with only ``csca.pem`` as trust anchor.
"""

from __future__ import annotations

from datetime import datetime

from dancu.card.chip.lds import (
    ChipFormatError,
    FaceImage,
    dg1,
    dg2,
    dg13,
    ef_com,
    parse_dg1,
    parse_dg2,
    parse_dg13,
    parse_ef_com,
)
from dancu.card.chip.pki import DocumentSigner, KeyStore, LocalKeyStore, Pki, export_csca
from dancu.card.chip.sod import SodContents, build_sod, read_sod
from dancu.card.chip.verify import CHIP_CHECKS, CheckResult, Evidence, verify_card_dir, verify_chip
from dancu.card.data import CardData

__all__ = [
    "CHIP_CHECKS",
    "CheckResult",
    "ChipFormatError",
    "DocumentSigner",
    "Evidence",
    "FaceImage",
    "KeyStore",
    "LocalKeyStore",
    "Pki",
    "SodContents",
    "build_chip",
    "build_sod",
    "dg1",
    "dg2",
    "dg13",
    "ef_com",
    "export_csca",
    "parse_dg1",
    "parse_dg2",
    "parse_dg13",
    "parse_ef_com",
    "read_sod",
    "verify_card_dir",
    "verify_chip",
]


def build_chip(
    card: CardData,
    mrz_lines: tuple[str, str, str],
    signer: DocumentSigner,
    *,
    signing_time: datetime | None = None,
) -> dict[str, bytes]:
    """The chip's files by name (``EF.COM``, ``DG1.bin``, ``DG2.bin``, ``DG13.bin``, ``EF.SOD``).

    DG2 only when the card has a photo (none under 6, Law 2023 Art 23). EF.SOD hashes every DG
    present (ICAO 9303-10 §4.6.2); EF.COM lists them (§4.6.1).
    """
    groups = {1: dg1(mrz_lines), 13: dg13(card)}
    if card.face_jpeg is not None:
        groups[2] = dg2(card.face_jpeg, sex=card.sex)
    files = {f"DG{n}.bin": data for n, data in sorted(groups.items())}
    return {
        "EF.COM": ef_com(groups),
        **files,
        "EF.SOD": build_sod(groups, signer, signing_time=signing_time),
    }
