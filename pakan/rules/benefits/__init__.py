"""Social security benefits as dated rules: every branch, vectorised, with explanations.

    from pakan.rules.benefits import assess, ContributionHistory, Assessment, RULES_VERSION

`assess(branch, history, event_date, facts)` decides one member or a million with the same
code; `Assessment.explanation(row)` says why, in English and Lao. The rules, their sources and
what is provisional are described in docs/benefit-rules.md. Pure Python + numpy, no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from pakan.rules.benefits.assessment import Assessment
from pakan.rules.benefits.common import Context, make_context
from pakan.rules.benefits.facts import BRANCH_FACTS
from pakan.rules.benefits.funeral import assess_funeral
from pakan.rules.benefits.history import ContributionHistory
from pakan.rules.benefits.invalidity import assess_employment_injury, assess_invalidity
from pakan.rules.benefits.maternity import assess_maternity
from pakan.rules.benefits.old_age import assess_old_age
from pakan.rules.benefits.sickness import assess_sickness
from pakan.rules.benefits.survivors import assess_survivors
from pakan.rules.benefits.texts import BRANCH_NAMES, REFUSALS
from pakan.rules.benefits.unemployment import assess_unemployment
from pakan.rules.benefits.version import RULES_VERSION
from pakan.rules.legal_parameters import RulesError

__all__ = [
    "BRANCHES",
    "BRANCH_FACTS",
    "BRANCH_NAMES",
    "REFUSALS",
    "RULES_VERSION",
    "Assessment",
    "ContributionHistory",
    "RulesError",
    "assess",
]

_ASSESSORS: dict[str, Callable[[Context, str], Assessment]] = {
    "old_age": assess_old_age,
    "invalidity": assess_invalidity,
    "survivors": assess_survivors,
    "funeral": assess_funeral,
    "sickness": assess_sickness,
    "maternity": assess_maternity,
    "employment_injury": assess_employment_injury,
    "unemployment": assess_unemployment,
}
BRANCHES: tuple[str, ...] = tuple(BRANCH_NAMES)


def assess(
    branch: str,
    history: ContributionHistory,
    event_date: np.ndarray,
    facts: Mapping[str, Any] | None = None,
) -> Assessment:
    """Assess every member of `history` for one branch on their event dates.

    event_date: datetime64[D] of shape (n,) (or one date for all). facts: the branch's columns
    of shape (n,) (or one value for all); see BRANCH_FACTS and docs/benefit-rules.md.
    """
    if branch not in BRANCH_NAMES:
        raise RulesError(
            f"unknown benefit branch {branch!r} (known: {', '.join(BRANCH_NAMES)})",
            f"ບໍ່ຮູ້ຈັກປະເພດເງິນອຸດໜູນ {branch!r}",  # own wording
            field="branch",
        )
    context = make_context(branch, history, event_date, facts)
    return _ASSESSORS[branch](context, RULES_VERSION)
