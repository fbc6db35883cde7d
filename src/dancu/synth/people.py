"""One block of households -> the rows of the digitisation file (docs/import-format.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from dancu.synth import households as hh
from dancu.synth import names, tables
from dancu.synth.numbers import Counters, Permutation
from dancu.synth.reference import Reference

Int = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
Float = npt.NDArray[np.float64]

COLUMNS: Final = (
    "id_number", "old_id_number", "full_name", "birth_date", "sex", "birth_registration_code",
    "place_of_birth", "hometown", "ethnicity", "religion", "nationality", "blood_group",
    "marital_status", "phone", "email",
    "permanent_address", "permanent_commune", "temporary_address", "temporary_commune",
    "temporary_until", "current_address", "current_commune",
    "household_number", "relation_to_head",
    "father_id_number", "mother_id_number", "spouse_id_number",
    "father_name", "mother_name", "spouse_name",
)  # fmt: skip
SCHEMA: Final = pl.Schema(dict.fromkeys(COLUMNS, pl.String))
MARITAL: Final = ("single", "married", "divorced", "widowed")
# P(single, divorced, widowed) of adults living without a spouse, by age (<30, 30-59, 60+).
_UNPARTNERED: Final = np.array([[0.88, 0.10, 0.02], [0.50, 0.30, 0.20], [0.06, 0.12, 0.82]])


class Numbering:
    """Counters and permutations that run across all blocks, so numbers never repeat."""

    def __init__(self, seed: int, communes: int) -> None:
        self.id_counters = Counters(10**6, capacity=10**6)  # by PPP G YY
        self.id_serials = Permutation(10**6, seed, stream=1)
        self.old_counter = Counters(1, capacity=10**9)
        self.old_numbers = Permutation(10**9, seed, stream=2)
        self.household_counters = Counters(communes, capacity=10**7)
        self.household_serials = Permutation(10**7, seed, stream=3)


@dataclass(frozen=True)
class Members:
    """The block flattened to one row per person, households contiguous, head first."""

    household: Int
    slot: Int
    row_of: Int  # (H, SLOTS) -> row, -1 where absent
    born: Int
    male: Bool
    age: Int  # whole years on the reference date, as a clerk would count them

    @classmethod
    def of(cls, s: hh.Structure, today: int) -> Members:
        household, slot = np.nonzero(s.present)
        row_of = np.full(s.present.shape, -1, dtype=np.int64)
        row_of[household, slot] = np.arange(household.size)
        born = s.born[household, slot]
        age = _whole_years(born, today)
        return cls(household.astype(np.int64), slot.astype(np.int64), row_of, born,
                   s.male[household, slot], age)  # fmt: skip

    def link(self, targets: Int) -> Int:
        """Row of each member's linked slot (father, mother or spouse), -1 when none."""
        target = targets[self.household, self.slot]
        return np.where(target >= 0, self.row_of[self.household, target.clip(0)], -1)


def _month_day(days: Int) -> tuple[Int, Int]:
    """Calendar year and month*100 + day of each date (days since 1970-01-01)."""
    day = days.astype("datetime64[D]")
    year, month = day.astype("datetime64[Y]"), day.astype("datetime64[M]")
    month_day = ((month - year).astype(np.int64) + 1) * 100 + (day - month).astype(np.int64) + 1
    return year.astype(np.int64) + 1970, month_day


def _whole_years(born: Int, today: int) -> Int:
    born_year, born_day = _month_day(born)
    this_year, this_day = _month_day(np.array([today], dtype=np.int64))
    return np.asarray(this_year - born_year - (this_day < born_day), dtype=np.int64)


def _choose(rng: np.random.Generator, weights: dict[str, float], n: int) -> Int:
    p = np.array(list(weights.values()), dtype=np.float64)
    return rng.choice(p.size, size=n, p=p / p.sum()).astype(np.int64)


def _lookup(values: tuple[str, ...] | list[str], index: Int) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(index)


def _categorical_rows(rng: np.random.Generator, probabilities: Float) -> Int:
    """One draw per row of a (n, k) matrix of probabilities."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(probabilities.shape[0]) * cumulative[:, -1]
    return np.asarray((u[:, None] >= cumulative).sum(axis=1), dtype=np.int64)


def _addresses(rng: np.random.Generator, commune: Int, ref: Reference) -> pl.Series:
    """ "Số 12 Lê Lợi" / "Số 5 ngõ 34 Hùng Vương" in a phường, "Thôn 3" / "Ấp 3" / "Bản 3" else."""
    n = commune.size
    frame = pl.DataFrame({
        "urban": ref.commune_urban[commune],
        "house": rng.integers(1, 300, n),
        "lane": rng.integers(1, 120, n),
        "with_lane": rng.random(n) < 0.25,
        "street": _lookup(tables.STREETS, rng.integers(0, len(tables.STREETS), n)),
        "hamlet_word": _lookup(ref.commune_hamlet_word, commune),
        "hamlet": rng.integers(1, 16, n),
    })  # fmt: skip
    lane_word = (
        pl.when(pl.col("hamlet_word") == "Ấp").then(pl.lit(" hẻm ")).otherwise(pl.lit(" ngõ "))
    )
    lane = pl.when("with_lane").then(pl.concat_str(lane_word, "lane")).otherwise(pl.lit(""))
    street = pl.concat_str(pl.lit("Số "), "house", lane, pl.lit(" "), "street")
    hamlet = pl.concat_str("hamlet_word", pl.lit(" "), "hamlet")
    return frame.select(pl.when("urban").then(street).otherwise(hamlet)).to_series()


@dataclass(frozen=True)
class HouseholdDraws:
    commune: Int
    ethnicity: Int
    religion: Int
    surnames: Int  # (H, 5), see households.FAMILY...
    address: pl.Series
    number: pl.Series


def _household_draws(
    rng: np.random.Generator, n: int, ref: Reference, numbering: Numbering
) -> HouseholdDraws:
    commune = rng.choice(len(ref.commune_codes), size=n, p=ref.commune_weight).astype(np.int64)
    ethnicity = _categorical_rows(rng, ref.province_ethnicity[ref.commune_province[commune]])
    religion = _choose(rng, tables.RELIGIONS, n)
    khmer = ethnicity == ref.ethnicity_codes.index("05")
    buddhist = list(tables.RELIGIONS).index("01")
    religion = np.where(khmer & (rng.random(n) < tables.KHMER_BUDDHIST), buddhist, religion)
    surnames = names.household_surnames(rng, ethnicity, ref.ethnicity_codes)
    address = _addresses(rng, commune, ref)
    counter = numbering.household_counters.take(commune)
    serial = numbering.household_serials(counter, tweak=commune)
    number = pl.DataFrame(
        {"commune": _lookup(ref.commune_codes, commune), "serial": serial}
    ).select(pl.concat_str("commune", pl.lit("-"), pl.col("serial").cast(pl.String).str.zfill(7)))
    return HouseholdDraws(commune, ethnicity, religion, surnames, address, number.to_series())


def _with_nulls(n: int, where: Int, values: pl.Series) -> pl.Series:
    """A length-``n`` string column holding ``values`` at rows ``where`` and null elsewhere."""
    return pl.Series(values.name, [None] * n, dtype=pl.String).scatter(where, values)


def _dates(days: Int) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date).cast(pl.String)


def _identity(
    rng: np.random.Generator,
    m: Members,
    draws: HouseholdDraws,
    ref: Reference,
    numbering: Numbering,
) -> dict[str, pl.Series | Int]:
    """Birth registration (mostly in the province of residence), ID number, old CMND number."""
    n, adult = m.age.size, m.age >= 18
    local = ref.commune_birth_code[draws.commune[m.household]]
    migrant = rng.random(n) < np.where(adult, tables.MIGRANT_SHARE, tables.MIGRANT_SHARE / 3)
    national = rng.choice(len(ref.birth_codes), size=n, p=ref.birth_code_weight)
    code = np.where(migrant, national, local)
    year = _month_day(m.born)[0]
    century_sex = 2 * ((year - 1900) // 100) + (~m.male).astype(np.int64)
    prefix = np.array(ref.birth_codes, dtype=np.int64)[code] * 1000 + century_sex * 100 + year % 100
    serial = numbering.id_serials(numbering.id_counters.take(prefix), tweak=prefix)
    id_number = pl.Series(prefix * 10**6 + serial).cast(pl.String).str.zfill(12)
    has_old = np.flatnonzero((year < 1995) & adult & (rng.random(n) < tables.OLD_ID_SHARE))
    old = numbering.old_numbers(numbering.old_counter.take(np.zeros(has_old.size, np.int64)))
    old_text = pl.Series(old).cast(pl.String).str.zfill(9)
    return {
        "id_number": id_number,
        "old_id_number": _with_nulls(n, has_old, old_text),
        "birth_registration_code": _lookup(ref.birth_codes, code),
        "code": code,
    }


def _residence(
    rng: np.random.Generator, m: Members, draws: HouseholdDraws, ref: Reference, today: int
) -> dict[str, pl.Series]:
    """Permanent residence at the household's address; some working-age adults live elsewhere
    on a temporary registration (at most two years), which is then where they currently live."""
    n, home = m.age.size, draws.commune[m.household]
    away = np.flatnonzero((m.age >= 18) & (m.age < 65) & (rng.random(n) < tables.TEMPORARY_SHARE))
    pull = ref.commune_weight * np.where(ref.commune_urban, 3.0, 1.0)  # migrants go to towns
    dest = rng.choice(pull.size, size=away.size, p=pull / pull.sum()).astype(np.int64)
    dest = np.where(dest == home[away], (dest + 1) % pull.size, dest)
    address = _with_nulls(n, away, _addresses(rng, dest, ref))
    commune = _with_nulls(n, away, _lookup(ref.commune_codes, dest))
    until = _dates(today + rng.integers(30, 721, away.size))
    return {
        "permanent_address": draws.address.gather(m.household),
        "permanent_commune": _lookup(ref.commune_codes, home),
        "temporary_address": address,
        "temporary_commune": commune,
        "temporary_until": _with_nulls(n, away, until),
        "current_address": address,
        "current_commune": commune,
        "household_number": draws.number.gather(m.household),
    }


def _contact(
    rng: np.random.Generator, m: Members, surname: Int, given: Int
) -> dict[str, pl.Series]:
    """Mobile numbers (09/03/08/07/05 + 8 digits) for most people from 15; e-mail for some."""
    n, t = m.age.size, names.name_tables()
    has_phone = rng.random(n) < np.interp(m.age, [14, 15, 18, 70, 90], [0, 0.5, 0.95, 0.9, 0.5])
    prefix = _lookup(list(tables.PHONE_PREFIXES), _choose(rng, tables.PHONE_PREFIXES, n))
    digits = pl.Series(rng.integers(0, 10**8, n)).cast(pl.String).str.zfill(8)
    phone = (prefix + digits).set(pl.Series(~has_phone), None)
    has_email = (m.age >= 18) & (m.age < 50) & (rng.random(n) < tables.EMAIL_SHARE)
    email = (
        pl.DataFrame(
            {
                "given": _lookup([names.ascii_fold(g) for g in t.givens], given),
                "surname": _lookup([names.ascii_fold(s) for s in t.surnames], surname),
                "number": pl.Series(rng.integers(1, 1000, n)).cast(pl.String),
                "domain": _lookup(
                    list(tables.EMAIL_DOMAINS), _choose(rng, tables.EMAIL_DOMAINS, n)
                ),
            }
        )
        .select(pl.concat_str("given", "surname", "number", pl.lit("@"), "domain"))
        .to_series()
    )
    return {"phone": phone, "email": email.set(pl.Series(~has_email), None)}


def _marital(rng: np.random.Generator, m: Members, spouse: Int) -> pl.Series:
    """Married when the spouse is in the household; otherwise by age: never married when young,
    mostly widowed when old; always single under 18."""
    band = np.digitize(m.age, [30, 60])
    unpartnered = np.array([0, 2, 3])[_categorical_rows(rng, _UNPARTNERED[band])]
    status = np.where(spouse >= 0, 1, np.where(m.age < 18, 0, unpartnered))
    return _lookup(MARITAL, status)


def _family(frame: pl.DataFrame, links: dict[str, Int]) -> pl.DataFrame:
    """ID numbers and names of the father, mother and spouse, looked up by row."""
    index = {kind: pl.Series(row).set(pl.Series(row < 0), None) for kind, row in links.items()}
    ids, full_names = frame["id_number"], frame["full_name"]
    return frame.with_columns(
        *(ids.gather(index[kind]).alias(f"{kind}_id_number") for kind in links),
        *(full_names.gather(index[kind]).alias(f"{kind}_name") for kind in links),
    )


def _full_names(surname: Int, middle: Int, given: Int) -> pl.Series:
    t = names.name_tables()
    parts = pl.DataFrame(
        {
            "s": _lookup(t.surnames, surname),
            "m": _lookup(t.middles, middle),
            "g": _lookup(t.givens, given),
        }
    )
    return parts.select(pl.concat_str("s", "m", "g", separator=" ")).to_series()


def _origin(
    rng: np.random.Generator,
    m: Members,
    draws: HouseholdDraws,
    ref: Reference,
    code: Int,
    father: Int,
) -> dict[str, pl.Series]:
    """Place of birth, hometown (the father's, as quê quán follows the father), ethnicity,
    religion (the household's), nationality and blood group."""
    hometown = np.where(father >= 0, code[father.clip(0)], code)
    blood = _choose(rng, tables.BLOOD_GROUPS, m.age.size)
    return {
        "place_of_birth": _lookup(ref.birth_code_names, code),
        "hometown": _lookup(ref.birth_code_names, hometown),
        "ethnicity": _lookup(ref.ethnicity_codes, draws.ethnicity[m.household]),
        "religion": _lookup(list(tables.RELIGIONS), draws.religion[m.household]),
        "nationality": pl.Series(["VN"] * m.age.size, dtype=pl.String),
        "blood_group": _lookup(list(tables.BLOOD_GROUPS), blood),
    }


def block_frame(
    rng: np.random.Generator,
    s: hh.Structure,
    ref: Reference,
    numbering: Numbering,
    today: int,
) -> pl.DataFrame:
    """The rows of one block of households, in the file's column order."""
    draws = _household_draws(rng, s.present.shape[0], ref, numbering)
    m = Members.of(s, today)
    links = {"father": m.link(s.father), "mother": m.link(s.mother), "spouse": m.link(s.spouse)}
    surname = draws.surnames[m.household, s.surname[m.household, m.slot]]
    middle, given = names.middle_and_given(rng, m.male, m.born)
    identity = _identity(rng, m, draws, ref, numbering)
    code = np.asarray(identity.pop("code"))
    columns: dict[str, pl.Series | Int] = {
        **identity,
        "full_name": _full_names(surname, middle, given),
        "birth_date": _dates(m.born),
        "sex": _lookup(("female", "male"), m.male.astype(np.int64)),
        **_origin(rng, m, draws, ref, code, links["father"]),
        "marital_status": _marital(rng, m, links["spouse"]),
        **_contact(rng, m, surname, given),
        **_residence(rng, m, draws, ref, today),
        "relation_to_head": _lookup(hh.RELATIONS, m.slot),
    }
    frame = pl.DataFrame({name: pl.Series(name, col) for name, col in columns.items()})
    return _family(frame, links).select(COLUMNS)
