"""Vietnamese names drawn as indices into the name tables; strings are made once per column."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from dancu.synth import tables

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

BORN_1980 = 3652  # 1980-01-01 in days since 1970-01-01


def _probabilities(weights: dict[str, float]) -> Float:
    values = np.array(list(weights.values()), dtype=np.float64)
    result: Float = values / values.sum()
    return result


def ascii_fold(text: str) -> str:
    """Lower-case ASCII for e-mail addresses: "Đặng Thùy" -> "dangthuy"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace(" ", "")


@dataclass(frozen=True)
class NameTables:
    surnames: tuple[str, ...]
    middles: tuple[str, ...]  # male ones first, then female ones
    givens: tuple[str, ...]  # male ones first, then female ones
    male_middles: int
    male_givens: int
    same_as_middle: Int  # middle index -> given index with the same text, or -1


def _same_given(middle: str, givens: tuple[str, ...], offset: int) -> int:
    return offset + givens.index(middle) if middle in givens else -1


@cache
def name_tables() -> NameTables:
    surnames = dict.fromkeys(tables.SURNAMES)
    for clan in tables.ETHNIC_SURNAMES.values():
        surnames.update(dict.fromkeys(clan))
    middles = (*tables.MIDDLE["male"], *tables.MIDDLE["female"])
    givens = (*tables.GIVEN["male"], *tables.GIVEN["female"])
    male_middles, male_givens = len(tables.MIDDLE["male"]), len(tables.GIVEN["male"])
    same = [_same_given(m, tables.GIVEN[sex], offset)
            for sex, offset in (("male", 0), ("female", male_givens))
            for m in tables.MIDDLE[sex]]  # fmt: skip
    return NameTables(tuple(surnames), middles, givens, male_middles, male_givens,
                      np.array(same, dtype=np.int64))  # fmt: skip


def household_surnames(rng: np.random.Generator, ethnicity: Int, codes: tuple[str, ...]) -> Int:
    """Five independent surname draws per household (see households.FAMILY...), by ethnicity."""
    names = name_tables().surnames
    general = np.array([names.index(s) for s in tables.SURNAMES])
    out = general[rng.choice(general.size, size=(ethnicity.size, 5),
                             p=_probabilities(tables.SURNAMES))]  # fmt: skip
    for code, clan in tables.ETHNIC_SURNAMES.items():
        members = np.flatnonzero(ethnicity == codes.index(code))
        if members.size:
            index = np.array([names.index(s) for s in clan])
            out[members] = index[rng.choice(index.size, size=(members.size, 5),
                                            p=_probabilities(clan))]  # fmt: skip
    return out


def _middle_weights(sex: str, era: str) -> Float:
    weights = dict(tables.MIDDLE[sex])
    first = next(iter(weights))
    weights[first] *= tables.TRADITIONAL_MIDDLE_FACTOR[era]
    return _probabilities(weights)


def middle_and_given(rng: np.random.Generator, male: Bool, born: Int) -> tuple[Int, Int]:
    """Middle and given name indices by sex; Văn/Thị far more common before 1980."""
    t = name_tables()
    n, old = male.size, born < BORN_1980
    draws = {
        (sex, era): rng.choice(len(tables.MIDDLE[sex]), size=n, p=_middle_weights(sex, era))
        for sex in ("male", "female")
        for era in ("before_1980", "since_1980")
    }
    male_middle = np.where(old, draws["male", "before_1980"], draws["male", "since_1980"])
    female_middle = np.where(old, draws["female", "before_1980"], draws["female", "since_1980"])
    middle = np.where(male, male_middle, female_middle + t.male_middles)
    female_count = len(t.givens) - t.male_givens
    given = np.where(male, rng.integers(0, t.male_givens, n),
                     t.male_givens + rng.integers(0, female_count, n))  # fmt: skip
    clash = t.same_as_middle[middle] == given  # "Ngọc Ngọc": take the next given name
    first = np.where(male, 0, t.male_givens)
    size = np.where(male, t.male_givens, female_count)
    given = np.where(clash, first + (given - first + 1) % size, given)
    return middle.astype(np.int64), given.astype(np.int64)
