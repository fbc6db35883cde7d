from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dancu.synth import generate

AS_OF = date(2026, 6, 1)
PEOPLE = 20_000


def age(born: pl.Expr, on: pl.Expr | date) -> pl.Expr:
    """Whole years between two dates, as a clerk counts them."""
    on = pl.lit(on) if isinstance(on, date) else on
    on_day = on.dt.month().cast(pl.Int32) * 100 + on.dt.day()
    birthday = born.dt.month().cast(pl.Int32) * 100 + born.dt.day()
    return on.dt.year() - born.dt.year() - (on_day < birthday).cast(pl.Int32)


@pytest.fixture(scope="session")
def nation() -> pl.DataFrame:
    """20,000 synthetic residents, generated once for the read-only tests."""
    return generate(PEOPLE, seed=7, as_of=AS_OF)
