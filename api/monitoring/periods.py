"""Periods of the statistics: a calendar month, a school year (1 August - 31 July) or all time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

SCHOOL_YEAR_FIRST_MONTH = 8  # Lower Saxony's school year starts on 1 August

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


class PeriodKind(StrEnum):
    MONTH = "month"
    SCHOOL_YEAR = "school_year"
    ALL = "all"


class PeriodError(ValueError):
    """A period that is neither YYYY-MM, YYYY/YY (a school year) nor `all`."""


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    label: str
    start: date  # first day
    end: date  # first day after the period

    def contains(self, month: date) -> bool:
        return self.start <= month < self.end


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """The first days of the months from `start`'s month up to and including `end`'s month."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


def school_year_of(day: date) -> str:
    """'2026/27' for any day from 1 August 2026 to 31 July 2027."""
    first = day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def month_period(month: date) -> Period:
    start = month_start(month)
    return Period(PeriodKind.MONTH, start.strftime("%Y-%m"), start, add_months(start, 1))


def school_year_period(first_year: int) -> Period:
    start = date(first_year, SCHOOL_YEAR_FIRST_MONTH, 1)
    return Period(PeriodKind.SCHOOL_YEAR, school_year_of(start), start, add_months(start, 12))


ALL_TIME = Period(PeriodKind.ALL, "all", date(2000, 1, 1), date(2100, 1, 1))


def parse_period(text: str) -> Period:
    """'2026-11' (a month), '2026/27' (a school year) or 'all'."""
    value = text.strip()
    if value == "all":
        return ALL_TIME
    if found := _MONTH.match(value):
        year, month = int(found.group(1)), int(found.group(2))
        if 1 <= month <= 12:
            return month_period(date(year, month, 1))
    if found := _SCHOOL_YEAR.match(value):
        first = int(found.group(1))
        if (first + 1) % 100 == int(found.group(2)):
            return school_year_period(first)
    raise PeriodError(f"unknown period {text!r}: use YYYY-MM, a school year such as 2026/27, or all")


def parse_month(text: str) -> date:
    period = parse_period(text)
    if period.kind is not PeriodKind.MONTH:
        raise PeriodError(f"unknown month {text!r}: use YYYY-MM")
    return period.start
