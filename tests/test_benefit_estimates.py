"""The benefit estimator's reading and reasoning: an estimate is what `pakan.rules.benefits.assess`
says on the member's own counted months (as they stand, and continued at the current insurable
wage until the event); the months that count; many members at once equal one at a time; bad
questions get clear bilingual errors."""

from __future__ import annotations

import datetime
import threading

import numpy as np
import pytest
from django.db import connection

from pakan.audit.models import AuditEvent
from pakan.benefits.selectors import estimates as selectors
from pakan.benefits.services import estimates as services
from pakan.benefits.services.estimates import Scenario
from pakan.benefits.validation import BenefitsValidationError
from pakan.registry.models import Person
from pakan.rules.benefits import ContributionHistory, assess
from pakan.socialsecurity.models import ContributionRecord, MembershipSpell
from tests.benefit_factories import give_contribution_record, month_range
from tests.factories import make_employer, make_member, make_worker, system_admin

AS_OF = datetime.date(2025, 6, 15)
LAO = range(0x0E80, 0x0F00)
RETIRE_60 = Scenario("retire", age=60)
LONG_AGO = datetime.date(1970, 1, 1)


def mark_dead(member, day: datetime.date) -> None:
    """The registry's date of death, written directly (the death hook of claims is theirs)."""
    Person.objects.filter(pk=member.person_id).update(date_of_death=day)
    member.person.refresh_from_db()


def has_lao(text: str) -> bool:
    return any(ord(character) in LAO for character in text)


@pytest.fixture
def employer(geography):
    return make_employer(geography["0101001"], registered_on=LONG_AGO)


@pytest.fixture
def worker(employer):
    """A man born 10 March 1966, employed since 2005, 240 paid months to May 2025 at 3,000,000
    kip (4,000,000 in the last two years): contributing now."""
    member = make_worker(employer, monthly_wage=4_000_000, start_on=datetime.date(2005, 1, 1),
                         date_of_birth="1966-03-10", sex="M")
    give_contribution_record(member, datetime.date(2005, 6, 1), 216, 3_000_000,
                             employer=employer)
    give_contribution_record(member, datetime.date(2023, 6, 1), 24, 4_000_000,
                             employer=employer)
    return member


def assess_one(branch: str, birth: str, sex: str, category: str, months: list, wages: list,
               event: datetime.date, facts: dict | None = None):
    history = ContributionHistory.single(birth_date=birth, sex=sex, category=category,
                                         months=np.array(months, dtype="datetime64[M]"),
                                         wages=np.array(wages, dtype=np.int64))
    return assess(branch, history, np.array([event], dtype="datetime64[D]"),
                  {name: np.array([value]) for name, value in (facts or {}).items()})


# --- one member ---------------------------------------------------------------------------------

def test_the_estimate_is_what_the_rules_say_on_the_same_record(worker):
    estimate = services.estimate_for_member(system_admin(), worker, RETIRE_60, AS_OF)
    months = month_range(datetime.date(2005, 6, 1), 240)
    wages = [3_000_000] * 216 + [4_000_000] * 24
    sixtieth = datetime.date(2026, 3, 10)
    assert estimate.event_date == sixtieth
    stopped = assess_one("old_age", "1966-03-10", "M", "enterprise_employee", months, wages,
                         sixtieth)
    assert estimate.if_stopped == stopped.explanation(0)
    # Continued: June 2025 to February 2026 (the month before the birthday) at 4,000,000.
    extra = month_range(datetime.date(2025, 6, 1), 9)
    continued = assess_one("old_age", "1966-03-10", "M", "enterprise_employee",
                           months + extra, wages + [4_000_000] * 9, sixtieth)
    assert estimate.if_continued == continued.explanation(0)
    assert estimate.continuation == {"first": "2025-06", "last": "2026-02", "months": 9,
                                     "wage": 4_000_000}
    assert estimate.if_continued["months"][-1][1] == "2026-02"
    assert estimate.if_stopped["months"][-1][1] == "2025-05"


def test_the_assumption_is_said_in_both_languages(worker):
    estimate = services.estimate_for_member(system_admin(), worker, RETIRE_60, AS_OF)
    continues = next(note for note in estimate.notes if note["code"] == "estimate_note_continues")
    assert "4,000,000" in continues["en"] and "2025-06" in continues["en"]
    assert "2026-02" in continues["lo"] and has_lao(continues["lo"])
    body = estimate.as_json()
    assert body["continuation"]["months"] == 9
    assert body["if_stopped_today"] == estimate.if_stopped
    assert body["if_record_continues"] == estimate.if_continued
    assert body["provisional"] == bool(body["provisional_parameters"])
    names = {parameter["name"] for parameter in estimate.if_stopped["parameters"]
             if parameter["provisional"]}
    assert set(body["provisional_parameters"]) >= names


def test_a_member_who_stopped_contributing_is_not_continued(worker):
    MembershipSpell.objects.filter(member=worker).update(end_on=datetime.date(2025, 5, 31))
    estimate = services.estimate_for_member(system_admin(), worker, RETIRE_60, AS_OF)
    assert estimate.if_continued is None and estimate.continuation is None
    assert estimate.main == estimate.if_stopped
    assert "estimate_note_not_contributing" in [note["code"] for note in estimate.notes]


def test_an_old_last_month_means_not_contributing_now(worker):
    estimate = services.estimate_for_member(system_admin(), worker, RETIRE_60,
                                            datetime.date(2025, 10, 1))
    assert estimate.if_continued is None  # May 2025 is more than three months before October


def test_a_member_with_no_record_gets_an_answer(geography):
    member = make_member(geography["0101001"], date_of_birth="1990-01-20", sex="F")
    estimate = services.estimate_for_member(system_admin(), member, RETIRE_60, AS_OF)
    expected = assess_one("old_age", "1990-01-20", "F", "enterprise_employee", [], [],
                          datetime.date(2050, 1, 20))
    assert estimate.if_stopped == expected.explanation(0)
    assert estimate.if_stopped["months_counted"] == 0
    assert estimate.if_continued is None
    assert "estimate_note_no_record" in [note["code"] for note in estimate.notes]


def test_past_the_age_the_estimate_is_for_retiring_today(worker):
    estimate = services.estimate_for_member(system_admin(), worker, Scenario("retire", age=55),
                                            AS_OF)
    assert estimate.event_date == AS_OF
    assert "estimate_note_past_age" in [note["code"] for note in estimate.notes]
    assert estimate.continuation is None  # nothing is left to contribute before today's month
    assert estimate.if_continued is None and estimate.main == estimate.if_stopped


def test_an_illness_today_adds_no_month(worker):
    estimate = services.estimate_for_member(system_admin(), worker,
                                            Scenario("sickness", days=5), AS_OF)
    assert estimate.if_continued is None
    assert "estimate_note_nothing_to_continue" in [note["code"] for note in estimate.notes]
    later = services.estimate_for_member(
        system_admin(), worker, Scenario("sickness", days=5, on=datetime.date(2025, 9, 1)),
        AS_OF)
    assert later.continuation == {"first": "2025-06", "last": "2025-08", "months": 3,
                                  "wage": 4_000_000}


def test_months_the_employer_owes_count_but_unpaid_voluntary_months_do_not(geography,
                                                                           employer):
    worker = make_worker(employer, start_on=datetime.date(2024, 1, 1),
                         date_of_birth="1985-07-01")
    give_contribution_record(worker, datetime.date(2024, 1, 1), 15, 2_500_000,
                             employer=employer)
    give_contribution_record(worker, datetime.date(2025, 4, 1), 2, 2_500_000, paid=False,
                             employer=employer)
    volunteer = make_member(geography["0101002"], category="voluntary",
                            start_on=datetime.date(2024, 1, 1))
    give_contribution_record(volunteer, datetime.date(2024, 1, 1), 15, 2_000_000)
    give_contribution_record(volunteer, datetime.date(2025, 4, 1), 2, 2_000_000, paid=False)

    owed = selectors.member_record(worker, AS_OF)
    assert len(owed.months) == 17
    assert owed.unpaid_employer_months == [datetime.date(2025, 4, 1), datetime.date(2025, 5, 1)]
    own = selectors.member_record(volunteer, AS_OF)
    assert len(own.months) == 15 and own.unpaid_employer_months == []
    estimate = services.estimate_for_member(system_admin(), worker, RETIRE_60, AS_OF)
    assert estimate.as_json()["unpaid_employer_months"] == ["2025-04", "2025-05"]
    assert "estimate_note_unpaid_by_employer" in [note["code"] for note in estimate.notes]


def test_two_employers_in_one_month_make_one_month_with_the_wages_added(worker, geography):
    second = make_employer(geography["0101002"], registered_on=LONG_AGO)
    give_contribution_record(worker, datetime.date(2025, 5, 1), 1, 1_500_000, employer=second)
    record = selectors.member_record(worker, AS_OF)
    assert len(record.months) == 240
    assert record.months[-1] == datetime.date(2025, 5, 1)
    assert record.wages[-1] == 5_500_000 and record.current_wage == 5_500_000


def test_months_after_the_day_of_the_estimate_are_not_read(worker):
    record = selectors.member_record(worker, datetime.date(2020, 1, 15))
    assert record.months[-1] == datetime.date(2020, 1, 1)


def test_sickness_and_maternity_pass_their_facts_to_the_rules(worker):
    sick = services.estimate_for_member(
        system_admin(), worker, Scenario("sickness", days=20, work_related=True), AS_OF)
    months = month_range(datetime.date(2005, 6, 1), 240)
    wages = [3_000_000] * 216 + [4_000_000] * 24
    expected = assess_one("sickness", "1966-03-10", "M", "enterprise_employee", months, wages,
                          AS_OF, {"work_related": True, "days": 20})
    assert sick.if_stopped == expected.explanation(0)
    # A man's maternity estimate is the grant for his wife's childbirth (twins here).
    twins = services.estimate_for_member(system_admin(), worker,
                                         Scenario("maternity", children=2), AS_OF)
    expected = assess_one("maternity", "1966-03-10", "M", "enterprise_employee", months, wages,
                          AS_OF, {"children": 2, "claimant_is_spouse": True})
    assert twins.if_stopped == expected.explanation(0)
    assert "estimate_note_spouse_birth" in [note["code"] for note in twins.notes]


def test_a_dead_member_gets_a_clear_refusal(worker):
    mark_dead(worker, datetime.date(2025, 2, 1))
    with pytest.raises(BenefitsValidationError) as refused:
        services.estimate_for_member(system_admin(), worker, RETIRE_60, AS_OF)
    problem = refused.value.errors[0]
    assert problem.code == "estimate_member_dead" and "2025-02-01" in problem.reason_en
    assert has_lao(problem.reason_lo)


def test_an_officer_looking_is_logged_a_member_looking_at_their_own_is_not(worker, staff):
    services.estimate_for_member(staff["district_chanthabuly"], worker, RETIRE_60, AS_OF)
    services.estimate_for_member(staff["member"], worker, RETIRE_60, AS_OF)
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW,
                                      object_type="socialsecurity.insuredmember",
                                      object_id=worker.pk)
    assert list(views.values_list("actor__username", flat=True)) == ["dist_ctb"]


# --- the question -------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field", "code"), [
    ({"scenario": "retire", "age": "200"}, "age", "estimate_bad_age"),
    ({"scenario": "retire", "age": "sixty"}, "age", "estimate_bad_age"),
    ({"scenario": "retire"}, "age", "estimate_required"),
    ({"scenario": "sickness", "days": "-3"}, "days", "estimate_bad_days"),
    ({"scenario": "sickness", "days": "0"}, "days", "estimate_bad_days"),
    ({"scenario": "sickness"}, "days", "estimate_required"),
    ({"scenario": "sickness", "days": "5", "work_related": "maybe"}, "work_related",
     "estimate_bad_yes_no"),
    ({"scenario": "sickness", "days": "5", "on": "2020-01-01"}, "on", "estimate_bad_date"),
    ({"scenario": "maternity", "on": "15/07/2025"}, "on", "estimate_bad_date"),
    ({"scenario": "maternity", "children": "9"}, "children", "estimate_bad_children"),
    ({"scenario": "lottery"}, "scenario", "estimate_unknown_scenario"),
    ({}, "scenario", "estimate_unknown_scenario"),
])
def test_bad_questions_get_clear_bilingual_errors(db, query, field, code):
    with pytest.raises(BenefitsValidationError) as refused:
        services.parse_scenario(query, AS_OF)
    problem = next(problem for problem in refused.value.errors if problem.field == field)
    assert problem.code == code
    assert problem.reason_en and has_lao(problem.reason_lo)


def test_every_problem_of_a_question_is_reported_at_once(db):
    with pytest.raises(BenefitsValidationError) as refused:
        services.parse_scenario({"scenario": "sickness", "days": "-1", "work_related": "x",
                                 "on": "tomorrow"}, AS_OF)
    assert {problem.field for problem in refused.value.errors} == {"days", "work_related", "on"}


def test_good_questions_are_read(db):
    assert services.parse_scenario({"scenario": "retire", "age": "62"}, AS_OF) == Scenario(
        "retire", age=62)
    assert services.parse_scenario(
        {"scenario": "sickness", "days": "12", "work_related": "yes", "on": "2025-07-01"},
        AS_OF) == Scenario("sickness", days=12, work_related=True,
                           on=datetime.date(2025, 7, 1))
    assert services.parse_scenario({"scenario": "maternity"}, AS_OF) == Scenario(
        "maternity", children=1)


# --- every member at once ------------------------------------------------------------------------

@pytest.fixture
def crowd(worker, employer, geography):
    """Members of every kind: contributing, stopped, no record, voluntary with unpaid months,
    two employers in a month, a woman, and a dead member (left out in bulk)."""
    stopped = make_worker(employer, start_on=datetime.date(2010, 1, 1), sex="F",
                          date_of_birth="1975-08-31")
    give_contribution_record(stopped, datetime.date(2010, 1, 1), 100, 2_200_000,
                             employer=employer)
    MembershipSpell.objects.filter(member=stopped).update(end_on=datetime.date(2018, 4, 30))
    nothing = make_member(geography["0102001"], date_of_birth="2000-02-29", sex="F")
    volunteer = make_member(geography["0601001"], category="voluntary",
                            start_on=datetime.date(2022, 1, 1), date_of_birth="1980-12-31")
    give_contribution_record(volunteer, datetime.date(2022, 1, 1), 38, 1_800_000)
    give_contribution_record(volunteer, datetime.date(2025, 3, 1), 3, 1_800_000, paid=False)
    twice = make_worker(employer, start_on=datetime.date(2015, 1, 1), date_of_birth="1970-01-01")
    give_contribution_record(twice, datetime.date(2015, 1, 1), 125, 3_500_000,
                             employer=employer)
    other = make_employer(geography["0101002"], registered_on=LONG_AGO)
    give_contribution_record(twice, datetime.date(2024, 1, 1), 17, 1_000_000, employer=other)
    dead = make_worker(employer, start_on=datetime.date(2012, 1, 1), date_of_birth="1960-01-01")
    give_contribution_record(dead, datetime.date(2012, 1, 1), 60, 2_000_000, employer=employer)
    mark_dead(dead, datetime.date(2024, 1, 1))
    return {"worker": worker, "stopped": stopped, "nothing": nothing, "volunteer": volunteer,
            "twice": twice, "dead": dead}


SCENARIOS = [RETIRE_60, Scenario("retire", age=65), Scenario("sickness", days=30),
             Scenario("sickness", days=10, work_related=True), Scenario("maternity", children=2)]
COLUMNS = ("qualifies", "monthly_amount", "lump_sum", "months_counted")


def column_row(many, position: int) -> dict:
    return {name: getattr(many.assessment, name)[position].item() for name in COLUMNS} | {
        "refusal": str(many.assessment.refusal[position]),
        "reference_wage": int(many.assessment.reference_wage[position])}


def explanation_row(explanation: dict) -> dict:
    return {name: explanation[name] for name in COLUMNS} | {
        "refusal": (explanation["refusal"] or {}).get("code", ""),
        "reference_wage": explanation["reference_wage"]["amount"]}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: str(scenario.as_dict()))
@pytest.mark.parametrize("continue_record", [False, True], ids=["as_it_stands", "continued"])
def test_many_at_once_equal_one_at_a_time(crowd, scenario, continue_record):
    many = services.estimate_many(None, scenario, as_of=AS_OF, continue_record=continue_record)
    living = sorted(member.pk for name, member in crowd.items() if name != "dead")
    assert many.member_id.tolist() == living
    for position, member_id in enumerate(many.member_id.tolist()):
        member = next(member for member in crowd.values() if member.pk == member_id)
        single = services.estimate_for_member(system_admin(), member, scenario, AS_OF)
        expected = (single.if_continued or single.if_stopped) if continue_record \
            else single.if_stopped
        assert column_row(many, position) == explanation_row(expected), member_id


def records_per_member(histories) -> np.ndarray:
    return np.bincount(histories.records.member_index, minlength=len(histories.members))


@pytest.mark.parametrize("threads", [1, 2])
def test_many_in_small_chunks_equal_many_at_once(crowd, threads):
    """Chunks of a few members, assessed one at a time or two at a time in threads."""
    histories = selectors.read_histories(None, AS_OF)
    whole = services.estimate_histories(histories, RETIRE_60, as_of=AS_OF,
                                        continue_record=True)
    chunked = services.estimate_histories(histories, RETIRE_60, as_of=AS_OF,
                                          continue_record=True, chunk_records=50,
                                          threads=threads)
    assert len(services._chunks(records_per_member(histories), 50)) > 2
    assert chunked.assessed_records == whole.assessed_records
    for name in (*COLUMNS, "refusal", "reference_wage", "kind", "end_date"):
        assert np.array_equal(getattr(chunked.assessment, name),
                              getattr(whole.assessment, name),
                              equal_nan=name == "end_date"), name


@pytest.mark.parametrize("named_in_query", [900, 1], ids=["ids_in_query", "filtered_after"])
def test_a_selection_reads_only_those_members(crowd, monkeypatch, named_in_query):
    """A few members are named in the query; more are read like everyone (on PostgreSQL by
    ranges of pages) and the others' records left out."""
    monkeypatch.setattr(selectors, "PORTABLE_ID_LIMIT", named_in_query)
    monkeypatch.setattr(selectors, "SELECTION_BY_INDEX", named_in_query)
    chosen = {crowd["twice"].pk: 125, crowd["volunteer"].pk: 38}
    histories = selectors.read_histories([*chosen, 10**9], AS_OF)
    assert histories.members.member_id.tolist() == sorted(chosen)
    months = np.bincount(histories.records.member_index, minlength=2).tolist()
    assert months == [chosen[member_id] for member_id in sorted(chosen)]
    assert histories.records.unpaid_employer_months.tolist() == [0, 0]


def test_the_bulk_read_has_the_same_months_wages_and_facts_as_one_member(crowd):
    histories = selectors.read_histories(None, AS_OF)
    members = histories.members
    for position, member_id in enumerate(members.member_id.tolist()):
        member = next(member for member in crowd.values() if member.pk == member_id)
        record = selectors.member_record(member, AS_OF)
        rows = histories.records.member_index == position
        assert histories.records.month[rows].astype("datetime64[D]").tolist() == record.months
        assert histories.records.wage[rows].tolist() == record.wages
        assert members.birth_date[position].item() == record.birth_date
        assert str(members.sex[position]) == record.sex
        assert str(members.category[position]) == record.category
        assert bool(members.member_on_date[position]) == record.member_on_date
        assert (members.date_of_death[position].item()) == record.date_of_death
        assert histories.records.unpaid_employer_months[position] == len(
            record.unpaid_employer_months)
    assert np.all(np.diff(histories.records.member_index * 10_000
                          + histories.records.month.astype(np.int64)) > 0)


def test_the_bulk_read_sorts_sparse_records_too(geography, employer):
    """Few months over a long span: grouped by sorting instead of the dense grid."""
    early = make_worker(employer, start_on=datetime.date(1975, 1, 1), date_of_birth="1950-01-01")
    give_contribution_record(early, datetime.date(1975, 1, 1), 1, 500_000, employer=employer)
    give_contribution_record(early, datetime.date(2025, 1, 1), 1, 900_000, employer=employer)
    other = make_employer(geography["0101002"], registered_on=LONG_AGO)
    give_contribution_record(early, datetime.date(2025, 1, 1), 1, 100_000, employer=other)
    histories = selectors.read_histories(None, AS_OF)
    assert histories.records.month.astype(str).tolist() == ["1975-01", "2025-01"]
    assert histories.records.wage.tolist() == [500_000, 1_000_000]


def test_a_wage_too_large_for_a_float_is_read_exactly(worker, employer):
    """On PostgreSQL records come as pairs of float8 (exact below 2**53 kip); a range with a
    larger value is read again as exact integers. Kip stay exact either way."""
    huge = 2**53 + 1
    give_contribution_record(worker, datetime.date(2025, 5, 1), 1, huge - 4_000_000,
                             employer=make_employer(employer.village, registered_on=LONG_AGO))
    histories = selectors.read_histories(None, AS_OF)
    assert histories.records.wage.tolist() == selectors.member_record(worker, AS_OF).wages
    assert histories.records.wage[-1] == huge
    assert len(histories.records.wage) == 240


def test_bulk_columns_are_read_back_from_their_packed_form():
    """The packed binary forms the server sends (big-endian integers; pairs of float8)."""
    values = np.array([0, 1, -5, 2**62 + 3], dtype=np.int64)
    assert selectors.numpy_of_packed(values.astype(">i8").tobytes()).tolist() == values.tolist()
    assert selectors.numpy_of_packed(None).dtype == np.int64
    pairs = np.array([[3, 1_500_000], [2**52, 7]], dtype=">f8").tobytes()
    first, second = selectors.numpy_of_pairs(pairs)
    assert first.tolist() == [3, 2**52] and second.tolist() == [1_500_000, 7]
    assert selectors.numpy_of_pairs(np.array([[1, 2**53]], dtype=">f8").tobytes()) is None
    assert selectors.numpy_of_pairs(np.array([[-2.0**53, 1]], dtype=">f8").tobytes()) is None
    assert [column.tolist() for column in selectors.numpy_of_pairs(None)] == [[], []]
    with pytest.raises(ValueError):
        selectors.numpy_of_packed(b"\x00" * 7)


def raw_records(seed: int, members: int, months: int, count: int) -> selectors.RawRecords:
    """Random records in three parts, as three ranges of the table would give them."""
    generator = np.random.default_rng(seed)
    member_index = generator.integers(0, members, count).astype(np.int32)
    month = (1400 + generator.integers(0, months, count)).astype(np.int16)
    wage = generator.integers(0, 5_000_000, count).astype(np.int64)
    paid = generator.random(count) < 0.9
    raw = selectors.RawRecords()
    for part in np.array_split(np.arange(count), 3):
        raw.add(member_index[part], month[part], wage[part], paid[part])
    return raw


@pytest.mark.parametrize("months", [3, 400], ids=["dense", "sparse"])
def test_records_are_put_in_order_by_counting_and_by_sorting_alike(monkeypatch, months):
    """Random records, several in some (member, month) cells: one row per cell in (member,
    month) order with the wages added, and the unpaid months counted once, whether grouped in
    the dense grid or by sorting."""
    members = 50
    expected: dict[tuple[int, int], int] = {}
    unpaid: dict[int, set[int]] = {}
    reference = raw_records(7, members, months, 400)
    for member_index, month, wage in reference.parts:
        for cell, amount in zip(zip(member_index.tolist(), month.tolist(), strict=True),
                                wage.tolist(), strict=True):
            expected[cell] = expected.get(cell, 0) + amount
    for member_index, month in reference.unpaid:
        for member, number in zip(member_index.tolist(), month.tolist(), strict=True):
            unpaid.setdefault(member, set()).add(number)
    results = []
    for factor, minimum in ((10**6, 10**6), (0, 0)):  # the dense grid, then sorting
        monkeypatch.setattr(selectors, "DENSE_GRID_FACTOR", factor)
        monkeypatch.setattr(selectors, "DENSE_GRID_MINIMUM", minimum)
        results.append(selectors._records_in_order(raw_records(7, members, months, 400),
                                                   members))
    for records in results:
        month_numbers = (records.month - selectors.MONTH_ZERO).astype(np.int64).tolist()
        cells = list(zip(records.member_index.tolist(), month_numbers, strict=True))
        assert cells == sorted(expected)
        assert records.wage.tolist() == [expected[cell] for cell in sorted(expected)]
        assert records.unpaid_employer_months.tolist() == [
            len(unpaid.get(member, ())) for member in range(members)]
        assert records.member_index.dtype == np.int64


def test_the_latest_spell_is_found_in_any_order_of_the_spells():
    """Each member's latest spell started by the day (its category, whether it covers the
    day), whether the spells come sorted, one a member, or shuffled, several a member."""
    day = (AS_OF - datetime.date(1970, 1, 1)).days
    member_id = np.array([10, 11, 12, 13], dtype=np.int64)
    spells = np.array([  # member, start, end, category code
        [10, day - 900, day - 400, 1], [10, day - 300, day + 99, 2], [11, day - 50, day - 1, 3],
        [13, day - 10, day, 1], [13, day - 20, day + 5, 2]], dtype=np.int64)
    latest = selectors.CATEGORY_NAMES[[2, 3, 0, 1]].tolist()  # member 12 has no spell
    for order in ([0, 1, 2, 3, 4], [4, 2, 1, 3, 0], [1, 2, 3]):  # sorted, shuffled, one each
        rows = spells[order]
        category, covered = selectors._latest_spell(member_id, rows[:, 0], rows[:, 1],
                                                    rows[:, 2], rows[:, 3], AS_OF)
        assert category.tolist() == latest
        assert covered.tolist() == [True, False, False, True]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_member_read_stops_the_record_readers(geography, monkeypatch):
    employer = make_employer(geography["0101001"], registered_on=LONG_AGO)
    for _ in range(6):
        give_contribution_record(make_worker(employer, start_on=datetime.date(2020, 1, 1)),
                                 datetime.date(2020, 1, 1), 40, 2_000_000, employer=employer)
    monkeypatch.setattr(selectors, "PAGES_PER_RANGE", 1)
    assert len(selectors._page_ranges()) > 2

    def refused(*_arguments):
        raise RuntimeError("members unreadable")

    monkeypatch.setattr(selectors._PostgresReader, "members", refused)
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="members unreadable"):
        selectors.read_histories(None, AS_OF)
    assert threading.active_count() == before


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_parallel_read_in_page_ranges_equals_the_read_on_one_connection(geography,
                                                                           monkeypatch):
    employer = make_employer(geography["0101001"], registered_on=LONG_AGO)
    members = [make_worker(employer, start_on=datetime.date(2020, 1, 1)) for _ in range(6)]
    for number, member in enumerate(members):
        give_contribution_record(member, datetime.date(2020, 1, 1), 30 + number,
                                 2_000_000 + number * 1000, employer=employer)
    ContributionRecord.objects.filter(member=members[0], month=datetime.date(2021, 1, 1)).update(
        paid=False, paid_on=None)
    monkeypatch.setattr(selectors, "PAGES_PER_RANGE", 1)
    assert len(selectors._page_ranges()) > 2
    assert not connection.in_atomic_block
    parallel = selectors.read_histories(None, AS_OF)
    monkeypatch.setattr(selectors, "READ_CONNECTIONS", 1)
    single = selectors.read_histories(None, AS_OF)
    for name in ("member_index", "month", "wage", "unpaid_employer_months"):
        assert np.array_equal(getattr(parallel.records, name), getattr(single.records, name))
    for name in ("member_id", "birth_date", "sex", "category", "member_on_date"):
        assert np.array_equal(getattr(parallel.members, name), getattr(single.members, name))
    assert len(parallel.records.month) == sum(30 + number for number in range(6))
    assert parallel.records.unpaid_employer_months.tolist() == [1, 0, 0, 0, 0, 0]
