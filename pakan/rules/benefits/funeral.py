"""Funeral grant on an insured person's death: at least 3 contribution months within the last
6 [88]; the amount is NOT FOUND, so a provisional number of months of the deceased's 6-month
average wage is paid (see funeral.yaml)."""

from __future__ import annotations

import numpy as np

from pakan.rules.benefits.assessment import Assessment, Columns, Step
from pakan.rules.benefits.common import Context, qualifying_step, reference_step, simple_story
from pakan.rules.benefits.dated import RATE_SCALE, scale
from pakan.rules.benefits.texts import kip, reference_method


def assess_funeral(context: Context, rules_version: str) -> Assessment:
    rules, windows = context.rules, context.windows
    regime = context.regime()
    minimum = rules.integers("funeral.minimum_months")
    window = rules.integers("funeral.window_months")
    window_start = windows.window_start(np.maximum(window, 0))
    in_window = windows.end - window_start
    reference_months = rules.integers("funeral.reference_wage_months")
    reference_wage, reference_low = windows.average_wage(np.maximum(reference_months, 1))
    grant_months = rules.ppm("funeral.grant_months")
    grant = scale(reference_wage, np.maximum(grant_months, 0), RATE_SCALE)

    columns = Columns(context.size)
    columns.months_counted[:] = in_window
    covered = context.refuse_uncovered(columns, regime)
    columns.refuse(minimum < 0, "no_rules_for_date")
    columns.refuse(context.months_before == 0, "not_insured")
    columns.refuse(in_window < minimum, "not_enough_contributions")
    columns.variant[:] = "grant"
    columns.kind[:] = "lump_sum"
    columns.lump_sum[:] = grant
    columns.reference_wage[:] = reference_wage

    def body(row: int, steps: list[Step]) -> tuple[list[str], Step | None]:
        parameters = ["funeral.minimum_months", "funeral.window_months"]
        steps.append(qualifying_step(int(in_window[row]), int(minimum[row]), int(window[row])))
        if columns.refusal[row]:
            return parameters, None
        parameters += ["funeral.reference_wage_months", "funeral.grant_months"]
        wage = int(reference_wage[row])
        steps.append(reference_step(reference_method(int(reference_months[row])), wage))
        months_text = f"{int(grant_months[row]) / RATE_SCALE:g}"
        steps.append((
            f"Funeral grant: {months_text} month(s) x {kip(wage)} = {kip(grant[row])} kip "
            "(rounded half up to the whole kip).",
            f"ເງິນອຸດໜູນຊາປະນະກິດສົບ: {months_text} ເດືອນ x {kip(wage)} = {kip(grant[row])} ກີບ "
            "(ປັດເປັນກີບເຕັມ).",
        ))
        return parameters, None

    story = simple_story(context, columns, regime, covered, counted_low=window_start,
                         reference_low=reference_low, reference_months=reference_months,
                         body=body)
    return columns.freeze("funeral", regime, context.event_date, story, context.history,
                          rules_version)
