"""The words of an old-age decision: each step of the reasoning in English and Lao, and the
parameters it used, built for one row from the columns `assess_old_age` computed for all."""

from __future__ import annotations

from typing import Any

from pakan.rules.benefits.assessment import Columns, RowStory, Step
from pakan.rules.benefits.common import Context, regime_step
from pakan.rules.benefits.dated import RATE_SCALE, percent
from pakan.rules.benefits.texts import SEX_WORDS, kip, met, reference_method

SCHEMES = ("enterprise", "public")
SCHEME_WORDS = {"enterprise": ("enterprise", "ວິສາຫະກິດ"), "public": ("public", "ພາກລັດ")}
EARLY_PATHS = ("without_condition", "hazardous_work", "disability", "pre_1975")
EARLY_WORDS = {
    "without_condition": ("open to all with enough years", "ສຳລັບທຸກຄົນທີ່ມີປີການພຽງພໍ"),
    "hazardous_work": ("after hazardous work", "ຫຼັງຈາກເຮັດວຽກທີ່ເປັນອັນຕະລາຍ"),
    "disability": ("for lost working capacity (disability)", "ເນື່ອງຈາກເສຍອົງຄະ"),
    "pre_1975": ("for service begun before 1975", "ສຳລັບຜູ້ເຂົ້າເຮັດວຽກກ່ອນປີ 1975"),
}


class OldAgeStory:
    """Builds one row's explanation from the columns computed for all rows."""

    def __init__(self, context: Context, columns: Columns, values: dict[str, Any]) -> None:
        self.context = context
        self.columns = columns
        self.values = values

    def __call__(self, row: int) -> RowStory:
        context, values, columns = self.context, self.values, self.columns
        history = context.history
        regime = str(values["regime"][row])
        scheme_position = int(values["scheme_index"][row])
        category = str(history.category[row])
        parameters = ["old_age.regime", f"scheme_of_category.{category}"]
        start, end = int(context.windows.start[row]), int(context.windows.end[row])
        steps: list[Step] = [regime_step(context, row, regime)]
        code = str(columns.refusal[row])
        if scheme_position < 0 or not regime or int(values["normal_age"][row]) < 0:
            detail = _no_rules_detail(context, row, scheme_position)
            steps.append(detail)
            return RowStory(regime, (start, end), (end, end), reference_method(1), parameters,
                            steps, detail)
        scheme = SCHEMES[scheme_position]
        prefix = f"old_age.{scheme}."
        sex = str(history.sex[row])
        sex_key = "female" if sex == "F" else "male"
        scheme_en, scheme_lo = SCHEME_WORDS[scheme]
        steps[0] = (f"{steps[0][0][:-len(' apply.')]} apply ({scheme_en} scheme).",
                    f"{steps[0][1][:-1]} (ລະບົບ{scheme_lo}).")
        age = int(context.age[row])
        sex_en, sex_lo = SEX_WORDS[sex]
        steps.append((
            f"Born {history.birth_date[row]}: {age} years old on the event date ({sex_en}).",
            f"ເກີດວັນທີ {history.birth_date[row]}: ອາຍຸ {age} ປີ ໃນວັນທີເກີດເຫດ ({sex_lo}).",
        ))
        months = int(columns.months_counted[row])
        years = int(values["years"][row])
        credited = int(values["credited"][row])
        credit_en = f" + {credited} credited for pre-1975 service" if credited else ""
        credit_lo = f" + {credited} ປີ ສຳລັບການເຮັດວຽກກ່ອນປີ 1975" if credited else ""
        steps.append((
            f"{months} contribution months count before the event: {months // 12} whole years"
            f"{credit_en} = {years} service years.",
            f"ມີ {months} ເດືອນທີ່ຖອກເງິນສົມທົບ ກ່ອນເກີດເຫດ: {months // 12} ປີເຕັມ"
            f"{credit_lo} = {years} ປີການ.",
        ))
        parameters += [
            prefix + "pre_1975_service_years_per_credited_year",
            prefix + f"normal_age.{sex_key}", prefix + f"latest_normal_age.{sex_key}",
            prefix + "minimum_years", prefix + "reduced_pension.minimum_years",
        ]
        normal_age = int(values["normal_age"][row])
        reduced = int(values["reduced_minimum"][row])
        full = int(values["minimum_years"][row])
        reduced_en = f" ({reduced} for a reduced pension)" if reduced < full else ""
        reduced_lo = f" ({reduced} ປີ ສຳລັບບຳນານທີ່ຫຼຸດລົງ)" if reduced < full else ""
        age_met, years_met = met(age >= normal_age), met(years >= reduced)
        steps.append((
            f"Qualifying conditions for the pension: age {normal_age} ({sex_en}) and at least "
            f"{full} service years{reduced_en}: age {age_met[0]}, years {years_met[0]}.",
            f"ເງື່ອນໄຂການເກີດສິດ ບຳນານ: ອາຍຸ {normal_age} ປີ ({sex_lo}) ແລະ ຢ່າງໜ້ອຍ {full} "
            f"ປີການ{reduced_lo}: ອາຍຸ {age_met[1]}, ປີການ {years_met[1]}.",
        ))
        variant = str(columns.variant[row])
        reference = (end, end)
        method = reference_method(1)
        detail = None
        if variant in ("normal", "deferred", "early"):
            reference, method = self._pension_steps(row, prefix, sex_key, steps, parameters)
        elif variant == "lump_sum":
            reference, method = self._lump_sum_steps(row, prefix, steps, parameters)
        elif code in ("below_age", "not_enough_contributions"):
            detail = self._early_paths(row, prefix, sex_key, steps, parameters)
        return RowStory(regime, (start, end), reference, method, parameters, steps, detail)

    def _pension_steps(self, row: int, prefix: str, sex_key: str, steps: list[Step],
                       parameters: list[str]) -> tuple[tuple[int, int], Step]:
        values, columns = self.values, self.columns
        if columns.variant[row] == "early":
            path = EARLY_PATHS[int(values["early_path"][row])]
            path_age = int(values["early_ages"][path][row])
            path_years = int(values["early_years"][path][row])
            steps.append((
                f"Below the normal age, but the early pension {EARLY_WORDS[path][0]} is open: "
                f"age {path_age} with at least {path_years} service years: met.",
                f"ອາຍຸຍັງບໍ່ເຖິງກະສຽນອາຍຸ, ແຕ່ມີສິດຮັບບຳນານກ່ອນກຳນົດ {EARLY_WORDS[path][1]}: "
                f"ອາຍຸ {path_age} ປີ ແລະ ຢ່າງໜ້ອຍ {path_years} ປີການ: ຄົບ.",
            ))
            parameters += [prefix + f"early.{path}.age.{sex_key}",
                           prefix + f"early.{path}.minimum_years",
                           prefix + "early.reduction_per_year"]
            if path == "hazardous_work":
                parameters.append(prefix + "early.hazardous_work_years")
            if path == "disability":
                parameters.append(prefix + "early.disability_maximum_category")
        months = max(int(values["reference_months"][row]), 1)
        low, high = int(values["reference_low"][row]), int(self.context.windows.end[row])
        method = reference_method(months)
        wage = int(columns.reference_wage[row])
        steps.append((f"Reference wage: {method[0]} = {kip(wage)} kip.",
                      f"ເງິນເດືອນອ້າງອີງ: {method[1]} = {kip(wage)} ກີບ."))
        parameters.append(prefix + "reference_wage_months")
        base, base_years = int(values["base"][row]), int(values["base_years"][row])
        years = int(values["years"][row])
        difference = years - base_years
        if difference >= 0:
            step = int(values["above"][row])
            sign, per_year = "+", step
        else:
            step = int(values["below"][row])
            sign, per_year = "-", step
        rate, uncapped = int(values["rate"][row]), int(values["uncapped_rate"][row])
        detail_en = (f"{percent(base)} at {base_years} years {sign} {percent(per_year)} x "
                     f"{abs(difference)} years")
        detail_lo = (f"{percent(base)} ທີ່ {base_years} ປີການ {sign} {percent(per_year)} x "
                     f"{abs(difference)} ປີ")
        years_early = int(values["years_early"][row])
        years_deferred = int(values["years_deferred"][row])
        maximum = percent(int(values["maximum"][row]))
        if years_early:
            detail_en += f", minus the early reduction for {years_early} years"
            detail_lo += f", ຫັກອັດຕາກ່ອນກຳນົດ {years_early} ປີ"
        if years_deferred:
            detail_en += f", plus the deferral increase for {years_deferred} years"
            detail_lo += f", ບວກອັດຕາເລື່ອນກຳນົດ {years_deferred} ປີ"
            parameters += [prefix + "deferral.increase_per_year", prefix + "deferral.maximum_age"]
        if uncapped != rate:
            detail_en += f" = {percent(uncapped)}, kept within 0 and {maximum}"
            detail_lo += f" = {percent(uncapped)}, ບໍ່ເກີນ {maximum}"
        steps.append((f"Pension rate: {detail_en} = {percent(rate)}.",
                      f"ອັດຕາເງິນອຸດໜູນບຳນານ: {detail_lo} = {percent(rate)}."))
        parameters += [prefix + "rate.base", prefix + "rate.base_years",
                       prefix + "rate.per_year_above", prefix + "rate.per_year_below",
                       prefix + "rate.maximum", prefix + "minimum_amount",
                       prefix + "maximum_amount"]
        amount = int(columns.monthly_amount[row])
        steps.append((
            f"Monthly pension: {percent(rate)} x {kip(wage)} = {kip(amount)} kip "
            "(rounded half up to the whole kip; no minimum or maximum applies unless set).",
            f"ເງິນອຸດໜູນບຳນານຕໍ່ເດືອນ: {percent(rate)} x {kip(wage)} = {kip(amount)} ກີບ "
            "(ປັດເປັນກີບເຕັມ, ເຄິ່ງໜຶ່ງປັດຂຶ້ນ).",
        ))
        return (low, high), method

    def _lump_sum_steps(self, row: int, prefix: str, steps: list[Step],
                        parameters: list[str]) -> tuple[tuple[int, int], Step]:
        values, columns = self.values, self.columns
        reduced = int(values["reduced_minimum"][row])
        steps.append((
            f"Pension age reached with fewer than {reduced} service years: the old-age lump "
            "sum is paid instead of a pension.",
            f"ເຖິງກະສຽນອາຍຸ ແຕ່ມີປີການໜ້ອຍກວ່າ {reduced} ປີ: ໄດ້ຮັບເງິນບຳເນັດ ແທນເງິນອຸດໜູນບຳນານ.",
        ))
        months_used = max(int(values["lump_months"][row]), 1)
        low, high = int(values["lump_low"][row]), int(self.context.windows.end[row])
        method = reference_method(months_used)
        wage = int(columns.reference_wage[row])
        months = int(columns.months_counted[row])
        share_ppm, per_year = int(values["lump_share"][row]), int(values["lump_per_year"][row])
        lump = int(columns.lump_sum[row])
        per_year_text = f"{per_year / RATE_SCALE:g}"
        steps.append((f"Reference wage: {method[0]} = {kip(wage)} kip.",
                      f"ເງິນເດືອນອ້າງອີງ: {method[1]} = {kip(wage)} ກີບ."))
        steps.append((
            f"Lump sum: {percent(share_ppm)} x {kip(wage)} kip x {per_year_text} months a year x "
            f"{months}/12 years = {kip(lump)} kip (rounded half up to the whole kip).",
            f"ເງິນບຳເນັດ: {percent(share_ppm)} x {kip(wage)} ກີບ x {per_year_text} ເດືອນຕໍ່ປີ x "
            f"{months}/12 ປີ = {kip(lump)} ກີບ (ປັດເປັນກີບເຕັມ).",
        ))
        parameters += [prefix + "lump_sum.wage_share", prefix + "lump_sum.months_per_year",
                       prefix + "lump_sum.reference_wage_months"]
        return (low, high), method

    def _early_paths(self, row: int, prefix: str, sex_key: str, steps: list[Step],
                     parameters: list[str]) -> Step:
        values = self.values
        open_paths = []
        for path in EARLY_PATHS:
            path_age = int(values["early_ages"][path][row])
            if path_age < 0:
                continue
            path_years = int(values["early_years"][path][row])
            open_paths.append((path, path_age, path_years))
            parameters += [prefix + f"early.{path}.age.{sex_key}",
                           prefix + f"early.{path}.minimum_years"]
        normal_age = int(values["normal_age"][row])
        years = int(values["years"][row])
        if not open_paths:
            text = (f"The pension starts at age {normal_age}; this regime has no early pension.",
                    f"ບຳນານເລີ່ມທີ່ອາຍຸ {normal_age} ປີ; ລະບຽບການນີ້ບໍ່ມີບຳນານກ່ອນກຳນົດ.")
        else:
            english = "; ".join(f"{EARLY_WORDS[path][0]} from age {age} with {need} years"
                                for path, age, need in open_paths)
            lao = "; ".join(f"{EARLY_WORDS[path][1]} ແຕ່ອາຍຸ {age} ປີ ກັບ {need} ປີການ"
                            for path, age, need in open_paths)
            text = (f"The pension starts at age {normal_age}. Early pensions: {english} "
                    f"(the member has {years} service years).",
                    f"ບຳນານເລີ່ມທີ່ອາຍຸ {normal_age} ປີ. ບຳນານກ່ອນກຳນົດ: {lao} "
                    f"(ມີ {years} ປີການ).")
        steps.append(text)
        return text


def _no_rules_detail(context: Context, row: int, scheme_position: int) -> Step:
    category = str(context.history.category[row])
    date = str(context.event_date[row])
    if scheme_position < 0:
        return (f"No old-age rules are encoded for category {category} on {date}.",
                f"ບໍ່ມີລະບຽບການເງິນອຸດໜູນບຳນານ ສຳລັບປະເພດ {category} ໃນວັນທີ {date}.")
    scheme_en, scheme_lo = SCHEME_WORDS[SCHEMES[scheme_position]]
    return (f"No old-age rules of the {scheme_en} scheme (category {category}) are encoded "
            f"for {date}.",
            f"ບໍ່ມີລະບຽບການເງິນອຸດໜູນບຳນານ ຂອງລະບົບ{scheme_lo} (ປະເພດ {category}) "
            f"ສຳລັບວັນທີ {date}.")
