"""Digitisation files for import tests (docs/import-format.md)."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from dancu.registry.importer.columns import COLUMNS

GIVEN = ["An", "Bình", "Hùng", "Lan", "Mai", "Hòa", "Thủy", "Minh", "Ngọc", "Dũng"]


def row(**values: Any) -> dict[str, Any]:
    base = {c: "" for c in COLUMNS}
    base.update(
        {
            "full_name": "Nguyễn Văn An",
            "birth_date": "1990-05-21",
            "sex": "male",
            "birth_registration_code": "001",
            "permanent_address": "Số 1 Hoàng Diệu",
            "permanent_commune": "00004",
        }
    )
    base.update(values)
    return base


def write_csv(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        out.writeheader()
        out.writerows(rows)
    return path


def households(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` households of a head, a spouse and a child, without ID numbers."""
    rng = random.Random(seed)
    rows = []
    for h in range(count):
        number = f"HK{seed:02d}{h:07d}"
        year = rng.randint(1950, 1995)
        family = [
            ("head", "male", year, "Văn"),
            ("spouse", "female", year + 2, "Thị"),
            ("child", rng.choice(["male", "female"]), year + 25, "Minh"),
        ]
        for relation, sex, born, middle in family:
            rows.append(
                row(
                    full_name=f"Trần {middle} {rng.choice(GIVEN)}",
                    birth_date=f"{born}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    sex=sex,
                    household_number=number,
                    relation_to_head=relation,
                    permanent_address=f"Số {h} Kim Mã",
                )
            )
    return rows
