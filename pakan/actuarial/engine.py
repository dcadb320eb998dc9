"""The projection itself: one loop over years that moves the population, the insured, the
pensions in payment and the fund's money together, for every run at once.

Every array has a leading runs axis (1 for a deterministic valuation, N for stochastic runs),
so N runs cost one loop over years, not N projections. Timing: stocks are counted on 1 January,
flows happen during the year, and a flow's "exposure" is the average of the stocks at the two
ends of the year (the trapezoid rule).

Insured members (per scheme g, sex s, age x on 1 January, credited years k; `active` contribute,
`inactive` keep their credits), year t to t+1:

  1. credits: an active member earns a credited year with probability delta (the category mix's
     contribution density), so a share delta of each cell moves from k to k+1;
  2. survival and ageing with the population's S(s, x, t) (the same mortality as everyone);
  3. retirement: members whose age on 1 January t+1 is at least the pension age of year t leave;
     those with at least the minimum years get a pension, the others the lump sum;
  4. flows to the target A*(t+1) of `labour`: when surviving actives exceed it, the surplus
     share leaves to inactive (exits); when short, inactive members return (at most
     `reentry_rate` of them), and the rest of the need enters at age x with 0 credits.

New pensions, in year-t money: 12 x rate(k) x reference wage (see `pension_formula`), the
reference wage being the average over the last n years of the members' mean insurable wage at
the ages they then were. They start at the age of award a on 1 January t+1 and are kept in a
grid by age and award age (award year = t+1 - (age - a)).

Pensions in payment: survive with S, then on 1 January t+1 are raised by the year's indexation.

Money in year t:

    W(t) = sum over c, s, x of exposure(c, s, x) x density(c) x 12 x insurable wage(c, s, x, t)
    C(t) = sum over c of contribution rate(c) x W(c, t)
    B(t) = (V(t) + V_end(t)) / 2       V = yearly amount of pensions in payment, V_end = after
                                        the year's deaths and awards, before indexation
    E(t) = B(t) + lump sums + short-term cost rate x W(t) + admin rate x (those benefits)
    R(t+1) = R(t) (1 + i(t)) + (C(t) - E(t)) (1 + i(t))^(1/2)

The last line is the reserve recursion: the reserve at the start of the year earns the year's
return, the year's net cash flow arrives on average at mid-year and earns half a year's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial.axes import ENTRY_AGE, OPEN_AGE, SEXES
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.labour import expected_insurable_wage
from pakan.actuarial.members import MemberGrid, credit_buckets
from pakan.actuarial.model import Assumptions, Prepared, prepare
from pakan.actuarial.population import PopulationProjection, project_population
from pakan.actuarial.results import ProjectionResult


@dataclass(frozen=True)
class RunPaths:
    """What differs between runs: `mortality_shock` `[run, year]` multiplies every death rate
    (None = 1), `wage_growth` `[run, year 0..T]` and `investment_return` `[run, year]`."""

    mortality_shock: NDArray | None
    wage_growth: NDArray
    investment_return: NDArray

    @property
    def runs(self) -> int:
        return self.wage_growth.shape[0]


def deterministic_paths(prepared: Prepared) -> RunPaths:
    return RunPaths(None, prepared.wage_growth[None], prepared.investment_return[None])


def project(
    assumptions: Assumptions, paths: RunPaths | None = None, detail: bool = True
) -> ProjectionResult:
    """Run the valuation; with `detail`, keep the population and the grids of insured and
    pensioners by age for every year (for pages and checks), else only the yearly series."""
    prepared = prepare(assumptions)
    paths = paths or deterministic_paths(prepared)
    _check_paths(paths, prepared.years)
    population = project_population(
        assumptions.demography, prepared.years, paths.mortality_shock
    )
    return _Projection(prepared, paths, population, detail).run(assumptions.name)


def _check_paths(paths: RunPaths, years: int) -> None:
    runs = paths.runs
    expected = {"wage_growth": (runs, years + 1), "investment_return": (runs, years)}
    if paths.mortality_shock is not None:
        expected["mortality_shock"] = (runs, years)
    for name, shape in expected.items():
        actual = np.shape(getattr(paths, name))
        if actual != shape:
            raise ActuarialInputError(
                f"must have shape {shape} (runs, years), not {actual}",
                f"ຕ້ອງມີຮູບຮ່າງ {shape}, ບໍ່ແມ່ນ {actual}",  # own wording
                field=f"paths.{name}",
            )


def _wage_index(growth: NDArray) -> NDArray:
    """I(0) = 1, I(t) = I(t-1) (1 + g(t)): `[run, year 0..T]`."""
    index = np.ones_like(growth)
    index[:, 1:] = np.cumprod(1.0 + growth[:, 1:], axis=1)
    return index


_STOCKS = frozenset({"active_insured", "inactive_members", "pensioners", "population", "reserve"})


class _Projection:
    def __init__(
        self, prepared: Prepared, paths: RunPaths, population: PopulationProjection, detail: bool
    ) -> None:
        self.p = prepared
        self.paths = paths
        self.population = population
        self.detail = detail
        self.runs = paths.runs
        self.member_ages = prepared.top_member_age - ENTRY_AGE  # X: ages 15 .. top-1
        self.index = _wage_index(paths.wage_growth)
        self.wage_scale = np.ones(len(prepared.categories))
        self.membership = np.zeros((len(prepared.categories), len(prepared.schemes)))
        self.membership[np.arange(len(prepared.categories)), prepared.scheme_of_category] = 1.0
        ages = ENTRY_AGE + np.arange(self.member_ages)
        # retired[t, g, s, i]: grid age 15+i is at or above year t's pension age
        self.retired = ages[None, None, None, :] >= prepared.pension_age[..., None]
        credits = np.arange(self.member_ages + 1)
        qualified = np.stack([credits >= f.minimum_years for f in prepared.formulas])
        rate = np.stack([f.rate(credits) for f in prepared.formulas])
        lump_months = np.stack([f.lump_sum_months(credits) for f in prepared.formulas])
        self.credit_count = credit_buckets(rate, qualified, lump_months)
        self.qualified = qualified[:, : self.credit_count]
        self.rate = rate[:, : self.credit_count]
        self.lump_months = lump_months[:, : self.credit_count]
        self.lowest_award_age = prepared.lowest_award_age
        highest = prepared.top_member_age
        if prepared.initial_pensioners is not None and prepared.initial_pensioners.ages.size:
            awarded = prepared.initial_pensioners.award_ages(prepared.first_year)
            highest = max(highest, int(awarded.max()))
        self.award_ages = highest + 1 - self.lowest_award_age
        self.series: dict[str, NDArray] = {}
        self.grids: dict[str, list[NDArray]] = {}

    # ----------------------------------------------------------------- inputs by year
    def targets(self, year: int) -> NDArray:
        """A*(c, s, x) on 1 January of `year`, member ages: `[run, category, sex, age]`."""
        p = self.p
        ages = slice(ENTRY_AGE, p.top_member_age)
        employed = (self.population.population[:, year, :, ages]
                    * p.participation[year, :, ages] * (1.0 - p.unemployment[year, :, ages]))
        return employed[:, None] * p.coverage[year, :, :, ages][None]

    def by_scheme(self, values: NDArray) -> NDArray:
        """Sum a `[run, category, ...]` array into `[run, scheme, ...]`."""
        return np.einsum("rc...,cg->rg...", values, self.membership)

    def category_shares(self, targets: NDArray) -> NDArray:
        """Each category's share of its scheme's target, `[run, category, sex, age]` (an even
        split where the scheme's target is 0)."""
        scheme_total = self.by_scheme(targets)[:, self.p.scheme_of_category]
        even = 1.0 / self.membership.sum(axis=0)[self.p.scheme_of_category]
        return np.divide(targets, scheme_total, out=np.broadcast_to(
            even[None, :, None, None], targets.shape).copy(), where=scheme_total > 0)

    def insurable_wages(self, year: int) -> NDArray:
        """Expected monthly insurable wage `[run, category, sex, age]` in year `year`.

        When floor and ceiling both follow the wage index, E[clip(I W, I f, I c)] is
        I E[clip(W, f, c)]: the base year's values are scaled instead of recomputed."""
        p = self.p
        if year and p.ceiling_follows_wages:
            return self.base_insurable * self.index[:, year][:, None, None, None]
        index = self.index[:, year][:, None, None, None]
        ages = slice(ENTRY_AGE, p.top_member_age)
        scale = (p.average_wage * self.wage_scale)[None, :, None, None]
        mean = scale * p.wage_profile[None, :, :, ages] * index
        ceiling = p.ceiling[None, :, None, None] * (index if p.ceiling_follows_wages else 1.0)
        floor = p.floor[None, :, None, None] * index
        sigma = p.dispersion[None, :, None, None]
        return expected_insurable_wage(mean, sigma, floor, ceiling)

    def base_wages(self, targets: NDArray) -> NDArray:
        """Fix the scale k(c) so that the base-year mean wage of each category's insured is the
        given average (an unweighted mean of the profile where a category has no insured), and
        return the base year's insurable wages."""
        p = self.p
        profile = p.wage_profile[:, :, ENTRY_AGE:p.top_member_age]
        weighted = (targets[0] * profile).sum(axis=(1, 2))
        total = targets[0].sum(axis=(1, 2))
        mean_profile = np.divide(weighted, total, out=profile.mean(axis=(1, 2)), where=total > 0)
        self.wage_scale = 1.0 / mean_profile
        self.base_insurable = self.insurable_wages(0)
        return self.base_insurable

    def indexation(self, year: int) -> NDArray:
        """Rate by which pensions in payment are raised on 1 January of `year`, `[run]`."""
        p = self.p
        growth = self.paths.wage_growth[:, year]
        mixed = p.indexation_wage_share * growth + (1.0 - p.indexation_wage_share) * \
            p.inflation[year]
        return p.indexation_pass_through * mixed

    # ----------------------------------------------------------------- starting point
    def initial_members(self, targets: NDArray, shares: NDArray) -> MemberGrid:
        p = self.p
        shape = (self.runs, len(p.schemes), len(SEXES), self.member_ages, self.credit_count)
        active, inactive = np.zeros(shape), np.zeros(shape)
        if p.initial_members is not None:
            top, last = p.top_member_age, self.credit_count - 1
            for position, category in enumerate(p.initial_members.categories):
                scheme = p.scheme_of_category[p.categories.index(category)]
                for grid, counts in ((active, p.initial_members.active),
                                     (inactive, p.initial_members.inactive)):
                    by_credit = counts[position, :, ENTRY_AGE:top, :]
                    grid[:, scheme, ..., :last] += by_credit[..., :last]
                    grid[:, scheme, ..., last] += by_credit[..., last:].sum(-1)
            return MemberGrid(active, inactive)
        scheme_targets = self.by_scheme(targets) * ~self.retired[0][None]
        density = self.by_scheme(shares * p.density[None, :, None, None])
        years_open = np.minimum(np.arange(self.member_ages),
                                max(p.first_year - p.scheme_start_year, 0))
        credits = np.clip(np.rint(years_open * density), 0, self.credit_count - 1).astype(int)
        np.put_along_axis(active, credits[..., None], scheme_targets[..., None], axis=-1)
        return MemberGrid(active, inactive)

    def initial_pensions(self) -> tuple[NDArray, NDArray]:
        """Counts and yearly amounts `[run, sex, age - lowest, award age - lowest]`."""
        p = self.p
        shape = (self.runs, len(SEXES), OPEN_AGE + 1 - self.lowest_award_age, self.award_ages)
        counts, amounts = np.zeros(shape), np.zeros(shape)
        if p.initial_pensioners is not None:
            grid_counts, grid_amounts = p.initial_pensioners.grid(p.first_year,
                                                                  self.lowest_award_age)
            counts += grid_counts[..., : self.award_ages]
            amounts += grid_amounts[..., : self.award_ages]
        return counts, amounts

    # ----------------------------------------------------------------- the years
    def run(self, name: str) -> ProjectionResult:
        p = self.p
        targets = self.targets(0)
        shares = self.category_shares(targets)
        wages = self.base_wages(targets)
        members = self.initial_members(targets, shares)
        counts, amounts = self.initial_pensions()
        reserve = np.full(self.runs, p.initial_reserve)
        history_length = max(f.reference_wage_years for f in p.formulas)
        wage_history: list[NDArray] = []
        for year in range(p.years):
            if year:
                wages = self.insurable_wages(year)
            wage_history.insert(0, self.by_scheme(shares * wages))
            del wage_history[history_length:]
            self.record_stocks(year, members, counts, amounts)
            active_start = members.active_total
            tops = members.accrue_survive_and_age(
                self.by_scheme(shares * p.density[None, :, None, None]),
                self.population.survival[:, year, :, ENTRY_AGE:p.top_member_age])
            leaving, first = members.take_retiring(self.retired[year], tops)
            new_counts, new_amounts, lump_sums = self.awards(year, leaving, first, wage_history)
            next_targets = self.targets(year + 1)
            next_shares = self.category_shares(next_targets)
            flows = members.meet_targets(
                self.by_scheme(next_targets) * ~self.retired[year][None], p.reentry_rate)
            for flow, values in zip(("new_entrants", "reentrants", "exits"), flows, strict=True):
                self.add(flow, year, values.sum(axis=(1, 2, 3)))
            pensions, counts, amounts = self.pay_pensions(
                year, counts, amounts, new_counts, new_amounts)
            wage_bill = self.contributions(
                year, active_start, shares, members.active_total, next_shares, wages)
            reserve = self.fund(year, reserve, wage_bill, pensions, lump_sums)
            shares = next_shares
        self.record_stocks(p.years, members, counts, amounts)
        return ProjectionResult.build(
            name=name,
            first_year=p.first_year,
            categories=p.categories,
            series=self.series,
            population=self.population if self.detail else None,
            grids={key: np.stack(value, axis=1) for key, value in self.grids.items()},
            lowest_award_age=self.lowest_award_age,
        )

    def record_stocks(
        self, year: int, members: MemberGrid, counts: NDArray, amounts: NDArray
    ) -> None:
        self.put("active_insured", year, members.active_total.sum(axis=(1, 2, 3)))
        self.put("inactive_members", year, members.inactive_total.sum(axis=(1, 2, 3)))
        self.put("pensioners", year, counts.sum(axis=(1, 2, 3)))
        self.put("population", year, self.population.population[:, year].sum(axis=(1, 2)))
        if self.detail:
            self.grids.setdefault("active_by_age", []).append(members.active_total.sum(axis=1))
            self.grids.setdefault("credits_by_age", []).append(members.active.sum(axis=1)
                                                               + members.inactive.sum(axis=1))
            self.grids.setdefault("pensioners_by_cohort", []).append(counts.copy())
            self.grids.setdefault("pension_amounts_by_cohort", []).append(amounts.copy())

    def put(self, name: str, year: int, values: NDArray) -> None:
        if name not in self.series:
            width = self.p.years + (1 if name in _STOCKS else 0)
            self.series[name] = np.zeros((self.runs, width, *np.shape(values)[1:]))
        self.series[name][:, year] = values

    def add(self, name: str, year: int, values: NDArray) -> None:
        if name in self.series:
            self.series[name][:, year] += values
        else:
            self.put(name, year, values)

    def awards(
        self, year: int, leaving: NDArray, first: int, wage_history: list[NDArray]
    ) -> tuple[NDArray, NDArray, NDArray]:
        """New pensions (counts, yearly amounts) `[run, sex, award age - lowest]` and the
        year's lump sums `[run]`, from the retiring members `leaving` (grid ages first..top)."""
        p = self.p
        new_counts = np.zeros((self.runs, len(SEXES), self.award_ages))
        new_amounts = np.zeros_like(new_counts)
        lump_sums = np.zeros(self.runs)
        columns = ENTRY_AGE + first - self.lowest_award_age + np.arange(leaving.shape[-2])
        index = self.index[:, year][:, None, None, None]
        for scheme, formula in enumerate(p.formulas):
            # a member aged 15+i on 1 January t+1 earned year t's wage at grid age i-1
            reference = self.reference_wage(wage_history, scheme, formula.reference_wage_years)
            reference = reference[..., first - 1:][..., None]  # [run, sex, age, 1]
            final_wage = wage_history[0][:, scheme][..., first - 1:][..., None]
            cells = leaving[:, scheme]  # [run, sex, age, credits]
            qualified = self.qualified[scheme]
            monthly = self.rate[scheme] * reference
            if formula.minimum_monthly_pension > 0:
                lowest = formula.minimum_monthly_pension * index
                monthly = np.where(qualified, np.maximum(monthly, lowest), 0.0)
            if formula.maximum_monthly_pension > 0:
                monthly = np.minimum(monthly, formula.maximum_monthly_pension * index)
            new_counts[..., columns] += (cells * qualified).sum(-1)
            new_amounts[..., columns] += 12.0 * (cells * monthly).sum(-1)
            lump_sums += (cells * self.lump_months[scheme] * final_wage).sum(axis=(1, 2, 3))
            self.add("retirements_without_pension", year,
                     (cells * ~qualified).sum(axis=(1, 2, 3)))
        self.add("new_pensions", year, new_counts.sum(axis=(1, 2)))
        self.add("new_pension_amounts", year, new_amounts.sum(axis=(1, 2)))
        self.add("lump_sum_expenditure", year, lump_sums)
        return new_counts, new_amounts, lump_sums

    def reference_wage(self, history: list[NDArray], scheme: int, years: int) -> NDArray:
        """Mean over the last `years` years of the members' mean insurable wage at the ages
        then held, `[run, sex, grid age of year t]` (monthly kip, nominal, not revalued)."""
        p = self.p
        total = np.zeros((self.runs, len(SEXES), self.member_ages))
        counted = np.zeros(self.member_ages)
        for back in range(years):
            if back < len(history):
                wage = history[back][:, scheme]
            else:  # before the base year: the base year's wages at the first year's growth
                wage = history[-1][:, scheme] * (1.0 + p.wage_growth[1]) ** -(
                    back - len(history) + 1)
            total[..., back:] += wage[..., : self.member_ages - back]
            counted[back:] += 1.0
        return total / counted

    def pay_pensions(
        self, year: int, counts: NDArray, amounts: NDArray, new_counts: NDArray,
        new_amounts: NDArray,
    ) -> tuple[NDArray, NDArray, NDArray]:
        """Survive the year, add the awards, index; return the year's pension expenditure."""
        survival = self.population.survival[:, year, :, self.lowest_award_age:][..., None]
        start_amount = amounts.sum(axis=(1, 2, 3))
        start_count = counts.sum(axis=(1, 2, 3))
        next_counts, next_amounts = np.zeros_like(counts), np.zeros_like(amounts)
        for before, after in ((counts, next_counts), (amounts, next_amounts)):
            surviving = before * survival
            after[:, :, 1:] = surviving[:, :, :-1]
            after[:, :, -1] += surviving[:, :, -1]  # the open age group stays open
        self.add("pensioner_deaths", year, start_count - next_counts.sum(axis=(1, 2, 3)))
        award = np.arange(self.award_ages)
        next_counts[:, :, award, award] += new_counts
        next_amounts[:, :, award, award] += new_amounts
        end_amount = next_amounts.sum(axis=(1, 2, 3))
        self.add("pensioners_average", year,
                 0.5 * (start_count + next_counts.sum(axis=(1, 2, 3))))
        indexation = self.indexation(year + 1)
        self.add("indexation", year, indexation)
        next_amounts *= (1.0 + indexation)[:, None, None, None]
        return 0.5 * (start_amount + end_amount), next_counts, next_amounts

    # ----------------------------------------------------------------- money
    def contributions(
        self, year: int, active_start: NDArray, shares: NDArray, active_end: NDArray,
        next_shares: NDArray, wages: NDArray,
    ) -> NDArray:
        """Exposure by category and the insurable wage bill `[run, category]`."""
        p = self.p
        start = active_start[:, p.scheme_of_category] * shares
        end = active_end[:, p.scheme_of_category] * next_shares
        exposure = 0.5 * (start + end)  # [run, category, sex, age]
        wage_bill = 12.0 * p.density[None, :] * (exposure * wages).sum(axis=(2, 3))
        self.add("contributors", year, exposure.sum(axis=(1, 2, 3)))
        self.add("contributors_by_category", year, exposure.sum(axis=(2, 3)))
        self.add("insurable_wage_bill_by_category", year, wage_bill)
        self.add("contributions_by_category", year, wage_bill * p.contribution_rates[None, :])
        return wage_bill

    def fund(
        self, year: int, reserve: NDArray, wage_bill: NDArray, pensions: NDArray,
        lump_sums: NDArray,
    ) -> NDArray:
        p = self.p
        total_wage_bill = wage_bill.sum(axis=1)
        contributions = (wage_bill * p.contribution_rates[None, :]).sum(axis=1)
        short_term = p.short_term_cost_rate * total_wage_bill
        benefits = pensions + lump_sums + short_term
        administration = p.administrative_cost_rate * benefits
        expenditure = benefits + administration
        rate = self.paths.investment_return[:, year]
        half_year = np.sqrt(1.0 + rate)
        income = reserve * rate + (contributions - expenditure) * (half_year - 1.0)
        following = reserve * (1.0 + rate) + (contributions - expenditure) * half_year
        for name, values in (
            ("wage_index", self.index[:, year]),
            ("insurable_wage_bill", total_wage_bill),
            ("contributions", contributions),
            ("pension_expenditure", pensions),
            ("short_term_expenditure", short_term),
            ("administrative_cost", administration),
            ("total_expenditure", expenditure),
            ("investment_return", rate),
            ("investment_income", income),
            ("births", self.population.births[:, year].sum(axis=1)),
            ("deaths", self.population.deaths[:, year].sum(axis=(1, 2))
             + self.population.newborn_deaths[:, year].sum(axis=1)),
        ):
            self.add(name, year, values)
        self.put("reserve", year, reserve)
        self.put("reserve", year + 1, following)
        return following
