"""Card personalisation benchmark: cards per second on one core (signing + MRZ + QR + chip
files, with and without the front/back images), against a ceiling measured in the same run —
bare ECDSA P-256 signatures per second with `cryptography`, the one step no card can skip.

    .venv/bin/python bench/cards.py [--cards 300]

One process, one core. Never asserted anywhere; results go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from dancu.card.chip import LocalKeyStore
from dancu.card.data import CardData
from dancu.card.personalise import personalise
from dancu.card.render import specimen_portrait
from dancu.kit.partial_date import PartialDate


def _card(n: int, face: bytes) -> CardData:
    return CardData(
        card_number=f"{n:010d}",
        id_number=f"0011900{n % 100_000:05d}",
        full_name="Nguyễn Thị Ngọc Ánh",
        birth_date=PartialDate(1990, 3, 21),
        sex="F",
        issue_date=date(2026, 12, 1),
        expiry_date=date(2030, 3, 21),
        ethnicity="Kinh",
        religion="Không",
        hometown="Xã Đông Hưng, Tỉnh Hưng Yên",
        birth_registration_place="Phường Hoàn Kiếm, Thành phố Hà Nội",
        residence="Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội",
        father_name="Nguyễn Văn Hùng",
        mother_name="Trần Thị Mai",
        face_jpeg=face,
    )


def _rate(label: str, count: int, work: object) -> float:
    start = time.perf_counter()
    for n in range(count):
        work(n)  # type: ignore[operator]
    seconds = time.perf_counter() - start
    rate = count / seconds
    print(f"  {label:44} {rate:9,.1f} /s   ({seconds * 1000 / count:7.2f} ms each)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=300)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    pki = LocalKeyStore().load_or_create(Path(tempfile.mkdtemp()) / "pki")
    face = specimen_portrait()
    base = _card(0, face)
    key = ec.generate_private_key(ec.SECP256R1())
    digest = hashlib.sha256(b"signed attributes").digest()
    print(f"card personalisation, one core, {args.cards} cards per figure")
    ceiling = _rate(
        "ceiling: bare ECDSA P-256 signature",
        args.cards * 10,
        lambda n: key.sign(digest + n.to_bytes(4), ec.ECDSA(hashes.SHA256())),
    )
    chip_only = _rate(
        "chip + MRZ + QR (no images)",
        args.cards,
        lambda n: personalise(replace(base, card_number=f"{n:010d}"), pki, images=False),
    )
    full = _rate(
        "chip + MRZ + QR + front and back PNG",
        max(20, args.cards // 5),
        lambda n: personalise(replace(base, card_number=f"{n:010d}"), pki),
    )
    print(f"  no images: {chip_only / ceiling:6.1%} of the signing ceiling")
    print(f"  with images: {full / ceiling:6.1%} of the signing ceiling")
    print(
        f"  a day (24 h) on one core: {chip_only * 86_400:,.0f} chips, {full * 86_400:,.0f} "
        "complete cards"
    )


if __name__ == "__main__":
    main()
