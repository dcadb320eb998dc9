"""Branch facts: columns of shape (n,) checked once, with defaults, errors in English and Lao.

A fact may be given as a column or as one value for every row. A missing optional fact takes
its documented default; a missing required fact, a value of the wrong kind or out of range,
or a fact the branch does not know (most likely a misspelt name, which would otherwise be
silently replaced by its default) raises `RulesError` naming the row and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pakan.rules.legal_parameters import RulesError

# Known facts per branch (see the contract in docs/benefit-rules.md).
BRANCH_FACTS: dict[str, frozenset[str]] = {
    "old_age": frozenset({
        "hazardous_work_years", "started_before_1975", "disability_category",
        "service_years_before_1975",
    }),
    "invalidity": frozenset({"incapacity_category"}),
    "survivors": frozenset({
        "relationship", "beneficiary_birth_date", "beneficiary_sex", "beneficiary_has_income",
        "beneficiary_remarried", "beneficiary_disabled", "parents_supported",
    }),
    "funeral": frozenset(),
    "sickness": frozenset({"work_related", "days", "days_already_paid"}),
    "maternity": frozenset({"children", "pregnancy_months", "claimant_is_spouse"}),
    "employment_injury": frozenset({
        "incapacity", "incapacity_category", "days", "days_already_paid",
    }),
    "unemployment": frozenset({"cause", "unemployed_days", "last_benefit_month"}),
}


def _required(field: str) -> RulesError:
    return RulesError(
        f"the fact {field} is required for this benefit",
        f"ຕ້ອງມີຂໍ້ມູນ {field} ສຳລັບເງິນອຸດໜູນນີ້",  # own wording
        field=field,
    )


class Facts:
    """The facts of one `assess` call, read and checked on demand."""

    def __init__(self, branch: str, facts: Mapping[str, Any] | None, size: int) -> None:
        self.size = size
        self._facts = dict(facts or {})
        unknown = sorted(set(self._facts) - BRANCH_FACTS[branch])
        if unknown:
            known = ", ".join(sorted(BRANCH_FACTS[branch])) or "none"
            raise RulesError(
                f"unknown fact {unknown[0]!r} for {branch} (known: {known})",
                f"ບໍ່ຮູ້ຈັກຂໍ້ມູນ {unknown[0]!r} ສຳລັບ {branch}",  # own wording
                field=unknown[0],
            )

    def given(self, field: str) -> bool:
        return field in self._facts and self._facts[field] is not None

    def _column(self, field: str) -> NDArray[Any]:
        column = np.asarray(self._facts[field])
        if column.ndim == 0:
            column = np.full(self.size, column[()], dtype=column.dtype)
        if column.shape != (self.size,):
            raise RulesError(
                f"the fact {field} has {column.size} values for {self.size} rows",
                f"ຂໍ້ມູນ {field} ມີ {column.size} ຄ່າ ສຳລັບ {self.size} ແຖວ",  # own wording
                field=field,
            )
        return column

    def integers(
        self, field: str, *, default: int | None, minimum: int, maximum: int
    ) -> NDArray[np.int64]:
        if not self.given(field):
            if default is None:
                raise _required(field)
            return np.full(self.size, default, dtype=np.int64)
        column = self._column(field)
        if column.dtype == bool or not np.issubdtype(column.dtype, np.integer):
            raise RulesError(
                f"the fact {field} must be whole numbers, not {column.dtype}",
                f"ຂໍ້ມູນ {field} ຕ້ອງເປັນຈຳນວນເຕັມ",  # own wording
                field=field,
            )
        column = column.astype(np.int64)
        wrong = np.flatnonzero((column < minimum) | (column > maximum))
        if wrong.size:
            row = int(wrong[0])
            raise RulesError(
                f"{field} = {int(column[row])} is outside {minimum}..{maximum}",
                f"{field} = {int(column[row])} ຢູ່ນອກ {minimum}..{maximum}",  # own wording
                row=row,
                field=field,
            )
        return column

    def booleans(self, field: str, *, default: bool) -> NDArray[np.bool_]:
        if not self.given(field):
            return np.full(self.size, default, dtype=bool)
        column = self._column(field)
        if column.dtype != bool:
            raise RulesError(
                f"the fact {field} must be true or false, not {column.dtype}",
                f"ຂໍ້ມູນ {field} ຕ້ອງເປັນ ແມ່ນ ຫຼື ບໍ່ແມ່ນ",  # own wording
                field=field,
            )
        return column

    def choices(
        self, field: str, allowed: tuple[str, ...], *, default: str | None = None
    ) -> NDArray[np.str_]:
        if not self.given(field):
            if default is None:
                raise _required(field)
            return np.full(self.size, default, dtype="<U20")
        column = self._column(field).astype(str)
        wrong = np.flatnonzero(~np.isin(column, np.array(allowed)))
        if wrong.size:
            row = int(wrong[0])
            raise RulesError(
                f"{field} {column[row]!r} is not one of {', '.join(allowed)}",
                f"{field} {column[row]!r} ບໍ່ແມ່ນໜຶ່ງໃນ {', '.join(allowed)}",  # own wording
                row=row,
                field=field,
            )
        return column

    def dates(self, field: str, *, unit: str, required: bool) -> NDArray[np.datetime64]:
        """A date column (unit "D" or "M"); NaT allowed only when not required."""
        if not self.given(field):
            if required:
                raise _required(field)
            return np.full(self.size, np.datetime64("NaT"), dtype=f"datetime64[{unit}]")
        column = self._column(field)
        try:
            column = column.astype(f"datetime64[{unit}]")
        except (TypeError, ValueError):
            raise RulesError(
                f"the fact {field} must be dates",
                f"ຂໍ້ມູນ {field} ຕ້ອງເປັນວັນທີ",  # own wording
                field=field,
            ) from None
        if required:
            missing = np.flatnonzero(np.isnat(column))
            if missing.size:
                row = int(missing[0])
                raise RulesError(
                    f"the fact {field} is missing",
                    f"ບໍ່ມີຂໍ້ມູນ {field}",  # own wording
                    row=row,
                    field=field,
                )
        return column
