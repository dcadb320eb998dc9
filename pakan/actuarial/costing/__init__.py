"""Costing of social protection floor benefits in the manner of the ILO Rapid Assessment
Protocol (RAP): child grants, maternity grants, a social pension, disability allowances and
school meals, from a projected population and macro paths, in integer kip, as a share of GDP
and of government spending. Pure numpy; no Django. Equations: docs/floor-costing.md.
"""

from pakan.actuarial.costing.amounts import ConstantInUsd, IndexedToPrices, ShareOfReference
from pakan.actuarial.costing.benefits import (
    BENEFIT_KINDS,
    ChildGrant,
    DisabilityAllowance,
    FloorBenefit,
    MaternityGrant,
    SchoolMeals,
    SocialPension,
)
from pakan.actuarial.costing.engine import (
    BenefitCost,
    CostingResult,
    CostingScenario,
    run_costing,
)
from pakan.actuarial.costing.inputs import (
    MacroAssumptions,
    PhaseIn,
    PopulationByAge,
    ProvisionalInput,
    YearlyPath,
    grow_from_base,
)

__all__ = [
    "BENEFIT_KINDS",
    "BenefitCost",
    "ChildGrant",
    "ConstantInUsd",
    "CostingResult",
    "CostingScenario",
    "DisabilityAllowance",
    "FloorBenefit",
    "IndexedToPrices",
    "MacroAssumptions",
    "MaternityGrant",
    "PhaseIn",
    "PopulationByAge",
    "ProvisionalInput",
    "SchoolMeals",
    "ShareOfReference",
    "SocialPension",
    "YearlyPath",
    "grow_from_base",
    "run_costing",
]
