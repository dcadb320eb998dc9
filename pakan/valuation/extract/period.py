"""The dates an extract is measured on, derived from the valuation date in one place.

- A contribution month counts when it has ended by the valuation date: months before the
  month of the day after it (31 December counts December; 1 January does not count January).
  `cutoff` is the first day of that month; the *valuation month* is the month before it.
- "The last 12 months" are the 12 counted months before `cutoff`.
- "The last year" is (valuation date - 1 year, valuation date]; 29 February minus a year is
  28 February.
- The base year of a projection started from the extract (stocks on 1 January) is the year of
  the day after the valuation date: 31 December 2025 gives 1 January 2026; a date within a year
  is taken as that year's 1 January (an approximation of up to a year, documented).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WINDOW_MONTHS = 12


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `month`'s (before it when negative)."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def one_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class ValuationPeriod:
    valuation_date: datetime.date

    @property
    def cutoff(self) -> datetime.date:
        """First day of the first month that does not count yet."""
        return first_of_month(self.valuation_date + datetime.timedelta(days=1))

    @property
    def valuation_month(self) -> datetime.date:
        return add_months(self.cutoff, -1)

    @property
    def window_start(self) -> datetime.date:
        """First day of the first of the last 12 counted months."""
        return add_months(self.cutoff, -WINDOW_MONTHS)

    @property
    def year_before(self) -> datetime.date:
        return one_year_before(self.valuation_date)

    @property
    def base_year(self) -> int:
        return (self.valuation_date + datetime.timedelta(days=1)).year

    @property
    def cutoff_month_index(self) -> int:
        """Months since year 0 of `cutoff` (year * 12 + month - 1)."""
        return self.cutoff.year * 12 + self.cutoff.month - 1
