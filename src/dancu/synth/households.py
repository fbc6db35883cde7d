"""Household structure, drawn for a whole block of households at once.

Each household is a fixed row of slots — head, spouse, up to five children, a child-in-law, a
grandchild, and the head's father and mother — with a presence mask. Everything is an (H, SLOTS)
array, so a block of 50,000 households is a handful of numpy operations, and flattening the mask
row by row gives each household's members contiguously, head first. Dates are days since
1970-01-01; links (father, mother, spouse) are slot numbers within the household, -1 for none.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

import numpy as np
import numpy.typing as npt

from dancu.synth import tables

HEAD, SPOUSE, IN_LAW, FATHER, MOTHER = 0, 1, 7, 10, 11
CHILDREN: Final = slice(2, 7)
GRANDCHILDREN: Final = slice(8, 10)
ELDEST = 2
SLOTS: Final = 12
RELATIONS: Final = ("head", "spouse", *("child",) * 5, "child_in_law", "grandchild", "grandchild",
                    "parent",
                    "parent")  # fmt: skip
YEAR: Final = 365.25

Bool = npt.NDArray[np.bool_]
Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]


def years(x: Float | float) -> Int:
    return np.asarray(np.round(np.asarray(x) * YEAR), dtype=np.int64)


def age_pmf() -> Float:
    """P(age = a) for a in 0..OLDEST-1, from the census bands (80+ tapering to 100)."""
    pmf = np.zeros(tables.OLDEST)
    bands = sorted(tables.AGE_BANDS)
    for low, high in zip(bands, [*bands[1:], tables.OLDEST], strict=True):
        taper = np.linspace(1.0, 0.05, high - low) if high - low > 5 else np.ones(high - low)
        pmf[low:high] = tables.AGE_BANDS[low] * taper / taper.sum()
    result: Float = pmf / pmf.sum()
    return result


def head_age_pmf() -> Float:
    band = (np.arange(tables.OLDEST) // 5 * 5).clip(max=80)
    rate = np.array([tables.HEADSHIP.get(int(b), 0.0) for b in band])
    pmf = age_pmf() * rate
    result: Float = pmf / pmf.sum()
    return result


@dataclass
class Structure:
    """A block of households: (H, SLOTS) arrays plus the per-household draws."""

    present: Bool
    born: Int
    male: Bool
    father: Int
    mother: Int
    spouse: Int
    surname: Int  # index into the household's surname draws (see names.surnames)

    def take(self, n: int) -> Structure:
        """The first ``n`` households."""
        return Structure(**{f.name: getattr(self, f.name)[:n] for f in fields(self)})

    def heads_only(self) -> Structure:
        present = np.zeros_like(self.present)
        present[:, HEAD] = True
        links = np.full_like(self.father, -1)
        return Structure(present, self.born, self.male, links, links.copy(), links.copy(),
                         self.surname)  # fmt: skip

    @property
    def sizes(self) -> Int:
        return np.asarray(self.present.sum(axis=1), dtype=np.int64)


def _age(born: Int, today: int) -> Float:
    return np.asarray((today - born) / YEAR, dtype=np.float64)


def _clip_born(born: Int, today: int, *, youngest: float, oldest: float) -> Int:
    return np.clip(born, today - years(oldest) + 1, today - years(youngest))


def _heads(rng: np.random.Generator, s: Structure, today: int) -> None:
    n = s.born.shape[0]
    age = rng.choice(tables.OLDEST, size=n, p=head_age_pmf())
    s.born[:, HEAD] = today - years(age + rng.random(n))
    s.male[:, HEAD] = rng.random(n) < tables.MALE_HEAD_SHARE
    s.present[:, HEAD] = True


def _spouses(rng: np.random.Generator, s: Structure, today: int) -> None:
    """Usually a spouse; wives ~3.5 years younger than husbands, as in the census."""
    age = _age(s.born[:, HEAD], today)
    married = np.interp(
        age, [20, 25, 30, 45, 60, 70, 80, 90], [0.4, 0.7, 0.86, 0.9, 0.84, 0.72, 0.5, 0.3]
    )
    male_head = s.male[:, HEAD]
    married = np.where(male_head, married, married * 0.3)
    gap = np.clip(rng.normal(3.5, 3.0, age.size), -4, 15)
    born = s.born[:, HEAD] + np.where(male_head, years(gap), -years(gap))
    s.born[:, SPOUSE] = _clip_born(born, today, youngest=18.5, oldest=99)
    s.male[:, SPOUSE] = ~male_head
    s.present[:, SPOUSE] = rng.random(age.size) < married
    both = s.present[:, SPOUSE]
    s.spouse[both, HEAD], s.spouse[both, SPOUSE] = SPOUSE, HEAD


def _parents_of_children(s: Structure) -> tuple[Int, Int]:
    """Slot of the children's father and mother (head or spouse; -1 when absent)."""
    male_head, has_spouse = s.male[:, HEAD], s.present[:, SPOUSE]
    father = np.where(male_head, HEAD, np.where(has_spouse, SPOUSE, -1))
    mother = np.where(~male_head, HEAD, np.where(has_spouse, SPOUSE, -1))
    return father.astype(np.int64), mother.astype(np.int64)


_BORN_1965: Final = -1826  # 1965-01-01: mothers born before it had larger families
# Children ever born to a mother (0..5), by the mother's birth cohort.
_CHILDREN_BEFORE_1965: Final = np.array([5, 8, 22, 27, 22, 16], dtype=float) / 100
_CHILDREN_SINCE_1965: Final = np.array([6, 18, 50, 19, 6, 1], dtype=float) / 100
# Share of children of each age still living in their parents' household.
_STAY_AGES: Final = [17.9, 18, 25, 30, 40]
_STAY_SHARE: Final = [1.0, 0.88, 0.6, 0.35, 0.12]


def _first_birth(
    rng: np.random.Generator, ref: Int, father_born: Int | None, n: int, scale: float
) -> Float:
    """Mother's age at a first birth (19 up); the father is at least 18 then too."""
    first = 19.0 + rng.gamma(2.0, scale, n)
    if father_born is not None:
        first = np.maximum(first, (father_born - ref) / YEAR + 18.5)
    return np.asarray(first, dtype=np.float64)


def _children(rng: np.random.Generator, s: Structure, today: int) -> None:
    """Children born to the mother between 19 and 45, oldest first; older ones often left."""
    n, rows = s.born.shape[0], np.arange(s.born.shape[0])
    father, mother = _parents_of_children(s)
    ref = np.where(mother >= 0, s.born[rows, mother.clip(0)], s.born[:, HEAD] + years(3.0))
    father_born = np.where(father >= 0, s.born[rows, father.clip(0)], ref - years(3.0))
    count = np.where(
        ref < _BORN_1965,
        rng.choice(6, size=n, p=_CHILDREN_BEFORE_1965),
        rng.choice(6, size=n, p=_CHILDREN_SINCE_1965),
    )
    spacing = np.cumsum(1.2 + rng.gamma(2.0, 1.2, (n, 4)), axis=1)
    offset = _first_birth(rng, ref, father_born, n, 2.5)[:, None] + np.hstack(
        [np.zeros((n, 1)), spacing]
    )
    born = ref[:, None] + years(offset)
    alive = (np.arange(5) < count[:, None]) & (offset < 45.0) & (born < today)
    stay = np.interp(_age(born, today), _STAY_AGES, _STAY_SHARE)
    present = alive & (rng.random((n, 5)) < stay)
    order = np.argsort(~present, axis=1, kind="stable")  # present children first, oldest first
    s.present[:, CHILDREN] = np.take_along_axis(present, order, axis=1)
    s.born[:, CHILDREN] = np.take_along_axis(born, order, axis=1)
    s.male[:, CHILDREN] = rng.random((n, 5)) < 0.52  # sex ratio at birth ~111 (census 2019)
    s.father[:, CHILDREN] = father[:, None]
    s.mother[:, CHILDREN] = mother[:, None]


def _head_parents(rng: np.random.Generator, s: Structure, today: int) -> None:
    """Younger heads sometimes live with a parent (more often the mother) or both."""
    n, head_born = s.born.shape[0], s.born[:, HEAD]
    has = rng.random(n) < np.interp(_age(head_born, today), [20, 35, 50, 65], [0.3, 0.24, 0.16, 0])
    which = rng.random(n)  # < .4 both, < .82 the mother alone, else the father alone
    mother_born = head_born - years(np.minimum(19.5 + rng.gamma(2.0, 3.0, n), 44.5))
    father_born = np.minimum(
        mother_born - years(np.clip(rng.normal(3.0, 2.5, n), -3, 12)), head_born - years(18.5)
    )
    s.born[:, MOTHER], s.born[:, FATHER] = mother_born, father_born
    s.male[:, FATHER], s.male[:, MOTHER] = True, False
    s.present[:, MOTHER] = has & (which < 0.82) & (_age(mother_born, today) < tables.OLDEST)
    s.present[:, FATHER] = has & ((which < 0.4) | (which >= 0.82))
    s.present[:, FATHER] &= _age(father_born, today) < tables.OLDEST
    s.father[:, HEAD], s.mother[:, HEAD] = FATHER, MOTHER
    both = s.present[:, FATHER] & s.present[:, MOTHER]
    s.spouse[both, FATHER], s.spouse[both, MOTHER] = MOTHER, FATHER


def _in_law(rng: np.random.Generator, s: Structure, has: Bool, today: int) -> Bool:
    """The eldest child's spouse, when the young couple lives with the head."""
    n, eldest_born, eldest_male = has.size, s.born[:, ELDEST], s.male[:, ELDEST]
    in_law = has & (rng.random(n) < 0.65)
    gap = years(np.clip(rng.normal(3.0, 3.0, n), -4, 12))
    s.born[:, IN_LAW] = _clip_born(
        eldest_born + np.where(eldest_male, gap, -gap), today, youngest=18.5, oldest=99
    )
    s.male[:, IN_LAW], s.present[:, IN_LAW] = ~eldest_male, in_law
    s.spouse[in_law, ELDEST], s.spouse[in_law, IN_LAW] = IN_LAW, ELDEST
    return in_law


def _grandchildren(rng: np.random.Generator, s: Structure, today: int) -> None:
    """Older heads often have their eldest child's family (one or two children) with them."""
    n, rows = s.born.shape[0], np.arange(s.born.shape[0])
    eldest_born, eldest_male = s.born[:, ELDEST], s.male[:, ELDEST]
    has = s.present[:, ELDEST] & (_age(eldest_born, today) >= 20)
    has &= (_age(s.born[:, HEAD], today) >= 40) & (rng.random(n) < 0.6)
    in_law = _in_law(rng, s, has, today)
    mother = np.where(~eldest_male, ELDEST, np.where(in_law, IN_LAW, -1))
    father = np.where(eldest_male, ELDEST, np.where(in_law, IN_LAW, -1))
    ref = np.where(mother >= 0, s.born[rows, mother.clip(0)], eldest_born + years(3.0))
    father_born = np.where(father >= 0, s.born[rows, father.clip(0)], ref - years(3.0))
    first = _first_birth(rng, ref, father_born, n, 2.5)
    offset = first[:, None] + np.hstack([np.zeros((n, 1)), 1.5 + rng.gamma(2.0, 1.2, (n, 1))])
    born = ref[:, None] + years(offset)
    second = np.asarray(rng.random(n) < 0.5, dtype=np.int64)
    wanted = has[:, None] & (np.arange(2) < 1 + second[:, None])
    s.born[:, GRANDCHILDREN] = born
    s.present[:, GRANDCHILDREN] = wanted & (offset < 45.0) & (born < today)
    s.male[:, GRANDCHILDREN] = rng.random((n, 2)) < 0.52
    s.father[:, GRANDCHILDREN] = father[:, None]
    s.mother[:, GRANDCHILDREN] = mother[:, None]


# Which of a household's surname draws each member carries (see names.household_surnames).
FAMILY, SPOUSE_OWN, ABSENT_FATHER, HEAD_MOTHER_OWN, IN_LAW_OWN = range(5)


def _surnames(s: Structure) -> None:
    """Children take the father's surname; spouses and in-laws keep their own."""
    father, _ = _parents_of_children(s)
    children = np.where(father == HEAD, FAMILY, np.where(father == SPOUSE, SPOUSE_OWN,
                                                         ABSENT_FATHER))  # fmt: skip
    s.surname[:, HEAD] = s.surname[:, FATHER] = FAMILY
    s.surname[:, SPOUSE] = SPOUSE_OWN
    s.surname[:, CHILDREN] = children[:, None]
    s.surname[:, IN_LAW] = IN_LAW_OWN
    s.surname[:, MOTHER] = HEAD_MOTHER_OWN
    eldest_male, in_law = s.male[:, ELDEST], s.present[:, IN_LAW]
    grandchildren = np.where(eldest_male, children, np.where(in_law, IN_LAW_OWN, ABSENT_FATHER))
    s.surname[:, GRANDCHILDREN] = grandchildren[:, None]


def draw(rng: np.random.Generator, n: int, today: int) -> Structure:
    """``n`` households as of ``today`` (days since 1970-01-01)."""
    s = Structure(
        present=np.zeros((n, SLOTS), dtype=bool),
        born=np.zeros((n, SLOTS), dtype=np.int64),
        male=np.zeros((n, SLOTS), dtype=bool),
        father=np.full((n, SLOTS), -1, dtype=np.int64),
        mother=np.full((n, SLOTS), -1, dtype=np.int64),
        spouse=np.full((n, SLOTS), -1, dtype=np.int64),
        surname=np.zeros((n, SLOTS), dtype=np.int64),
    )
    _heads(rng, s, today)
    _spouses(rng, s, today)
    _children(rng, s, today)
    _head_parents(rng, s, today)
    _grandchildren(rng, s, today)
    _surnames(s)
    return s
