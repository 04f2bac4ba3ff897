"""Dates as clerks write them: full ISO dates, partial due dates, and dates in words."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

ASSEMBLY_STYLE = "{day} {month} {year}"
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date that may name only a year or a month, as deadlines in reports do.

    `2023-12` means "by December 2023" and falls due on 31 December 2023; `2023` means "by the end of 2023".
    """

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Read `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, an int year or a date; raise ValueError when impossible."""
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:04d}"
        if not isinstance(value, str):
            raise ValueError(f"expected a date such as 2023-12-31, 2023-12 or 2023, got {value!r}")
        match = _PARTIAL.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY{did_you_mean(value)}")
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{value!r} has no month {month}")
        if day is not None:
            assert month is not None
            try:
                dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"{value!r} is not a real date") from None
        return cls(year, month, day)

    def last_day(self) -> dt.date:
        """The day on which this deadline falls due."""
        if self.day is not None and self.month is not None:
            return dt.date(self.year, self.month, self.day)
        if self.month is not None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)

    def first_day(self) -> dt.date:
        """The first day of the period the date names."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def in_words(self, style: str = ASSEMBLY_STYLE) -> str:
        """The deadline as a report would print it: "By December 2023", "By the end of 2023"."""
        if self.day is not None:
            return "By " + format_date(self.last_day(), style)
        if self.month is not None:
            return f"By {calendar.month_name[self.month]} {self.year}"
        return f"By the end of {self.year}"

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


_FULL_DATES: dict[str, dt.date] = {}  # text already read as a date (records repeat their dates a great deal)


def parse_date(value: object) -> dt.date:
    """A full date from `YYYY-MM-DD` text or a date; raise ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        known = _FULL_DATES.get(value)
        if known is not None:
            return known
        if (len(value) == 10 and value.isascii() and value[4] == "-" and value[7] == "-" and value[:4].isdigit()
                and value[5:7].isdigit() and value[8:].isdigit()):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                pass  # impossible (2023-02-30): said as below
            else:
                if len(_FULL_DATES) < 100_000:
                    _FULL_DATES[value] = day
                return day
        match = _PARTIAL.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a date: write a full date, YYYY-MM-DD{did_you_mean(value, full=True)}")
        partial = PartialDate.parse(value)
        if partial.day is not None:
            return partial.last_day()
        named = f"the month {partial}" if partial.month is not None else f"the year {partial}"
        raise ValueError(f"{value!r} names {named}, not a day: write a full date, YYYY-MM-DD "
                         f"(e.g. {partial.last_day().isoformat()})")
    raise ValueError(f"{value!r} is not a full date: write YYYY-MM-DD")


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTH_FIRST_WORDS = {name.casefold(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_FIRST_WORDS.update({name.casefold(): number for number, name in enumerate(calendar.month_abbr) if name})
_IN_WORDS = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([A-Za-z]+)\.?,?\s+(\d{4})$")


def day_first(text: str) -> dt.date | None:
    """A date as UK spreadsheets write it, day first (24/05/2023, 24.05.2023, 24-05-2023), or None."""
    match = _DAY_FIRST.match(text.strip())
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def guess(text: str) -> str:
    """The ISO form of a date written another common way (24/05/2023, 24 May 2023, May 2023), or ""."""
    found = day_first(text)
    if found is not None:
        return found.isoformat()
    match = _IN_WORDS.match(" ".join(text.split()))
    if match and match.group(2).casefold() in _MONTH_FIRST_WORDS:
        month, year = _MONTH_FIRST_WORDS[match.group(2).casefold()], int(match.group(3))
        if not match.group(1):
            return f"{year:04d}-{month:02d}"
        try:
            return dt.date(year, month, int(match.group(1))).isoformat()
        except ValueError:
            return ""
    return ""


def did_you_mean(text: str, full: bool = False) -> str:
    """"; did you mean 2023-05-24?" for a date written another common way (only a whole day when full), else ""."""
    found = guess(text)
    return f"; did you mean {found}?" if found and (len(found) == 10 or not full) else ""


def format_date(value: dt.date, style: str = ASSEMBLY_STYLE) -> str:
    """Render a date in the configured style; the default is the Assembly's "22 March 2023"."""
    if style == "iso":
        return value.isoformat()
    return style.format(
        day=value.day,
        day2=f"{value.day:02d}",
        month=calendar.month_name[value.month],
        mon=calendar.month_abbr[value.month],
        month2=f"{value.month:02d}",
        year=value.year,
        weekday=calendar.day_name[value.weekday()],
    )
