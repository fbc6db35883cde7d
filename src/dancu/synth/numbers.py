"""Unique numbers without a look-up: a keyed permutation of a counter.

Each ID-number prefix (``PPP G YY``) keeps a counter; the k-th person of a prefix gets the
serial ``permute(k)``, where ``permute`` is a keyed bijection of ``[0, 10**6)`` (a Feistel
network on 20 bits, cycle-walked into range). Distinct counters give distinct serials, so the
numbers are unique across the whole run — across chunks too — without drawing, checking and
redrawing, and they look random. Old 9-digit CMND numbers and household numbers work the same.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_ROUNDS = 4
_MIX1 = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)


def _round_function(half: U64, key: U64) -> U64:
    x = (half + key) * _MIX1
    x ^= x >> np.uint64(29)
    x *= _MIX2
    x ^= x >> np.uint64(32)
    return x


class Permutation:
    """A keyed bijection of ``[0, modulus)``, optionally tweaked per element (one per prefix)."""

    def __init__(self, modulus: int, seed: int, stream: int) -> None:
        bits = max(2, int(modulus - 1).bit_length())
        self.half = (bits + 1) // 2
        self.modulus = modulus
        rng = np.random.default_rng([seed, stream])
        self.keys = rng.integers(0, 2**63, size=_ROUNDS, dtype=np.uint64)

    def _encrypt(self, x: U64, tweak: U64) -> U64:
        h = np.uint64(self.half)
        mask = np.uint64((1 << self.half) - 1)
        left, right = x >> h, x & mask
        for key in self.keys:
            left, right = right, left ^ (_round_function(right, key ^ tweak) & mask)
        out: U64 = (left << h) | right
        return out

    def __call__(self, values: I64, tweak: I64 | None = None) -> I64:
        x = values.astype(np.uint64)
        t = np.zeros_like(x) if tweak is None else tweak.astype(np.uint64) * _MIX2
        x = self._encrypt(x, t)
        outside = np.flatnonzero(x >= np.uint64(self.modulus))
        while outside.size:  # cycle walking: stays a bijection of [0, modulus)
            x[outside] = self._encrypt(x[outside], t[outside])
            outside = outside[x[outside] >= np.uint64(self.modulus)]
        return x.astype(np.int64)


def rank_within(groups: I64) -> I64:
    """For each element, how many earlier elements share its group (0, 1, 2, ...)."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    starts = np.ones(ordered.size, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    position = np.arange(ordered.size, dtype=np.int64)
    first = np.maximum.accumulate(np.where(starts, position, 0))
    ranks = np.empty_like(position)
    ranks[order] = position - first
    return ranks


class Counters:
    """Per-group counters that carry over from chunk to chunk."""

    def __init__(self, groups: int, capacity: int) -> None:
        self.next = np.zeros(groups, dtype=np.int64)
        self.capacity = capacity

    def take(self, groups: I64) -> I64:
        """The next free counter value for each element (distinct within a group)."""
        values = self.next[groups] + rank_within(groups)
        used, counts = np.unique(groups, return_counts=True)
        self.next[used] += counts
        if values.size and int(values.max()) >= self.capacity:
            raise OverflowError(f"more than {self.capacity} numbers in one group")
        return values
