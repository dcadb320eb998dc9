"""How a benefit amount moves over the years: indexed to prices, a share of a reference, or held
in US dollars. Each rule gives the amount of one payment in each year, rounded to whole kip."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pakan.actuarial import checks
from pakan.actuarial.costing.inputs import MacroPaths, YearlyPath
from pakan.actuarial.costing.validation import (
    check_non_negative,
    check_year,
    refuse,
)


class AmountRule(Protocol):
    def validate(self, years: np.ndarray, macro: MacroPaths, field: str) -> None:
        """Refuse the rule (ActuarialInputError) if it cannot give an amount for `years`."""

    def amounts_kip(self, years: np.ndarray, macro: MacroPaths) -> np.ndarray:
        """The amount of one payment in each of `years`, int64 kip (call after `validate`)."""


def _whole_kip(amounts: np.ndarray) -> np.ndarray:
    return np.rint(amounts).astype(np.int64)


@dataclass(frozen=True)
class IndexedToPrices:
    """`base_amount_kip` in `base_year`, moved with consumer prices:
    amount[t] = base_amount_kip x price_index[t] / price_index[base_year]."""

    base_amount_kip: float
    base_year: int

    def validate(self, years: np.ndarray, macro: MacroPaths, field: str) -> None:
        check_non_negative(self.base_amount_kip, f"{field}.base_amount_kip")
        base_year = check_year(self.base_year, f"{field}.base_year")
        first, last = int(macro.years[0]), int(macro.years[-1])
        if not first <= base_year <= last:
            refuse(
                f"{field}.base_year",
                f"must be a year of the macro paths ({first}-{last}), got {base_year}",
                f"ຕ້ອງເປັນປີທີ່ມີໃນເສັ້ນທາງເສດຖະກິດມະຫາພາກ ({first}-{last}), ແຕ່ໄດ້ຮັບ {base_year}",
            )  # own wording

    def amounts_kip(self, years: np.ndarray, macro: MacroPaths) -> np.ndarray:
        base_index = macro.price_index[self.base_year - macro.years[0]]
        price_ratio = macro.price_index[macro.rows(years)] / base_index
        return _whole_kip(float(self.base_amount_kip) * price_ratio)


@dataclass(frozen=True, eq=False)
class ShareOfReference:
    """A fixed share of a reference amount entered year by year, such as a poverty line or GDP
    per head (per payment, kip): amount[t] = share x reference_kip[t]."""

    share: float
    reference_kip: YearlyPath
    reference_name: str = "reference"

    def validate(self, years: np.ndarray, macro: MacroPaths, field: str) -> None:
        check_non_negative(self.share, f"{field}.share")
        if not isinstance(self.reference_kip, YearlyPath):
            refuse(
                f"{field}.reference_kip",
                "must be a YearlyPath of kip amounts",
                "ຕ້ອງເປັນ YearlyPath ຂອງຈຳນວນເງິນກີບ",
            )  # own wording
        reference = self.reference_kip.on(years, f"{field}.reference_kip")
        checks.non_negative(
            f"{field}.reference_kip", reference, axes=("year",), first_year=years[0]
        )

    def amounts_kip(self, years: np.ndarray, macro: MacroPaths) -> np.ndarray:
        reference = self.reference_kip.on(years, "reference_kip")
        return _whole_kip(float(self.share) * reference)


@dataclass(frozen=True)
class ConstantInUsd:
    """An amount fixed in US dollars (as donor-funded transfers often are), paid in kip at each
    year's exchange rate: amount[t] = amount_usd x kip_per_usd[t]."""

    amount_usd: float

    def validate(self, years: np.ndarray, macro: MacroPaths, field: str) -> None:
        check_non_negative(self.amount_usd, f"{field}.amount_usd")
        if macro.kip_per_usd is None:
            refuse(
                f"{field}.amount_usd",
                "an amount in US dollars needs the exchange rate (macro.kip_per_usd)",
                "ຈຳນວນເງິນເປັນໂດລາສະຫະລັດ ຕ້ອງມີອັດຕາແລກປ່ຽນ (macro.kip_per_usd)",
            )  # own wording

    def amounts_kip(self, years: np.ndarray, macro: MacroPaths) -> np.ndarray:
        assert macro.kip_per_usd is not None  # guaranteed by validate()
        return _whole_kip(float(self.amount_usd) * macro.kip_per_usd[macro.rows(years)])


AMOUNT_RULES = (IndexedToPrices, ShareOfReference, ConstantInUsd)


def validate_amount_rule(rule: object, years: np.ndarray, macro: MacroPaths, field: str) -> None:
    if not isinstance(rule, AMOUNT_RULES):
        refuse(
            field,
            "must be IndexedToPrices, ShareOfReference or ConstantInUsd",
            "ຕ້ອງເປັນ IndexedToPrices, ShareOfReference ຫຼື ConstantInUsd",
        )  # own wording
    rule.validate(years, macro, field)
