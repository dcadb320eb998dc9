"""Old-age pension: normal, early, deferred, or the lump sum when the years are too few.

One formula shape covers every regime; the regimes differ only in dated parameters
(`social_security.benefits.old_age.<scheme>.*`):

    service years = whole years of counted months + pre-1975 credit
    rate          = base + per_year_above x (years - base_years)   (years >= base_years)
                  = base - per_year_below x (base_years - years)   (reduced / early pension)
                    - early reduction per year before the normal age, + deferral increase,
                    kept within 0 .. maximum
    pension       = rate x reference wage, half up to the kip, within the kip minimum/maximum
    lump sum      = wage_share x months_per_year x reference wage x months / 12

Decree 207/PM (1999) is base 0, 1.5% per year from the first (a point per year), the last 12
months' average; the 2013 law and the 2025 decree have their own values. Which scheme's
values a member gets depends on their category (`scheme_of_category`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pakan.rules.benefits.assessment import Assessment, Columns
from pakan.rules.benefits.common import CATEGORIES, Context
from pakan.rules.benefits.dated import RATE_SCALE, scale, share
from pakan.rules.benefits.old_age_explanation import EARLY_PATHS, SCHEMES, OldAgeStory

P = "old_age.{group}."


@dataclass
class SchemeColumns:
    """Reads `old_age.<scheme>.*` for each row's scheme (and sex)."""

    context: Context
    scheme_index: NDArray[np.int64]

    def __post_init__(self) -> None:
        women = (self.context.history.sex == "F").astype(np.int64)
        self.scheme_and_sex = np.where(self.scheme_index < 0, -1, self.scheme_index * 2 + women)

    def whole(self, name: str) -> NDArray[np.int64]:
        return self.context.rules.grouped(P + name, SCHEMES, self.scheme_index)

    def rate(self, name: str) -> NDArray[np.int64]:
        return self.context.rules.grouped(P + name, SCHEMES, self.scheme_index, rate=True)

    def by_sex(self, name: str) -> NDArray[np.int64]:
        names = tuple(f"old_age.{scheme}.{name}.{sex}" for scheme in SCHEMES
                      for sex in ("male", "female"))
        return self.context.rules.by_group(names, self.scheme_and_sex)


def _scheme_index(context: Context) -> NDArray[np.int64]:
    return context.rules.group_codes(
        "scheme_of_category.{group}", CATEGORIES, context.category_index, SCHEMES
    )


def assess_old_age(context: Context, rules_version: str) -> Assessment:
    facts = context.facts
    hazardous_years = facts.integers("hazardous_work_years", default=0, minimum=0, maximum=80)
    before_1975 = facts.booleans("started_before_1975", default=False)
    disability = facts.integers("disability_category", default=0, minimum=0, maximum=6)
    years_before_1975 = facts.integers(
        "service_years_before_1975", default=0, minimum=0, maximum=80
    )
    regime = context.regime("old_age.regime")
    scheme_index = _scheme_index(context)
    scheme = SchemeColumns(context, scheme_index)
    age, months = context.age, context.months_before

    credit_ratio = scheme.whole("pre_1975_service_years_per_credited_year")
    credited = np.where(credit_ratio > 0, years_before_1975 // np.maximum(credit_ratio, 1), 0)
    years = months // 12 + credited
    normal_age = scheme.by_sex("normal_age")
    latest_age = scheme.by_sex("latest_normal_age")
    reduced_minimum = scheme.whole("reduced_pension.minimum_years")

    conditions = {
        "without_condition": np.ones(context.size, dtype=bool),
        "hazardous_work": (scheme.whole("early.hazardous_work_years") >= 0)
        & (hazardous_years >= scheme.whole("early.hazardous_work_years")),
        "disability": (disability >= 1)
        & (disability <= scheme.whole("early.disability_maximum_category")),
        "pre_1975": before_1975,
    }
    early_path = np.full(context.size, -1, dtype=np.int64)
    early_short = np.zeros(context.size, dtype=bool)
    for position, path in reversed(list(enumerate(EARLY_PATHS))):
        path_age = scheme.by_sex(f"early.{path}.age")
        old_enough = (path_age >= 0) & conditions[path] & (age >= path_age)
        enough_years = years >= scheme.whole(f"early.{path}.minimum_years")
        early_path[old_enough & enough_years] = position
        early_short |= old_enough & ~enough_years

    at_normal_age = age >= normal_age
    pension = at_normal_age & (years >= reduced_minimum)
    lump_sum = at_normal_age & ~pension
    early = ~at_normal_age & (early_path >= 0)
    deferred = pension & (age > latest_age)

    columns = Columns(context.size)
    columns.months_counted[:] = months
    columns.refuse((regime == "") | (scheme_index < 0) | (normal_age < 0), "no_rules_for_date")
    columns.refuse(months == 0, "not_insured")
    columns.refuse(~at_normal_age & ~early & early_short, "not_enough_contributions")
    columns.refuse(~at_normal_age & ~early, "below_age")

    # The pension rate, in parts per million.
    base_years = scheme.whole("rate.base_years")
    missing_or_extra = years - base_years
    rate = scheme.rate("rate.base") + np.where(
        missing_or_extra >= 0,
        scheme.rate("rate.per_year_above") * missing_or_extra,
        scheme.rate("rate.per_year_below") * missing_or_extra,
    )
    years_early = np.where(early, np.maximum(normal_age - age, 0), 0)
    rate -= scheme.rate("early.reduction_per_year") * years_early
    years_deferred = np.where(
        deferred,
        np.maximum(np.minimum(age, scheme.whole("deferral.maximum_age")) - latest_age, 0),
        0,
    )
    rate += scheme.rate("deferral.increase_per_year") * years_deferred
    uncapped_rate = rate
    rate = np.clip(rate, 0, np.maximum(scheme.rate("rate.maximum"), 0))

    reference_months = scheme.whole("reference_wage_months")
    reference_wage, reference_low = context.windows.average_wage(np.maximum(reference_months, 1))
    amount = share(reference_wage, rate)
    amount = np.maximum(amount, np.maximum(scheme.whole("minimum_amount"), 0))
    maximum_amount = scheme.whole("maximum_amount")
    amount = np.where(maximum_amount > 0, np.minimum(amount, maximum_amount), amount)

    lump_months = scheme.whole("lump_sum.reference_wage_months")
    lump_wage, lump_low = context.windows.average_wage(np.maximum(lump_months, 1))
    numerator = np.maximum(scheme.rate("lump_sum.wage_share"), 0) * np.maximum(
        scheme.rate("lump_sum.months_per_year"), 0
    )
    denominator = np.full(context.size, 12 * RATE_SCALE * RATE_SCALE, dtype=np.int64)
    common = np.gcd(numerator, denominator)
    common[common == 0] = 1
    lump_amount = scale(lump_wage * months, numerator // common, denominator // common)

    periodic = pension | early
    columns.variant[pension] = "normal"
    columns.variant[deferred] = "deferred"
    columns.variant[early] = "early"
    columns.variant[lump_sum] = "lump_sum"
    columns.kind[periodic] = "periodic"
    columns.kind[lump_sum] = "lump_sum"
    columns.monthly_amount[periodic] = amount[periodic]
    columns.lump_sum[lump_sum] = lump_amount[lump_sum]
    columns.reference_wage[:] = np.where(lump_sum, lump_wage, reference_wage)

    values = {
        "regime": regime, "scheme_index": scheme_index, "years": years, "credited": credited,
        "normal_age": normal_age, "latest_age": latest_age, "reduced_minimum": reduced_minimum,
        "minimum_years": scheme.whole("minimum_years"), "early_path": early_path,
        "base": scheme.rate("rate.base"), "base_years": base_years,
        "above": scheme.rate("rate.per_year_above"), "below": scheme.rate("rate.per_year_below"),
        "maximum": scheme.rate("rate.maximum"), "rate": rate, "uncapped_rate": uncapped_rate,
        "years_early": years_early, "years_deferred": years_deferred,
        "reference_months": reference_months, "reference_low": reference_low,
        "lump_months": lump_months, "lump_low": lump_low, "amount": amount,
        "lump_share": scheme.rate("lump_sum.wage_share"),
        "lump_per_year": scheme.rate("lump_sum.months_per_year"),
        "early_ages": {path: scheme.by_sex(f"early.{path}.age") for path in EARLY_PATHS},
        "early_years": {path: scheme.whole(f"early.{path}.minimum_years")
                        for path in EARLY_PATHS},
    }
    story = OldAgeStory(context, columns, values)
    return columns.freeze("old_age", regime, context.event_date, story, context.history,
                          rules_version)
