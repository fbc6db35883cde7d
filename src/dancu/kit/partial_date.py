"""Partial dates: legacy records may know only the year, or the year and month, of a birth or death.

Stored as three columns (year, month, day) with month/day nullable; written and read as ISO-8601
reduced precision text: ``1957``, ``1957-03`` or ``1957-03-21``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class PartialDateError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2399:
            raise PartialDateError(f"year {self.year} is outside 1800-2399")
        if self.month is None and self.day is not None:
            raise PartialDateError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise PartialDateError(f"month {self.month} is not between 1 and 12")
        if self.day is not None:
            assert self.month is not None
            try:
                date(self.year, self.month, self.day)
            except ValueError:
                raise PartialDateError(
                    f"{self.year:04d}-{self.month:02d} has no day {self.day}"
                ) from None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        match = _PATTERN.match(text.strip())
        if not match:
            raise PartialDateError(
                f"{text!r} is not a date: write YYYY-MM-DD (YYYY-MM or YYYY if only part is known)"
            )
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @property
    def is_complete(self) -> bool:
        return self.day is not None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        if self.day is not None:
            return self.earliest()
        if self.month is None:
            return date(self.year, 12, 31)
        next_month = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)

    def to_date(self) -> date | None:
        return self.earliest() if self.is_complete else None

    def matches(self, other: PartialDate) -> bool:
        """True when the two could be the same day (each known part agrees)."""
        return self.earliest() <= other.latest() and other.earliest() <= self.latest()

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text
