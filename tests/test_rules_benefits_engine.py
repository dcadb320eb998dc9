"""The benefit rules' machinery: one call for many rows equals row-by-row calls, explanations
name the right months, wages and parameters, bad facts are refused clearly, and the rules
version follows the files. Pure tests: no database."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pakan.rules import benefits
from pakan.rules.benefits import BRANCHES, RULES_VERSION, ContributionHistory, RulesError, assess
from pakan.rules.benefits import version as version_module
from pakan.rules.benefits.history import add_months, age_in_years, compact_ranges
from pakan.rules.legal_parameters import list_parameters

CATEGORIES = ("enterprise_employee", "civil_servant", "police_military", "voluntary")
LAO = range(0x0E80, 0x0F00)
OWNED_ELSEWHERE = ("pension_indexation", "appeal_days")


def random_population(rng: np.random.Generator, size: int, longest: int = 420
                      ) -> tuple[ContributionHistory, np.ndarray]:
    """Members with gappy records from 1995 to 2026 and event dates from 2001 to 2027."""
    birth = np.datetime64("1935-01-01") + rng.integers(0, 70 * 365, size)
    sex = np.where(rng.random(size) < 0.5, "M", "F")
    category = np.array(CATEGORIES)[rng.integers(0, 4, size)]
    lengths = rng.integers(0, longest, size)
    lengths[rng.random(size) < 0.05] = 0
    members = np.repeat(np.arange(size), lengths)
    first = rng.integers(np.datetime64("1995-01", "M").astype(int),
                         np.datetime64("2024-01", "M").astype(int), size)
    offsets = np.arange(members.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    # Every fifth member skips 1–3 months now and then: gaps in the record.
    skips = np.where(rng.random(members.size) < 0.03, rng.integers(1, 4, members.size), 0)
    skips[np.arange(members.size) % 5 != 0] = 0
    starts = np.cumsum(lengths) - lengths
    skipped = np.cumsum(skips)
    skipped_before_member = np.concatenate([[0], skipped])[starts]
    gap = skipped - np.repeat(skipped_before_member, lengths)
    months = (first[members] + offsets + gap).astype("datetime64[M]")
    wages = rng.integers(400_000, 6_000_000, members.size)
    history = ContributionHistory(
        birth_date=birth.astype("datetime64[D]"), sex=sex.astype("<U1"),
        category=category.astype("<U20"), record_member=members.astype(np.int64),
        record_month=months, record_wage=wages.astype(np.int64))
    events = (np.datetime64("2001-01-01") + rng.integers(0, 27 * 365, size)).astype(
        "datetime64[D]")
    events = np.maximum(events, history.birth_date + 1)
    # Put many events right at the law's changes.
    edges = np.array(["2013-12-31", "2014-01-01", "2019-07-14", "2019-07-15", "2025-06-01",
                      "2025-06-02"], dtype="datetime64[D]")
    at_edge = rng.random(size) < 0.2
    events[at_edge] = np.maximum(edges[rng.integers(0, edges.size, at_edge.sum())],
                                 history.birth_date[at_edge] + 1)
    return history, events


def random_facts(branch: str, rng: np.random.Generator, size: int,
                 events: np.ndarray) -> dict[str, np.ndarray]:
    integers = rng.integers
    if branch == "old_age":
        return {"hazardous_work_years": integers(0, 8, size),
                "started_before_1975": rng.random(size) < 0.1,
                "disability_category": integers(0, 7, size),
                "service_years_before_1975": integers(0, 9, size)}
    if branch == "invalidity":
        return {"incapacity_category": integers(1, 7, size)}
    if branch == "survivors":
        relationship = np.array(["spouse", "child", "parent"])[integers(0, 3, size)]
        birth = events - integers(0, 90 * 365, size)
        return {"relationship": relationship, "beneficiary_birth_date": birth,
                "beneficiary_sex": np.where(rng.random(size) < 0.5, "M", "F"),
                "beneficiary_has_income": rng.random(size) < 0.2,
                "beneficiary_remarried": rng.random(size) < 0.1,
                "beneficiary_disabled": rng.random(size) < 0.1,
                "parents_supported": integers(1, 3, size)}
    if branch == "sickness":
        return {"work_related": rng.random(size) < 0.5, "days": integers(1, 500, size),
                "days_already_paid": integers(0, 400, size)}
    if branch == "maternity":
        return {"children": integers(1, 4, size), "pregnancy_months": integers(0, 11, size),
                "claimant_is_spouse": np.zeros(size, dtype=bool)}
    if branch == "employment_injury":
        incapacity = np.where(rng.random(size) < 0.5, "temporary", "permanent")
        return {"incapacity": incapacity, "incapacity_category": integers(1, 7, size),
                "days": integers(1, 300, size), "days_already_paid": integers(0, 200, size)}
    if branch == "unemployment":
        last = (events.astype("datetime64[M]") - integers(1, 40, size)).astype("datetime64[M]")
        last[rng.random(size) < 0.6] = np.datetime64("NaT")
        return {"cause": np.array(["bankruptcy", "closure", "project_end", "disaster",
                                   "downsizing"])[integers(0, 5, size)],
                "unemployed_days": integers(0, 90, size), "last_benefit_month": last}
    return {}


def member(history: ContributionHistory, row: int) -> ContributionHistory:
    records = history.record_member == row
    return ContributionHistory.single(
        birth_date=history.birth_date[row], sex=str(history.sex[row]),
        category=str(history.category[row]), months=history.record_month[records],
        wages=history.record_wage[records])


COLUMNS = ("qualifies", "refusal", "variant", "kind", "monthly_amount", "lump_sum",
           "reference_wage", "months_counted", "regime")


def assert_rows_equal(together, alone, row: int) -> None:
    for name in COLUMNS:
        assert getattr(together, name)[row] == getattr(alone, name)[0], (name, row)
    assert str(together.end_date[row]) == str(alone.end_date[0]), ("end_date", row)
    assert together.explanation(row) == alone.explanation(0)
    assert together.refusal_text(row) == alone.refusal_text(0)


@pytest.mark.parametrize("branch", BRANCHES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_call_for_many_equals_row_by_row(branch, seed):
    rng = np.random.default_rng(seed)
    history, events = random_population(rng, 3_000)
    facts = random_facts(branch, rng, history.size, events)
    if branch == "maternity":
        facts["claimant_is_spouse"] = (history.sex == "M") & (rng.random(history.size) < 0.7)
    together = assess(branch, history, events, facts)
    assert len(set(together.refusal.tolist())) >= 2  # the sample really mixes outcomes
    for row in rng.choice(history.size, 40, replace=False):
        row = int(row)
        alone = assess(branch, member(history, row), events[row:row + 1],
                       {name: column[row:row + 1] for name, column in facts.items()})
        assert_rows_equal(together, alone, row)


@pytest.mark.slow
def test_a_million_members_in_one_call_equal_their_rows():
    rng = np.random.default_rng(7)
    history, events = random_population(rng, 1_000_000, longest=48)
    facts = random_facts("old_age", rng, history.size, events)
    together = assess("old_age", history, events, facts)
    assert together.monthly_amount.shape == (1_000_000,)
    for row in rng.choice(history.size, 25, replace=False):
        row = int(row)
        alone = assess("old_age", member(history, row), events[row:row + 1],
                       {name: column[row:row + 1] for name, column in facts.items()})
        assert_rows_equal(together, alone, row)


def gappy_member() -> ContributionHistory:
    months = np.concatenate([
        np.arange(np.datetime64("2000-01", "M"), np.datetime64("2010-01", "M")),
        np.arange(np.datetime64("2012-06", "M"), np.datetime64("2025-08", "M")),
    ])
    wages = np.full(months.shape, 2_000_000, dtype=np.int64)
    wages[-12:] = np.arange(1, 13) * 100_000 + 2_000_000
    return ContributionHistory.single(birth_date="1965-02-10", sex="M",
                                      category="enterprise_employee", months=months,
                                      wages=wages)


def test_explanation_lists_the_months_wages_and_parameters():
    result = assess("old_age", gappy_member(), np.array(["2025-08-01"], dtype="datetime64[D]"))
    explanation = result.explanation(0)
    json.dumps(explanation)  # JSON-ready
    assert explanation["months"] == [["2000-01", "2009-12"], ["2012-06", "2025-07"]]
    assert explanation["months_counted"] == 120 + 158 == int(result.months_counted[0])
    reference = explanation["reference_wage"]
    assert [entry["month"] for entry in reference["months"]] == [
        f"{year}-{month:02d}" for year, month in
        [(2024, 8), (2024, 9), (2024, 10), (2024, 11), (2024, 12)] + [(2025, m) for m in
                                                                     range(1, 8)]]
    assert [entry["wage"] for entry in reference["months"]] == [
        2_000_000 + step * 100_000 for step in range(1, 13)]
    assert reference["amount"] == 2_650_000 == sum(e["wage"] for e in reference["months"]) // 12
    assert "12 counted months" in reference["method_en"] and "12" in reference["method_lo"]
    assert explanation["regime"]["code"] == "decree_2025"
    assert explanation["rules_version"] == RULES_VERSION
    # 278 months = 23 years: a reduced pension, 75% - 2 points.
    assert (explanation["variant"], explanation["monthly_amount"]) == ("normal", 1_934_500)
    names = {parameter["name"]: parameter for parameter in explanation["parameters"]}
    base = names["social_security.benefits.old_age.enterprise.rate.base"]
    assert base["value"] == 0.75 and base["start"] == "2025-06-02" and base["provisional"]
    assert base["provisional_reason"].startswith(("NOT FOUND", "UNCERTAIN"))
    assert "[18]" in base["reference"]
    below = names["social_security.benefits.old_age.enterprise.rate.per_year_below"]
    assert below["value"] == 0.01 and "[89]" in below["reference"]
    assert "social_security.benefits.old_age.enterprise.lump_sum.wage_share" not in names
    for step in explanation["steps"]:
        assert step["en"] and any(ord(character) in LAO for character in step["lo"])
    assert any("74%" not in step["en"] and "73%" in step["en"]
               for step in explanation["steps"])


def test_public_scheme_values_sourced_after_the_pages_were_seen_are_not_provisional():
    history = ContributionHistory.single(
        birth_date="1959-01-01", sex="F", category="civil_servant",
        months=np.arange(np.datetime64("1985-01", "M"), np.datetime64("2024-01", "M")),
        wages=[3_000_000])
    before, after = (assess("old_age", history, np.array([date], dtype="datetime64[D]"))
                     for date in ("2019-07-14", "2024-01-10"))
    for result, provisional in ((before, True), (after, False)):
        names = {p["name"]: p for p in result.explanation(0)["parameters"]}
        entry = names["social_security.benefits.old_age.public.rate.per_year_above"]
        assert entry["provisional"] is provisional
    names = {p["name"]: p for p in after.explanation(0)["parameters"]}
    assert names["social_security.benefits.old_age.public.rate.base"]["provisional"]


def test_short_term_explanations_name_their_window():
    months = np.arange(np.datetime64("2024-09", "M"), np.datetime64("2025-07", "M"))
    months = months[months != np.datetime64("2025-03", "M")]
    history = ContributionHistory.single(birth_date="1970-01-01", sex="M",
                                         category="enterprise_employee", months=months,
                                         wages=np.arange(1, months.size + 1) * 1_000_000)
    result = assess("funeral", history, np.array(["2025-07-20"], dtype="datetime64[D]"))
    explanation = result.explanation(0)
    assert explanation["months"] == [["2025-01", "2025-02"], ["2025-04", "2025-06"]]
    assert explanation["months_counted"] == 5
    assert [m["month"] for m in explanation["reference_wage"]["months"]] == [
        "2024-12", "2025-01", "2025-02", "2025-04", "2025-05", "2025-06"]
    grant = {p["name"]: p for p in explanation["parameters"]}[
        "social_security.benefits.funeral.grant_months"]
    assert grant["provisional"] and grant["provisional_reason"].startswith("NOT FOUND")
    assert explanation["lump_sum"] == (4 + 5 + 6 + 7 + 8 + 9) * 1_000_000 // 6


def test_refusals_explain_themselves_in_both_languages():
    history = ContributionHistory.single(
        birth_date="1980-01-01", sex="M", category="enterprise_employee",
        months=np.arange(np.datetime64("2010-01", "M"), np.datetime64("2025-01", "M")),
        wages=[2_000_000])
    result = assess("old_age", history, np.array(["2025-07-01"], dtype="datetime64[D]"))
    assert result.refusal[0] == "below_age" and not result.qualifies[0]
    english, lao = result.refusal_text(0)
    assert english.startswith("Below the age") and "57" in english
    assert any(ord(character) in LAO for character in lao) and "57" in lao
    explanation = result.explanation(0)
    assert explanation["refusal"] == {"code": "below_age", "en": english, "lo": lao}
    assert explanation["monthly_amount"] == 0 and explanation["kind"] == ""
    man = assess("maternity", history, np.array(["2025-07-01"], dtype="datetime64[D]"))
    assert "wife" in man.refusal_text(0)[0]
    assert assess("sickness", history, np.array(["2025-01-20"], dtype="datetime64[D]"),
                  {"days": np.array([5])}).refusal_text(0) == ("", "")


def test_uncovered_category_and_missing_rules_are_explained():
    history = ContributionHistory.single(
        birth_date="1980-01-01", sex="M", category="voluntary",
        months=np.arange(np.datetime64("2023-01", "M"), np.datetime64("2025-06", "M")),
        wages=[1_200_000])
    result = assess("unemployment", history, np.array(["2025-07-01"], dtype="datetime64[D]"),
                    {"cause": np.array(["closure"])})
    assert result.refusal[0] == "event_not_covered"
    assert "voluntary" in result.refusal_text(0)[0]
    old = assess("sickness", history, np.array(["2012-01-01"], dtype="datetime64[D]"),
                 {"days": np.array([5])})
    assert old.refusal[0] == "no_rules_for_date"
    assert old.explanation(0)["regime"]["code"] == "decree_207_1999"


BAD_FACTS = [
    ("survivors", {"relationship": "cousin", "beneficiary_birth_date": "1960-01-01"},
     "relationship"),
    ("survivors", {"relationship": "spouse"}, "beneficiary_birth_date"),
    ("survivors", {"relationship": "parent", "beneficiary_birth_date": "1940-01-01"},
     "beneficiary_sex"),
    ("survivors", {"relationship": "spouse", "beneficiary_birth_date": "2030-01-01"},
     "beneficiary_birth_date"),
    ("survivors", {"relationship": "parent", "beneficiary_birth_date": "1940-01-01",
                   "beneficiary_sex": "F", "parents_supported": 3}, "parents_supported"),
    ("invalidity", {"incapacity_category": 7}, "incapacity_category"),
    ("invalidity", {}, "incapacity_category"),
    ("employment_injury", {"incapacity": "permanent", "incapacity_category": 7},
     "incapacity_category"),
    ("employment_injury", {"incapacity": "permanent"}, "incapacity_category"),
    ("employment_injury", {"incapacity": "temporary"}, "days"),
    ("employment_injury", {"incapacity": "temporary", "days": -3}, "days"),
    ("employment_injury", {}, "incapacity"),
    ("sickness", {"days": -1}, "days"),
    ("sickness", {}, "days"),
    ("sickness", {"days": 5, "work_related": 1}, "work_related"),
    ("sickness", {"days": 5.5}, "days"),
    ("sickness", {"days": 5, "work_releated": True}, "work_releated"),
    ("maternity", {"children": 0}, "children"),
    ("maternity", {"pregnancy_months": 11}, "pregnancy_months"),
    ("unemployment", {}, "cause"),
    ("unemployment", {"cause": "closure", "unemployed_days": -1}, "unemployed_days"),
    ("unemployment", {"cause": "closure", "last_benefit_month": "2025-07"},
     "last_benefit_month"),
    ("old_age", {"disability_category": 7}, "disability_category"),
    ("old_age", {"hazardous_work_years": -1}, "hazardous_work_years"),
]


@pytest.mark.parametrize(("branch", "facts", "field"), BAD_FACTS,
                         ids=[f"{case[0]}-{case[2]}-{index}"
                              for index, case in enumerate(BAD_FACTS)])
def test_bad_facts_raise_clear_errors_in_english_and_lao(branch, facts, field):
    history = ContributionHistory.concatenate([
        ContributionHistory.single(birth_date="1980-01-01", sex="F",
                                   category="enterprise_employee",
                                   months=np.arange(np.datetime64("2020-01", "M"),
                                                    np.datetime64("2025-06", "M")),
                                   wages=[2_000_000])] * 2)
    kinds = {"beneficiary_birth_date": "datetime64[D]", "last_benefit_month": "datetime64[M]"}
    given = {name: np.asarray(value, dtype=kinds.get(name)) for name, value in facts.items()}
    good = {"relationship": "spouse", "incapacity_category": 1, "days": 5, "children": 1,
            "pregnancy_months": 9, "unemployed_days": 30, "disability_category": 0,
            "hazardous_work_years": 0, "parents_supported": 1, "cause": "closure",
            "incapacity": "temporary"}
    # The bad value goes in the second row only, so the error must name row 1.
    second_row_only = field in given and field in good and given[field].dtype.kind in "iU"
    if second_row_only:
        given[field] = np.array([good[field], given[field][()]])
    events = np.array(["2025-07-01", "2025-07-01"], dtype="datetime64[D]")
    with pytest.raises(RulesError) as error:
        assess(branch, history, events, given)
    assert error.value.field == field
    assert error.value.english and any(ord(character) in LAO for character in error.value.lao)
    if second_row_only:
        assert error.value.row == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"record_month": np.array(["2020-02", "2020-01"], dtype="datetime64[M]")}, "record_month"),
    ({"record_month": np.array(["2020-01", "2020-01"], dtype="datetime64[M]")}, "record_month"),
    ({"record_wage": np.array([100, -5], dtype=np.int64)}, "record_wage"),
    ({"record_wage": np.array([100.0, 5.0])}, "record_wage"),
    ({"sex": np.array(["X"])}, "sex"),
    ({"birth_date": np.array(["NaT"], dtype="datetime64[D]")}, "birth_date"),
    ({"record_member": np.array([0, 1], dtype=np.int64)}, "record_member"),
])
def test_bad_records_are_refused(change, field):
    data = {"birth_date": np.array(["1980-01-01"], dtype="datetime64[D]"),
            "sex": np.array(["M"]), "category": np.array(["enterprise_employee"]),
            "record_member": np.array([0, 0], dtype=np.int64),
            "record_month": np.array(["2020-01", "2020-02"], dtype="datetime64[M]"),
            "record_wage": np.array([100, 200], dtype=np.int64)} | change
    with pytest.raises(RulesError) as error:
        ContributionHistory(**data)
    assert error.value.field == field


def test_bad_calls_are_refused():
    history = ContributionHistory.single(birth_date="1980-01-01", sex="M", category="army",
                                         months=["2020-01"], wages=[1])
    with pytest.raises(RulesError) as error:
        assess("funeral", history, np.array(["2025-01-01"], dtype="datetime64[D]"))
    assert (error.value.field, error.value.row) == ("category", 0)
    good = ContributionHistory.single(birth_date="1980-01-01", sex="M",
                                      category="civil_servant", months=["2020-01"], wages=[1])
    for branch, events, field in (
        ("holiday", ["2025-01-01"], "branch"),
        ("funeral", ["1979-01-01"], "event_date"),
        ("funeral", ["2025-01-01", "2025-01-02"], "event_date"),
        ("funeral", ["NaT"], "event_date"),
    ):
        with pytest.raises(RulesError) as error:
            assess(branch, good, np.array(events, dtype="datetime64[D]"))
        assert error.value.field == field
    with pytest.raises(RulesError) as error:
        assess("sickness", good, np.array(["2025-01-01"], dtype="datetime64[D]"),
               {"days": np.array([1, 2])})
    assert error.value.field == "days"


def test_one_value_of_a_fact_or_date_applies_to_every_row():
    history = ContributionHistory.concatenate([gappy_member(), gappy_member()])
    result = assess("sickness", history, np.datetime64("2025-08-01"), {"days": 30})
    assert result.lump_sum.tolist() == [result.lump_sum[0]] * 2 and result.lump_sum[0] > 0


def test_age_and_dates():
    births = np.array(["1964-02-29"] * 3, dtype="datetime64[D]")
    on = np.array(["2024-02-28", "2024-02-29", "2025-02-28"], dtype="datetime64[D]")
    assert age_in_years(births, on).tolist() == [59, 60, 60]
    assert age_in_years(np.array(["1960-01-01"], dtype="datetime64[D]"),
                        np.array(["2025-03-01"], dtype="datetime64[D]")).tolist() == [65]
    assert str(add_months(np.array(["2025-07-01"], dtype="datetime64[D]"), 3)[0]) == "2025-10-01"
    assert compact_ranges(np.array(["2001-01", "2001-02", "2001-04"], dtype="datetime64[M]")) == [
        ["2001-01", "2001-02"], ["2001-04", "2001-04"]]
    assert compact_ranges(np.array([], dtype="datetime64[M]")) == []


def test_rules_version_follows_the_formulas_and_parameter_files(tmp_path, monkeypatch):
    assert RULES_VERSION.startswith("benefits-1-") and len(RULES_VERSION) == len("benefits-1-") + 12
    assert version_module.compute_rules_version() == RULES_VERSION
    formulas = tmp_path / "formulas"
    parameters = tmp_path / "parameters"
    shutil.copytree(version_module.FORMULAS_DIRECTORY, formulas,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(version_module.PARAMETER_DIRECTORY, parameters)
    monkeypatch.setattr(version_module, "FORMULAS_DIRECTORY", formulas)
    monkeypatch.setattr(version_module, "PARAMETER_DIRECTORY", parameters)
    copied = version_module.compute_rules_version()
    assert copied == RULES_VERSION
    (parameters / "pension_indexation.yaml").write_text("# not an assessment rule\n")
    assert version_module.compute_rules_version() == copied
    funeral = parameters / "funeral.yaml"
    funeral.write_text(funeral.read_text() + "\n# an officer's dated entry\n")
    changed = version_module.compute_rules_version()
    assert changed != copied
    (formulas / "old_age.py").write_text((formulas / "old_age.py").read_text() + "\n")
    assert version_module.compute_rules_version() not in (copied, changed)


def test_benefit_parameters_are_sourced_dated_and_flagged():
    benefit_parameters = [
        parameter for parameter in list_parameters()
        if parameter.name.startswith("social_security.benefits.")
        and not parameter.name.endswith(OWNED_ELSEWHERE)
    ]
    assert len(benefit_parameters) > 100
    for parameter in benefit_parameters:
        assert parameter.description and parameter.unit, parameter.name
        for entry in parameter.values:
            assert len(entry.reference) > 10, (parameter.name, entry.start)
            if entry.provisional:
                assert entry.provisional_reason.startswith(("NOT FOUND", "UNCERTAIN")), (
                    parameter.name, entry.start)
            if parameter.unit == "/1" and entry.value is not None:
                assert 0 <= entry.value <= 1, parameter.name
    names = {parameter.name: parameter for parameter in benefit_parameters}
    regime = names["social_security.benefits.old_age.regime"]
    assert [(str(entry.start), entry.value) for entry in regime.values] == [
        ("2001-07-01", "decree_207_1999"), ("2014-01-01", "law_2013"),
        ("2025-06-02", "decree_2025")]
    assert regime.values[1].provisional and not regime.values[2].provisional


def test_the_rules_package_does_not_import_django():
    for path in Path(benefits.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("django") for alias in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("django"), path
