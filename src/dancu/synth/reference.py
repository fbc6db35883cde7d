"""The packaged reference data as arrays the generator can index: communes with their weights,
birth-registration codes, and the ethnicity mix of each province."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from dancu.adminunit import datafiles
from dancu.synth import tables

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Reference:
    """Current communes (index i) and the codes they refer to, all as parallel arrays."""

    commune_codes: tuple[str, ...]
    commune_urban: npt.NDArray[np.bool_]
    commune_weight: FloatArray  # probability that a household lives there
    commune_province: IntArray  # index into province_codes
    commune_birth_code: IntArray  # index into birth_codes: the pre-2025 province it was in
    commune_hamlet_word: tuple[str, ...]
    province_codes: tuple[str, ...]
    birth_codes: tuple[str, ...]
    birth_code_names: tuple[str, ...]
    birth_code_weight: FloatArray  # share of the population living in each pre-2025 province
    ethnicity_codes: tuple[str, ...]
    province_ethnicity: FloatArray  # (province, ethnicity) -> P(ethnicity | province)


def _legacy_province_of_current() -> dict[str, str]:
    """Current commune code -> the pre-2025 province most of its predecessor communes were in."""
    legacy_province = {
        row["code"]: row["province_code"]
        for row in datafiles.communes()
        if row["unit_set"] == "legacy"
    }
    votes: dict[str, Counter[str]] = {}
    for row in datafiles.commune_conversions():
        province = legacy_province.get(row["legacy_code"])
        if province is not None:
            votes.setdefault(row["current_code"], Counter())[province] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def _commune_weights(kinds: list[str], provinces: IntArray, codes: tuple[str, ...]) -> FloatArray:
    kind_weight = np.array([tables.COMMUNE_KIND_WEIGHT.get(k, 1.0) for k in kinds])
    province_total = np.bincount(provinces, weights=kind_weight, minlength=len(codes))
    population = np.array([tables.PROVINCE_POPULATION[c] for c in codes], dtype=np.float64)
    weight = kind_weight / province_total[provinces] * population[provinces]
    result: FloatArray = weight / weight.sum()
    return result


def _ethnicity_shares() -> dict[str, float]:
    """The census shares, the remainder spread evenly over the groups not listed."""
    codes = [row["code"] for row in datafiles.read_rows("ethnicities.csv")]
    listed = dict(tables.ETHNICITIES)
    rest = [c for c in codes if c not in listed]
    remainder = max(0.0, 100.0 - sum(listed.values()))
    return {c: listed.get(c, remainder / max(1, len(rest))) for c in codes}


def _province_ethnicity(province_codes: tuple[str, ...], shares: dict[str, float]) -> FloatArray:
    """P(ethnicity | province): each minority spread over its home provinces by population."""
    population = np.array([tables.PROVINCE_POPULATION[c] for c in province_codes], float)
    population /= population.sum()
    counts = np.zeros((len(province_codes), len(shares)))
    for j, (code, share) in enumerate(shares.items()):
        if code == "01":
            continue
        homes = tables.ETHNIC_HOMES.get(code, ())
        home = np.array([c in homes for c in province_codes])
        spread = tables.ETHNIC_SPREAD if home.any() else 1.0
        counts[:, j] = share * spread * population
        if home.any():
            counts[home, j] += share * (1 - spread) * population[home] / population[home].sum()
    kinh = list(shares).index("01")
    counts[:, kinh] = np.clip(population * 100 - counts.sum(axis=1), 0.05 * population, None)
    result: FloatArray = counts / counts.sum(axis=1, keepdims=True)
    return result


@cache
def load() -> Reference:
    """Read once per process; the arrays are shared read-only by every chunk."""
    rows = [r for r in datafiles.communes() if r["unit_set"] == "current"]
    province_codes = tuple(sorted(tables.PROVINCE_POPULATION))
    province_index = {c: i for i, c in enumerate(province_codes)}
    places = datafiles.read_rows("birth_registration_places.csv")
    birth_codes = tuple(p["code"] for p in places)
    birth_index = {p["legacy_province_code"]: i for i, p in enumerate(places)}
    default_birth = {
        p["current_province_code"]: birth_index[p["legacy_province_code"]]
        for p in places
        if p["legacy_province_code"] == p["current_province_code"]
    }
    legacy_of = _legacy_province_of_current()
    provinces = np.array([province_index[r["province_code"]] for r in rows], dtype=np.int64)
    birth = np.array(
        [birth_index.get(legacy_of.get(r["code"], ""), default_birth[r["province_code"]])
         for r in rows], dtype=np.int64,
    )  # fmt: skip
    weight = _commune_weights([r["division_type"] for r in rows], provinces, province_codes)
    shares = _ethnicity_shares()
    return Reference(
        commune_codes=tuple(r["code"] for r in rows),
        commune_urban=np.array([r["division_type"] == "phường" for r in rows]),
        commune_weight=weight,
        commune_province=provinces,
        commune_birth_code=birth,
        commune_hamlet_word=tuple(
            tables.HAMLET_WORD.get(r["province_code"], tables.DEFAULT_HAMLET_WORD) for r in rows
        ),
        province_codes=province_codes,
        birth_codes=birth_codes,
        birth_code_names=tuple(p["name"] for p in places),
        birth_code_weight=np.bincount(birth, weights=weight, minlength=len(birth_codes)).astype(
            np.float64
        ),
        ethnicity_codes=tuple(shares),
        province_ethnicity=_province_ethnicity(province_codes, shares),
    )
