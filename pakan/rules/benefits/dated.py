"""Benefit parameters for a column of event dates, read once per period of the law.

Every benefit parameter lives under `social_security.benefits` in the dated YAML tree. Their
start dates cut time into a handful of periods in which nothing changes; each row's event date
falls into one, and a parameter's column is its per-period values gathered by period. So a
million rows cost one lookup per parameter and period, then one numpy gather — never a
parameter lookup per row.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pakan.rules.legal_parameters import DatedValue, RulesError, history, list_parameters

PREFIX = "social_security.benefits."
RATE_SCALE = 1_000_000  # rates are held as integer parts per million
MISSING = -1


@functools.cache
def benefit_breakpoints() -> tuple[datetime.date, ...]:
    """Every start date of a benefit parameter, oldest first."""
    dates = {
        entry.start
        for parameter in list_parameters()
        if parameter.name.startswith(PREFIX)
        for entry in parameter.values
    }
    return tuple(sorted(dates))


def name_of(short_name: str) -> str:
    """`old_age.regime` -> `social_security.benefits.old_age.regime`."""
    return short_name if short_name.startswith(PREFIX) else PREFIX + short_name


def entry_or_none(name: str, when: datetime.date) -> DatedValue | None:
    """The entry valid on a date, None before the first one or when its value is null."""
    for entry in reversed(history(name).values):
        if entry.start <= when:
            return entry if entry.value is not None else None
    return None


def parts_per_million(name: str, value: float) -> int:
    scaled = round(value * RATE_SCALE)
    if abs(scaled - value * RATE_SCALE) > 1e-6 or scaled < 0:
        raise RulesError(
            f"{name} = {value} is not a non-negative share in whole millionths",
            f"{name} = {value} ບໍ່ຖືກຕ້ອງ",  # own wording
            field=name,
        )
    return int(scaled)


@dataclass(frozen=True)
class UsedParameter:
    """One parameter value a decision used, as the explanation shows it."""

    name: str
    value: Any
    start: str
    reference: str
    provisional: bool
    provisional_reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "start": self.start,
            "reference": self.reference,
            "provisional": self.provisional,
            "provisional_reason": self.provisional_reason,
        }


def used_parameter(short_name: str, when: datetime.date) -> UsedParameter | None:
    name = name_of(short_name)
    entry = entry_or_none(name, when)
    if entry is None:
        return None
    return UsedParameter(
        name=name,
        value=entry.value,
        start=entry.start.isoformat(),
        reference=entry.reference,
        provisional=entry.provisional,
        provisional_reason=entry.provisional_reason,
    )


class DatedRules:
    """Per-row parameter columns for a column of event dates."""

    def __init__(self, event_date: NDArray[np.datetime64]) -> None:
        breakpoints = benefit_breakpoints()
        self.period_dates = breakpoints
        self.period = (
            np.searchsorted(
                np.array(breakpoints, dtype="datetime64[D]"), event_date, side="right"
            ).astype(np.int64)
            - 1
        )
        # Rows before the first breakpoint read the extra last slot, which is always missing.
        self._slot = np.where(self.period < 0, len(breakpoints), self.period)
        self._flat: dict[tuple[int, int], tuple[NDArray[np.int64], NDArray[np.int64]]] = {}

    def values(self, short_name: str) -> list[Any]:
        """The parameter's value in each period (None where it has none)."""
        name = name_of(short_name)
        result = []
        for when in self.period_dates:
            entry = entry_or_none(name, when)
            result.append(None if entry is None else entry.value)
        return result

    def _gather(self, table: list[Any], dtype: Any, missing: Any) -> NDArray[Any]:
        column = np.array([*table, missing], dtype=dtype)
        return column[self._slot]

    def defined(self, short_name: str) -> NDArray[np.bool_]:
        """Whether the parameter has a value on each row's date."""
        table = [value is not None for value in self.values(short_name)]
        return self._gather(table, bool, False)

    def integers(self, short_name: str) -> NDArray[np.int64]:
        """Whole-number parameter (months, years, ages, days) per row; -1 where missing."""
        table = [MISSING if value is None else int(value) for value in self.values(short_name)]
        return self._gather(table, np.int64, MISSING)

    def ppm(self, short_name: str) -> NDArray[np.int64]:
        """A share (rate) per row in parts per million; -1 where missing."""
        name = name_of(short_name)
        table = [
            MISSING if value is None else parts_per_million(name, value)
            for value in self.values(short_name)
        ]
        return self._gather(table, np.int64, MISSING)

    def texts(self, short_name: str) -> NDArray[np.str_]:
        table = ["" if value is None else str(value) for value in self.values(short_name)]
        return self._gather(table, "<U16", "")

    def grouped(
        self, template: str, groups: tuple[str, ...], group_index: NDArray[np.int64],
        *, rate: bool = False,
    ) -> NDArray[np.int64]:
        """A whole-number (or, with rate=True, ppm) parameter whose name depends on a group
        (e.g. the pension scheme): `template` has a "{group}" field. -1 where missing."""
        names = tuple(template.format(group=group) for group in groups)
        return self.by_group(names, group_index, rate=rate)

    def by_group(
        self, names: tuple[str, ...], group_index: NDArray[np.int64], *, rate: bool = False
    ) -> NDArray[np.int64]:
        """Row i reads parameter names[group_index[i]] (-1: missing) at its date."""
        width = len(names) + 1
        table = np.full((len(self.period_dates) + 1, width), MISSING, dtype=np.int64)
        for column, short_name in enumerate(names):
            name = name_of(short_name)
            for period, value in enumerate(self.values(name)):
                if value is not None:
                    table[period, column] = (
                        parts_per_million(name, value) if rate else int(value)
                    )
        return table.ravel()[self._flat_index(group_index, width)]

    def _flat_index(self, group_index: NDArray[np.int64], width: int) -> NDArray[np.int64]:
        key = (id(group_index), width)
        cached = self._flat.get(key)
        if cached is None or cached[0] is not group_index:
            flat = self._slot * width + np.where(group_index < 0, width - 1, group_index)
            cached = (group_index, flat)
            self._flat[key] = cached
        return cached[1]

    def group_codes(
        self, template: str, groups: tuple[str, ...], group_index: NDArray[np.int64],
        codes: tuple[str, ...],
    ) -> NDArray[np.int64]:
        """Position in `codes` of a text parameter that depends on a group; -1 if missing."""
        width = len(groups) + 1
        table = np.full((len(self.period_dates) + 1, width), MISSING, dtype=np.int64)
        for column, group in enumerate(groups):
            for period, value in enumerate(self.values(template.format(group=group))):
                if value in codes:
                    table[period, column] = codes.index(value)
        return table.ravel()[self._flat_index(group_index, width)]

    def member_of(
        self, short_name: str, code_index: NDArray[np.int64], codes: tuple[str, ...]
    ) -> NDArray[np.bool_]:
        """Whether each row's code (its position in `codes`) is in the parameter's list."""
        table = np.zeros((len(self.period_dates) + 1, len(codes) + 1), dtype=bool)
        for period, listed in enumerate(self.values(short_name)):
            for position, code in enumerate(codes):
                table[period, position] = bool(listed) and code in listed
        return table.ravel()[self._flat_index(code_index, len(codes) + 1)]

    def list_lookup(self, short_name: str, index: NDArray[np.int64]) -> NDArray[np.int64]:
        """Element `index` (0-based) of a list of shares, per row, in ppm; -1 where missing."""
        name = name_of(short_name)
        result = np.full(index.shape, MISSING, dtype=np.int64)
        for period, listed in enumerate(self.values(short_name)):
            if not listed:
                continue
            table = np.array([parts_per_million(name, value) for value in listed] + [MISSING])
            rows = self.period == period
            position = np.where((index[rows] >= 0) & (index[rows] < len(listed)),
                                index[rows], len(listed))
            result[rows] = table[position]
        return result


def scale(
    amounts: NDArray[np.int64], numerator: NDArray[np.int64] | int,
    denominator: NDArray[np.int64] | int,
) -> NDArray[np.int64]:
    """amounts x numerator / denominator, rounded half up to the whole kip, exactly in int64.

    The amount is split into whole multiples of the denominator and a remainder, so no product
    overflows as long as numerator x denominator stays below 4.6e18 (every use here does).
    """
    numerator = np.asarray(numerator, dtype=np.int64)
    denominator = np.asarray(denominator, dtype=np.int64)
    whole, remainder = np.divmod(np.asarray(amounts, dtype=np.int64), denominator)
    return whole * numerator + (2 * remainder * numerator + denominator) // (2 * denominator)


def share(amounts: NDArray[np.int64], rate_ppm: NDArray[np.int64] | int) -> NDArray[np.int64]:
    """amounts x rate, half up to the kip (a rate of -1, missing, gives 0)."""
    return scale(amounts, np.maximum(rate_ppm, 0), RATE_SCALE)


def percent(rate_ppm: int) -> str:
    """A rate in ppm as "80%" or "1.5%"."""
    text = f"{rate_ppm / 10_000:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"
