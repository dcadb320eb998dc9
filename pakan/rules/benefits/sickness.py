"""Sickness benefit: a share of the 6-month average wage for the certified days of leave.

Work accident or occupational disease: 80% for the first 6 months, then 70% for 6 more [83].
Other illness: the source is cut off; provisional values (see sickness.yaml). A claim pays the
days of one medical certificate as a total (`lump_sum`): amount = reference wage x rate x days
/ days_per_month, each day at the rate of the period it falls in. `days_already_paid` (for the
same illness, an addition to the contract's facts) says where this certificate's days start.
"""

from __future__ import annotations

import numpy as np

from pakan.rules.benefits.assessment import Assessment, Columns, RowStory
from pakan.rules.benefits.common import (
    Context,
    category_step,
    qualifying_step,
    reference_step,
    regime_step,
)
from pakan.rules.benefits.dated import RATE_SCALE, percent, scale
from pakan.rules.benefits.texts import kip, reference_method

GROUPS = ("work_related", "other")
MAXIMUM_DAYS = 3660


def paid_days(
    already: np.ndarray, days: np.ndarray, first_days: np.ndarray, second_days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Days of [already, already + days) falling in the first and in the second period."""
    end = already + days
    in_first = np.maximum(np.minimum(end, first_days) - already, 0)
    in_second = np.maximum(
        np.minimum(end, first_days + second_days) - np.maximum(already, first_days), 0
    )
    return in_first, in_second


def assess_sickness(context: Context, rules_version: str) -> Assessment:
    facts, rules = context.facts, context.rules
    work_related = facts.booleans("work_related", default=False)
    days = facts.integers("days", default=None, minimum=1, maximum=MAXIMUM_DAYS)
    already = facts.integers("days_already_paid", default=0, minimum=0, maximum=MAXIMUM_DAYS)
    regime = context.regime()
    group = np.where(work_related, 0, 1)
    template = "sickness.{group}."
    minimum = rules.grouped(template + "minimum_months", GROUPS, group)
    first_rate = rules.grouped(template + "first_rate", GROUPS, group, rate=True)
    second_rate = rules.grouped(template + "second_rate", GROUPS, group, rate=True)
    days_per_month = rules.integers("days_per_month")
    first_days = rules.grouped(template + "first_months", GROUPS, group) * days_per_month
    second_days = rules.grouped(template + "second_months", GROUPS, group) * days_per_month
    reference_months = rules.integers("sickness.reference_wage_months")
    reference_wage, reference_low = context.windows.average_wage(np.maximum(reference_months, 1))
    in_first, in_second = paid_days(already, days, first_days, second_days)
    amount = scale(
        reference_wage,
        np.maximum(first_rate, 0) * in_first + np.maximum(second_rate, 0) * in_second,
        RATE_SCALE * np.maximum(days_per_month, 1),
    )

    columns = Columns(context.size)
    months = context.months_before
    columns.months_counted[:] = months
    context.refuse_uncovered(columns, regime)
    columns.refuse(minimum < 0, "no_rules_for_date")
    columns.refuse(months == 0, "not_insured")
    columns.refuse(months < minimum, "not_enough_contributions")
    columns.refuse(in_first + in_second == 0, "duration_exhausted")
    columns.variant[:] = "allowance"
    columns.kind[:] = "lump_sum"
    columns.lump_sum[:] = amount
    columns.reference_wage[:] = reference_wage
    columns.end_date[:] = context.event_date + (days - 1).astype("timedelta64[D]")

    def story(row: int) -> RowStory:
        start, end = int(context.windows.start[row]), int(context.windows.end[row])
        steps = [regime_step(context, row, str(regime[row]))]
        parameters = ["regime", "sickness.covered_categories"]
        code = str(columns.refusal[row])
        if code == "no_rules_for_date":
            return RowStory(str(regime[row]), (start, end), (end, end), reference_method(6),
                            parameters, steps)
        if code == "event_not_covered":
            steps.append(category_step(context, row))
            return RowStory(str(regime[row]), (start, end), (end, end), reference_method(6),
                            parameters, steps, steps[-1])
        key = GROUPS[int(group[row])]
        cause = (("a work accident or occupational disease", "ອຸປະຕິເຫດແຮງງານ ຫຼື ພະຍາດອາຊີບ")
                 if key == "work_related" else
                 ("an illness or accident not caused by work", "ພະຍາດ ຫຼື ອຸບັດຕິເຫດທົ່ວໄປ"))
        steps.append((f"Cause: {cause[0]}; {int(days[row])} days of medical leave certified.",
                      f"ສາເຫດ: {cause[1]}; ມີການຢັ້ງຢືນທາງດ້ານການແພດ {int(days[row])} ວັນ."))
        need = int(minimum[row])
        steps.append(qualifying_step(int(months[row]), need))
        parameters += [f"sickness.{key}.minimum_months", "sickness.reference_wage_months",
                       f"sickness.{key}.first_rate", f"sickness.{key}.first_months",
                       f"sickness.{key}.second_rate", f"sickness.{key}.second_months",
                       "days_per_month"]
        method = reference_method(max(int(reference_months[row]), 1))
        steps.append(reference_step(method, int(reference_wage[row])))
        first, second = int(in_first[row]), int(in_second[row])
        per_month = int(days_per_month[row])
        detail = None
        if code == "duration_exhausted":
            longest = int(first_days[row] + second_days[row])
            detail = (f"{int(already[row])} days were already paid; the longest is {longest} days.",
                      f"ໄດ້ຈ່າຍແລ້ວ {int(already[row])} ວັນ; ສູງສຸດ {longest} ວັນ.")
            steps.append(detail)
        elif not code:
            wage = kip(reference_wage[row])
            parts_en = [f"{percent(int(first_rate[row]))} x {wage} x {first}/{per_month}"]
            parts_lo = list(parts_en)
            if second:
                parts_en.append(f"{percent(int(second_rate[row]))} x {wage} x {second}/{per_month}")
                parts_lo.append(parts_en[-1])
            total = kip(amount[row])
            steps.append((
                f"Benefit for {first + second} days: {' + '.join(parts_en)} = {total} kip "
                f"(rounded half up to the whole kip; {int(already[row])} days already paid).",
                f"ເງິນອຸດໜູນປ່ວຍການ {first + second} ວັນ: {' + '.join(parts_lo)} = {total} ກີບ "
                f"(ປັດເປັນກີບເຕັມ; ຈ່າຍແລ້ວ {int(already[row])} ວັນ).",
            ))
        return RowStory(str(regime[row]), (start, end), (int(reference_low[row]), end), method,
                        parameters, steps, detail)

    return columns.freeze("sickness", regime, context.event_date, story, context.history,
                          rules_version)
