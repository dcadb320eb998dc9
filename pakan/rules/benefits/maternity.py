"""Maternity benefit: the birth or miscarriage grant, and the allowance during leave [82].

Birth (pregnancy of at least 6 months): at least 9 contribution months. Miscarriage or
stillbirth (2 to 5 months): at least 6. The grant is 60% of the 6-month average wage per
child; an insured woman also gets 80% of it a month for 105 days (120 for twins or more; a
provisional 42 after a miscarriage). The wife of an insured man (`claimant_is_spouse`) gets
the grant on his record and no allowance. Both are paid at once (`lump_sum`): the days of
leave are known when the claim is decided.
"""

from __future__ import annotations

import numpy as np

from pakan.rules.benefits.assessment import Assessment, Columns, Step
from pakan.rules.benefits.common import Context, qualifying_step, reference_step, simple_story
from pakan.rules.benefits.dated import RATE_SCALE, percent, scale
from pakan.rules.benefits.texts import kip, reference_method
from pakan.rules.legal_parameters import RulesError


def assess_maternity(context: Context, rules_version: str) -> Assessment:
    facts, rules = context.facts, context.rules
    children = facts.integers("children", default=1, minimum=1, maximum=10)
    pregnancy = facts.integers("pregnancy_months", default=9, minimum=0, maximum=10)
    spouse = facts.booleans("claimant_is_spouse", default=False)
    woman = context.history.sex == "F"
    wrong = np.flatnonzero(spouse & woman)
    if wrong.size:
        raise RulesError(
            "claimant_is_spouse is for the wife of an insured man, but this member is a woman",
            "claimant_is_spouse ແມ່ນສຳລັບເມຍຂອງຜູ້ປະກັນຕົນເພດຊາຍ, ແຕ່ຜູ້ປະກັນຕົນນີ້ແມ່ນເພດຍິງ",
            row=int(wrong[0]), field="claimant_is_spouse",
        )
    regime = context.regime()
    birth_pregnancy = rules.integers("maternity.birth.minimum_pregnancy_months")
    miscarriage_pregnancy = rules.integers("maternity.miscarriage.minimum_pregnancy_months")
    birth = pregnancy >= birth_pregnancy
    miscarriage = ~birth & (pregnancy >= miscarriage_pregnancy)
    minimum = np.where(birth, rules.integers("maternity.birth.minimum_months"),
                       rules.integers("maternity.miscarriage.minimum_months"))
    reference_months = rules.integers("maternity.reference_wage_months")
    reference_wage, reference_low = context.windows.average_wage(np.maximum(reference_months, 1))
    grant_rate = rules.ppm("maternity.grant_rate_per_child")
    grant = scale(reference_wage, np.maximum(grant_rate, 0) * children, RATE_SCALE)
    allowance_days = np.where(
        birth,
        np.where(children >= 2, rules.integers("maternity.allowance.multiple_birth_days"),
                 rules.integers("maternity.allowance.days")),
        rules.integers("maternity.allowance.miscarriage_days"),
    )
    allowance_days = np.where(spouse, 0, np.maximum(allowance_days, 0))
    allowance_rate = rules.ppm("maternity.allowance.rate")
    days_per_month = rules.integers("days_per_month")
    allowance = scale(reference_wage, np.maximum(allowance_rate, 0) * allowance_days,
                      RATE_SCALE * np.maximum(days_per_month, 1))

    columns = Columns(context.size)
    months = context.months_before
    columns.months_counted[:] = months
    covered = context.refuse_uncovered(columns, regime)
    columns.refuse((minimum < 0) | (birth_pregnancy < 0), "no_rules_for_date")
    columns.refuse(~woman & ~spouse, "event_not_covered")
    columns.refuse(~birth & ~miscarriage, "event_not_covered")
    columns.refuse(months == 0, "not_insured")
    columns.refuse(months < minimum, "not_enough_contributions")
    columns.variant[:] = np.where(spouse, "grant", "grant_and_allowance")
    columns.kind[:] = "lump_sum"
    columns.lump_sum[:] = grant + allowance
    columns.reference_wage[:] = reference_wage

    def body(row: int, steps: list[Step]) -> tuple[list[str], Step | None]:
        code = str(columns.refusal[row])
        parameters = ["maternity.birth.minimum_pregnancy_months",
                      "maternity.miscarriage.minimum_pregnancy_months"]
        if not woman[row] and not spouse[row]:
            detail = ("A man cannot claim the maternity benefit for himself; his wife can "
                      "claim the birth grant as the wife of an insured man.",
                      "ຜູ້ຊາຍ ບໍ່ສາມາດຂໍຮັບເງິນອຸດໜູນອອກລູກ ສຳລັບຕົນເອງ; ເມຍຂອງລາວ "
                      "ສາມາດຂໍຮັບເງິນບຳເນັດ ໃນນາມເມຍຂອງຜູ້ປະກັນຕົນ.")
            steps.append(detail)
            return parameters, detail
        event = (("a birth", "ການອອກລູກ") if birth[row] else
                 ("a miscarriage or stillbirth", "ການຫຼຸລູກ") if miscarriage[row] else
                 ("a pregnancy too short to be covered", "ການຖືພາທີ່ສັ້ນເກີນໄປ"))
        who = (("the wife of an insured man claims on his record", "ເມຍຂອງຜູ້ປະກັນຕົນ ຂໍຮັບ")
               if spouse[row] else ("the insured woman claims", "ຜູ້ປະກັນຕົນເພດຍິງ ຂໍຮັບ"))
        steps.append((
            f"Event: {event[0]} after {int(pregnancy[row])} months of pregnancy, "
            f"{int(children[row])} child(ren); {who[0]}.",
            f"ເຫດການ: {event[1]} ຫຼັງຖືພາ {int(pregnancy[row])} ເດືອນ, ລູກ {int(children[row])} "
            f"ຄົນ; {who[1]}.",
        ))
        if code == "event_not_covered":
            detail = (f"A miscarriage is covered from {int(miscarriage_pregnancy[row])} months "
                      "of pregnancy.",
                      f"ການຫຼຸລູກ ໄດ້ຮັບການອຸດໜູນ ແຕ່ຖືພາ {int(miscarriage_pregnancy[row])} ເດືອນ.")
            steps.append(detail)
            return parameters, detail
        kind = "birth" if birth[row] else "miscarriage"
        parameters.append(f"maternity.{kind}.minimum_months")
        steps.append(qualifying_step(int(months[row]), int(minimum[row])))
        if code:
            return parameters, None
        parameters += ["maternity.reference_wage_months", "maternity.grant_rate_per_child"]
        wage = int(reference_wage[row])
        steps.append(reference_step(reference_method(int(reference_months[row])), wage))
        rate_text = percent(int(grant_rate[row]))
        steps.append((
            f"Grant: {rate_text} x {kip(wage)} x {int(children[row])} child(ren) = "
            f"{kip(grant[row])} kip.",
            f"ເງິນບຳເນັດ: {rate_text} x {kip(wage)} x ລູກ {int(children[row])} ຄົນ = "
            f"{kip(grant[row])} ກີບ.",
        ))
        if not spouse[row]:
            name = ("maternity.allowance.miscarriage_days" if not birth[row] else
                    "maternity.allowance.multiple_birth_days" if children[row] >= 2 else
                    "maternity.allowance.days")
            parameters += ["maternity.allowance.rate", name, "days_per_month"]
            days, per_month = int(allowance_days[row]), int(days_per_month[row])
            rate_text = percent(int(allowance_rate[row]))
            steps.append((
                f"Allowance during leave: {rate_text} x {kip(wage)} x {days}/{per_month} = "
                f"{kip(allowance[row])} kip.",
                f"ເງິນອຸດໜູນໃນໄລຍະພັກອອກລູກ: {rate_text} x {kip(wage)} x {days}/{per_month} = "
                f"{kip(allowance[row])} ກີບ.",
            ))
        total = kip(columns.lump_sum[row])
        steps.append((f"Paid at once: {total} kip (each part rounded half up to the whole kip).",
                      f"ຈ່າຍຄັ້ງດຽວ: {total} ກີບ (ປັດເປັນກີບເຕັມ)."))
        return parameters, None

    story = simple_story(context, columns, regime, covered, counted_low=context.windows.start,
                         reference_low=reference_low, reference_months=reference_months,
                         body=body)
    return columns.freeze("maternity", regime, context.event_date, story, context.history,
                          rules_version)
