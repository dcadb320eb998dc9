"""Actuarial models: pure numeric Python (numpy), no Django, usable from a page, a job, a
notebook or a test.

The valuation of the social security fund follows the ILO Pension Model's chain:
population -> labour force and insured -> wages -> pensions and other benefits -> the fund.

    errors          ActuarialInputError: every refused input, in English and Lao
    axes, paths,    array layout; assumptions that vary by year; the checks every input passes
    checks
    mortality       life tables, survival factors, Brass logit fit to a life expectancy
    population      base population, fertility, migration, cohort-component projection
    labour          participation, unemployment, coverage, wages and the insurable wage
    economy         wage growth, inflation, investment return
    pension_formula old-age pension rules per scheme (from the dated legal parameters)
    fund            contribution rates, reserve, short-term branches, administration,
                    indexation, pensions in payment at the valuation date
    model           Assumptions: all of the above, checked together before anything runs
    members         insured members by age and credited years (used by engine)
    engine          project(): the yearly projection, vectorised over runs
    results         yearly series, cost rates, reserve ratio, GAP, depletion year
    scenarios       named overrides, side-by-side comparison
    stochastic      seeded random returns, wages and mortality; percentile bands
    lao_assumptions a Lao base scenario with each figure's source

The costing of social protection floor benefits lives beside it (costing*, another part).
Equations, timing conventions and units: docs/actuarial-model.md.
"""
