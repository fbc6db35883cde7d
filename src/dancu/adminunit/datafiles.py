"""The packaged reference files (see data/SOURCES.md), read as rows of strings.

The migration loads the unit files into tables; the code lists are read into memory once.
"""

from __future__ import annotations

import csv
import gzip
import io
from importlib import resources

Row = dict[str, str]


def read_rows(name: str) -> list[Row]:
    """All rows of the packaged file ``name`` (``.csv`` or ``.csv.gz``)."""
    raw = resources.files("dancu.adminunit").joinpath("data", name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def provinces() -> list[Row]:
    return read_rows("provinces.csv")


def districts() -> list[Row]:
    return read_rows("districts.csv.gz")


def communes() -> list[Row]:
    return read_rows("communes.csv.gz")


def commune_conversions() -> list[Row]:
    return read_rows("commune_conversions.csv.gz")
