"""Records of the digitisation file format (docs/import-format.md) as the flat, folded columns the
linkage engine compares.

Names are split the Vietnamese way: the first word is the family name (họ), the last the given
name (tên), the words between the middle name (tên đệm). Dates may be partial ("YYYY",
"YYYY-MM") or legacy ("DD/MM/YYYY", "MM/YYYY"): the unknown parts stay null. Commune codes may be
pre-2025 ones: they are converted to the current commune, whose province is then looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from dancu.adminunit import datafiles
from dancu.kit.text import fold

PREPARED_COLUMNS = (
    "unique_id", "id_number", "old_id_number", "family_name_folded", "given_name_folded",
    "middle_folded", "full_name_folded", "birth_year", "birth_month", "birth_day",
    "birth_date_text", "sex", "commune_code", "province_code", "phone",
)  # fmt: skip
_SEX = {"male": "m", "nam": "m", "m": "m", "female": "f", "nữ": "f", "nu": "f", "f": "f"}


@dataclass(frozen=True)
class Units:
    """Any commune code (current or pre-2025) -> current commune code and its province code."""

    frame: pl.DataFrame  # code, commune_code, province_code

    @classmethod
    def packaged(cls) -> Units:
        return _packaged_units()


@cache
def _packaged_units() -> Units:
    current = {
        r["code"]: r["province_code"] for r in datafiles.communes() if r["unit_set"] == "current"
    }
    rows = [(code, code, province) for code, province in current.items()]
    for row in datafiles.commune_conversions():
        # A legacy code that is also a current code is read as the current one.
        if row["is_default"] == "1" and row["legacy_code"] not in current:
            target = row["current_code"]
            rows.append((row["legacy_code"], target, current.get(target, "")))
    frame = pl.DataFrame(rows, schema=["code", "commune_code", "province_code"], orient="row")
    return Units(frame.unique(subset="code", keep="first"))


def fold_series(values: pl.Series) -> pl.Series:
    """``fold`` of each value, computed once per distinct value (names repeat a lot)."""
    distinct = values.drop_nulls().unique()
    mapping = dict(zip(distinct.to_list(), map(fold, distinct.to_list()), strict=True))
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def _fold_expr(column: str) -> pl.Expr:
    return pl.col(column).map_batches(fold_series, return_dtype=pl.String)


def _names() -> list[pl.Expr]:
    words = pl.col("full_name_folded").str.split(" ")
    n = words.list.len()
    return [
        words.list.first().alias("family_name_folded"),
        pl.when(n > 1).then(words.list.last()).alias("given_name_folded"),
        pl.when(n > 2).then(words.list.slice(1, n - 2).list.join(" ")).alias("middle_folded"),
    ]


def _birth(column: str) -> list[pl.Expr]:
    """Year, month and day of full, partial and legacy dates; null where not known."""
    text = pl.col(column).str.strip_chars()
    iso = text.str.extract_groups(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
    legacy = text.str.extract_groups(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})$")
    year = pl.coalesce(iso.struct.field("1"), legacy.struct.field("3")).cast(pl.Int32)
    month = pl.coalesce(iso.struct.field("2"), legacy.struct.field("2")).cast(pl.Int32)
    day = pl.coalesce(iso.struct.field("3"), legacy.struct.field("1")).cast(pl.Int32)
    return [year.alias("birth_year"), month.alias("birth_month"), day.alias("birth_day")]


def _date_text() -> pl.Expr:
    parts = [pl.col(c).cast(pl.String).str.zfill(w) for c, w in
             (("birth_year", 4), ("birth_month", 2), ("birth_day", 2))]  # fmt: skip
    return pl.concat_str(parts, separator="-").alias("birth_date_text")


def _ids(id_column: str, old_column: str | None) -> list[pl.Expr]:
    """A 9-digit number written where the 12-digit one belongs is an old CMND number."""
    digits = pl.col(id_column).str.replace_all(r"\D", "")
    old = pl.col(old_column).str.replace_all(r"\D", "") if old_column else pl.lit(None, pl.String)
    is_old = digits.str.len_chars() == 9
    return [
        pl.when(digits.str.len_chars() == 12).then(digits).alias("id_number"),
        pl.when(is_old).then(digits).otherwise(old).alias("old_id_number"),
    ]


def _phone(column: str) -> pl.Expr:
    digits = pl.col(column).str.replace_all(r"\D", "")
    local = pl.when(digits.str.starts_with("84")).then(pl.lit("0") + digits.str.slice(2))
    return local.otherwise(digits).alias("phone")


def prepare_people(
    frame: pl.DataFrame,
    *,
    units: Units | None = None,
    commune_column: str = "permanent_commune",
) -> pl.DataFrame:
    """The digitisation-format rows of ``frame`` as linkage records (``PREPARED_COLUMNS``);
    ``unique_id`` is the row number."""
    lookup = (units or Units.packaged()).frame
    sex = pl.col("sex").str.to_lowercase().str.strip_chars().replace_strict(_SEX, default=None)
    has_old = "old_id_number" in frame.columns
    staged = frame.with_row_index("unique_id").with_columns(
        *_ids("id_number", "old_id_number" if has_old else None),
        _fold_expr("full_name").alias("full_name_folded"),
        *_birth("birth_date"),
        sex.alias("sex"),
        _phone("phone") if "phone" in frame.columns else pl.lit(None, pl.String).alias("phone"),
        pl.col(commune_column).alias("_commune"),
    )
    named = staged.with_columns(*_names(), _date_text())
    joined = named.join(lookup, left_on="_commune", right_on="code", how="left")
    return joined.with_columns(pl.col("unique_id").cast(pl.Int64)).select(PREPARED_COLUMNS)
