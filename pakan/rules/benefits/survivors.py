"""Survivors' benefit (family-member allowance) on an insured person's death [87][12].

The deceased needs 60 contribution months. Each row is one survivor (`relationship`):
- spouse, 30%: not remarried, and either old enough (husband 60, wife 55) with no income, or
  disabled;
- child, 20%: until the day before the 18th birthday, for life if disabled; a child born after
  the death counts;
- parent, 30% for one supported parent or 50% shared by two: father 60, mother 55.
The salary is the deceased's last insured wage (provisional). No cap on the total is known.
"""

from __future__ import annotations

import numpy as np

from pakan.rules.benefits.assessment import Assessment, Columns, Step
from pakan.rules.benefits.common import Context, qualifying_step, reference_step, simple_story
from pakan.rules.benefits.dated import RATE_SCALE, percent, scale
from pakan.rules.benefits.history import add_years, age_in_years
from pakan.rules.benefits.texts import SEX_WORDS, kip, reference_method
from pakan.rules.legal_parameters import RulesError

RELATIONSHIPS = ("spouse", "child", "parent")
WORDS = {"spouse": ("surviving spouse", "ຄູ່ສົມລົດ"), "child": ("child", "ລູກ"),
         "parent": ("parent", "ພໍ່ ຫຼື ແມ່")}  # own wording


def _beneficiary_sex(context: Context, relationship: np.ndarray) -> np.ndarray:
    facts = context.facts
    if facts.given("beneficiary_sex"):
        sex = facts.choices("beneficiary_sex", ("M", "F", ""))
    else:
        sex = np.full(context.size, "", dtype="<U1")
    # A spouse whose sex is not given is taken to be of the other sex than the deceased.
    opposite = np.where(context.history.sex == "M", "F", "M")
    sex = np.where((sex == "") & (relationship == "spouse"), opposite, sex)
    missing = np.flatnonzero((sex == "") & (relationship == "parent"))
    if missing.size:
        raise RulesError("a parent's sex is needed (the age condition differs)",
                         "ຕ້ອງມີເພດຂອງພໍ່ ຫຼື ແມ່ (ເງື່ອນໄຂອາຍຸຕ່າງກັນ)",
                         row=int(missing[0]), field="beneficiary_sex")
    return sex


def assess_survivors(context: Context, rules_version: str) -> Assessment:
    facts, rules = context.facts, context.rules
    relationship = facts.choices("relationship", RELATIONSHIPS)
    birth = facts.dates("beneficiary_birth_date", unit="D", required=True)
    sex = _beneficiary_sex(context, relationship)
    has_income = facts.booleans("beneficiary_has_income", default=False)
    remarried = facts.booleans("beneficiary_remarried", default=False)
    disabled = facts.booleans("beneficiary_disabled", default=False)
    parents = facts.integers("parents_supported", default=1, minimum=1, maximum=2)
    unborn = np.flatnonzero((birth > context.event_date) & (relationship != "child"))
    if unborn.size:
        raise RulesError("a spouse or parent cannot be born after the death",
                         "ຄູ່ສົມລົດ ຫຼື ພໍ່ແມ່ ບໍ່ສາມາດເກີດຫຼັງວັນເສຍຊີວິດ",
                         row=int(unborn[0]), field="beneficiary_birth_date")
    regime = context.regime()
    age = np.maximum(age_in_years(birth, np.maximum(birth, context.event_date)), 0)
    woman = sex == "F"
    spouse_age = np.where(woman, rules.integers("survivors.spouse.minimum_age.female"),
                          rules.integers("survivors.spouse.minimum_age.male"))
    parent_age = np.where(woman, rules.integers("survivors.parents.minimum_age.female"),
                          rules.integers("survivors.parents.minimum_age.male"))
    child_limit = rules.integers("survivors.child.age_limit")
    is_spouse, is_child, is_parent = (relationship == name for name in RELATIONSHIPS)
    required_age = np.where(is_spouse, spouse_age, np.where(is_parent, parent_age, 0))

    # Rates per row in parts per million over a denominator (two parents share one rate).
    rate = np.select(
        [is_spouse, is_child, is_parent & (parents == 2)],
        [rules.ppm("survivors.spouse.rate"), rules.ppm("survivors.child.rate"),
         rules.ppm("survivors.parents.rate_both")],
        rules.ppm("survivors.parents.rate_one"),
    )
    shared_by = np.where(is_parent, parents, 1)
    reference_months = rules.integers("survivors.reference_wage_months")
    reference_wage, reference_low = context.windows.average_wage(np.maximum(reference_months, 1))
    amount = scale(reference_wage, np.maximum(rate, 0), RATE_SCALE * shared_by)
    minimum = rules.integers("survivors.minimum_months")

    columns = Columns(context.size)
    months = context.months_before
    columns.months_counted[:] = months
    covered = context.refuse_uncovered(columns, regime)
    columns.refuse((minimum < 0) | (rate < 0), "no_rules_for_date")
    columns.refuse(months == 0, "not_insured")
    columns.refuse(months < minimum, "not_enough_contributions")
    columns.refuse(is_spouse & (remarried | (has_income & ~disabled)), "not_a_dependant")
    columns.refuse(is_spouse & ~disabled & (age < spouse_age), "below_age")
    columns.refuse(is_child & ~disabled & (age >= child_limit), "not_a_dependant")
    columns.refuse(is_parent & (age < parent_age), "below_age")
    columns.variant[:] = relationship
    columns.kind[:] = "periodic"
    columns.monthly_amount[:] = amount
    columns.reference_wage[:] = reference_wage
    child_end = add_years(birth, np.maximum(child_limit, 0)) - np.timedelta64(1, "D")
    columns.end_date[:] = np.where(is_child & ~disabled, child_end, np.datetime64("NaT"))

    def body(row: int, steps: list[Step]) -> tuple[list[str], Step | None]:
        parameters = ["survivors.minimum_months"]
        who = str(relationship[row])
        sex_en, sex_lo = SEX_WORDS.get(str(sex[row]), ("", ""))
        steps.append((
            f"Claimant: the deceased's {WORDS[who][0]}, born {birth[row]}, {int(age[row])} "
            f"years old at the death" + (f" ({sex_en})" if sex_en else "") + ".",
            f"ຜູ້ຂໍຮັບ: {WORDS[who][1]} ຂອງຜູ້ເສຍຊີວິດ, ເກີດວັນທີ {birth[row]}, ອາຍຸ "
            f"{int(age[row])} ປີ ໃນວັນເສຍຊີວິດ" + (f" ({sex_lo})" if sex_lo else "") + ".",
        ))
        steps.append(qualifying_step(int(months[row]), int(minimum[row])))
        code = str(columns.refusal[row])
        detail = _dependant_step(row, who, code, required_age, child_limit, disabled,
                                 has_income, remarried, parameters, sex)
        if detail:
            steps.append(detail)
        if code:
            return parameters, detail if code in ("not_a_dependant", "below_age") else None
        parameters.append("survivors.reference_wage_months")
        wage = int(reference_wage[row])
        steps.append(reference_step(reference_method(int(reference_months[row])), wage))
        share_en = f" shared by {int(shared_by[row])}" if shared_by[row] > 1 else ""
        share_lo = f" ແບ່ງໃຫ້ {int(shared_by[row])} ຄົນ" if shared_by[row] > 1 else ""
        rate_name = {"spouse": "survivors.spouse.rate", "child": "survivors.child.rate"}.get(
            who, "survivors.parents.rate_both" if parents[row] == 2 else
            "survivors.parents.rate_one")
        parameters.append(rate_name)
        end = columns.end_date[row]
        until_en = f" until {end}" if not np.isnat(end) else ""
        until_lo = f" ເຖິງວັນທີ {end}" if not np.isnat(end) else ""
        steps.append((
            f"Allowance: {percent(int(rate[row]))}{share_en} x {kip(wage)} = "
            f"{kip(amount[row])} kip a month{until_en} (rounded half up to the whole kip).",
            f"ເງິນອຸດໜູນ: {percent(int(rate[row]))}{share_lo} x {kip(wage)} = "
            f"{kip(amount[row])} ກີບ ຕໍ່ເດືອນ{until_lo} (ປັດເປັນກີບເຕັມ).",
        ))
        return parameters, None

    story = simple_story(context, columns, regime, covered, counted_low=context.windows.start,
                         reference_low=reference_low, reference_months=reference_months,
                         body=body)
    return columns.freeze("survivors", regime, context.event_date, story, context.history,
                          rules_version)


def _dependant_step(row, who, code, required_age, child_limit, disabled, has_income,
                    remarried, parameters, sex) -> Step | None:
    sex_key = "female" if sex[row] == "F" else "male"
    if who == "child":
        parameters.append("survivors.child.age_limit")
        limit = int(child_limit[row])
        if disabled[row]:
            return ("A disabled child is paid for life.", "ລູກທີ່ພິການ ໄດ້ຮັບຕະຫຼອດຊີວິດ.")
        return (f"A child is paid until the day before their {limit}th birthday.",
                f"ລູກ ໄດ້ຮັບເຖິງມື້ກ່ອນວັນເກີດຄົບ {limit} ປີ.")
    need = int(required_age[row])
    if who == "parent":
        parameters.append(f"survivors.parents.minimum_age.{sex_key}")
        return (f"A supported parent must be at least {need}.",
                f"ພໍ່ ຫຼື ແມ່ ທີ່ຜູ້ເສຍຊີວິດລ້ຽງດູ ຕ້ອງມີອາຍຸຢ່າງໜ້ອຍ {need} ປີ.")
    parameters.append(f"survivors.spouse.minimum_age.{sex_key}")
    if remarried[row]:
        return ("A spouse who has remarried is not entitled.",
                "ຄູ່ສົມລົດທີ່ແຕ່ງງານໃໝ່ ບໍ່ເປັນຜູ້ເກີດສິດ.")
    if disabled[row]:
        return ("A disabled spouse is entitled at any age.",
                "ຄູ່ສົມລົດທີ່ພິການ ເປັນຜູ້ເກີດສິດ ທຸກອາຍຸ.")
    if has_income[row]:
        return ("A spouse with an income of their own is not entitled.",
                "ຄູ່ສົມລົດທີ່ມີລາຍຮັບ ບໍ່ເປັນຜູ້ເກີດສິດ.")
    return (f"A spouse with no income must be at least {need}.",
            f"ຄູ່ສົມລົດທີ່ບໍ່ມີລາຍຮັບ ຕ້ອງມີອາຍຸຢ່າງໜ້ອຍ {need} ປີ.")
