"""Unemployment benefit after an involuntary job loss [85][86].

At least 12 contribution months within the 24 before the job loss; a cause from the list; at
least 30 days of certified unemployment; a previous recipient needs 12 further months after
the last month of benefit. 60% of the reference wage a month; the reference period and the
duration are NOT FOUND (provisional 6-month average, 3 months): a periodic award with an end.
"""

from __future__ import annotations

import numpy as np

from pakan.rules.benefits.assessment import Assessment, Columns, Step
from pakan.rules.benefits.common import Context, qualifying_step, reference_step, simple_story
from pakan.rules.benefits.dated import percent, share
from pakan.rules.benefits.history import add_months, months_of
from pakan.rules.benefits.texts import kip, met, reference_method
from pakan.rules.legal_parameters import RulesError

CAUSES = ("bankruptcy", "closure", "project_end", "disaster", "downsizing")
CAUSE_WORDS = {
    "bankruptcy": ("the employer's bankruptcy", "ຫົວໜ່ວຍແຮງງານລົ້ມລະລາຍ"),
    "closure": ("the closure of the business", "ຫົວໜ່ວຍແຮງງານປິດກິດຈະການ"),
    "project_end": ("the end of a development-aid project", "ໂຄງການຊ່ວຍເຫຼືອສິ້ນສຸດ"),
    "disaster": ("a temporary closure caused by a disaster", "ປິດຊົ່ວຄາວຍ້ອນໄພພິບັດ"),
    "downsizing": ("downsizing or lay-off", "ຫຼຸດພະນັກງານ ຫຼື ໃຫ້ອອກຈາກວຽກ"),
}  # own wording, with the glossary's ຫົວໜ່ວຍແຮງງານ (labour unit)


def assess_unemployment(context: Context, rules_version: str) -> Assessment:
    facts, rules, windows = context.facts, context.rules, context.windows
    cause = facts.choices("cause", CAUSES)
    unemployed_days = facts.integers("unemployed_days", default=30, minimum=0, maximum=36_600)
    last_benefit = facts.dates("last_benefit_month", unit="M", required=False)
    late = np.flatnonzero(~np.isnat(last_benefit)
                          & (last_benefit >= context.event_date.astype("datetime64[M]")))
    if late.size:
        raise RulesError("the last month of a previous benefit must be before the job loss",
                         "ເດືອນສຸດທ້າຍຂອງເງິນອຸດໜູນຄັ້ງກ່ອນ ຕ້ອງຢູ່ກ່ອນການອອກຈາກວຽກ",
                         row=int(late[0]), field="last_benefit_month")
    regime = context.regime()
    minimum = rules.integers("unemployment.minimum_months")
    window = rules.integers("unemployment.window_months")
    window_start = windows.window_start(np.maximum(window, 0))
    in_window = windows.end - window_start
    minimum_days = rules.integers("unemployment.minimum_unemployed_days")
    since_needed = rules.integers("unemployment.months_since_last_benefit")
    previous = ~np.isnat(last_benefit)
    since_last = np.where(previous, windows.months_after(months_of(
        np.where(previous, last_benefit, np.datetime64("1970-01", "M")))), 0)
    cause_code = np.full(context.size, -1, dtype=np.int64)
    for position, name in enumerate(CAUSES):
        cause_code[cause == name] = position
    cause_covered = rules.member_of("unemployment.causes", cause_code, CAUSES)
    rate = rules.ppm("unemployment.rate")
    reference_months = rules.integers("unemployment.reference_wage_months")
    reference_wage, reference_low = windows.average_wage(np.maximum(reference_months, 1))
    amount = share(reference_wage, rate)
    duration = rules.integers("unemployment.duration_months")

    columns = Columns(context.size)
    columns.months_counted[:] = in_window
    covered = context.refuse_uncovered(columns, regime)
    columns.refuse((minimum < 0) | (rate < 0), "no_rules_for_date")
    columns.refuse(~cause_covered, "event_not_covered")
    columns.refuse(context.months_before == 0, "not_insured")
    columns.refuse(in_window < minimum, "not_enough_contributions")
    columns.refuse(previous & (since_last < since_needed), "not_enough_contributions")
    columns.refuse(unemployed_days < minimum_days, "event_not_covered")
    columns.variant[:] = "allowance"
    columns.kind[:] = "periodic"
    columns.monthly_amount[:] = amount
    columns.reference_wage[:] = reference_wage
    columns.end_date[:] = add_months(context.event_date, np.maximum(duration, 0)) - np.timedelta64(
        1, "D")

    def body(row: int, steps: list[Step]) -> tuple[list[str], Step | None]:
        parameters = ["unemployment.causes", "unemployment.minimum_unemployed_days"]
        words = CAUSE_WORDS[str(cause[row])]
        days, need_days = int(unemployed_days[row]), int(minimum_days[row])
        days_met = met(days >= need_days)
        steps.append((
            f"Job lost because of {words[0]}; certified unemployed for {days} days (at least "
            f"{need_days} needed: {days_met[0]}).",
            f"ອອກຈາກວຽກ ຍ້ອນ{words[1]}; ຢັ້ງຢືນການວ່າງງານ {days} ວັນ (ຕ້ອງຢ່າງໜ້ອຍ {need_days} "
            f"ວັນ: {days_met[1]}).",
        ))
        code = str(columns.refusal[row])
        detail = None
        if not cause_covered[row]:
            detail = ("This cause of job loss is not covered on that date.",
                      "ສາເຫດການອອກຈາກວຽກນີ້ ບໍ່ໄດ້ຮັບການອຸດໜູນ ໃນວັນທີນັ້ນ.")
            steps.append(detail)
            return parameters, detail
        parameters += ["unemployment.minimum_months", "unemployment.window_months"]
        steps.append(qualifying_step(int(in_window[row]), int(minimum[row]), int(window[row])))
        if previous[row]:
            parameters.append("unemployment.months_since_last_benefit")
            need, have = int(since_needed[row]), int(since_last[row])
            since_met = met(have >= need)
            steps.append((
                f"A previous benefit ended in {last_benefit[row]}: {have} contribution months "
                f"since then, at least {need} needed: {since_met[0]}.",
                f"ເຄີຍໄດ້ຮັບເງິນອຸດໜູນວ່າງງານ ເຖິງເດືອນ {last_benefit[row]}: ຖອກເງິນສົມທົບ {have} "
                f"ເດືອນ ນັບແຕ່ນັ້ນ, ຕ້ອງຢ່າງໜ້ອຍ {need} ເດືອນ: {since_met[1]}.",
            ))
        if code == "event_not_covered":
            detail = steps[1]
        if code:
            return parameters, detail
        parameters += ["unemployment.reference_wage_months", "unemployment.rate",
                       "unemployment.duration_months"]
        wage = int(reference_wage[row])
        steps.append(reference_step(reference_method(int(reference_months[row])), wage))
        steps.append((
            f"Benefit: {percent(int(rate[row]))} x {kip(wage)} = {kip(amount[row])} kip a month "
            f"(rounded half up to the whole kip) for at most {int(duration[row])} months, until "
            f"{columns.end_date[row]}.",
            f"ເງິນອຸດໜູນວ່າງງານ: {percent(int(rate[row]))} x {kip(wage)} = {kip(amount[row])} ກີບ "
            f"ຕໍ່ເດືອນ (ປັດເປັນກີບເຕັມ) ບໍ່ເກີນ {int(duration[row])} ເດືອນ, ເຖິງວັນທີ "
            f"{columns.end_date[row]}.",
        ))
        return parameters, None

    story = simple_story(context, columns, regime, covered, counted_low=window_start,
                         reference_low=reference_low, reference_months=reference_months,
                         body=body)
    return columns.freeze("unemployment", regime, context.event_date, story, context.history,
                          rules_version)
