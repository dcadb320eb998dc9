"""Economic assumptions: yearly paths of nominal wage growth, price inflation and the fund's
nominal investment return (shares: 0.05 = 5 %).

Year t's wage growth is the growth of the average wage from year t-1 to year t, so the wage
index is I(0) = 1 and I(t) = I(t-1) (1 + g(t)) (the base year's entry is not used). Inflation is
read the same way. The investment return of year t is earned during year t (see `engine`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial import checks
from pakan.actuarial.paths import YearPath, anchor_span, over_years

_LOWEST, _HIGHEST = -0.5, 1.0  # a year's rate outside -50 % .. +100 % is refused


@dataclass(frozen=True)
class EconomicAssumptions:
    wage_growth: YearPath
    inflation: YearPath
    investment_return: YearPath

    def __post_init__(self) -> None:
        self.expand(*anchor_span(self.wage_growth, self.inflation, self.investment_return))

    def expand(self, first_year: int, years: int) -> dict[str, NDArray[np.float64]]:
        """Each path `[year]`."""
        expanded = {}
        for name in ("wage_growth", "inflation", "investment_return"):
            field = f"economy.{name}"
            path = over_years(field, getattr(self, name), first_year, years)
            expanded[name] = checks.within(field, path, _LOWEST, _HIGHEST, axes=("year",),
                                           first_year=first_year)
        return expanded
