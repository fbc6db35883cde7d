"""Vectorised validation and normalisation of a digitisation file (polars expressions).

Every rule yields (line, field, value, reason) for the rows it refuses; a row with any error is
rejected whole and never written. Messages are for the clerk who fixes the source file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from dancu.kit.text import fold
from dancu.registry.importer.columns import (
    LEGACY_GUARD,
    MARITAL,
    RELATIONS,
    RESIDENCE_KINDS,
    SEX,
    modern_spelling,
)
from dancu.registry.importer.reader import LINE
from dancu.registry.importer.reference import Reference

TEXT = ("full_name", "place_of_birth", "hometown", "permanent_address", "temporary_address",
        "current_address", "father_name", "mother_name", "spouse_name")  # fmt: skip
ERRORS_SCHEMA = {LINE: pl.Int64, "field": pl.String, "value": pl.String, "reason": pl.String}
_FOLD_FROM = list("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")
_FOLD_TO = [fold(ch) for ch in _FOLD_FROM]


@dataclass(frozen=True)
class Checked:
    good: pl.DataFrame  # normalised rows to write, in file order
    errors: pl.DataFrame  # line, field, value, reason


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """Lower case without diacritics, as kit.text.fold does for one string."""
    lowered = expr.str.normalize("NFC").str.to_lowercase()
    return (
        lowered.str.replace_many(_FOLD_FROM, _FOLD_TO)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _clean_text(column: str) -> pl.Expr:
    expr = pl.col(column).str.normalize("NFC").str.replace_all(r"\s+", " ")
    if column.endswith("name"):  # NGUYỄN VĂN AN -> Nguyễn Văn An
        expr = (
            pl.when(expr == expr.str.to_uppercase()).then(expr.str.to_titlecase()).otherwise(expr)
        )
    return expr.alias(column)


def _modern_spellings(frame: pl.DataFrame) -> pl.DataFrame:
    """Legacy tone placement fixed in the (few) rows that may have it, one Python regex each."""
    for column in TEXT:
        mask = frame[column].str.contains(LEGACY_GUARD).fill_null(False)
        if mask.any():
            fixed = frame[column].filter(mask).map_elements(modern_spelling, return_dtype=pl.String)
            frame = frame.with_columns(frame[column].scatter(mask.arg_true(), fixed))
    return frame


def _vocabulary(column: str, mapping: dict[str, str]) -> pl.Expr:
    return fold_expr(pl.col(column)).replace_strict(mapping, default=None).alias(f"{column}_n")


def _date_parts(column: str, prefix: str) -> list[pl.Expr]:
    iso = pl.col(column).str.extract_groups(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
    vn = pl.col(column).str.extract_groups(r"^(?:(?:(\d{1,2})/)?(\d{1,2})/)?(\d{4})$")
    year = pl.coalesce(iso.struct.field("1"), vn.struct.field("3")).cast(pl.Int32)
    month = pl.coalesce(iso.struct.field("2"), vn.struct.field("2")).cast(pl.Int32)
    day = pl.coalesce(iso.struct.field("3"), vn.struct.field("1")).cast(pl.Int32)
    return [year.alias(f"{prefix}_y"), month.alias(f"{prefix}_m"), day.alias(f"{prefix}_d")]


def _date_ok(prefix: str, today: date) -> pl.Expr:
    y, m, d = pl.col(f"{prefix}_y"), pl.col(f"{prefix}_m"), pl.col(f"{prefix}_d")
    month_ok = m.is_null() | m.is_between(1, 12)
    safe_month = pl.when(m.is_between(1, 12)).then(m).otherwise(1)
    last_day = pl.date(y.clip(1800, 2399), safe_month, 1).dt.month_end().dt.day()
    day_ok = d.is_null() | (m.is_not_null() & d.is_between(1, last_day))
    return y.is_between(1800, today.year) & month_ok & day_ok


def _date_text(prefix: str) -> pl.Expr:
    y, m, d = pl.col(f"{prefix}_y"), pl.col(f"{prefix}_m"), pl.col(f"{prefix}_d")
    text = y.cast(pl.String).str.zfill(4)
    text = (
        pl.when(m.is_not_null()).then(text + "-" + m.cast(pl.String).str.zfill(2)).otherwise(text)
    )
    return (
        pl.when(d.is_not_null()).then(text + "-" + d.cast(pl.String).str.zfill(2)).otherwise(text)
    )


def _id_parts() -> list[pl.Expr]:
    digits = pl.col("id_number").str.replace_all(r"[\s\-.]", "")
    g = digits.str.slice(3, 1).cast(pl.Int32, strict=False)
    yy = digits.str.slice(4, 2).cast(pl.Int32, strict=False)
    return [
        digits.alias("id_digits"),
        digits.str.contains(r"^\d{12}$").fill_null(False).alias("id_shape"),
        digits.str.slice(0, 3).alias("id_prefix"),
        (1900 + 100 * (g // 2) + yy).alias("id_year"),
        pl.when(g % 2 == 0).then(pl.lit("male")).otherwise(pl.lit("female")).alias("id_sex"),
    ]


def _phone() -> pl.Expr:
    digits = pl.col("phone").str.replace_all(r"[\s.\-()]", "").str.replace(r"^\+?84", "0")
    return digits.alias("phone_n")


def _code(column: str, mapping: dict[str, str], pad: int) -> pl.Expr:
    raw = pl.col(column)
    padded = pl.when(raw.str.contains(r"^\d+$")).then(raw.str.zfill(pad)).otherwise(fold_expr(raw))
    return padded.replace_strict(mapping, default=None).alias(f"{column}_n")


def normalise(frame: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """Add the normalised columns (suffix _n and helpers); raw columns stay for error messages."""
    frame = _modern_spellings(frame.with_columns([_clean_text(c) for c in TEXT]))
    frame = frame.with_columns(
        fold_expr(pl.col("full_name")).alias("name_fold"),
        *_id_parts(),
        *_date_parts("birth_date", "birth"),
        *_date_parts("temporary_until", "until"),
        *[
            _vocabulary("sex", SEX),
            _vocabulary("marital_status", MARITAL),
            _vocabulary("relation_to_head", RELATIONS),
            _code("ethnicity", ref.ethnicities, 2),
            _code("religion", ref.religions, 2),
            pl.col("nationality").str.to_uppercase().fill_null("VN").alias("nationality_n"),
            pl.col("blood_group").str.to_uppercase().str.replace_all(" ", "").alias("blood_n"),
            pl.col("old_id_number").str.replace_all(r"[\s\-.]", "").alias("old_id_n"),
            _phone(),
        ],
    )
    frame = frame.with_columns(
        pl.coalesce("birth_registration_code", "id_prefix").alias("brc"),
        _date_text("birth").alias("birth_n"),
    )
    for kind in RESIDENCE_KINDS:
        codes = ref.communes.rename(
            {"code": f"{kind}_commune", "current_code": f"{kind}_code",
             "province_code": f"{kind}_province", "converted_from": f"{kind}_from"}
        )  # fmt: skip
        frame = frame.join(codes, on=f"{kind}_commune", how="left", maintain_order="left")
    return frame


Rule = tuple[str, pl.Expr, pl.Expr | str]


def _identity_rules(ref: Reference, today: date) -> list[Rule]:
    has_id, shape = pl.col("id_number").is_not_null(), pl.col("id_shape")
    prefix_ok = pl.col("id_prefix").is_in(list(ref.birth_codes)) | pl.col("id_prefix").cast(
        pl.Int32, strict=False
    ).is_between(100, 299)
    brc = pl.col("birth_registration_code")
    brc_ok = brc.is_in(list(ref.birth_codes)) | (
        brc.str.contains(r"^\d{3}$") & brc.cast(pl.Int32, strict=False).is_between(100, 299)
    )
    return [
        ("full_name", pl.col("full_name").is_null(), "the full name is missing"),
        ("full_name", pl.col("full_name").str.len_chars() > 200, "the name is over 200 characters"),
        ("full_name", ~pl.col("full_name").str.contains(r"\p{L}"), "the name has no letters"),
        ("birth_date", pl.col("birth_date").is_null(), "the birth date is missing"),
        ("birth_date", pl.col("birth_y").is_null() & pl.col("birth_date").is_not_null(),
         "not a date: write YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY"),
        ("birth_date", pl.col("birth_y").is_not_null() & ~_date_ok("birth", today),
         "no such date, or in the future"),
        ("sex", pl.col("sex_n").is_null(), "sex must be male/female (Nam/Nữ)"),
        ("id_number", has_id & ~shape, "an ID number has exactly 12 digits"),
        ("id_number", has_id & shape & ~prefix_ok,
         pl.format("{} is not a province or country code of an ID number", pl.col("id_prefix"))),
        ("id_number", has_id & shape & (pl.col("id_year") != pl.col("birth_y")),
         pl.format("the number is for a birth in {}, the birth date says {}",
                   pl.col("id_year"), pl.col("birth_y"))),
        ("id_number", has_id & shape & (pl.col("id_sex") != pl.col("sex_n")),
         pl.format("the number is for a {}, the sex column says {}",
                   pl.col("id_sex"), pl.col("sex"))),
        ("id_number", has_id & shape & brc.is_not_null() & (brc != pl.col("id_prefix")),
         pl.format("the number starts {}, birth_registration_code says {}",
                   pl.col("id_prefix"), brc)),
        ("birth_registration_code", ~has_id & brc.is_null(),
         "needed when there is no id_number (3-digit province or country code)"),
        ("birth_registration_code", brc.is_not_null() & ~brc_ok,
         "not a birth-registration province (001-096) or country code (100-299)"),
        ("birth_date", ~has_id & (pl.col("birth_y") < 1900),
         "a new ID number can only be allocated for births from 1900"),
        ("id_number", has_id & shape & (pl.col(LINE) != pl.col(LINE).min().over("id_digits")),
         pl.format("the same ID number is on line {}", pl.col(LINE).min().over("id_digits"))),
    ]  # fmt: skip


def _code_rules(ref: Reference) -> list[Rule]:
    def unknown(column: str, what: str) -> Rule:
        return (
            column,
            pl.col(column).is_not_null() & pl.col(f"{column}_n").is_null(),
            f"unknown {what}: use a code or name from GET /v1/admin-units/code-lists",
        )

    return [
        unknown("ethnicity", "ethnic group"),
        unknown("religion", "religion"),
        ("nationality", ~pl.col("nationality_n").is_in(list(ref.nationalities)),
         "not an ISO 3166 two-letter country code"),
        ("blood_group", pl.col("blood_n").is_not_null()
         & ~pl.col("blood_n").str.contains(r"^(A|B|AB|O)[+-]?$"), "blood group is A, B, AB or O"),
        unknown("marital_status", "marital status (single, married, divorced, widowed)"),
        ("old_id_number", pl.col("old_id_n").is_not_null()
         & ~pl.col("old_id_n").str.contains(r"^\d{9}$"), "an old ID (CMND) number has 9 digits"),
        ("phone", pl.col("phone_n").is_not_null()
         & ~pl.col("phone_n").str.contains(r"^0\d{9,10}$"), "not a Vietnamese phone number"),
        ("email", pl.col("email").is_not_null()
         & ~pl.col("email").str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "not an e-mail address"),
        *[(f"{k}_id_number", pl.col(f"{k}_id_number").is_not_null()
           & ~pl.col(f"{k}_id_number").str.contains(r"^\d{12}$"), "an ID number has 12 digits")
          for k in ("father", "mother", "spouse")],
    ]  # fmt: skip


def _residence_rules(today: date) -> list[Rule]:
    rules: list[Rule] = [
        (
            "permanent_commune",
            pl.all_horizontal(pl.col(f"{k}_commune").is_null() for k in RESIDENCE_KINDS),
            "give a permanent, temporary or current commune",
        ),
    ]
    for kind in RESIDENCE_KINDS:
        rules.append(
            (
                f"{kind}_commune",
                pl.col(f"{kind}_commune").is_not_null() & pl.col(f"{kind}_code").is_null(),
                "no such commune code, current or pre-2025",
            )
        )
    until = pl.date(pl.col("until_y"), pl.col("until_m"), pl.col("until_d"))
    days = (until - pl.lit(today)).dt.total_days()
    rules += [
        ("temporary_until", pl.col("temporary_commune").is_not_null()
         & pl.col("temporary_until").is_null(), "a temporary residence needs its end date"),
        ("temporary_until", pl.col("temporary_until").is_not_null()
         & (pl.col("until_d").is_null() | ~_date_ok("until", date(2399, 1, 1))),
         "not a full date (YYYY-MM-DD)"),
        ("temporary_until", pl.col("until_d").is_not_null() & _date_ok("until", date(2399, 1, 1))
         & ~days.is_between(1, 731), "must be after today and at most 2 years ahead"),
        ("temporary_commune", pl.col("temporary_code").is_not_null()
         & (pl.col("temporary_code") == pl.col("permanent_code")),
         "temporary residence is outside the commune of permanent residence"),
    ]  # fmt: skip
    return rules


def _relation_rules() -> list[Rule]:
    return [
        ("relation_to_head", pl.col("household_number").is_not_null()
         & pl.col("relation_to_head_n").is_null(),
         "give the relation to the household head (head, spouse, child, …)"),
        ("household_number", pl.col("household_number").is_null()
         & pl.col("relation_to_head").is_not_null(), "a relation to the head needs a household"),
    ]  # fmt: skip


def _apply(frame: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    parts = []
    for field, condition, reason in rules:
        reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
        # Reasons are computed before filtering: window expressions see the whole file.
        parts.append(
            frame.select(
                pl.col(LINE),
                pl.lit(field).alias("field"),
                pl.col(field).cast(pl.String).alias("value"),
                reason_expr.cast(pl.String).alias("reason"),
                condition.fill_null(False).alias("_refused"),
            )
            .filter("_refused")
            .drop("_refused")
        )
    return pl.concat(parts) if parts else pl.DataFrame(schema=ERRORS_SCHEMA)


def _household_errors(frame: pl.DataFrame, bad: pl.DataFrame) -> pl.DataFrame:
    """Exactly one head per household, whose row is good; members live in the head's commune."""
    rows = frame.filter(pl.col("household_number").is_not_null()).with_columns(
        pl.col(LINE).is_in(bad[LINE].implode()).alias("bad"),
        (pl.col("relation_to_head_n") == "head").alias("is_head"),
    )
    heads = rows.group_by("household_number").agg(
        pl.col("is_head").sum().alias("heads"),
        pl.col(LINE).filter("is_head").first().alias("head_line"),
        pl.col("bad").filter("is_head").first().alias("head_bad"),
        pl.col("permanent_code").filter("is_head").first().alias("head_commune"),
    )
    rows = rows.join(heads, on="household_number", how="left").filter(~pl.col("bad"))
    return _apply(rows, [
        ("household_number", pl.col("heads") != 1,
         pl.format("household {} has {} heads in the file; it needs exactly one",
                   pl.col("household_number"), pl.col("heads"))),
        ("household_number", (pl.col("heads") == 1) & pl.col("head_bad") & ~pl.col("is_head"),
         pl.format("the household head's row (line {}) was rejected", pl.col("head_line"))),
        ("permanent_commune", (pl.col("heads") == 1) & ~pl.col("head_bad")
         & (pl.col("permanent_code").is_null() | (pl.col("head_commune").is_null())
            | (pl.col("permanent_code") != pl.col("head_commune"))),
         "household members need a permanent residence in the head's commune"),
    ])  # fmt: skip


def check(frame: pl.DataFrame, ref: Reference, today: date) -> Checked:
    """Validate every row; the good ones come back normalised, the bad ones as errors."""
    frame = normalise(frame, ref)
    rules = _identity_rules(ref, today) + _code_rules(ref) + _residence_rules(today)
    errors = _apply(frame, rules + _relation_rules())
    errors = pl.concat([errors, _household_errors(frame, errors)])
    good = frame.filter(~pl.col(LINE).is_in(errors[LINE].implode()))
    good = good.with_columns(
        pl.date("until_y", "until_m", "until_d").alias("temporary_until_date"),
        # A household's rows are written together, where its first row stands.
        pl.col(LINE)
        .min()
        .over(pl.coalesce("household_number", pl.col(LINE).cast(pl.String)))
        .alias("_order"),
    ).sort("_order", LINE)
    return Checked(good=good, errors=errors.sort(LINE, "field"))
