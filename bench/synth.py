"""`dancu synth` benchmark: residents/s written to Parquet (and CSV), against a ceiling measured
in the same run — polars streaming an equally large file of random strings (same rows, same 30
columns, same mean string length per column) through the same Parquet sink.

    .venv/bin/python bench/synth.py [--people 1000000 10000000] [--format parquet] [--seed 1]

Peak memory is the process's maximum resident set size so far (so run the larger size last).
Never asserted anywhere; results go into docs/performance.md by hand with the command used.
"""

from __future__ import annotations

import argparse
import resource
import string
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from polars.io.plugins import register_io_source

from dancu.synth import generate, write
from dancu.synth.people import SCHEMA

AS_OF = date(2026, 6, 1)
CHUNK = 175_000  # about one generator block


def _random_chunk(lengths: dict[str, int], rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    alphabet = np.frombuffer((string.ascii_letters + string.digits).encode(), dtype=np.uint8)
    columns = {}
    for name, length in lengths.items():
        raw = alphabet[rng.integers(0, alphabet.size, rows * max(1, length))]
        text = raw.view(f"S{max(1, length)}").astype(str)
        columns[name] = pl.Series(name, text, dtype=pl.String)
    return pl.DataFrame(columns)


def ceiling(people: int, lengths: dict[str, int], path: Path) -> float:
    """Seconds polars takes to stream ``people`` rows of random strings into a Parquet file."""
    chunk = _random_chunk(lengths, min(CHUNK, max(1, people)))

    def source(*_: object) -> Iterator[pl.DataFrame]:
        left = people
        while left > 0:
            yield chunk.head(left)
            left -= min(left, chunk.height)

    started = time.perf_counter()
    register_io_source(source, schema=SCHEMA).sink_parquet(path)
    return time.perf_counter() - started


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sample = generate(20_000, args.seed, as_of=AS_OF)
    lengths = {c: round(float(sample[c].str.len_chars().mean() or 1)) for c in sample.columns}
    with tempfile.TemporaryDirectory() as tmp:
        for people in args.people:
            started = time.perf_counter()
            path = write(people, args.seed, Path(tmp) / "synth", args.format, as_of=AS_OF)
            took = time.perf_counter() - started
            size_mib = path.stat().st_size / 2**20
            peak = _peak_mib()
            base = ceiling(people, lengths, Path(tmp) / "ceiling.parquet")
            print(
                f"synth {people:>11,} residents -> {args.format}: {took:7.1f} s "
                f"({people / took:>9,.0f} rows/s, {size_mib:,.0f} MiB, peak RSS {peak:,.0f} MiB); "
                f"ceiling (random strings -> parquet) {base:5.1f} s; ratio {took / base:4.1f}x"
            )


if __name__ == "__main__":
    main()
