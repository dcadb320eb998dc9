"""Calendar months, as the rules and every monthly batch count them."""

from __future__ import annotations

import calendar
import datetime


def month_end(day: datetime.date) -> datetime.date:
    """The last day of the month `day` falls in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
