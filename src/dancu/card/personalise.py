"""Personalisation: one card's printed, MRZ, QR and chip data, as the files a printer takes.

Pure: ``CardData`` and the PKI in, file contents out. The same files come out of
``dancu card personalise`` (for integrators) and out of a production batch (per card, through
the ``Printer``)::

    mrz.txt  qr.txt  front.png  back.png  chip/EF.COM  chip/DG1.bin  chip/DG2.bin
    chip/DG13.bin  chip/EF.SOD  csca.pem  manifest.json
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dancu.card import mrz, qr, render
from dancu.card.chip import Pki, build_chip
from dancu.card.data import CardData


@dataclass(frozen=True)
class Personalised:
    card_number: str
    files: dict[str, bytes]


def personalise(
    card: CardData,
    pki: Pki,
    *,
    images: bool = True,
    specimen: bool = False,
    signing_time: datetime | None = None,
) -> Personalised:
    """Every file of one card; ``images=False`` leaves out the PNGs (chip and codes only)."""
    lines = mrz.build_td1(card)
    payload = qr.build_qr_payload(card)
    files: dict[str, bytes] = {
        "mrz.txt": mrz.mrz_text(card).encode(),
        "qr.txt": qr.qr_bytes(payload),
    }
    if images:
        files["front.png"] = render.render_front(card, specimen=specimen)
        files["back.png"] = render.render_back(
            card, mrz_lines=lines, qr=qr.make_qr(payload), specimen=specimen
        )
    chip = build_chip(card, lines, pki.document_signer, signing_time=signing_time)
    files.update({f"chip/{name}": data for name, data in chip.items()})
    files["csca.pem"] = pki.csca_pem()
    files["manifest.json"] = _manifest(card, files)
    return Personalised(card.card_number, files)


def _manifest(card: CardData, files: dict[str, bytes]) -> bytes:
    """What is in the folder, with SHA-256 of each file: no personal data beyond the numbers."""
    return (
        json.dumps(
            {
                "card_number": card.card_number,
                "id_number": card.id_number,
                "issue_date": card.issue_date.isoformat(),
                "expiry_date": card.expiry_date.isoformat() if card.expiry_date else None,
                "files": {
                    name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())
                },
            },
            indent=2,
        )
        + "\n"
    ).encode()


def write_files(files: dict[str, bytes], directory: Path) -> None:
    """Write the files under ``directory``, each atomically (temp file, then rename)."""
    for name, data in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
