"""Invalidity (not caused by work) and employment injury (temporary and permanent).

Both rate permanent incapacity by 6 categories, 1 the most severe (80% ... 30% of the 6-month
average wage, provisional [18]). Invalidity needs a provisional 60 months; employment injury
1 month [84]. Temporary incapacity pays 80% for the certified days, at most 6 months, as a
total (`lump_sum`); permanent incapacity is an open-ended monthly pension.
"""

from __future__ import annotations

import numpy as np

from pakan.rules.benefits.assessment import Assessment, Columns, Step
from pakan.rules.benefits.common import Context, qualifying_step, reference_step, simple_story
from pakan.rules.benefits.dated import RATE_SCALE, percent, scale, share
from pakan.rules.benefits.sickness import MAXIMUM_DAYS, paid_days
from pakan.rules.benefits.texts import kip, reference_method
from pakan.rules.legal_parameters import RulesError

INCAPACITIES = ("temporary", "permanent")


def _pension_step(rate: int, wage: int, amount: int, category: int) -> Step:
    return (
        f"Category {category} incapacity: {percent(rate)} x {kip(wage)} = {kip(amount)} kip a "
        "month (rounded half up to the whole kip), for as long as the incapacity lasts.",
        f"ເສຍອົງຄະ ປະເພດ {category}: {percent(rate)} x {kip(wage)} = {kip(amount)} ກີບ ຕໍ່ເດືອນ "
        "(ປັດເປັນກີບເຕັມ), ຕາມໄລຍະທີ່ເສຍກຳລັງແຮງງານ.",
    )


def assess_invalidity(context: Context, rules_version: str) -> Assessment:
    rules = context.rules
    category = context.facts.integers("incapacity_category", default=None, minimum=1, maximum=6)
    regime = context.regime()
    minimum = rules.integers("invalidity.minimum_months")
    rate = rules.list_lookup("invalidity.rates_by_category", category - 1)
    reference_months = rules.integers("invalidity.reference_wage_months")
    reference_wage, reference_low = context.windows.average_wage(np.maximum(reference_months, 1))
    amount = share(reference_wage, rate)

    columns = Columns(context.size)
    months = context.months_before
    columns.months_counted[:] = months
    covered = context.refuse_uncovered(columns, regime)
    columns.refuse((minimum < 0) | (rate < 0), "no_rules_for_date")
    columns.refuse(months == 0, "not_insured")
    columns.refuse(months < minimum, "not_enough_contributions")
    columns.variant[:] = "pension"
    columns.kind[:] = "periodic"
    columns.monthly_amount[:] = amount
    columns.reference_wage[:] = reference_wage

    def body(row: int, steps: list[Step]) -> tuple[list[str], Step | None]:
        parameters = ["invalidity.minimum_months"]
        steps.append(qualifying_step(int(months[row]), int(minimum[row])))
        if columns.refusal[row]:
            return parameters, None
        parameters += ["invalidity.reference_wage_months", "invalidity.rates_by_category"]
        wage = int(reference_wage[row])
        steps.append(reference_step(reference_method(int(reference_months[row])), wage))
        steps.append(_pension_step(int(rate[row]), wage, int(amount[row]), int(category[row])))
        return parameters, None

    story = simple_story(context, columns, regime, covered, counted_low=context.windows.start,
                         reference_low=reference_low, reference_months=reference_months,
                         body=body)
    return columns.freeze("invalidity", regime, context.event_date, story, context.history,
                          rules_version)


def assess_employment_injury(context: Context, rules_version: str) -> Assessment:
    facts, rules = context.facts, context.rules
    incapacity = facts.choices("incapacity", INCAPACITIES)
    temporary = incapacity == "temporary"
    category = facts.integers("incapacity_category", default=0, minimum=0, maximum=6)
    days = facts.integers("days", default=0, minimum=0, maximum=MAXIMUM_DAYS)
    already = facts.integers("days_already_paid", default=0, minimum=0, maximum=MAXIMUM_DAYS)
    _require_per_row(temporary & (days < 1), "days",
                     "temporary incapacity needs the number of certified days (at least 1)",
                     "ການເສຍກຳລັງແຮງງານຊົ່ວຄາວ ຕ້ອງມີຈຳນວນວັນທີ່ຢັ້ງຢືນ (ຢ່າງໜ້ອຍ 1 ວັນ)")
    _require_per_row(~temporary & (category < 1), "incapacity_category",
                     "permanent incapacity needs its category (1 to 6)",
                     "ການເສຍກຳລັງແຮງງານຖາວອນ ຕ້ອງມີປະເພດ (1 ຫາ 6)")
    regime = context.regime()
    minimum = rules.integers("employment_injury.minimum_months")
    reference_months = rules.integers("employment_injury.reference_wage_months")
    reference_wage, reference_low = context.windows.average_wage(np.maximum(reference_months, 1))
    temporary_rate = rules.ppm("employment_injury.temporary.rate")
    days_per_month = rules.integers("days_per_month")
    longest = rules.integers("employment_injury.temporary.maximum_months") * days_per_month
    payable, _ = paid_days(already, days, longest, np.zeros_like(longest))
    temporary_amount = scale(reference_wage, np.maximum(temporary_rate, 0) * payable,
                             RATE_SCALE * np.maximum(days_per_month, 1))
    permanent_rate = rules.list_lookup("employment_injury.permanent.rates_by_category",
                                       np.where(temporary, 0, category - 1))
    permanent_amount = share(reference_wage, permanent_rate)

    columns = Columns(context.size)
    months = context.months_before
    columns.months_counted[:] = months
    covered = context.refuse_uncovered(columns, regime)
    columns.refuse((minimum < 0) | (permanent_rate < 0), "no_rules_for_date")
    columns.refuse(months == 0, "not_insured")
    columns.refuse(months < minimum, "not_enough_contributions")
    columns.refuse(temporary & (payable == 0), "duration_exhausted")
    columns.variant[:] = incapacity
    columns.kind[:] = np.where(temporary, "lump_sum", "periodic")
    columns.lump_sum[:] = np.where(temporary, temporary_amount, 0)
    columns.monthly_amount[:] = np.where(temporary, 0, permanent_amount)
    columns.reference_wage[:] = reference_wage
    columns.end_date[:] = np.where(
        temporary, context.event_date + (np.maximum(days, 1) - 1).astype("timedelta64[D]"),
        np.datetime64("NaT"))

    def body(row: int, steps: list[Step]) -> tuple[list[str], Step | None]:
        parameters = ["employment_injury.minimum_months"]
        steps.append((
            "Cause: an accident at work, on the way between home and work, or an occupational "
            "disease.",
            "ສາເຫດ: ອຸປະຕິເຫດແຮງງານ (ຢູ່ບ່ອນເຮັດວຽກ ຫຼື ໃນເວລາເດີນທາງໄປກັບ) ຫຼື ພະຍາດອາຊີບ.",
        ))
        steps.append(qualifying_step(int(months[row]), int(minimum[row])))
        code = str(columns.refusal[row])
        if code and code != "duration_exhausted":
            return parameters, None
        parameters.append("employment_injury.reference_wage_months")
        wage = int(reference_wage[row])
        steps.append(reference_step(reference_method(int(reference_months[row])), wage))
        if not temporary[row]:
            parameters.append("employment_injury.permanent.rates_by_category")
            steps.append(_pension_step(int(permanent_rate[row]), wage,
                                       int(permanent_amount[row]), int(category[row])))
            return parameters, None
        parameters += ["employment_injury.temporary.rate",
                       "employment_injury.temporary.maximum_months", "days_per_month"]
        if code:
            detail = (f"{int(already[row])} days were already paid; the longest is "
                      f"{int(longest[row])} days, then a new medical examination.",
                      f"ໄດ້ຈ່າຍແລ້ວ {int(already[row])} ວັນ; ສູງສຸດ {int(longest[row])} ວັນ, "
                      "ຫຼັງຈາກນັ້ນ ກວດສຸຂະພາບຄືນໃໝ່.")
            steps.append(detail)
            return parameters, detail
        rate_text, per_month = percent(int(temporary_rate[row])), int(days_per_month[row])
        steps.append((
            f"Temporary incapacity, {int(payable[row])} of {int(days[row])} certified days "
            f"paid: {rate_text} x {kip(wage)} x {int(payable[row])}/{per_month} = "
            f"{kip(temporary_amount[row])} kip (rounded half up to the whole kip).",
            f"ເສຍກຳລັງແຮງງານຊົ່ວຄາວ, ຈ່າຍ {int(payable[row])} ໃນ {int(days[row])} ວັນ: "
            f"{rate_text} x {kip(wage)} x {int(payable[row])}/{per_month} = "
            f"{kip(temporary_amount[row])} ກີບ (ປັດເປັນກີບເຕັມ).",
        ))
        return parameters, None

    story = simple_story(context, columns, regime, covered, counted_low=context.windows.start,
                         reference_low=reference_low, reference_months=reference_months,
                         body=body)
    return columns.freeze("employment_injury", regime, context.event_date, story,
                          context.history, rules_version)


def _require_per_row(wrong: np.ndarray, field: str, english: str, lao: str) -> None:
    rows = np.flatnonzero(wrong)
    if rows.size:
        raise RulesError(english, lao, row=int(rows[0]), field=field)
