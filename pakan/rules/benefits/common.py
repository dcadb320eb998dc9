"""What every branch needs: the checked inputs, the record windows, the dated rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pakan.rules.benefits.assessment import Columns, RowStory, Step
from pakan.rules.benefits.dated import DatedRules
from pakan.rules.benefits.facts import Facts
from pakan.rules.benefits.history import (
    ContributionHistory,
    RecordWindows,
    age_in_years,
    calendar,
)
from pakan.rules.benefits.texts import BRANCH_NAMES, REGIMES, kip, met, reference_method
from pakan.rules.legal_parameters import RulesError

CATEGORIES = ("enterprise_employee", "civil_servant", "police_military", "voluntary")


@dataclass
class Context:
    branch: str
    history: ContributionHistory
    event_date: NDArray[np.datetime64]
    facts: Facts
    windows: RecordWindows
    rules: DatedRules
    age: NDArray[np.int64]
    months_before: NDArray[np.int64]
    category_index: NDArray[np.int64]  # position in CATEGORIES

    @property
    def size(self) -> int:
        return self.history.size

    def regime(self, short_name: str = "regime") -> NDArray[np.str_]:
        return self.rules.texts(short_name)

    def refuse_uncovered(self, columns: Columns, regime: NDArray[np.str_]) -> NDArray[np.bool_]:
        """No rules for the date, or a member category the branch does not cover."""
        name = f"{self.branch}.covered_categories"
        columns.refuse((regime == "") | ~self.rules.defined(name), "no_rules_for_date")
        covered = self.rules.member_of(name, self.category_index, CATEGORIES)
        columns.refuse(~covered, "event_not_covered")
        return covered


def event_dates(event_date: Any, size: int) -> NDArray[np.datetime64]:
    try:
        dates = np.atleast_1d(np.asarray(event_date)).astype("datetime64[D]")
    except (TypeError, ValueError):
        raise RulesError("event_date must be dates", "ວັນທີເກີດເຫດ ຕ້ອງເປັນວັນທີ",
                         field="event_date") from None
    if dates.shape == (1,) and size != 1:
        dates = np.full(size, dates[0], dtype="datetime64[D]")
    if dates.shape != (size,):
        raise RulesError(
            f"{dates.size} event dates for {size} members",
            f"ມີວັນທີເກີດເຫດ {dates.size} ສຳລັບຜູ້ປະກັນຕົນ {size} ຄົນ",  # own wording
            field="event_date",
        )
    missing = np.flatnonzero(np.isnat(dates))
    if missing.size:
        raise RulesError("the event date is missing", "ບໍ່ມີວັນທີເກີດເຫດ",  # own wording
                         row=int(missing[0]), field="event_date")
    return dates


def make_context(
    branch: str,
    history: ContributionHistory,
    event_date: Any,
    facts: Mapping[str, Any] | None,
) -> Context:
    if not isinstance(history, ContributionHistory):
        raise RulesError("history must be a ContributionHistory",
                         "history ຕ້ອງເປັນ ContributionHistory", field="history")
    dates = event_dates(event_date, history.size)
    category_index = np.full(history.size, -1, dtype=np.int64)
    for position, category in enumerate(CATEGORIES):
        category_index[history.category == category] = position
    unknown = np.flatnonzero(category_index < 0)
    if unknown.size:
        row = int(unknown[0])
        raise RulesError(
            f"unknown member category {history.category[row]!r} (known: {', '.join(CATEGORIES)})",
            f"ປະເພດສະມາຊິກ {history.category[row]!r} ບໍ່ຖືກຕ້ອງ",
            row=row, field="category",
        )
    before_birth = np.flatnonzero(dates < history.birth_date)
    if before_birth.size:
        row = int(before_birth[0])
        raise RulesError(
            f"the event date {dates[row]} is before the date of birth {history.birth_date[row]}",
            f"ວັນທີເກີດເຫດ {dates[row]} ຢູ່ກ່ອນວັນເດືອນປີເກີດ",  # own wording
            row=row, field="event_date",
        )
    event_calendar = calendar(dates)
    windows = RecordWindows(history, event_calendar[0] * 12 + event_calendar[1])
    return Context(
        branch=branch,
        history=history,
        event_date=dates,
        facts=Facts(branch, facts, history.size),
        windows=windows,
        rules=DatedRules(dates),
        age=age_in_years(history.birth_date, dates, event_calendar),
        months_before=windows.months_before_event(),
        category_index=category_index,
    )


# Steps every branch's explanation shares, in English and Lao.


def regime_step(context: Context, row: int, regime: str) -> tuple[str, str]:
    branch_en, branch_lo = BRANCH_NAMES[context.branch]
    date = str(context.event_date[row])
    if regime not in REGIMES or not regime:
        return (f"Event on {date}: no rules of the {branch_en.lower()} are encoded for "
                "this date.",
                f"ເກີດເຫດວັນທີ {date}: ບໍ່ມີລະບຽບການ{branch_lo} ສຳລັບວັນທີນີ້.")
    regime_en, regime_lo = REGIMES[regime]
    return (
        f"Event on {date}: the rules of the {branch_en.lower()} under {regime_en} apply.",
        f"ເກີດເຫດວັນທີ {date}: ນຳໃຊ້ລະບຽບການ{branch_lo} ຕາມ {regime_lo}.",
    )


def qualifying_step(have: int, need: int, window: int = 0) -> tuple[str, str]:
    """The contribution-months condition, with its window (0 = the whole record)."""
    english_met, lao_met = met(have >= need)
    if window:
        return (
            f"Qualifying condition: at least {need} contribution months within the last "
            f"{window} months before the event; {have} counted: {english_met}.",
            f"ເງື່ອນໄຂການເກີດສິດ: ຖອກເງິນສົມທົບຢ່າງໜ້ອຍ {need} ເດືອນ ໃນ {window} ເດືອນ "
            f"ກ່ອນເກີດເຫດ; ມີ {have} ເດືອນ: {lao_met}.",
        )
    return (
        f"Qualifying condition: at least {need} contribution months before the event; "
        f"{have} counted: {english_met}.",
        f"ເງື່ອນໄຂການເກີດສິດ: ຖອກເງິນສົມທົບຢ່າງໜ້ອຍ {need} ເດືອນ ກ່ອນເກີດເຫດ; "
        f"ມີ {have} ເດືອນ: {lao_met}.",
    )


def reference_step(method: tuple[str, str], wage: int) -> tuple[str, str]:
    return (f"Reference wage: {method[0]} = {kip(wage)} kip.",
            f"ເງິນເດືອນອ້າງອີງ: {method[1]} = {kip(wage)} ກີບ.")


def category_step(context: Context, row: int) -> tuple[str, str] | None:
    """Said only when the member's category is not covered by the branch."""
    category = str(context.history.category[row])
    return (f"Member category {category} is not covered by this benefit on that date.",
            f"ປະເພດສະມາຊິກ {category} ບໍ່ຢູ່ໃນຂອບເຂດຂອງເງິນອຸດໜູນນີ້ ໃນວັນທີນັ້ນ.")


# Body of a branch's story: given a row and the steps so far, add its own steps and return
# (extra parameter names, refusal detail or None).
StoryBody = Callable[[int, list[Step]], tuple[list[str], Step | None]]


def simple_story(
    context: Context,
    columns: Columns,
    regime: NDArray[np.str_],
    covered: NDArray[np.bool_],
    *,
    counted_low: NDArray[np.int64],
    reference_low: NDArray[np.int64],
    reference_months: NDArray[np.int64],
    body: StoryBody,
) -> Callable[[int], RowStory]:
    """The story of a branch that reads the record the usual way (all but old age)."""

    def story(row: int) -> RowStory:
        end = int(context.windows.end[row])
        code = str(columns.refusal[row])
        steps: list[Step] = [regime_step(context, row, str(regime[row]))]
        parameters = ["regime", f"{context.branch}.covered_categories"]
        method = reference_method(max(int(reference_months[row]), 1))
        counted = (int(counted_low[row]), end)
        if code == "no_rules_for_date":
            return RowStory(str(regime[row]), counted, (end, end), method, parameters, steps)
        if not covered[row]:
            steps.append(category_step(context, row))
            return RowStory(str(regime[row]), counted, (end, end), method, parameters, steps,
                            steps[-1])
        extra, detail = body(row, steps)
        return RowStory(str(regime[row]), counted, (int(reference_low[row]), end), method,
                        parameters + extra, steps, detail)

    return story
