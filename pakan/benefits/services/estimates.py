"""Benefit estimates: "what would I get if I retired at this age, if I fell ill, if I had a
child", from the member's own record and the very rules a claim is decided by
(`pakan.rules.benefits.assess`); nothing here computes a benefit itself.

Two figures answer each question:
- "if your record continues": the member keeps contributing at the current insurable wage (the
  latest counted month's) from the month after the latest counted month until the month before
  the event. Only a member who is contributing now is continued: a membership spell covers
  today and the latest counted month is one of the last RECENT_MONTHS months (the lag of
  billing and payment);
- "if you stopped contributing today": the record as it stands.

For one member both figures come from one call of the rules (two rows). For every member at
once (planning, the benchmark) `estimate_many` assesses whole columns, members taken in chunks,
at most CHUNK_RECORDS records (with the continuation) at work at a time so memory stays
bounded, ASSESS_THREADS chunks at a time so the cores share the work.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import numpy as np

from pakan.audit.services import record_view
from pakan.benefits.models import Branch
from pakan.benefits.selectors.estimates import (
    BulkHistories,
    MemberRecord,
    member_record,
    read_histories,
)
from pakan.benefits.validation import MESSAGES, BenefitsValidationError, error
from pakan.rules.legal_parameters import RulesError
from pakan.socialsecurity.models import InsuredMember

RETIRE, SICKNESS, MATERNITY = "retire", "sickness", "maternity"
BRANCH_OF_SCENARIO = {RETIRE: Branch.OLD_AGE, SICKNESS: Branch.SICKNESS,
                      MATERNITY: Branch.MATERNITY}
SCENARIOS = tuple(BRANCH_OF_SCENARIO)
# The ranges the estimator answers for; the rules say who qualifies within them.
RETIREMENT_AGES = (45, 75)
MAXIMUM_SICKNESS_DAYS = 365
MAXIMUM_CHILDREN = 5
EVENT_HORIZON_DAYS = 731        # an illness or a birth up to two years ahead
RECENT_MONTHS = 3               # contributing now: a counted month among the last three
CHUNK_RECORDS = 6_000_000       # records assessed at once, in bulk (in all chunks at work)
ASSESS_THREADS = min(2, os.cpu_count() or 1)  # chunks assessed at the same time
YES = ("yes", "true", "1", "on")
NO = ("no", "false", "0", "off", "")


def note(code: str, **values: object) -> dict[str, str]:
    english, lao = MESSAGES[code]
    return {"code": code, "en": english.format(**values), "lo": lao.format(**values)}


# --- the scenario ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """One question: retire at `age`; fall ill for `days` (work-related or not) on `on`; have
    `children` (2 for twins) on `on`. `on` None means today."""

    name: str
    age: int | None = None
    days: int | None = None
    work_related: bool = False
    children: int = 1
    on: datetime.date | None = None

    @property
    def branch(self) -> str:
        return BRANCH_OF_SCENARIO[self.name]

    def as_dict(self) -> dict:
        shown = {RETIRE: ("age",), SICKNESS: ("days", "work_related", "on"),
                 MATERNITY: ("children", "on")}[self.name]
        values = asdict(self)
        return {"name": self.name, **{key: values[key] for key in shown}}


def _whole_number(query: Mapping[str, str], name: str, low: int, high: int, code: str,
                  problems: list, default: int | None = None, **values) -> int | None:
    text = str(query.get(name, "") or "").strip()
    if not text:
        if default is None:
            problems.append(error(name, "estimate_required", name=name))
        return default
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        problems.append(error(name, code, value=text[:20], **values))
        return None
    return number


def _yes_no(query: Mapping[str, str], name: str, problems: list) -> bool:
    text = str(query.get(name, "") or "").strip().lower()
    if text in YES:
        return True
    if text not in NO:
        problems.append(error(name, "estimate_bad_yes_no", name=name, value=text[:20]))
    return False


def _event_day(query: Mapping[str, str], today: datetime.date, problems: list
               ) -> datetime.date | None:
    text = str(query.get("on", "") or "").strip()
    if not text:
        return None
    latest = today + datetime.timedelta(days=EVENT_HORIZON_DAYS)
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not today <= day <= latest:
        problems.append(error("on", "estimate_bad_date", value=text[:20], today=today,
                              latest=latest))
        return None
    return day


def parse_scenario(query: Mapping[str, str], today: datetime.date) -> Scenario:
    """A scenario from a query string or form; every problem reported at once, in English and
    Lao (BenefitsValidationError)."""
    name = str(query.get("scenario", "") or "").strip().lower()
    if name not in SCENARIOS:
        raise BenefitsValidationError([error("scenario", "estimate_unknown_scenario",
                                             value=name[:30])])
    problems: list = []
    if name == RETIRE:
        low, high = RETIREMENT_AGES
        scenario = Scenario(name, age=_whole_number(query, "age", low, high, "estimate_bad_age",
                                                    problems, minimum=low, maximum=high))
    elif name == SICKNESS:
        scenario = Scenario(
            name, days=_whole_number(query, "days", 1, MAXIMUM_SICKNESS_DAYS,
                                     "estimate_bad_days", problems,
                                     maximum=MAXIMUM_SICKNESS_DAYS),
            work_related=_yes_no(query, "work_related", problems),
            on=_event_day(query, today, problems))
    else:
        scenario = Scenario(
            name, children=_whole_number(query, "children", 1, MAXIMUM_CHILDREN,
                                         "estimate_bad_children", problems, default=1,
                                         maximum=MAXIMUM_CHILDREN),
            on=_event_day(query, today, problems))
    if problems:
        raise BenefitsValidationError(problems)
    return scenario


def branch_and_facts(scenario: Scenario, birth_date: np.ndarray, sex: np.ndarray,
                     as_of: datetime.date) -> tuple[str, np.ndarray, dict[str, np.ndarray]]:
    """The rules' branch, event dates and facts for `scenario`, one row per member."""
    from pakan.rules.benefits.history import add_years

    rows = len(birth_date)
    today = np.datetime64(as_of, "D")
    if scenario.name == RETIRE:
        event_date = np.maximum(add_years(birth_date, scenario.age), today)
        return scenario.branch, event_date, {}
    event_date = np.full(rows, np.datetime64(scenario.on or as_of, "D"))
    if scenario.name == SICKNESS:
        return scenario.branch, event_date, {
            "work_related": np.full(rows, scenario.work_related),
            "days": np.full(rows, scenario.days, dtype=np.int64)}
    return scenario.branch, event_date, {
        "children": np.full(rows, scenario.children, dtype=np.int64),
        # The law pays the grant to the wife of an insured man too: his estimate is hers.
        "claimant_is_spouse": sex == "M"}


# --- continuing a record ---------------------------------------------------------------------

def contributing_now(member_on_date: np.ndarray, last_month: np.ndarray,
                     as_of: datetime.date) -> np.ndarray:
    recent = np.datetime64(as_of, "M") - RECENT_MONTHS
    return member_on_date & ~np.isnat(last_month) & (last_month >= recent)


def continuation_months(continuing: np.ndarray, last_month: np.ndarray,
                        event_date: np.ndarray) -> np.ndarray:
    """How many months each continued record gains: from the month after the latest counted
    month to the month before the event's (the rules count months before the event's month)."""
    event_month = event_date.astype("datetime64[M]")
    gained = (event_month - last_month).astype(np.int64) - 1
    gained[~continuing | np.isnat(last_month)] = 0
    return np.maximum(gained, 0)


def continued_columns(member_index: np.ndarray, month: np.ndarray, wage: np.ndarray,
                      members: int, extra: np.ndarray, last_month: np.ndarray,
                      extra_wage: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Records sorted by (member, month) with `extra[i]` months at `extra_wage[i]` appended
    after member i's latest month `last_month[i]`; still sorted."""
    existing = np.bincount(member_index, minlength=members).astype(np.int64)
    total = existing + extra
    out_start = np.cumsum(total) - total
    size = int(total.sum())
    out_member = np.repeat(np.arange(members, dtype=np.int64), total)
    out_month = np.empty(size, dtype="datetime64[M]")
    out_wage = np.empty(size, dtype=np.int64)
    existing_start = np.cumsum(existing) - existing
    rank = np.arange(len(member_index), dtype=np.int64) - existing_start[member_index]
    position = out_start[member_index] + rank
    out_month[position] = month
    out_wage[position] = wage
    extra_member = np.repeat(np.arange(members, dtype=np.int64), extra)
    extra_rank = (np.arange(len(extra_member), dtype=np.int64)
                  - (np.cumsum(extra) - extra)[extra_member])
    position = out_start[extra_member] + existing[extra_member] + extra_rank
    out_month[position] = last_month[extra_member] + 1 + extra_rank
    out_wage[position] = extra_wage[extra_member]
    return out_member, out_month, out_wage


def _assess(branch: str, history, event_date: np.ndarray, facts: dict):
    from pakan.rules.benefits import assess

    try:
        return assess(branch, history, event_date, facts)
    except RulesError as problem:
        raise BenefitsValidationError([error(problem.field or "scenario",
                                             "estimate_rules_refused",
                                             english=problem.english, lao=problem.lao)]
                                      ) from None


# --- one member -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberEstimate:
    member: InsuredMember
    scenario: Scenario
    as_of: datetime.date
    event_date: datetime.date
    record: MemberRecord
    continuation: dict | None        # {"first", "last", "months", "wage"} when continued
    if_continued: dict | None        # the rules' explanation with the record continued (None
                                     # when no month is added)
    if_stopped: dict                 # the rules' explanation with the record as it stands
    notes: list[dict] = field(default_factory=list)

    @property
    def main(self) -> dict:
        """The figure to show first: the continued record when there is one."""
        return self.if_continued or self.if_stopped

    @property
    def provisional_parameters(self) -> list[dict]:
        seen: dict[str, dict] = {}
        for explanation in (self.if_continued, self.if_stopped):
            for parameter in (explanation or {}).get("parameters", []):
                if parameter.get("provisional"):
                    seen.setdefault(parameter["name"], parameter)
        return list(seen.values())

    def as_json(self) -> dict:
        return {
            "member": self.member.pk,
            "social_security_number": self.member.social_security_number,
            "scenario": self.scenario.as_dict(),
            "branch": self.scenario.branch,
            "as_of": self.as_of.isoformat(),
            "event_date": self.event_date.isoformat(),
            "rules_version": self.if_stopped.get("rules_version"),
            "months_recorded": len(self.record.months),
            "unpaid_employer_months": [f"{month:%Y-%m}"
                                       for month in self.record.unpaid_employer_months],
            "continuation": self.continuation,
            "if_record_continues": self.if_continued,
            "if_stopped_today": self.if_stopped,
            "provisional": bool(self.provisional_parameters),
            "provisional_parameters": [parameter["name"]
                                       for parameter in self.provisional_parameters],
            "notes": self.notes,
        }


def _two_row_history(record: MemberRecord, extra: int):
    """Row 0: the record as it stands; row 1: the record continued by `extra` months."""
    from pakan.rules.benefits import ContributionHistory

    count = len(record.months)
    months = np.array(record.months, dtype="datetime64[M]")
    wages = np.array(record.wages, dtype=np.int64)
    member_index = np.repeat(np.arange(2, dtype=np.int64), count)
    last = np.full(2, months[-1] if count else np.datetime64("NaT", "M"))
    record_member, record_month, record_wage = continued_columns(
        member_index, np.tile(months, 2), np.tile(wages, 2), 2,
        np.array([0, extra], dtype=np.int64), last,
        np.full(2, record.current_wage, dtype=np.int64))
    return ContributionHistory(
        birth_date=np.full(2, np.datetime64(record.birth_date, "D")),
        sex=np.full(2, record.sex, dtype="<U1"),
        category=np.full(2, record.category, dtype="<U20"),
        record_member=record_member, record_month=record_month, record_wage=record_wage)


def _past_the_age(scenario: Scenario, record: MemberRecord, as_of: datetime.date) -> bool:
    from pakan.rules.benefits.history import add_years

    if scenario.name != RETIRE:
        return False
    birthday = add_years(np.array([record.birth_date], dtype="datetime64[D]"), scenario.age)
    return bool(birthday[0] < np.datetime64(as_of, "D"))


def _notes(scenario: Scenario, record: MemberRecord, continuation: dict | None,
           continuing: bool, as_of: datetime.date) -> list[dict]:
    notes = []
    if continuation:
        notes.append(note("estimate_note_continues", wage=f"{continuation['wage']:,}",
                          first=continuation["first"], last=continuation["last"],
                          months=continuation["months"]))
    if _past_the_age(scenario, record, as_of):
        notes.append(note("estimate_note_past_age", age=scenario.age, date=as_of))
    if not record.months:
        notes.append(note("estimate_note_no_record"))
    elif not continuing:
        notes.append(note("estimate_note_not_contributing", months=RECENT_MONTHS))
    elif not continuation:
        notes.append(note("estimate_note_nothing_to_continue"))
    if record.unpaid_employer_months:
        notes.append(note("estimate_note_unpaid_by_employer",
                          months=len(record.unpaid_employer_months)))
    if scenario.name == MATERNITY and record.sex == "M":
        notes.append(note("estimate_note_spouse_birth"))
    notes.append(note("estimate_note_not_binding"))
    return notes


def _continuation(record: MemberRecord, extra: int) -> dict | None:
    """The months assumed, said plainly: from the month after the latest counted one."""
    if not extra:
        return None
    last_month = np.datetime64(record.last_month, "M")
    first = (last_month + 1).astype(datetime.date)
    last = (last_month + extra).astype(datetime.date)
    return {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}", "months": extra,
            "wage": record.current_wage}


def estimate_for_member(actor, member: InsuredMember, scenario: Scenario,
                        as_of: datetime.date) -> MemberEstimate:
    """Both figures for one member, from one call of the rules (the caller checked the actor
    may see the member). A staff member's look at someone's record is logged, as opening the
    record itself is."""
    record = member_record(member, as_of)
    if record.date_of_death is not None:
        raise BenefitsValidationError([error("member", "estimate_member_dead",
                                             date=record.date_of_death)])
    birth = np.array([record.birth_date], dtype="datetime64[D]")
    branch, event_dates, facts = branch_and_facts(scenario, birth, np.array([record.sex]), as_of)
    last_month = np.array([record.last_month or "NaT"], dtype="datetime64[M]")
    continuing = bool(contributing_now(np.array([record.member_on_date]), last_month,
                                       as_of)[0])
    extra = int(continuation_months(np.array([continuing]), last_month, event_dates)[0])
    assessment = _assess(branch, _two_row_history(record, extra), np.repeat(event_dates, 2),
                         {name: np.repeat(column, 2) for name, column in facts.items()})
    continuation = _continuation(record, extra)
    if getattr(actor, "is_registry_staff", False):
        record_view(actor, member)
    estimate = MemberEstimate(
        member=member, scenario=scenario, as_of=as_of,
        event_date=event_dates[0].astype(datetime.date), record=record,
        continuation=continuation,
        if_continued=assessment.explanation(1) if continuation else None,
        if_stopped=assessment.explanation(0),
        notes=_notes(scenario, record, continuation, continuing, as_of))
    if estimate.provisional_parameters:
        estimate.notes.insert(0, note("estimate_note_provisional"))
    return estimate


# --- every member at once -------------------------------------------------------------------------

RESULT_COLUMNS = ("qualifies", "refusal", "variant", "kind", "monthly_amount", "lump_sum",
                  "end_date", "reference_wage", "months_counted")


@dataclass(frozen=True)
class EstimateColumns:
    """The rules' answer columns for many members (chunks put back together)."""

    qualifies: np.ndarray
    refusal: np.ndarray
    variant: np.ndarray
    kind: np.ndarray
    monthly_amount: np.ndarray
    lump_sum: np.ndarray
    end_date: np.ndarray
    reference_wage: np.ndarray
    months_counted: np.ndarray


class _Gathered:
    """The chunks' answer columns copied into whole columns as each chunk is assessed: the
    chunk's own columns (and the Assessment, which also holds the chunk's history for
    explanations) are let go at once instead of all being kept for a concatenation at the end,
    which would hold every column twice."""

    def __init__(self, rows: int) -> None:
        self.rows, self.filled = rows, 0
        self.columns: dict[str, np.ndarray] = {}

    def add(self, columns: dict[str, np.ndarray]) -> None:
        count = len(columns["qualifies"])
        for name in RESULT_COLUMNS:
            part = columns[name]
            column = self.columns.get(name)
            if column is None:
                column = self.columns[name] = np.empty(self.rows, dtype=part.dtype)
            elif np.result_type(column.dtype, part.dtype) != column.dtype:  # wider texts
                column = self.columns[name] = column.astype(
                    np.result_type(column.dtype, part.dtype))
            column[self.filled:self.filled + count] = part
        self.filled += count

    def whole(self) -> EstimateColumns:
        return EstimateColumns(**{name: self.columns.get(name, np.zeros(0))[:self.filled]
                                  for name in RESULT_COLUMNS})


@dataclass(frozen=True)
class ManyEstimates:
    member_id: np.ndarray            # the living members estimated, ascending
    event_date: np.ndarray
    assessment: EstimateColumns
    continued: bool
    assessed_records: int            # records the rules saw (with any continuation)
    records_read: int                # counted member-months read (of every member read)
    rules_version: str


def _chunks(total_records: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Member ranges [a, b) whose records add up to at most `budget` (at least one member)."""
    ends = np.cumsum(total_records)
    bounds, start = [], 0
    while start < len(total_records):
        base = int(ends[start - 1]) if start else 0
        stop = int(np.searchsorted(ends, base + budget, side="right"))
        stop = max(stop, start + 1)
        bounds.append((start, stop))
        start = stop
    return bounds


def _chunk_history(histories: BulkHistories, first: int, stop: int, chosen: np.ndarray,
                   starts: np.ndarray, extra: np.ndarray, last_month: np.ndarray,
                   current_wage: np.ndarray):
    """The members `chosen` (living, within [first, stop)) as one ContributionHistory, their
    records continued by `extra` months; no copy of the records when nothing is left out."""
    from pakan.rules.benefits import ContributionHistory

    members, records = histories.members, histories.records
    low, high = int(starts[first]), int(starts[stop])
    member_index = records.member_index[low:high]
    month, wage = records.month[low:high], records.wage[low:high]
    if len(chosen) < stop - first:  # some members left out: keep the others' records
        included = np.zeros(stop - first, dtype=bool)
        included[chosen - first] = True
        keep = included[member_index - first]
        renumber = np.cumsum(included) - 1
        member_index = renumber[member_index[keep] - first]
        month, wage = month[keep], wage[keep]
    elif first:
        member_index = member_index - first
    if extra[chosen].any():
        member_index, month, wage = continued_columns(
            member_index, month, wage, len(chosen), extra[chosen], last_month[chosen],
            current_wage[chosen])
    return ContributionHistory(
        birth_date=members.birth_date[chosen], sex=members.sex[chosen],
        category=members.category[chosen], record_member=member_index, record_month=month,
        record_wage=wage)


def estimate_histories(histories: BulkHistories, scenario: Scenario, *, as_of: datetime.date,
                       continue_record: bool = False, chunk_records: int = CHUNK_RECORDS,
                       threads: int = ASSESS_THREADS) -> ManyEstimates:
    """Estimates for every living member of `histories` (dead members are left out), assessed
    in chunks of members, at most `chunk_records` records (with any continuation) at a time,
    so the rules' working arrays stay small whatever the number of members: `threads` chunks
    of `chunk_records / threads` at a time (numpy does the rules' work on whole columns
    without holding Python's lock, so two chunks keep two cores busy)."""
    from pakan.rules.benefits import RULES_VERSION

    members, records = histories.members, histories.records
    alive = np.isnat(members.date_of_death)
    branch, event_date, facts = branch_and_facts(scenario, members.birth_date, members.sex,
                                                 as_of)
    last_month = histories.last_month if continue_record else None
    extra = np.zeros(len(members), dtype=np.int64)
    if continue_record:
        continuing = contributing_now(members.member_on_date, last_month, as_of)
        extra = continuation_months(continuing, last_month, event_date)
    extra[~alive] = 0
    # Each member's first record (records are sorted by member): the needles in the records'
    # own integer type, so that the records are not copied to another one.
    starts = np.searchsorted(records.member_index,
                             np.arange(len(members) + 1, dtype=records.member_index.dtype))
    wanted = np.where(alive, np.diff(starts) + extra, 0)
    current_wage = histories.current_wage if continue_record else None

    def assessed_chunk(bounds: tuple[int, int]) -> tuple[dict[str, np.ndarray], int] | None:
        first, stop = bounds
        chosen = np.flatnonzero(alive[first:stop]) + first
        if len(chosen) == 0:
            return None
        history = _chunk_history(histories, first, stop, chosen, starts, extra, last_month,
                                 current_wage)
        assessment = _assess(branch, history, event_date[chosen],
                             {name: column[chosen] for name, column in facts.items()})
        # The columns alone: the Assessment also holds the chunk's history (for
        # explanations), which must not outlive the chunk.
        return ({name: getattr(assessment, name) for name in RESULT_COLUMNS},
                len(history.record_month))

    gathered, assessed = _Gathered(int(alive.sum())), 0
    threads = max(1, threads)
    for result in _in_order(assessed_chunk, _chunks(wanted, max(1, chunk_records // threads)),
                            threads):
        if result is not None:
            gathered.add(result[0])
            assessed += result[1]
    return ManyEstimates(member_id=members.member_id[alive], event_date=event_date[alive],
                         assessment=gathered.whole(), continued=continue_record,
                         assessed_records=assessed, records_read=len(records.month),
                         rules_version=RULES_VERSION)


def _in_order(work, items: list, threads: int):
    """`work(item)` for every item, `threads` at a time, the results yielded in the items'
    order; at most `threads` results are held beyond the one being used (memory stays
    bounded: a chunk's result is hundreds of megabytes for a million members)."""
    if threads < 2 or len(items) < 2:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="estimates") as pool:
        running = deque(pool.submit(work, item) for item in items[:threads])
        following = iter(items[threads:])
        try:
            while running:
                result = running.popleft().result()
                item = next(following, None)
                if item is not None:
                    running.append(pool.submit(work, item))
                yield result
        finally:
            for future in running:
                future.cancel()


def _load_rules_parameters() -> None:
    """The rules' legal parameters, loaded (once per process) ahead of the assessment. A
    problem with them is left for the assessment to report, as it would without this."""
    from pakan.rules.legal_parameters import list_parameters

    try:
        list_parameters()
    except Exception:  # reported by the assessment itself
        return


def estimate_many(member_ids: Iterable[int] | None, scenario: Scenario, *,
                  as_of: datetime.date, continue_record: bool = False,
                  timings: dict[str, float] | None = None) -> ManyEstimates:
    """Estimates for many members at once (all when `member_ids` is None), for planning: the
    records read set-wise and assessed as columns. The caller decides who may see them.
    `timings`, when given, receives the seconds of each phase (read_histories' and assess).

    While the records are read (the database's work, mostly), the rules' legal parameters
    are loaded in a thread (once per process), so the assessment does not wait for them."""
    loading = threading.Thread(target=_load_rules_parameters, name="rules-parameters",
                               daemon=True)
    loading.start()
    histories = read_histories(member_ids, as_of, timings=timings)
    loading.join()
    started = time.perf_counter()
    estimates = estimate_histories(histories, scenario, as_of=as_of,
                                   continue_record=continue_record)
    if timings is not None:
        timings["assess"] = time.perf_counter() - started
    return estimates
