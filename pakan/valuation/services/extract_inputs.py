"""A valuation from a data extract: the extract's model inputs put in the base assumptions.

The extract itself is `pakan.valuation.extract` (another part of issue 5): its
`assumptions_from_extract` swaps in the registry's population, the fund's insured and its
pensions in payment, and moves the base year to the extract's (the year after the valuation
date). The Lao base gives its economic paths year by year from 2024; they are moved here to
start in the extract's base year, so that, say, 2026 keeps the inflation assumed for 2026.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from pakan.actuarial.economy import EconomicAssumptions
from pakan.actuarial.model import Assumptions
from pakan.valuation.models import ValuationExtract

YEARLY_PATHS = ("wage_growth", "inflation", "investment_return")


def _from_year(path, shift: int):
    """A path given as one value a year, moved `shift` years on (the first value repeated
    when the new base year comes before the old)."""
    if not isinstance(path, np.ndarray) or path.ndim != 1:
        return path
    if shift >= 0:
        return path[shift:].copy()
    return np.concatenate([np.full(-shift, path[0]), path])


def economy_from_year(base: Assumptions, year: int) -> Assumptions:
    shift = year - base.first_year
    if shift == 0:
        return base
    economy: EconomicAssumptions = base.economy
    moved = dataclasses.replace(economy, **{name: _from_year(getattr(economy, name), shift)
                                            for name in YEARLY_PATHS})
    return dataclasses.replace(base, economy=moved)


def with_extract(base: Assumptions, extract: ValuationExtract) -> Assumptions:
    """`base` started from the extract (its file checked against its hash first)."""
    from pakan.valuation.extract import assumptions_from_extract, load_arrays

    arrays = load_arrays(extract)
    return assumptions_from_extract(arrays, economy_from_year(base, arrays.base_year))


def start_extract(actor, valuation_date: object):
    """Start an extract as a background job (the extract part checks who may and the date,
    typed or not, and answers in English and Lao)."""
    from pakan.valuation.extract import start_extract_job

    return start_extract_job(actor, valuation_date)
