"""A run's results as the pages, the PDF report and the XLSX file show them: named tables (one
sheet each in the XLSX) and server-drawn charts, built once from the stored arrays, in the
language of the request.

Each table column has a format: `year`, `count` (people), `kip` (pages show billions of kip;
the XLSX keeps whole kip), `rate` (a fraction shown as a percentage), `ratio` or `text`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pakan.valuation import charts
from pakan.valuation.models import ValuationRun

PYRAMID_YEAR = 2050
AGE_GROUP_WIDTH = 5


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    format: str = "count"


@dataclass(frozen=True)
class Table:
    key: str  # also the XLSX sheet name: at most 31 characters
    title: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str


@dataclass
class Results:
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    figures: list[tuple[str, Any, str]] = field(default_factory=list)  # label, value, format

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


def _finite_number(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_cell(value: object, value_format: str) -> str:
    """A value as pages and the PDF show it: kip in billions, rates as percentages, counts
    rounded; the XLSX keeps the numbers themselves."""
    if value is None or value == "":
        return "—"
    number = _finite_number(value)
    if value_format == "text" or number is None:
        return str(value)
    if value_format == "year":
        return str(int(number))
    if value_format == "kip":
        return f"{number / 1e9:,.1f}"
    if value_format == "rate":
        return f"{100 * number:.2f}%"
    if value_format == "ratio":
        return f"{number:.2f}"
    return f"{number:,.0f}"


def _lao() -> bool:
    return (get_language() or "").startswith("lo")


def _floats(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


def results_of(run: ValuationRun, arrays: Mapping[str, np.ndarray]) -> Results:
    if not arrays:
        return Results()
    if run.kind == ValuationRun.Kind.COSTING:
        return _costing(run, arrays)
    if run.kind == ValuationRun.Kind.STOCHASTIC:
        return _stochastic(run, arrays)
    return _deterministic(run, arrays)


# --- deterministic valuation -------------------------------------------------------------------

def projection_columns() -> tuple[Column, ...]:
    return (
        Column("year", _("Year"), "year"),
        Column("population", _("Population on 1 January"), "count"),
        Column("active_insured", _("Active insured on 1 January"), "count"),
        Column("contributors", _("Contributors (average)"), "count"),
        Column("pensioners", _("Pensioners on 1 January"), "count"),
        Column("new_pensions", _("New pensions"), "count"),
        Column("demographic_ratio", _("Pensioners per contributor"), "ratio"),
        Column("insurable_wage_bill", _("Insurable wage bill"), "kip"),
        Column("contributions", _("Contributions"), "kip"),
        Column("pension_expenditure", _("Pensions paid"), "kip"),
        Column("lump_sum_expenditure", _("Lump sums paid"), "kip"),
        Column("short_term_expenditure", _("Short-term benefits"), "kip"),
        Column("administrative_cost", _("Administrative cost"), "kip"),
        Column("total_expenditure", _("Total expenditure"), "kip"),
        Column("investment_income", _("Investment income"), "kip"),
        Column("reserve_end", _("Reserve at the end of the year"), "kip"),
        Column("reserve_ratio", _("Reserve ratio (years of expenditure)"), "ratio"),
        Column("payg_cost_rate", _("PAYG cost rate"), "rate"),
        Column("pension_cost_rate", _("Pension cost rate"), "rate"),
        Column("average_contribution_rate", _("Average contribution rate"), "rate"),
    )


def _deterministic(run: ValuationRun, arrays: Mapping[str, np.ndarray]) -> Results:
    years = [int(year) for year in arrays["years"]]
    columns = projection_columns()
    series = {column.key: arrays[f"series__{column.key}"] for column in columns[1:]}
    rows = [[year, *(_floats(series[c.key][i:i + 1])[0] for c in columns[1:])]
            for i, year in enumerate(years)]
    results = Results()
    results.tables.append(Table("projection", _("The fund year by year"), columns, rows))
    pyramids, population_table = _pyramids(arrays["population_stocks"], years[0])
    results.tables.append(population_table)
    summary = run.summary or {}
    results.figures += [
        (_("General average premium over the projection"),
         summary.get("general_average_premium"), "rate"),
        (_("Year the reserve runs out"),
         summary.get("reserve_depletion_year") or _("not within the projection"), "text"),
    ]
    results.charts += pyramids
    results.charts += [
        Chart("insured", _("Insured and pensioners"), charts.line_chart(
            _("Insured and pensioners"), years,
            [charts.Line(_("Active insured on 1 January"),
                         _floats(series["active_insured"][: len(years)])),
             charts.Line(_("Pensioners on 1 January"),
                         _floats(series["pensioners"][: len(years)]))],
            charts.Axis(_("thousand people"), charts.thousands))),
        Chart("cost_rate", _("PAYG cost rate against the contribution rate"), charts.line_chart(
            _("PAYG cost rate against the contribution rate"), years,
            [charts.Line(_("PAYG cost rate"), _floats(series["payg_cost_rate"])),
             charts.Line(_("Average contribution rate"),
                         _floats(series["average_contribution_rate"])),
             charts.Line(_("General average premium"),
                         [summary.get("general_average_premium")] * len(years), dashed=True)],
            charts.Axis(_("share of insurable wages"), charts.percent))),
        Chart("reserve", _("Reserve at the end of the year"), charts.line_chart(
            _("Reserve at the end of the year"), years,
            [charts.Line(_("Reserve at the end of the year"), _floats(series["reserve_end"]))],
            charts.Axis(_("billion kip"), charts.billions))),
    ]
    return results


def _age_groups(stocks: np.ndarray) -> np.ndarray:
    """`[sex, age 0..100+]` to `[sex, 5-year group]`, the open group 100+ last."""
    closed = stocks[:, :100].reshape(stocks.shape[0], -1, AGE_GROUP_WIDTH).sum(axis=2)
    return np.concatenate([closed, stocks[:, 100:]], axis=1)


def _group_labels() -> list[str]:
    return [f"{age}-{age + AGE_GROUP_WIDTH - 1}" for age in range(0, 100, AGE_GROUP_WIDTH)] + [
        "100+"]


def _pyramids(stocks: np.ndarray, first_year: int) -> tuple[list[Chart], Table]:
    """The population now (the base year) and in 2050 (or the last year projected)."""
    later_year = min(PYRAMID_YEAR, first_year + stocks.shape[0] - 1)
    now, later = _age_groups(stocks[0]), _age_groups(stocks[later_year - first_year])
    labels = _group_labels()
    sexes = (_("Men"), _("Women"))
    largest = float(max(now.max(), later.max()))
    now_title = _("Population in %(year)s") % {"year": first_year}
    later_title = _("Population in %(year)s") % {"year": later_year}
    pyramids = [
        Chart("pyramid_now", now_title, charts.pyramid(
            now_title, labels, now[0], now[1], sexes, largest=largest)),
        Chart("pyramid_later", later_title, charts.pyramid(
            later_title, labels, later[0], later[1], sexes, largest=largest,
            outline=(now[0], now[1], str(first_year)))),
    ]
    columns = (Column("age", _("Age"), "text"),
               Column("men_now", f"{sexes[0]} {first_year}"),
               Column("women_now", f"{sexes[1]} {first_year}"),
               Column("men_later", f"{sexes[0]} {later_year}"),
               Column("women_later", f"{sexes[1]} {later_year}"))
    rows = [[label, float(now[0][i]), float(now[1][i]), float(later[0][i]), float(later[1][i])]
            for i, label in enumerate(labels)]
    return pyramids, Table("population", _("Population by age and sex"), columns, rows)


# --- stochastic runs ---------------------------------------------------------------------------

def _band_table(key: str, title: str, years: list[int], bands: np.ndarray,
                percentiles: Sequence[int], value_format: str) -> Table:
    columns = (Column("year", _("Year"), "year"),
               *(Column(f"p{p}", _("%(percentile)sth percentile") % {"percentile": p},
                        value_format) for p in percentiles))
    rows = [[year, *(_floats(bands[:, i]))] for i, year in enumerate(years)]
    return Table(key, title, columns, rows)


def _band_chart(title: str, years: list[int], bands: np.ndarray, axis: charts.Axis) -> str:
    return charts.line_chart(
        title, years, [charts.Line(_("Median"), _floats(bands[2]))], axis,
        bands=[charts.Band(_("5th to 95th percentile"), bands[0], bands[4], 0.15),
               charts.Band(_("25th to 75th percentile"), bands[1], bands[3], 0.3)])


def _stochastic(run: ValuationRun, arrays: Mapping[str, np.ndarray]) -> Results:
    years = [int(year) for year in arrays["years"]]
    percentiles = [int(p) for p in arrays["percentiles"]]
    reserve, cost_rate = arrays["bands__reserve_end"], arrays["bands__payg_cost_rate"]
    results = Results()
    results.tables += [
        _band_table("reserve_bands", _("Reserve at the end of the year: percentiles"), years,
                    reserve, percentiles, "kip"),
        _band_table("cost_rate_bands", _("PAYG cost rate: percentiles"), years, cost_rate,
                    percentiles, "rate"),
        Table("depletion", _("Share of runs whose reserve has run out"),
              (Column("year", _("Year"), "year"),
               Column("probability", _("Share of runs"), "rate")),
              [[year, float(p)] for year, p in zip(years, arrays["depletion_probability"],
                                                   strict=True)]),
    ]
    summary = run.summary or {}
    gap = summary.get("general_average_premium_percentiles", {})
    results.figures += [
        (_("Number of runs"), summary.get("runs"), "count"),
        (_("Seed"), summary.get("seed"), "text"),
        *[(_("General average premium, %(percentile)sth percentile") % {"percentile": p},
           gap.get(f"p{p}"), "rate") for p in percentiles],
        (_("Share of runs whose reserve has run out by the last year"),
         summary.get("depletion_probability_by_last_year"), "rate"),
    ]
    results.charts += [
        Chart("reserve_bands", _("Reserve at the end of the year: percentiles"), _band_chart(
            _("Reserve at the end of the year: percentiles"), years, reserve,
            charts.Axis(_("billion kip"), charts.billions))),
        Chart("cost_rate_bands", _("PAYG cost rate: percentiles"), _band_chart(
            _("PAYG cost rate: percentiles"), years, cost_rate,
            charts.Axis(_("share of insurable wages"), charts.percent))),
        Chart("depletion", _("Share of runs whose reserve has run out"), charts.line_chart(
            _("Share of runs whose reserve has run out"), years,
            [charts.Line(_("Share of runs"), _floats(arrays["depletion_probability"]))],
            charts.Axis(_("share of runs"), charts.percent))),
    ]
    return results


# --- floor costing -----------------------------------------------------------------------------

def benefit_label(benefit: Mapping[str, Any]) -> str:
    return benefit["label_lao"] if _lao() else benefit["label_english"]


def _by_benefit(key: str, title: str, years: list[int], benefits: list[dict],
                arrays: Mapping[str, np.ndarray], part: str, total: str | None,
                value_format: str) -> Table:
    columns = [Column("year", _("Year"), "year")]
    columns += [Column(b["name"], benefit_label(b), value_format) for b in benefits]
    if total:
        columns.append(Column("total", _("Total"), value_format))
    rows = []
    for i, year in enumerate(years):
        row = [year, *(float(arrays[f"benefit__{b['name']}__{part}"][i]) for b in benefits)]
        if total:
            row.append(float(arrays[total][i]))
        rows.append(row)
    return Table(key, title, tuple(columns), rows)


def _costing_detail(years: list[int], benefits: list[dict],
                    arrays: Mapping[str, np.ndarray]) -> Table:
    parts = (("target_population", _("Target population"), "count"),
             ("eligible", _("Eligible"), "count"),
             ("take_up", _("Take-up"), "rate"),
             ("beneficiaries", _("Beneficiaries"), "count"),
             ("amount_kip", _("Amount of one payment (kip)"), "whole_kip"),
             ("benefit_cost_kip", _("Benefits paid"), "kip"),
             ("administration_cost_kip", _("Administration"), "kip"),
             ("cost_kip", _("Cost"), "kip"),
             ("share_of_gdp", _("Share of GDP"), "rate"),
             ("share_of_government_spending", _("Share of government spending"), "rate"))
    columns = (Column("benefit", _("Benefit"), "text"), Column("year", _("Year"), "year"),
               *(Column(key, label, fmt) for key, label, fmt in parts))
    rows = [[benefit_label(b), year, *(float(arrays[f"benefit__{b['name']}__{key}"][i])
                                       for key, _label, _fmt in parts)]
            for b in benefits for i, year in enumerate(years)]
    return Table("benefit_detail", _("Each benefit year by year"), columns, rows)


def _costing(run: ValuationRun, arrays: Mapping[str, np.ndarray]) -> Results:
    years = [int(year) for year in arrays["years"]]
    benefits = (run.summary or {}).get("benefits", [])
    results = Results()
    results.tables += [
        _by_benefit("cost", _("Cost of each benefit"), years, benefits, arrays, "cost_kip",
                    "total_cost_kip", "kip"),
        _by_benefit("share_of_gdp", _("Cost as a share of GDP"), years, benefits, arrays,
                    "share_of_gdp", "total_share_of_gdp", "rate"),
        _by_benefit("share_of_spending", _("Cost as a share of government spending"), years,
                    benefits, arrays, "share_of_government_spending",
                    "total_share_of_government_spending", "rate"),
        _by_benefit("beneficiaries", _("Beneficiaries"), years, benefits, arrays,
                    "beneficiaries", "total_beneficiaries", "count"),
        _costing_detail(years, benefits, arrays),
        Table("macro", _("GDP and government spending"),
              (Column("year", _("Year"), "year"), Column("gdp", _("GDP"), "kip"),
               Column("spending", _("Government spending"), "kip")),
              [[year, float(arrays["gdp_kip"][i]), float(arrays["government_spending_kip"][i])]
               for i, year in enumerate(years)]),
    ]
    last = str(years[-1])
    by_year = (run.summary or {}).get("by_year", {})
    results.figures += [
        (_("Total cost in %(year)s") % {"year": last},
         by_year.get(last, {}).get("total_cost_kip"), "kip"),
        (_("Share of GDP in %(year)s") % {"year": last},
         by_year.get(last, {}).get("total_share_of_gdp"), "rate"),
    ]
    results.charts += [
        Chart("cost", _("Cost of each benefit"), charts.stacked_bars(
            _("Cost of each benefit"), years,
            [charts.Line(benefit_label(b), _floats(arrays[f"benefit__{b['name']}__cost_kip"]))
             for b in benefits],
            charts.Axis(_("billion kip"), charts.billions))),
        Chart("share_of_gdp", _("Cost as a share of GDP"), charts.line_chart(
            _("Cost as a share of GDP"), years,
            [*(charts.Line(benefit_label(b),
                           _floats(arrays[f"benefit__{b['name']}__share_of_gdp"]))
               for b in benefits),
             charts.Line(_("Total"), _floats(arrays["total_share_of_gdp"]), dashed=True)],
            charts.Axis(_("share of GDP"), _gdp_percent))),
    ]
    return results


def _gdp_percent(value: float) -> str:
    return f"{100 * value:.2f}%"


# --- scenarios side by side --------------------------------------------------------------------

def comparison(runs: Sequence[ValuationRun], arrays_of: Mapping[int, Mapping[str, np.ndarray]]
               ) -> Results:
    """Runs of the same kind side by side: their key figures and their paths on one chart."""
    results = Results()
    kind = runs[0].kind
    names = [f"#{run.pk} {run.scenario.name}" for run in runs]
    results.tables.append(_key_figures(runs, names))
    if kind == ValuationRun.Kind.COSTING:
        indicators = (("total_cost_kip", _("Total cost"), "kip", charts.billions,
                       _("billion kip")),
                      ("total_share_of_gdp", _("Cost as a share of GDP"), "rate", _gdp_percent,
                       _("share of GDP")))
    elif kind == ValuationRun.Kind.STOCHASTIC:
        indicators = (("bands__reserve_end", _("Median reserve at the end of the year"), "kip",
                       charts.billions, _("billion kip")),
                      ("bands__payg_cost_rate", _("Median PAYG cost rate"), "rate",
                       charts.percent, _("share of insurable wages")))
    else:
        indicators = (("series__payg_cost_rate", _("PAYG cost rate"), "rate", charts.percent,
                       _("share of insurable wages")),
                      ("series__reserve_end", _("Reserve at the end of the year"), "kip",
                       charts.billions, _("billion kip")),
                      ("series__pensioners", _("Pensioners on 1 January"), "count",
                       charts.thousands, _("thousand people")))
    for key, title, value_format, show, unit in indicators:
        by_run = {}
        for run in runs:
            values = np.asarray(arrays_of[run.pk][key], dtype=float)
            values = values[2] if values.ndim == 2 else values  # the median of a band
            years = [int(y) for y in arrays_of[run.pk]["years"]]
            by_run[run.pk] = dict(zip(years, _floats(values[: len(years)]), strict=True))
        all_years = sorted({year for values in by_run.values() for year in values})
        columns = (Column("year", _("Year"), "year"),
                   *(Column(f"run_{run.pk}", name, value_format)
                     for run, name in zip(runs, names, strict=True)))
        rows = [[year, *(by_run[run.pk].get(year) for run in runs)] for year in all_years]
        table_key = key.split("__")[-1][:31]
        results.tables.append(Table(table_key, title, columns, rows))
        results.charts.append(Chart(table_key, title, charts.line_chart(
            title, all_years, [charts.Line(name, [by_run[run.pk].get(y) for y in all_years])
                               for run, name in zip(runs, names, strict=True)],
            charts.Axis(unit, show))))
    return results


def _figure_rows(run: ValuationRun) -> list[tuple[str, str]]:
    """A run's headline figures as (label, text), from its summary."""
    cell = format_cell
    summary = run.summary or {}
    by_year = summary.get("by_year", {})
    rows: list[tuple[str, str]] = []
    if run.kind == ValuationRun.Kind.COSTING:
        for year, figures in by_year.items():
            rows.append((_("Total cost in %(year)s") % {"year": year} + f" ({_('billion kip')})",
                         cell(figures.get("total_cost_kip"), "kip")))
            rows.append((_("Share of GDP in %(year)s") % {"year": year},
                         cell(figures.get("total_share_of_gdp"), "rate")))
        return rows
    if run.kind == ValuationRun.Kind.STOCHASTIC:
        gap = summary.get("general_average_premium_percentiles", {})
        return [(_("General average premium, %(percentile)sth percentile") % {"percentile": p},
                 cell(gap.get(f"p{p}"), "rate")) for p in (5, 50, 95)] + [
            (_("Share of runs whose reserve has run out by the last year"),
             cell(summary.get("depletion_probability_by_last_year"), "rate"))]
    rows += [(_("General average premium over the projection"),
              cell(summary.get("general_average_premium"), "rate")),
             (_("Year the reserve runs out"), str(summary.get("reserve_depletion_year") or "—"))]
    for year, figures in by_year.items():
        rows.append((f"{_('PAYG cost rate')} {year}", cell(figures.get("payg_cost_rate"), "rate")))
    return rows


def _key_figures(runs: Sequence[ValuationRun], names: list[str]) -> Table:
    by_run = [dict(_figure_rows(run)) for run in runs]
    labels = list(dict.fromkeys(label for figures in by_run for label in figures))
    columns = (Column("figure", _("Figure"), "text"),
               *(Column(f"run_{run.pk}", name, "text") for run, name in zip(runs, names,
                                                                             strict=True)))
    rows = [[label, *(figures.get(label, "—") for figures in by_run)] for label in labels]
    return Table("key_figures", _("Key figures"), columns, rows)
