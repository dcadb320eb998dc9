"""The result of `assess`: per-row columns, and each row's reasoning on demand.

Columns are computed for every row at once; the words of a row's explanation are built only
when `explanation(row)` or `refusal_text(row)` is called (a page or a stored claim needs one
row, a million-row estimate needs none).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pakan.rules.benefits.dated import used_parameter
from pakan.rules.benefits.history import ContributionHistory, compact_ranges
from pakan.rules.benefits.texts import REFUSALS, REGIMES, date_text

Step = tuple[str, str]


@dataclass
class RowStory:
    """What one row's explanation says, besides the columns."""

    regime: str
    counted: tuple[int, int]  # record positions [low, high) of the months the condition counted
    reference: tuple[int, int]  # record positions of the months that made the reference wage
    reference_method: Step
    parameters: list[str]
    steps: list[Step]
    refusal_detail: Step | None = None


@dataclass(frozen=True)
class Assessment:
    branch: str
    qualifies: np.ndarray  # bool (n,)
    refusal: np.ndarray  # '<U32', "" when it qualifies
    variant: np.ndarray  # '<U20'
    kind: np.ndarray  # '<U8' "periodic" / "lump_sum" / ""
    monthly_amount: np.ndarray  # int64 kip per month (0 for a lump sum)
    lump_sum: np.ndarray  # int64 kip (0 for periodic)
    end_date: np.ndarray  # datetime64[D], NaT when open-ended
    reference_wage: np.ndarray  # int64
    months_counted: np.ndarray  # int32
    regime: np.ndarray  # '<U16' which law applied (an addition to the contract)
    event_date: np.ndarray  # datetime64[D] (an addition to the contract)
    rules_version: str = ""
    _story: Callable[[int], RowStory] | None = field(default=None, repr=False, compare=False)
    _history: ContributionHistory | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return int(self.qualifies.shape[0])

    def _check_row(self, row: int) -> int:
        if not 0 <= int(row) < len(self):
            raise IndexError(f"row {row} is outside 0..{len(self) - 1}")
        return int(row)

    def refusal_text(self, row: int) -> tuple[str, str]:
        """Why the row is refused, in English and Lao ("", "" when it qualifies)."""
        row = self._check_row(row)
        code = str(self.refusal[row])
        if not code:
            return ("", "")
        english, lao = REFUSALS[code]
        story = self._story(row) if self._story else None
        if story and story.refusal_detail:
            english = f"{english} {story.refusal_detail[0]}"
            lao = f"{lao} {story.refusal_detail[1]}"
        return english, lao

    def explanation(self, row: int) -> dict[str, Any]:
        """The row's decision and reasoning as a JSON-ready dict (see docs/benefit-rules.md)."""
        row = self._check_row(row)
        story = self._story(row)
        history = self._history
        when = self.event_date[row].astype("datetime64[D]").item()
        low, high = story.counted
        months = history.record_month[low:high]
        reference_low, reference_high = story.reference
        reference_months = [
            {"month": str(month), "wage": int(wage)}
            for month, wage in zip(
                history.record_month[reference_low:reference_high],
                history.record_wage[reference_low:reference_high],
                strict=True,
            )
        ]
        code = str(self.refusal[row])
        refusal = None
        if code:
            english, lao = self.refusal_text(row)
            refusal = {"code": code, "en": english, "lo": lao}
        regime_en, regime_lo = REGIMES.get(story.regime, (story.regime, story.regime))
        return {
            "branch": self.branch,
            "rules_version": self.rules_version,
            "event_date": date_text(self.event_date[row]),
            "regime": {"code": story.regime, "en": regime_en, "lo": regime_lo},
            "qualifies": bool(self.qualifies[row]),
            "refusal": refusal,
            "variant": str(self.variant[row]),
            "kind": str(self.kind[row]),
            "monthly_amount": int(self.monthly_amount[row]),
            "lump_sum": int(self.lump_sum[row]),
            "end_date": date_text(self.end_date[row]) or None,
            "months_counted": int(self.months_counted[row]),
            "months": compact_ranges(months),
            "reference_wage": {
                "amount": int(self.reference_wage[row]),
                "method_en": story.reference_method[0],
                "method_lo": story.reference_method[1],
                "months": reference_months,
            },
            "parameters": _parameters(story.parameters, when),
            "steps": [{"en": english, "lo": lao} for english, lao in story.steps],
        }


def _parameters(names: list[str], when: datetime.date) -> list[dict[str, Any]]:
    used = []
    seen = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        parameter = used_parameter(name, when)
        if parameter is not None:
            used.append(parameter.as_dict())
    return used


class Columns:
    """The result columns of a branch, filled in place, then frozen into an Assessment."""

    def __init__(self, size: int) -> None:
        self.qualifies = np.zeros(size, dtype=bool)
        self.refusal = np.full(size, "", dtype="<U32")
        self.variant = np.full(size, "", dtype="<U20")
        self.kind = np.full(size, "", dtype="<U8")
        self.refused = np.zeros(size, dtype=bool)
        self.monthly_amount = np.zeros(size, dtype=np.int64)
        self.lump_sum = np.zeros(size, dtype=np.int64)
        self.end_date = np.full(size, np.datetime64("NaT"), dtype="datetime64[D]")
        self.reference_wage = np.zeros(size, dtype=np.int64)
        self.months_counted = np.zeros(size, dtype=np.int32)

    def refuse(self, rows: np.ndarray, code: str) -> None:
        """Refuse rows not refused yet (the first reason found is the one given)."""
        rows = rows & ~self.refused
        self.refusal[rows] = code
        self.refused |= rows

    def freeze(
        self, branch: str, regime: np.ndarray, event_date: np.ndarray,
        story: Callable[[int], RowStory], history: ContributionHistory, rules_version: str,
    ) -> Assessment:
        qualifies = ~self.refused
        self.variant[~qualifies] = ""
        self.kind[~qualifies] = ""
        self.monthly_amount[~qualifies] = 0
        self.lump_sum[~qualifies] = 0
        self.end_date[~qualifies] = np.datetime64("NaT")
        return Assessment(
            branch=branch,
            qualifies=qualifies,
            refusal=self.refusal,
            variant=self.variant,
            kind=self.kind,
            monthly_amount=self.monthly_amount,
            lump_sum=self.lump_sum,
            end_date=self.end_date,
            reference_wage=self.reference_wage,
            months_counted=self.months_counted,
            regime=regime,
            event_date=event_date,
            rules_version=rules_version,
            _story=story,
            _history=history,
        )
