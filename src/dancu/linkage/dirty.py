"""Realistic dirty copies of a register, with the truth kept, to measure record linkage.

The register is a frame in the digitisation file format (``dancu synth``). A dirty copy is what
another agency's file about the same people looks like: names typed without diacritics or with
the wrong tone mark, day and month swapped, only the birth year known, pre-2025 commune codes,
old 9-digit CMND numbers written in the ID field, 12-digit numbers with one digit wrong, stale
phone numbers, and some records of people who are not in the register at all. Every error is
drawn independently with the rate in ``DirtRates`` (rates are of records; an error that cannot
apply, e.g. a swap when the day is over 12, leaves the record as it was). Vectorised; the same
register, size, rates and seed give the same copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from dancu.adminunit import datafiles
from dancu.linkage.prepare import fold_series

DIRTY_COLUMNS: Final = (
    "id_number", "full_name", "birth_date", "sex", "permanent_commune", "phone", "true_id_number",
)  # fmt: skip
# Vietnamese tone marks after NFD: huyền, sắc, ngã, hỏi, nặng. A mistyped tone replaces one
# mark by its neighbour in this list (the usual confusions: ngã/hỏi, sắc/nặng...).
_TONES: Final = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DirtRates:
    """Share of dirty records with each error (independent draws)."""

    unmatched: float = 0.05  # people not in the register at all
    no_diacritics: float = 0.30  # "Nguyen Van Duc": typed on a keyboard without Telex
    mistyped_tone: float = 0.08  # one tone mark replaced by another
    dropped_letter: float = 0.04  # one character of the name lost
    dropped_middle: float = 0.03  # "Nguyễn Đức" for "Nguyễn Văn Đức"
    day_month_swap: float = 0.03  # only where the day is 12 or less and differs from the month
    year_only: float = 0.04  # "1978"
    year_month_only: float = 0.02  # "1978-06"
    day_off: float = 0.02  # one day out
    legacy_date_format: float = 0.10  # "29/06/1978"
    wrong_sex: float = 0.005
    id_missing: float = 0.20
    old_id_instead: float = 0.50  # of the people holding an old CMND number (about 1 in 3)
    id_one_digit: float = 0.03  # one digit of the 12 replaced
    id_transposed: float = 0.01  # two neighbouring digits swapped
    legacy_commune: float = 0.25  # pre-2025 commune code
    moved: float = 0.05  # another commune altogether
    phone_missing: float = 0.30
    phone_changed: float = 0.10


def _mask(rng: np.random.Generator, n: int, rate: float) -> pl.Series:
    return pl.Series(rng.random(n) < rate)


def _positions(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.random(n))


def _dirty_names(rng: np.random.Generator, names: pl.Series, rates: DirtRates) -> pl.Series:
    n = names.len()
    frame = pl.DataFrame({
        "name": names,
        "plain": fold_series(names).str.to_titlecase(),
        "tone": pl.Series(rng.integers(0, len(_TONES), n)),
        "u": _positions(rng, n),
        "strip": _mask(rng, n, rates.no_diacritics),
        "mistype": _mask(rng, n, rates.mistyped_tone),
        "drop": _mask(rng, n, rates.dropped_letter),
        "middle": _mask(rng, n, rates.dropped_middle),
    })  # fmt: skip
    nfd = pl.col("name").str.normalize("NFD")
    retoned = pl.coalesce(*[
        pl.when(pl.col("tone") == k).then(nfd.str.replace(src, _TONES[(k + 1) % 5], literal=True))
        for k, src in enumerate(_TONES)
    ]).str.normalize("NFC")  # fmt: skip
    name = pl.when("strip").then("plain").when("mistype").then(retoned).otherwise("name")
    frame = frame.with_columns(name.alias("name"))
    words = pl.col("name").str.split(" ")
    short = pl.concat_str(words.list.first(), words.list.last(), separator=" ")
    frame = frame.with_columns(
        pl.when(pl.col("middle") & (words.list.len() > 2)).then(short).otherwise("name")
    )
    cut = (pl.col("u") * pl.col("name").str.len_chars()).cast(pl.Int64)
    dropped = pl.concat_str(pl.col("name").str.slice(0, cut), pl.col("name").str.slice(cut + 1))
    return frame.select(pl.when("drop").then(dropped).otherwise("name")).to_series()


def _date_parts(dates: pl.Series) -> pl.DataFrame:
    return dates.str.split_exact("-", 2).struct.rename_fields(["y", "m", "d"]).struct.unnest()


def _dirty_dates(rng: np.random.Generator, dates: pl.Series, rates: DirtRates) -> pl.Series:
    n = dates.len()
    parts = _date_parts(dates).with_columns(
        swap=_mask(rng, n, rates.day_month_swap),
        off=_mask(rng, n, rates.day_off),
        kind=pl.Series(rng.random(n)),
    )
    m, d = pl.col("m").cast(pl.Int32), pl.col("d").cast(pl.Int32)
    can_swap = pl.col("swap") & (d <= 12) & (d != m)
    day = pl.when(can_swap).then(m).when(pl.col("off")).then((d % 28) + 1).otherwise(d)
    month = pl.when(can_swap).then(d).otherwise(m)
    parts = parts.with_columns(
        pl.col("y"),
        month.cast(pl.String).str.zfill(2).alias("m"),
        day.cast(pl.String).str.zfill(2).alias("d"),
    )
    y, mm, dd, k = pl.col("y"), pl.col("m"), pl.col("d"), pl.col("kind")
    cut1, cut2 = rates.year_only, rates.year_only + rates.year_month_only
    cut3 = cut2 + rates.legacy_date_format
    text = (
        pl.when(k < cut1).then(y)
        .when(k < cut2).then(pl.concat_str(y, mm, separator="-"))
        .when(k < cut3).then(pl.concat_str(dd, mm, y, separator="/"))
        .otherwise(pl.concat_str(y, mm, dd, separator="-"))
    )  # fmt: skip
    return parts.select(text.alias("birth_date")).to_series()


def _dirty_ids(
    rng: np.random.Generator, ids: pl.Series, old: pl.Series, rates: DirtRates
) -> pl.Series:
    n = ids.len()
    frame = pl.DataFrame({
        "id": ids, "old": old,
        "p": pl.Series(rng.integers(0, 11, n)),
        "delta": pl.Series(rng.integers(1, 10, n)),
        "digit": _mask(rng, n, rates.id_one_digit),
        "swap": _mask(rng, n, rates.id_transposed),
        "use_old": _mask(rng, n, rates.old_id_instead),
        "missing": _mask(rng, n, rates.id_missing),
    })  # fmt: skip
    idc, p = pl.col("id"), pl.col("p")
    at = idc.str.slice(p, 1)
    replaced = ((at.cast(pl.Int32) + pl.col("delta")) % 10).cast(pl.String)
    one_digit = pl.concat_str(idc.str.slice(0, p), replaced, idc.str.slice(p + 1))
    swapped = pl.concat_str(idc.str.slice(0, p), idc.str.slice(p + 1, 1), at, idc.str.slice(p + 2))
    value = (
        pl.when(pl.col("use_old") & pl.col("old").is_not_null()).then("old")
        .when("missing").then(pl.lit(None, pl.String))
        .when("digit").then(one_digit)
        .when("swap").then(swapped)
        .otherwise(idc)
    )  # fmt: skip
    return frame.select(value.alias("id_number")).to_series()


def _legacy_of_current(seed: int) -> pl.DataFrame:
    """One pre-2025 code per current commune (drawn with the seed)."""
    rows = datafiles.commune_conversions()
    frame = pl.DataFrame({
        "current": [r["current_code"] for r in rows],
        "legacy": [r["legacy_code"] for r in rows],
    })  # fmt: skip
    return frame.sample(fraction=1.0, shuffle=True, seed=seed).unique("current", keep="first")


def _dirty_communes(
    rng: np.random.Generator, communes: pl.Series, seed: int, rates: DirtRates
) -> pl.Series:
    n = communes.len()
    pool = communes.unique().sort()
    frame = pl.DataFrame({
        "current": communes,
        "moved_to": pool.gather(rng.integers(0, pool.len(), n)),
        "u": pl.Series(rng.random(n)),
    }).join(_legacy_of_current(seed), on="current", how="left", maintain_order="left")  # fmt: skip
    u = pl.col("u")
    value = (
        pl.when(u < rates.moved).then("moved_to")
        .when((u < rates.moved + rates.legacy_commune) & pl.col("legacy").is_not_null())
        .then("legacy")
        .otherwise("current")
    )  # fmt: skip
    return frame.select(value.alias("permanent_commune")).to_series()


def _random_phones(rng: np.random.Generator, n: int) -> pl.Series:
    return "09" + pl.Series(rng.integers(0, 10**8, n)).cast(pl.String).str.zfill(8)


def _dirty_phones(rng: np.random.Generator, phones: pl.Series, rates: DirtRates) -> pl.Series:
    n = phones.len()
    u = rng.random(n)
    phones = phones.zip_with(pl.Series(u >= rates.phone_changed), _random_phones(rng, n))
    return phones.set(pl.Series(rng.random(n) < rates.phone_missing), None)


def _dirty_sex(rng: np.random.Generator, sex: pl.Series, rates: DirtRates) -> pl.Series:
    flipped = sex.replace_strict({"male": "female", "female": "male"}, default=None)
    return sex.zip_with(pl.Series(rng.random(sex.len()) >= rates.wrong_sex), flipped)


def _outsiders(rng: np.random.Generator, register: pl.DataFrame, n: int) -> pl.DataFrame:
    """People not in the register: name, birth date and home of different residents put
    together, with a 12-digit number that nobody in the register holds (or none)."""
    rows = register.height
    pick = [pl.Series(rng.integers(0, rows, n)) for _ in range(3)]
    prefix = register["id_number"].gather(pick[1]).str.slice(0, 6)
    serial = pl.Series(rng.integers(0, 10**6, n)).cast(pl.String).str.zfill(6)
    invented = prefix + serial
    invented = invented.set(invented.is_in(register["id_number"].implode()), None)
    return pl.DataFrame({
        "id_number": invented.set(pl.Series(rng.random(n) < 0.5), None),
        "old_id_number": pl.Series([None] * n, dtype=pl.String),
        "full_name": register["full_name"].gather(pick[0]),
        "birth_date": register["birth_date"].gather(pick[1]),
        "sex": register["sex"].gather(pick[0]),
        "permanent_commune": register["permanent_commune"].gather(pick[2]),
        "phone": _random_phones(rng, n).set(pl.Series(rng.random(n) < 0.5), None),
        "true_id_number": pl.Series([None] * n, dtype=pl.String),
    })  # fmt: skip


def dirty_copy(
    register: pl.DataFrame, n: int, seed: int, *, rates: DirtRates | None = None
) -> pl.DataFrame:
    """``n`` dirty records (``DIRTY_COLUMNS``, shuffled): copies of distinct residents of
    ``register`` with errors, and a share ``rates.unmatched`` of people not in it.
    ``true_id_number`` is the register's ID number of the person, null for those."""
    rates = rates or DirtRates()
    rng = np.random.default_rng([seed, 7])
    outside = round(n * rates.unmatched)
    inside = min(n - outside, register.height)
    base = register.sample(inside, seed=seed, shuffle=True)
    copies = pl.DataFrame({
        "id_number": _dirty_ids(rng, base["id_number"], base["old_id_number"], rates),
        "old_id_number": pl.Series([None] * inside, dtype=pl.String),
        "full_name": _dirty_names(rng, base["full_name"], rates),
        "birth_date": _dirty_dates(rng, base["birth_date"], rates),
        "sex": _dirty_sex(rng, base["sex"], rates),
        "permanent_commune": _dirty_communes(rng, base["permanent_commune"], seed, rates),
        "phone": _dirty_phones(rng, base["phone"], rates),
        "true_id_number": base["id_number"],
    })  # fmt: skip
    both = pl.concat([copies, _outsiders(rng, register, outside)])
    return both.sample(fraction=1.0, shuffle=True, seed=seed).select(DIRTY_COLUMNS)
