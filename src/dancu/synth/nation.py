"""The synthetic nation, block by block.

A block is up to ``BLOCK_HOUSEHOLDS`` households drawn from its own random stream
(``seed``, block number), so the output depends only on ``people``, ``seed`` and ``as_of`` —
not on how it is consumed. Blocks never split a household. The row count is exact: the last
block keeps the households that fit and the remainder is made up of one-person households.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Final

import numpy as np
import polars as pl

from dancu.kit.clock import today as clock_today
from dancu.synth import households, reference
from dancu.synth.people import SCHEMA, Numbering, block_frame

BLOCK_HOUSEHOLDS: Final = 50_000
_MEAN_SIZE_LOW: Final = 3.3  # a little under the mean household size, so blocks overshoot


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _fit(s: households.Structure, remaining: int) -> tuple[households.Structure, int]:
    """The households that fit in ``remaining`` rows, and how many rows are still missing."""
    ends = np.cumsum(s.sizes)
    fitting = int(np.searchsorted(ends, remaining, side="right"))
    kept = int(ends[fitting - 1]) if fitting else 0
    return s.take(fitting), remaining - kept


def generate_chunks(people: int, seed: int, *, as_of: date | None = None) -> Iterator[pl.DataFrame]:
    """Exactly ``people`` residents as DataFrames of whole households (strings, file columns)."""
    if people < 0:
        raise ValueError("the number of people cannot be negative")
    ref = reference.load()
    today = _days(as_of or clock_today())
    numbering = Numbering(seed, len(ref.commune_codes))
    remaining, block = people, 0
    while remaining > 0:
        rng = np.random.default_rng([seed, block])
        size = min(BLOCK_HOUSEHOLDS, math.ceil(remaining / _MEAN_SIZE_LOW) + 16)
        structure, missing = _fit(households.draw(rng, size, today), remaining)
        if structure.present.shape[0] == size and missing > 0:
            missing = 0  # the whole block fitted: carry on with the next one
        elif missing > 0:  # top up with one-person households from a stream of their own
            singles = households.draw(np.random.default_rng([seed, block, 1]), missing, today)
            structure = _concat(structure, singles.heads_only())
        frame = block_frame(rng, structure, ref, numbering, today)
        remaining -= frame.height
        block += 1
        yield frame


def _concat(a: households.Structure, b: households.Structure) -> households.Structure:
    return households.Structure(
        **{name: np.concatenate([getattr(a, name), getattr(b, name)]) for name in a.__dict__}
    )


def generate(people: int, seed: int, *, as_of: date | None = None) -> pl.DataFrame:
    """The whole nation in one DataFrame (fine up to a few million rows)."""
    frames = list(generate_chunks(people, seed, as_of=as_of))
    return pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)
