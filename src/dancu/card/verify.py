"""Re-check a personalised card's files: the chip's Passive Authentication (``card.chip``),
then the printed codes: MRZ check digits, the QR read back against the MRZ and the chip's DG13,
and the name on line 3 against the QR's name.

    dancu card verify DIR      # each check by name; exit status 1 when any fails
"""

from __future__ import annotations

from pathlib import Path

from dancu.card import mrz, qr
from dancu.card.chip import CHIP_CHECKS, CheckResult, Evidence, parse_dg13
from dancu.card.chip.verify import load_card_dir, run_checks
from dancu.card.translit import to_mrz
from dancu.kit.errors import DancuError


def _read(evidence: Evidence, name: str) -> bytes | None:
    if evidence.directory is None:
        return None
    path = evidence.directory / name
    return path.read_bytes() if path.is_file() else None


def check_mrz_digits(evidence: Evidence) -> list[CheckResult]:
    if evidence.mrz_text is None:
        return [CheckResult("mrz check digits", False, "mrz.txt is missing")]
    try:
        parsed = mrz.parse_td1(evidence.mrz_text.strip().splitlines())
    except DancuError as exc:
        return [CheckResult("mrz check digits", False, exc.detail)]
    return [CheckResult("mrz check digits", True, f"ID {parsed.id_number}")]


def _qr(evidence: Evidence) -> qr.QrData | str:
    payload = _read(evidence, "qr.txt")
    if payload is None:
        return "qr.txt is missing"
    try:
        return qr.parse_qr(payload)
    except DancuError as exc:
        return exc.detail


def check_qr_against_mrz(evidence: Evidence) -> list[CheckResult]:
    name = "qr matches mrz"
    data = _qr(evidence)
    if isinstance(data, str):
        return [CheckResult(name, False, data)]
    try:
        parsed = mrz.parse_td1((evidence.mrz_text or "").strip().splitlines())
    except DancuError as exc:
        return [CheckResult(name, False, f"the MRZ does not read: {exc.detail}")]
    differs = [
        field
        for field, ours, theirs in (
            ("id_number", data.id_number, parsed.id_number),
            ("birth_date", data.birth_date, parsed.birth_date),
            ("sex", data.sex, parsed.sex),
        )
        if ours != theirs
    ]
    family, given = parsed.primary_identifier, parsed.secondary_identifier
    printed = " ".join(part for part in (family, given) if part)
    if not parsed.possibly_truncated and to_mrz(data.full_name).replace("<", " ") != printed:
        differs.append("name")
    if differs:
        return [CheckResult(name, False, "differ: " + ", ".join(differs))]
    return [CheckResult(name, True, "ID number, birth date, sex and name agree")]


def check_qr_against_chip(evidence: Evidence) -> list[CheckResult]:
    name = "qr matches chip DG13"
    data = _qr(evidence)
    if isinstance(data, str):
        return [CheckResult(name, False, data)]
    dg13 = evidence.chip.get("DG13.bin")
    if dg13 is None:
        return [CheckResult(name, False, "DG13 is missing")]
    try:
        fields = parse_dg13(dg13)
    except DancuError as exc:
        return [CheckResult(name, False, exc.detail)]
    if fields.get("id_number") != data.id_number or fields.get("full_name") != data.full_name:
        return [CheckResult(name, False, "the ID number or full name differ")]
    return [CheckResult(name, True, "ID number and full name agree")]


CARD_CHECKS = (*CHIP_CHECKS, check_mrz_digits, check_qr_against_mrz, check_qr_against_chip)


def verify_card(directory: Path) -> list[CheckResult]:
    """Every check over a card directory written by ``dancu card personalise``."""
    return run_checks(load_card_dir(directory), CARD_CHECKS)
