"""Regenerate the committed administrative-unit and code-list files in src/dancu/adminunit/data/.

Inputs (pinned, MIT-licensed; install with `pip install -e '.[data]'`):
- vietnamadminunits 1.0.4: `data/dataset.db` (current 34 provinces / 3,321 communes and the
  pre-2025 63 / 696 / 10,035 units) and `data/converter_2025.json` (old -> new mapping, keyed
  by normalised names; we turn it into code pairs);
- iso3166: ISO 3166-1 alpha-2 country codes for nationalities;
- the hand-kept `ethnicities.csv` and `religions.csv` in the data folder (validated, not written).

Run: `make adminunit-data` (or `python scripts/build_adminunits.py`). The output is
deterministic: running it twice gives byte-identical files, so a diff shows real data changes.
Deliberately independent of dancu itself so that it runs in a bare environment.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
import re
import sqlite3
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

try:
    import iso3166
    import vietnamadminunits
except ImportError as exc:  # pragma: no cover - depends on the environment
    sys.exit(f"{exc.name} is missing: install the data extra (pip install -e '.[data]')")

SOURCE_VERSION = "1.0.4"
DATA = Path(__file__).resolve().parents[1] / "src" / "dancu" / "adminunit" / "data"
Row = dict[str, str]

# The 63 birth-registration codes of the personal ID number, as the idnumber context tables them
# (Circular 07/2016/TT-BCA Art 7): the build fails if the GSO codes and that table disagree.
_TABLES = Path(__file__).resolve().parents[1] / "src" / "dancu" / "idnumber" / "tables.py"
_spec = importlib.util.spec_from_file_location("_id_tables", _TABLES)
assert _spec is not None and _spec.loader is not None
_id_tables = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_id_tables)  # the file alone: no database packages needed here
ID_PROVINCE_CODES: dict[str, str] = _id_tables.PROVINCES
# Thừa Thiên Huế became the centrally-run city of Huế on 1 Jan 2025 (Resolution 1314/NQ-UBTVQH15).
ID_NAME_ALIASES = {"046": "Huế"}

# Province-level merger, Resolution 202/2025/QH15 (current code <- pre-2025 codes).
PROVINCE_MERGER = {
    "01": "01",
    "04": "04",
    "08": "02 08",
    "11": "11",
    "12": "12",
    "14": "14",
    "15": "10 15",
    "19": "06 19",
    "20": "20",
    "22": "22",
    "24": "24 27",
    "25": "17 25 26",
    "31": "30 31",
    "33": "33 34",
    "37": "35 36 37",
    "38": "38",
    "40": "40",
    "42": "42",
    "44": "44 45",
    "46": "46",
    "48": "48 49",
    "51": "51 62",
    "52": "52 64",
    "56": "56 58",
    "66": "54 66",
    "68": "60 67 68",
    "75": "70 75",
    "79": "74 77 79",
    "80": "72 80",
    "82": "82 87",
    "86": "83 84 86",
    "91": "89 91",
    "92": "92 93 94",
    "96": "95 96",
}

PROVINCE_TYPES = ("thành phố", "tỉnh")
DISTRICT_TYPES = ("thành phố", "thị xã", "quận", "huyện")
COMMUNE_TYPES = ("thị trấn", "đặc khu", "phường", "xã")
_SPACES = re.compile(r"\s+")


class BuildError(Exception):
    """The sources disagree with each other or with what the register relies on."""


def nfc(value: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    dashed = re.sub(r"\s*[-–]\s*", "-", plain.casefold())
    return _SPACES.sub(" ", dashed).strip()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BuildError(message)


def division_type(name: str, source_type: str | None, choices: Sequence[str]) -> str:
    """The type written in the official name wins: the source's type column has a few slips."""
    lowered = name.casefold()
    for choice in choices:
        if lowered.startswith(choice + " "):
            if source_type and source_type.casefold() != choice:
                print(f"  note: {name!r} is typed {source_type!r} in the source; using {choice!r}")
            return choice
    check(source_type is not None, f"no division type for {name!r}")
    return str(source_type).casefold()


def province_type(name: str) -> str:
    kind = division_type(name, None, PROVINCE_TYPES)
    return "thành phố trung ương" if kind == "thành phố" else kind


# --- reading the source ---------------------------------------------------------------------


def source_dir() -> Path:
    version = metadata.version("vietnamadminunits")
    check(version == SOURCE_VERSION, f"vietnamadminunits {version} found, {SOURCE_VERSION} pinned")
    return Path(vietnamadminunits.__file__).parent / "data"


def query(db: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    db.row_factory = sqlite3.Row
    return [dict(row) for row in db.execute(sql)]


def current_units(db: sqlite3.Connection) -> tuple[list[Row], list[Row]]:
    rows = query(db, "SELECT * FROM admin_units ORDER BY provinceCode, wardCode")
    provinces: dict[str, Row] = {}
    communes = []
    for r in rows:
        name = nfc(r["province"])
        provinces[r["provinceCode"]] = {
            "unit_set": "current",
            "code": r["provinceCode"],
            "name": name,
            "division_type": province_type(name),
        }
        ward = nfc(r["ward"])
        communes.append(
            {
                "unit_set": "current",
                "code": r["wardCode"],
                "name": ward,
                "division_type": division_type(ward, r["wardType"], COMMUNE_TYPES),
                "province_code": r["provinceCode"],
                "district_code": "",
            }
        )
    return list(provinces.values()), communes


def legacy_units(db: sqlite3.Connection) -> tuple[list[Row], list[Row], list[Row]]:
    rows = query(
        db, "SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    )
    provinces: dict[str, Row] = {}
    districts: dict[str, Row] = {}
    communes = []
    for r in rows:
        name = nfc(r["province"])
        provinces[r["provinceCode"]] = {
            "unit_set": "legacy",
            "code": r["provinceCode"],
            "name": name,
            "division_type": province_type(name),
        }
        district = nfc(r["district"])
        districts[r["districtCode"]] = {
            "code": r["districtCode"],
            "name": district,
            "province_code": r["provinceCode"],
            "division_type": division_type(district, r["districtType"], DISTRICT_TYPES),
        }
        if r["wardCode"] is None:  # island districts without communes (Côn Đảo, Hoàng Sa...)
            continue
        ward = nfc(r["ward"])
        communes.append(
            {
                "unit_set": "legacy",
                "code": r["wardCode"],
                "name": ward,
                "division_type": division_type(ward, r["wardType"], COMMUNE_TYPES),
                "province_code": r["provinceCode"],
                "district_code": r["districtCode"],
            }
        )
    return list(provinces.values()), list(districts.values()), communes


# --- the old -> new mapping -----------------------------------------------------------------


def key_maps(db: sqlite3.Connection) -> tuple[dict[tuple[str, str], str], dict[str, str | None]]:
    """Name keys -> codes: (new province key, new ward key) and 'prov_district_ward' legacy keys."""
    new = {
        (r["provinceKey"], r["wardKey"]): r["wardCode"]
        for r in query(db, "SELECT provinceKey, wardKey, wardCode FROM admin_units")
    }
    check(len(new) == len(set(new.values())), "current ward keys are not unique")
    legacy: dict[str, str | None] = {}
    sql = "SELECT provinceKey, districtKey, wardKey, wardCode FROM admin_units_legacy"
    for r in query(db, sql):
        key = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        check(key not in legacy, f"legacy key {key} is not unique")
        legacy[key] = r["wardCode"]
    return new, legacy


def commune_conversions(db: sqlite3.Connection, converter: dict[str, Any]) -> list[Row]:
    new, legacy = key_maps(db)
    pairs: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward, old_keys in wards.items():
            for old in old_keys:
                pairs[old].append((new[(province, ward)], True))
    for province, splits in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, candidates in splits.items():
            for c in candidates:
                pairs[old].append((new[(province, c["newWardKey"])], bool(c["isDefaultNewWard"])))
    check(set(pairs) == set(legacy), "the converter does not cover exactly the legacy units")
    rows = []
    for old, targets in pairs.items():
        legacy_code = legacy[old]
        if legacy_code is None:  # a commune-less island district: no commune code to convert
            continue
        check(sum(d for _, d in targets) == 1, f"{old}: not exactly one default new ward")
        for code, is_default in sorted(targets, key=lambda t: (not t[1], t[0])):
            rows.append(
                {
                    "legacy_code": legacy_code,
                    "current_code": code,
                    "is_default": "1" if is_default else "0",
                }
            )
    return sorted(rows, key=lambda r: (r["legacy_code"], r["is_default"] != "1", r["current_code"]))


def province_conversions(db: sqlite3.Connection, converter: dict[str, Any]) -> list[Row]:
    new = {
        r["provinceKey"]: r["provinceCode"]
        for r in query(db, "SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    }
    old = {
        r["provinceKey"]: r["provinceCode"]
        for r in query(db, "SELECT DISTINCT provinceKey, provinceCode FROM admin_units_legacy")
    }
    rows = [
        {"legacy_code": old[o], "current_code": new[n]}
        for n, olds in converter["DICT_PROVINCE"].items()
        for o in olds
    ]
    rows.sort(key=lambda r: r["legacy_code"])
    expected = sorted((o, n) for n, olds in PROVINCE_MERGER.items() for o in olds.split())
    got = sorted((r["legacy_code"], r["current_code"]) for r in rows)
    check(got == expected, "the source's province mapping differs from Resolution 202/2025/QH15")
    return rows


# --- code lists -----------------------------------------------------------------------------


def read_csv(path: Path) -> list[Row]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check_code_list(rows: list[Row], *, name: str, width: int, count: int | None) -> None:
    codes = [r["code"] for r in rows]
    check(len(codes) == len(set(codes)), f"{name}: duplicate codes")
    check(all(len(c) == width and c.isdigit() for c in codes), f"{name}: codes are {width} digits")
    check(all(r["name"] == nfc(r["name"]) and r["name"] for r in rows), f"{name}: names not NFC")
    check(len({fold(r["name"]) for r in rows}) == len(rows), f"{name}: duplicate names")
    if count is not None:
        check(len(rows) == count, f"{name}: {len(rows)} entries, {count} expected")


def check_hand_kept_lists() -> None:
    ethnicities = read_csv(DATA / "ethnicities.csv")
    check_code_list(ethnicities, name="ethnicities", width=2, count=54)
    check(
        [r["code"] for r in ethnicities] == [f"{i:02d}" for i in range(1, 55)],
        "ethnicities: codes are not 01..54 in order",
    )
    check(ethnicities[0]["name"] == "Kinh", "ethnicities: 01 must be Kinh")
    religions = read_csv(DATA / "religions.csv")
    check_code_list(religions, name="religions", width=2, count=None)
    check(religions[0] == {"code": "00", "name": "Không"}, "religions: 00 must be 'Không' (none)")


def nationalities() -> list[Row]:
    """ISO 3166-1 alpha-2, officially assigned codes only (user-assigned XK is left out)."""
    rows = [
        {"code": c.alpha2, "name": nfc(c.name)}
        for c in iso3166.countries
        if not c.alpha2.startswith("X")
    ]
    for row in rows:
        if row["code"] == "VN":
            row["name"] = "Việt Nam"
    return sorted(rows, key=lambda r: r["code"])


def birth_registration_places(legacy_provinces: list[Row], merger: list[Row]) -> list[Row]:
    """ID-number prefix -> pre-2025 province and the current province it now belongs to."""
    by_code = {p["code"]: p for p in legacy_provinces}
    current_of = {m["legacy_code"]: m["current_code"] for m in merger}
    check(
        {"0" + c for c in by_code} == set(ID_PROVINCE_CODES),
        "the ID-number province codes differ from the pre-2025 GSO province codes",
    )
    rows = []
    for code3, id_name in sorted(ID_PROVINCE_CODES.items()):
        province = by_code[code3[1:]]
        short = fold(province["name"]).removeprefix("tinh ").removeprefix("thanh pho ")
        names = (id_name, ID_NAME_ALIASES.get(code3, id_name))
        expected = {fold(n).removeprefix("tp ") for n in names}
        check(short in expected, f"{code3}: ID table says {id_name}, GSO says {province['name']}")
        rows.append(
            {
                "code": code3,
                "name": province["name"],
                "legacy_province_code": code3[1:],
                "current_province_code": current_of[code3[1:]],
            }
        )
    return rows


# --- writing --------------------------------------------------------------------------------


def write_csv(name: str, rows: Iterable[Row], fields: Sequence[str]) -> int:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    raw = buffer.getvalue().encode("utf-8")
    path = DATA / name
    if name.endswith(".gz"):
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
        raw = out.getvalue()
    path.write_bytes(raw)
    return len(raw)


def check_counts(tables: dict[str, list[Row]]) -> None:
    counts = Counter({name: len(rows) for name, rows in tables.items()})
    expected = {
        "current_provinces": 34,
        "current_communes": 3321,
        "legacy_provinces": 63,
        "legacy_districts": 696,
        "legacy_communes": 10035,
    }
    for name, count in expected.items():
        check(counts[name] == count, f"{name}: {counts[name]} rows, {count} expected")
    for name, rows in tables.items():
        check(all(r["name"] == nfc(r["name"]) for r in rows), f"{name}: names not NFC")


def build() -> None:
    src = source_dir()
    db = sqlite3.connect(f"file:{src / 'dataset.db'}?mode=ro", uri=True)
    converter = json.loads((src / "converter_2025.json").read_text(encoding="utf-8"))
    current_provinces, current_communes = current_units(db)
    legacy_provinces, legacy_districts, legacy_communes = legacy_units(db)
    check_counts(
        {
            "current_provinces": current_provinces,
            "current_communes": current_communes,
            "legacy_provinces": legacy_provinces,
            "legacy_districts": legacy_districts,
            "legacy_communes": legacy_communes,
        }
    )
    check_hand_kept_lists()
    merger = province_conversions(db, converter)
    conversions = commune_conversions(db, converter)
    unit = ["unit_set", "code", "name", "division_type"]
    sizes = {
        "provinces.csv": write_csv("provinces.csv", current_provinces + legacy_provinces, unit),
        "districts.csv.gz": write_csv(
            "districts.csv.gz", legacy_districts, ["code", "name", "division_type", "province_code"]
        ),
        "communes.csv.gz": write_csv(
            "communes.csv.gz",
            current_communes + legacy_communes,
            [*unit, "province_code", "district_code"],
        ),
        "commune_conversions.csv.gz": write_csv(
            "commune_conversions.csv.gz", conversions, ["legacy_code", "current_code", "is_default"]
        ),
        "province_conversions.csv": write_csv(
            "province_conversions.csv", merger, ["legacy_code", "current_code"]
        ),
        "nationalities.csv": write_csv("nationalities.csv", nationalities(), ["code", "name"]),
        "birth_registration_places.csv": write_csv(
            "birth_registration_places.csv",
            birth_registration_places(legacy_provinces, merger),
            ["code", "name", "legacy_province_code", "current_province_code"],
        ),
    }
    for name, size in sizes.items():
        print(f"  wrote {name:32} {size:>9,} bytes")
    print(f"  {len(conversions):,} commune conversions; total {sum(sizes.values()):,} bytes")


def main() -> int:
    try:
        build()
    except BuildError as exc:
        print(f"build_adminunits: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
