"""One place that says what time it is, so tests and history agree (always timezone-aware UTC)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().date()
