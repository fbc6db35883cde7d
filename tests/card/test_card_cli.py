"""`dancu card personalise` output checked by independent tools, and `dancu card verify`
failing loudly on every kind of tampering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from mrz.checker.td1 import TD1CodeChecker
from PIL import Image
from typer.testing import CliRunner

from dancu.cli import app
from dancu.kit.db import build_engine, session_factory, unit_of_work
from tests.card.test_chip_sod import PeerRejected, openssl_verify, pyasn1_verify
from tests.factories.card import face_jpeg
from tests.factories.registry import make_person


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory, new_database: Callable[[], str]) -> Path:
    """One card personalised from a fresh register, with a photo given on the command line."""
    url, var = new_database(), tmp_path_factory.mktemp("var")
    with unit_of_work(session_factory(build_engine(url))) as session:
        number = str(
            make_person(session, full_name="Nguyễn Thị Ngọc Ánh", birth_date="1993-01-05").id_number
        )
    photo = var / "face.jpg"
    photo.write_bytes(face_jpeg())
    out = var / "card"
    result = CliRunner().invoke(
        app,
        ["card", "personalise", "--id-number", number, "--out", str(out), "--photo", str(photo)],
        env={"DANCU_DATABASE_URL": url, "DANCU_VAR_DIR": str(var)},
    )
    assert result.exit_code == 0, result.output
    assert "specimen" not in result.output
    return out


def _copy(card: Path, to: Path) -> Path:
    for path in card.rglob("*"):
        if path.is_file():
            target = to / path.relative_to(card)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return to


def _chip(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / "chip").iterdir()}


def test_the_files_are_all_there(card: Path) -> None:
    names = {str(p.relative_to(card)) for p in card.rglob("*") if p.is_file()}
    assert names >= {"mrz.txt", "qr.txt", "front.png", "back.png", "csca.pem", "chip/EF.COM",
                     "chip/DG1.bin", "chip/DG2.bin", "chip/DG13.bin", "chip/EF.SOD"}  # fmt: skip


def test_independent_verifiers_accept_the_card(card: Path, tmp_path: Path) -> None:
    lines = (card / "mrz.txt").read_text().strip()
    assert bool(TD1CodeChecker(lines))
    assert lines.splitlines()[2].startswith("NGUYEN<<THI<NGOC<ANH")
    decoded = zxingcpp.read_barcodes(Image.open(card / "back.png"))
    assert [d.bytes for d in decoded] == [(card / "qr.txt").read_bytes()]
    assert "Nguyễn Thị Ngọc Ánh".encode() in (card / "qr.txt").read_bytes()
    rc, _, stderr = openssl_verify(
        (card / "chip/EF.SOD").read_bytes(), (card / "csca.pem").read_bytes(), tmp_path
    )
    assert rc == 0, stderr
    pyasn1_verify(_chip(card), (card / "csca.pem").read_bytes())


def test_dancu_card_verify_passes_the_card(card: Path) -> None:
    result = CliRunner().invoke(app, ["card", "verify", str(card)])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and "qr matches mrz" in result.output


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _set_text(path: Path, old: str, new: str) -> None:
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode(), 1))


TAMPERING: dict[str, Callable[[Path], None]] = {
    "DG1 (chip MRZ)": lambda d: _flip(d / "chip/DG1.bin", -3),
    "DG2 (face)": lambda d: _flip(d / "chip/DG2.bin", -40),
    "DG13 (Vietnamese fields)": lambda d: _flip(d / "chip/DG13.bin", -5),
    "EF.COM": lambda d: _flip(d / "chip/EF.COM", -1),
    "SOD signature": lambda d: _flip(d / "chip/EF.SOD", -2),
    "printed MRZ": lambda d: _set_text(d / "mrz.txt", "NGUYEN", "NGUYEM"),
    "QR name": lambda d: _set_text(d / "qr.txt", "Ánh", "Anh"),
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_tampering_fails_verify_loudly(card: Path, tmp_path: Path, what: str) -> None:
    copy = _copy(card, tmp_path / "card")
    TAMPERING[what](copy)
    result = CliRunner().invoke(app, ["card", "verify", str(copy)])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output


@pytest.mark.parametrize("what", ["DG1 (chip MRZ)", "DG2 (face)", "DG13 (Vietnamese fields)",
                                  "SOD signature"])  # fmt: skip
def test_chip_tampering_fails_the_pyasn1_peer(card: Path, tmp_path: Path, what: str) -> None:
    copy = _copy(card, tmp_path / "card")
    TAMPERING[what](copy)
    with pytest.raises(PeerRejected):
        pyasn1_verify(_chip(copy), (copy / "csca.pem").read_bytes())


def test_signature_tampering_fails_openssl(card: Path, tmp_path: Path) -> None:
    copy = _copy(card, tmp_path / "card")
    TAMPERING["SOD signature"](copy)
    rc, _, _ = openssl_verify(
        (copy / "chip/EF.SOD").read_bytes(), (copy / "csca.pem").read_bytes(), tmp_path / "o"
    )
    assert rc != 0


def test_printed_mrz_tampering_fails_the_mrz_checker(card: Path, tmp_path: Path) -> None:
    copy = _copy(card, tmp_path / "card")
    _set_text(copy / "mrz.txt", "930105", "930106")
    assert not bool(TD1CodeChecker((copy / "mrz.txt").read_text().strip()))


def test_without_a_photo_a_specimen_portrait_is_used(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    url = new_database()
    with unit_of_work(session_factory(build_engine(url))) as session:
        number = str(make_person(session).id_number)
    result = CliRunner().invoke(
        app,
        ["card", "personalise", "--id-number", number, "--out", str(tmp_path / "c"), "--no-images"],
        env={"DANCU_DATABASE_URL": url, "DANCU_VAR_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    assert "specimen portrait" in result.output
    assert (tmp_path / "c/chip/DG2.bin").exists() and not (tmp_path / "c/front.png").exists()
    unknown = CliRunner().invoke(
        app,
        ["card", "personalise", "--id-number", "001099999999", "--out", str(tmp_path / "x")],
        env={"DANCU_DATABASE_URL": url, "DANCU_VAR_DIR": str(tmp_path)},
    )
    assert unknown.exit_code == 1
