"""The valuation data extract (pakan.valuation.extract): a hand-made fund whose every member,
record and pension is known, extracted on 31 December 2025, on SQLite and on PostgreSQL alike.

The fund (valuation date D = 2025-12-31; the last 12 months are January-December 2025; the
last year is 2025-01-01..D):

- A, man born 1980-06-15, enterprise employee since 2015: 24 paid months 2024-01..2025-12 at
  3,000,000, a second employer's 1,000,000 in 2025-12, and a month after D (not counted);
- B, woman born 1990-03-01, civil servant 2020-02-01..2025-06-30 (left the fund): 64 paid months
  2020-02..2025-05 and 2025-06 billed to the employer but unpaid (it counts) at 2,000,000;
- C, man born 2000-02-29, voluntary from 2025-03-01: 8 paid months 2025-03..2025-10 at
  1,500,000 and 2025-11 unpaid (a voluntary month unpaid does not count);
- L, man born 1985-09-09, enterprise since 2010: 120 months 2010-01..2019-12 at 2,200,000 and
  two months with a second record (2012-05 a second employer, 2013-03 a voluntary payment);
- Dead, woman born 1970-01-01, enterprise since 2010, 19 months, died 2025-08-01;
- E, man born 1964-05-01, enterprise 1995-01-01..2025-04-30, old-age pension from 2025-05-01
  of 2,000,000 (retired during the year);
- F, woman born 1960-03-01, old-age pension from 2020-01-01 of 1,500,000, indexed to
  1,600,000 from 2025-01-01 and to 1,700,000 from 2026-01-01 (after D);
- G, man born 1955-07-01, a pension suspended from 2025-06-01 (not in payment on D);
- G2, man born 1955-07-01, a pension ended on 2026-03-01 (in payment on D);
- W, woman born 1958-08-08, survivor's pension from 2023-06-01 of 800,000 after K (died 2023);
- I, a member from 2026-02-01 (after D); J, a member who died on 2024-06-01; a baby born
  2026-01-05 (after D).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied

from pakan.accounts.models import Role
from pakan.actuarial.engine import project
from pakan.benefits.models import Award, AwardAmount, AwardStatusChange, Branch
from pakan.jobs.models import Job
from pakan.registry.models import Person
from pakan.socialsecurity.models import MembershipSpell
from pakan.valuation.experience import (
    AGE_BANDS,
    COLUMNS,
    experience_statistics,
    suppress_small_cells,
)
from pakan.valuation.extract import (
    ExtractArrays,
    ExtractError,
    assumptions_from_extract,
    load_arrays,
    make_extract,
    start_extract_job,
)
from pakan.valuation.extract.arrays import ages_on
from pakan.valuation.extract.model_inputs import fund_data_for
from pakan.valuation.models import ValuationExtract
from tests.benefit_factories import give_contribution_record, make_award_in_payment
from tests.conftest import make_user
from tests.factories import make_employer, make_member, make_person

D = datetime.date(2025, 12, 31)
TODAY = datetime.date(2026, 6, 1)
ENTERPRISE, CIVIL, VOLUNTARY = "enterprise_employee", "civil_servant", "voluntary"


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


def die(member_or_person, on: datetime.date) -> None:
    person = getattr(member_or_person, "person", member_or_person)
    Person.objects.filter(pk=person.pk).update(date_of_death=on)


def end_spell(member, on: datetime.date) -> None:
    MembershipSpell.objects.filter(member=member).update(end_on=on)


def change_status(award: Award, status: str, on: datetime.date) -> None:
    Award.objects.filter(pk=award.pk).update(status=status, status_since=on)
    AwardStatusChange.objects.create(award=award, status=status, effective_on=on,
                                     reason="test")


@pytest.fixture
def fund(geography) -> dict:
    return build_fund(geography)


def build_fund(geography) -> dict:
    """The fund of the module's docstring; returns the insured members A, B, C and L."""
    village = geography["0101001"]
    first, second = make_employer(village), make_employer(village)
    people = {}

    a = make_member(village, ENTERPRISE, start_on=datetime.date(2015, 1, 1),
                    date_of_birth="1980-06-15", sex="M")
    give_contribution_record(a, month(2024, 1), 24, 3_000_000, employer=first)
    give_contribution_record(a, month(2025, 12), 1, 1_000_000, employer=second)
    give_contribution_record(a, month(2026, 1), 1, 3_000_000, employer=first)
    people["A"] = a

    b = make_member(village, CIVIL, start_on=datetime.date(2020, 2, 1),
                    date_of_birth="1990-03-01", sex="F")
    give_contribution_record(b, month(2020, 2), 64, 2_000_000, employer=first)
    give_contribution_record(b, month(2025, 6), 1, 2_000_000, employer=first, paid=False)
    end_spell(b, datetime.date(2025, 6, 30))
    people["B"] = b

    c = make_member(village, VOLUNTARY, start_on=datetime.date(2025, 3, 1),
                    date_of_birth="2000-02-29", sex="M")
    give_contribution_record(c, month(2025, 3), 8, 1_500_000)
    give_contribution_record(c, month(2025, 11), 1, 1_500_000, paid=False)
    people["C"] = c

    long_record = make_member(village, ENTERPRISE, start_on=datetime.date(2010, 1, 1),
                              date_of_birth="1985-09-09", sex="M")
    give_contribution_record(long_record, month(2010, 1), 120, 2_200_000, employer=first)
    give_contribution_record(long_record, month(2012, 5), 1, 500_000, employer=second)
    give_contribution_record(long_record, month(2013, 3), 1, 700_000)
    people["L"] = long_record

    dead = make_member(village, ENTERPRISE, start_on=datetime.date(2010, 1, 1),
                       date_of_birth="1970-01-01", sex="F")
    give_contribution_record(dead, month(2024, 1), 19, 2_500_000, employer=first)
    die(dead, datetime.date(2025, 8, 1))

    retired = make_member(village, ENTERPRISE, start_on=datetime.date(1995, 1, 1),
                          date_of_birth="1964-05-01", sex="M")
    give_contribution_record(retired, month(2024, 1), 16, 4_000_000, employer=first)
    end_spell(retired, datetime.date(2025, 4, 30))
    make_award_in_payment(retired, monthly_amount=2_000_000, start_on=datetime.date(2025, 5, 1))

    pensioner = make_member(village, ENTERPRISE, start_on=datetime.date(1995, 1, 1),
                            date_of_birth="1960-03-01", sex="F")
    indexed = make_award_in_payment(pensioner, monthly_amount=1_500_000,
                                    start_on=datetime.date(2020, 1, 1))
    for day, amount in ((datetime.date(2025, 1, 1), 1_600_000),
                        (datetime.date(2026, 1, 1), 1_700_000)):
        AwardAmount.objects.create(award=indexed, effective_from=day, monthly_amount=amount,
                                   reason=AwardAmount.Reason.INDEXATION)

    suspended = make_member(village, ENTERPRISE, start_on=datetime.date(1990, 1, 1),
                            date_of_birth="1955-07-01", sex="M")
    award = make_award_in_payment(suspended, start_on=datetime.date(2018, 1, 1))
    change_status(award, Award.Status.SUSPENDED, datetime.date(2025, 6, 1))

    ended_later = make_member(village, ENTERPRISE, start_on=datetime.date(1991, 1, 1),
                              date_of_birth="1955-07-01", sex="M")
    award = make_award_in_payment(ended_later, monthly_amount=1_200_000,
                                  start_on=datetime.date(2016, 1, 1),
                                  end_on=datetime.date(2026, 3, 1))
    change_status(award, Award.Status.ENDED, datetime.date(2026, 3, 1))

    deceased = make_member(village, ENTERPRISE, start_on=datetime.date(2000, 1, 1),
                           date_of_birth="1950-01-01", sex="M")
    widow = make_person(village, date_of_birth="1958-08-08", sex="F")
    make_award_in_payment(deceased, monthly_amount=800_000, branch=Branch.SURVIVORS,
                          start_on=datetime.date(2023, 6, 1), beneficiary=widow)
    die(deceased, datetime.date(2023, 5, 1))

    make_member(village, ENTERPRISE, start_on=datetime.date(2026, 2, 1),
                date_of_birth="1995-01-01", sex="F")
    gone = make_member(village, ENTERPRISE, start_on=datetime.date(2010, 1, 1),
                       date_of_birth="1975-01-01", sex="M")
    die(gone, datetime.date(2024, 6, 1))
    make_person(village, date_of_birth="2026-01-05", sex="M")
    return people


@pytest.fixture
def actuary(geography):
    return make_user("actuary", Role.ACTUARY, None)


@pytest.fixture
def extract(fund, actuary) -> ValuationExtract:
    return make_extract(D, actor=actuary, today=TODAY)


def member_rows(arrays: ExtractArrays) -> list[dict]:
    columns = arrays.members
    return [{name: values[row].item() for name, values in columns.items()}
            for row in range(len(columns["age"]))]


def row_of(arrays: ExtractArrays, **wanted) -> dict:
    rows = [row for row in member_rows(arrays)
            if all(row[name] == value for name, value in wanted.items())]
    assert len(rows) == 1, rows
    return rows[0]


def category(arrays: ExtractArrays, name: str) -> int:
    return arrays.category_names.index(name)


# --- what is in the extract -----------------------------------------------------------------------

@pytest.mark.django_db
def test_counts_equal_what_the_fund_holds(extract):
    assert extract.status == ValuationExtract.Status.DONE
    # A, B, C, L insured; Dead and E only for the year's flows; I, J, K, F, G, G2 not members.
    assert extract.insured == 4
    assert extract.pensioners == 4  # E, F, G2 (old age), W (survivors); G is suspended
    arrays = load_arrays(extract)
    assert len(arrays.members["age"]) == 6
    assert extract.statistics["counts"] == {
        "member_rows": 6, "insured": 4, "active": 2, "inactive": 2, "died_last_year": 1,
        "retired_last_year": 1, "pensions_in_payment": 4, "pensions_started_last_year": 1,
        "registry_people": 10}
    assert extract.statistics["base_year"] == 2026


@pytest.mark.django_db
def test_ages_sex_and_category_on_the_valuation_date(extract):
    arrays = load_arrays(extract)
    a = row_of(arrays, age=45)
    assert (a["sex"], a["category"]) == (0, category(arrays, ENTERPRISE))
    b = row_of(arrays, age=35)
    assert (b["sex"], b["category"]) == (1, category(arrays, CIVIL))
    c = row_of(arrays, age=25)  # born 29 February 2000
    assert (c["sex"], c["category"], c["entered_last_year"]) == (
        0, category(arrays, VOLUNTARY), True)
    assert row_of(arrays, age=40)["category"] == category(arrays, ENTERPRISE)
    dead = row_of(arrays, alive=False)
    assert (dead["age"], dead["sex"], dead["insured"]) == (55, 1, False)
    retired = row_of(arrays, retired=True)
    assert (retired["age"], retired["insured"], retired["covered"]) == (61, False, False)


def test_a_29_february_birthday_falls_on_1_march():
    birth = np.array([(datetime.date(2000, 2, 29) - datetime.date(1970, 1, 1)).days])
    assert ages_on(birth, datetime.date(2025, 2, 28)).tolist() == [24]
    assert ages_on(birth, datetime.date(2025, 3, 1)).tolist() == [25]
    assert ages_on(birth, datetime.date(2024, 2, 29)).tolist() == [24]


@pytest.mark.django_db
def test_months_and_wages_are_aggregated_by_distinct_month(extract):
    arrays = load_arrays(extract)
    a = row_of(arrays, age=45)
    # Two employers in December make one month; their wages are added; January 2026 is out.
    assert (a["months_total"], a["months_last_12"]) == (24, 12)
    assert a["wage_last_month"] == 4_000_000
    assert a["wage_average_12"] == 3_083_333  # (11 x 3,000,000 + 4,000,000) / 12, half up
    assert (a["months_since_last_contribution"], a["active"], a["covered"]) == (0, True, True)
    assert (a["membership_months_total"], a["membership_months_last_12"]) == (132, 12)

    b = row_of(arrays, age=35)  # the employer's unpaid June counts
    assert (b["months_total"], b["months_last_12"], b["wage_average_12"]) == (65, 6, 2_000_000)
    assert (b["wage_last_month"], b["months_since_last_contribution"]) == (0, 6)
    assert (b["covered"], b["covered_year_before"], b["active"], b["insured"]) == (
        False, True, False, True)
    assert (b["membership_months_total"], b["membership_months_last_12"]) == (65, 6)

    c = row_of(arrays, age=25)  # an unpaid voluntary month does not count
    assert (c["months_total"], c["months_last_12"], c["wage_average_12"]) == (8, 8, 1_500_000)
    assert (c["months_since_last_contribution"], c["active"]) == (2, True)
    assert (c["membership_months_total"], c["membership_months_last_12"]) == (10, 10)


@pytest.mark.django_db
def test_a_long_record_spans_several_masks_and_counts_each_month_once(extract):
    long_record = row_of(load_arrays(extract), age=40)
    # 120 months back to 2010 (three blocks of 63 months), two of them with a second record.
    assert long_record["months_total"] == 120
    assert (long_record["months_last_12"], long_record["wage_average_12"]) == (0, 0)
    assert long_record["months_since_last_contribution"] == 72  # December 2019
    assert (long_record["covered"], long_record["active"]) == (True, False)
    assert long_record["membership_months_total"] == 192


@pytest.mark.django_db
def test_pensions_in_payment_with_the_amount_valid_on_the_date(extract):
    arrays = load_arrays(extract)
    pensions = arrays.pensions
    rows = sorted(
        (arrays.branch_names[pensions["branch"][row]], int(pensions["age"][row]),
         int(pensions["sex"][row]), int(pensions["monthly_amount"][row]),
         int(pensions["award_year"][row]), int(pensions["award_age"][row]),
         bool(pensions["in_payment"][row]), bool(pensions["started_last_year"][row]))
        for row in range(len(pensions["age"])))
    assert rows == [
        (Branch.OLD_AGE, 61, 0, 2_000_000, 2025, 61, True, True),   # E, retired in May
        (Branch.OLD_AGE, 65, 1, 1_600_000, 2020, 59, True, False),  # F, indexed in 2025
        (Branch.OLD_AGE, 70, 0, 1_200_000, 2016, 60, True, False),  # G2, ended after D
        (Branch.SURVIVORS, 67, 1, 800_000, 2023, 64, True, False),  # W
    ]


@pytest.mark.django_db
def test_the_registry_population_by_sex_and_age_on_the_date(extract):
    counts = load_arrays(extract).population_counts
    assert counts.shape == (2, 101)
    assert counts.sum() == 10  # alive on D and born by then: 10 of the 14 people
    men = {age: int(count) for age, count in enumerate(counts[0]) if count}
    women = {age: int(count) for age, count in enumerate(counts[1]) if count}
    assert men == {25: 1, 40: 1, 45: 1, 61: 1, 70: 2}
    assert women == {30: 1, 35: 1, 65: 1, 67: 1}


# --- the file -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_file_holds_no_ids_and_no_names(extract, fund):
    with extract.data_file.open("rb") as handle:
        data = handle.read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        content = b"".join(archive.read(name) for name in names)
    stored = {name.removesuffix(".npy") for name in names}
    assert not any("id" in name.split("_") for name in stored)
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        text_arrays = {name for name in arrays.files if arrays[name].dtype.kind == "U"}
    assert text_arrays == {"category_names", "branch_names", "valuation_date"}
    for member in fund.values():
        person = member.person
        for text in (person.national_id, person.family_name_latin, person.given_name_latin,
                     member.social_security_number):
            assert text.encode() not in content
            assert text.encode("utf-32-le") not in content


@pytest.mark.django_db
def test_the_hash_is_the_files_and_the_same_data_give_the_same_file(extract, actuary):
    with extract.data_file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == extract.sha256
    again = make_extract(D, actor=actuary, today=TODAY)
    assert again.pk != extract.pk and again.sha256 == extract.sha256


@pytest.mark.django_db
def test_a_changed_file_is_refused(extract):
    with extract.data_file.open("rb") as handle:
        data = bytearray(handle.read())
    data[-30] ^= 0xFF
    with extract.data_file.open("wb") as handle:
        handle.write(bytes(data))
    with pytest.raises(ExtractError) as refused:
        load_arrays(extract)
    assert refused.value.errors[0].code == "extract_file_changed"


# --- experience statistics ------------------------------------------------------------------------

def band(age: int) -> int:
    return next(position for position, label in enumerate(AGE_BANDS)
                if label.endswith("+") or int(label.split("-")[1]) >= age)


ALL = len(COLUMNS) - 1


@pytest.mark.django_db
def test_experience_statistics_on_the_small_fund(extract):
    statistics = extract.statistics["experience"]
    assert statistics == experience_statistics(load_arrays(extract))
    entries = statistics["entries"]
    assert entries["entrants"][0][band(25)] == 1 and entries["entrants"][0][ALL] == 1
    assert entries["count"][0][ALL] == 3  # A, C, L insured and covered on D
    assert entries["rate"][0][band(25)] == 1.0

    exits = statistics["exits"]  # by age a year before: A 44, L 39, E 60; B 34, Dead 54
    assert exits["count"][0][ALL] == 3 and exits["count"][1][ALL] == 2
    assert exits["retired"][0][band(60)] == 1 and exits["exits"][0][ALL] == 1
    assert exits["left_the_fund"][1][band(34)] == 1 and exits["died"][1][band(54)] == 1
    assert exits["rate"][0][ALL] == round(1 / 3, 4) and exits["rate"][1][ALL] == 1.0

    density = statistics["contribution_density"]
    last_12 = density["last_12_months"]  # A 12/12, C 8/10, L 0/12; B 6/6
    assert last_12["months_contributed"][0][ALL] == 20
    assert last_12["months_of_membership"][0][ALL] == 34
    assert last_12["density"][1][ALL] == 1.0
    whole = density["whole_record"]  # A 24/132, C 8/10, L 120/192
    assert whole["months_contributed"][0][ALL] == 152
    assert whole["months_of_membership"][0][ALL] == 334
    assert density["active_members"]["density"][0][ALL] == round(20 / 24, 4)

    new = statistics["new_pensions"]
    assert list(new) == [Branch.OLD_AGE]
    assert new[Branch.OLD_AGE]["count"][0][band(61)] == 1
    assert new[Branch.OLD_AGE]["average_monthly_amount"][0][band(61)] == 2_000_000
    in_payment = statistics["pensions_in_payment"]
    assert in_payment[Branch.OLD_AGE]["count"][0][ALL] == 2
    assert in_payment[Branch.OLD_AGE]["average_monthly_amount"][0][ALL] == 1_600_000
    assert in_payment[Branch.SURVIVORS]["count"][1][band(67)] == 1

    wages = statistics["insurable_wage"]
    assert wages["average_monthly"][0][band(45)] == 3_083_333
    assert wages["average_monthly"][0][band(25)] == 1_500_000
    assert wages["average_monthly"][1][band(35)] == 2_000_000
    assert wages["count"][0][ALL] == 2  # L has no month in the last 12


@pytest.mark.django_db
def test_small_cells_are_suppressed_for_outside_pages(extract):
    statistics = extract.statistics["experience"]
    shown = suppress_small_cells(statistics)
    assert shown["entries"]["rate"][0][band(25)] is None
    assert shown["entries"]["count"][0][ALL] is None
    assert shown["sexes"] == ["M", "F"]
    big = {"count": [[12, 3]], "rate": [[0.5, 0.25]]}
    assert suppress_small_cells({"table": big})["table"] == {"count": [[12, None]],
                                                             "rate": [[0.5, None]]}


# --- bad input, permission ------------------------------------------------------------------------

def assert_refused(code: str, call) -> ExtractError:
    with pytest.raises(ExtractError) as refused:
        call()
    error = refused.value.errors[0]
    assert error.code == code and error.field == "valuation_date"
    assert error.reason_en and any("\u0e80" <= char <= "\u0eff" for char in error.reason_lo)
    assert not ValuationExtract.objects.exists() and not Job.objects.exists()
    return refused.value


@pytest.mark.django_db
def test_a_valuation_date_in_the_future_is_refused(fund, actuary):
    refused = assert_refused("extract_future_date", lambda: make_extract(
        datetime.date(2026, 6, 2), actor=actuary, today=TODAY))
    assert "2026-06-02" in refused.errors[0].reason_en
    assert_refused("extract_future_date", lambda: start_extract_job(
        actuary, "2026-07-01", today=TODAY))


@pytest.mark.django_db
def test_a_valuation_date_before_the_funds_first_record_is_refused(fund, actuary):
    refused = assert_refused("extract_before_fund", lambda: make_extract(
        datetime.date(1989, 12, 31), actor=actuary, today=TODAY))
    assert "1990-01-01" in refused.errors[0].reason_en and "1990-01-01" in \
        refused.errors[0].reason_lo


@pytest.mark.django_db
def test_a_contribution_month_older_than_every_membership_is_the_first_record(geography,
                                                                               actuary):
    member = make_member(geography["0101001"], start_on=datetime.date(2020, 1, 1))
    give_contribution_record(member, month(2018, 5), 3, 2_000_000)
    assert_refused("extract_before_fund", lambda: make_extract(
        datetime.date(2018, 4, 30), actor=actuary, today=TODAY))
    extract = make_extract(datetime.date(2018, 5, 31), actor=actuary, today=TODAY)
    assert extract.status == ValuationExtract.Status.DONE and extract.insured == 0


@pytest.mark.django_db
def test_an_empty_fund_and_a_bad_date_are_refused(geography, actuary):
    assert_refused("extract_no_fund_data", lambda: make_extract(D, actor=actuary, today=TODAY))
    assert_refused("extract_bad_date", lambda: start_extract_job(actuary, "2025-13-45",
                                                                 today=TODAY))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "central", "actuary"])
def test_national_staff_and_actuaries_may_make_extracts(fund, staff, actuary, who):
    user = actuary if who == "actuary" else staff[who]
    assert make_extract(D, actor=user, today=TODAY).status == ValuationExtract.Status.DONE


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["auditor", "province_vientiane", "district_chanthabuly",
                                 "employer", "member", "public", "provincial_central", None])
def test_everyone_else_is_refused_and_nothing_is_stored(fund, staff, geography, who):
    if who == "provincial_central":  # a central officer's role with a provincial scope
        user = make_user("central_in_province", Role.CENTRAL_OFFICER, geography["01"])
    else:
        user = staff[who] if who else None
    with pytest.raises(PermissionDenied) as refused:
        make_extract(D, actor=user, today=TODAY)
    assert "actuar" in str(refused.value)
    with pytest.raises(PermissionDenied):
        start_extract_job(user, D, today=TODAY)
    assert not ValuationExtract.objects.exists() and not Job.objects.exists()


# --- as a job, with progress ----------------------------------------------------------------------

@pytest.mark.django_db
def test_progress_is_reported_step_by_step(fund, actuary):
    seen = []
    make_extract(D, actor=actuary, today=TODAY, progress=lambda done, total: seen.append(
        (done, total)))
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


@pytest.mark.django_db
def test_an_extract_started_as_a_job_runs_to_the_end(fund, staff,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_extract_job(staff["central"], D, today=TODAY)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and (job.done, job.total) == (5, 5)
    extract = ValuationExtract.objects.get(pk=job.result["extract"])
    assert extract.job_id == job.pk and extract.created_by == staff["central"]
    assert extract.status == ValuationExtract.Status.DONE
    assert (job.result["insured"], job.result["pensioners"]) == (4, 4)
    assert job.result["sha256"] == extract.sha256


def test_the_job_runner_fits_the_jobs_table():
    from pakan.valuation.extract.services import EXTRACT_JOB_KIND

    assert len(EXTRACT_JOB_KIND) <= Job._meta.get_field("kind").max_length


@pytest.mark.django_db
def test_a_failure_while_running_is_recorded_on_the_extract_and_the_job(
        fund, staff, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("pakan.valuation.extract.services.read_fund", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_extract_job(staff["central"], D, today=TODAY)
    job.refresh_from_db()
    extract = ValuationExtract.objects.get()
    assert job.status == Job.Status.FAILED and "went away" in job.message
    assert extract.status == ValuationExtract.Status.FAILED and "went away" in extract.error
    assert not extract.data_file and not extract.sha256


@pytest.mark.django_db
def test_a_running_extract_of_the_same_date_is_not_started_twice(fund, staff):
    first = start_extract_job(staff["central"], D, today=TODAY)  # on_commit never runs here
    again = start_extract_job(staff["admin"], D, today=TODAY)
    assert again.pk == first.pk and ValuationExtract.objects.count() == 1


# --- feeding the model ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_extract_feeds_the_actuarial_model_and_a_projection_runs(extract):
    from pakan.actuarial import lao_assumptions

    base = lao_assumptions.assumptions(horizon_years=10)
    data, _ = fund_data_for(load_arrays(extract), base)
    assert data.base_year == 2026 and data.base_population.year == 2026
    assert data.base_population.total == 10

    members = data.initial_members
    categories = members.categories
    assert members.active.sum() == 2 and members.inactive.sum() == 2
    assert members.active[categories.index(ENTERPRISE), 0, 45, 2] == 1   # A: 24 months
    assert members.active[categories.index(VOLUNTARY), 0, 25, 0] == 1    # C: 8 months
    assert members.inactive[categories.index(CIVIL), 1, 35, 5] == 1      # B: 65 months
    assert members.inactive[categories.index(ENTERPRISE), 0, 40, 10] == 1  # L: 120 months
    assert data.contribution_density == {ENTERPRISE: 1.0, VOLUNTARY: 8 / 12}

    pensioners = data.initial_pensioners
    assert pensioners.counts.sum() == 3  # old age only; the survivor's pension is a cost rate
    assert pensioners.annual_amounts.sum() == 12 * (2_000_000 + 1_600_000 + 1_200_000)
    assert sorted(pensioners.award_years.tolist()) == [2016, 2020, 2025]
    assert data.left_out["survivors_pensions_in_payment"] == 1

    assumptions = assumptions_from_extract(extract, base)
    assert assumptions.first_year == 2026
    result = project(assumptions)
    table = result.table()
    assert len(table) == 10
    assert np.isfinite(result.series["reserve_end"]).all()
    again = project(assumptions_from_extract(extract, base))
    assert np.array_equal(again.series["reserve_end"], result.series["reserve_end"])


@pytest.mark.django_db
def test_a_synthetic_fund_is_extracted_and_valued(geography, actuary, tmp_path):
    """`pakan synth --fund` (1,000 people, 6 months of billing and payments) → extract on the
    last day of its last month → the Lao base started from it → a deterministic projection."""
    import io

    from django.core.management import call_command
    from django.db.models import Q
    from django.test import override_settings
    from django.utils import timezone

    from pakan.actuarial import lao_assumptions
    from pakan.benefits.selectors.estimates import counted_records
    from pakan.socialsecurity.models import InsuredMember

    with override_settings(VAR_DIR=tmp_path):
        call_command("synth", people=1_000, seed=11, fund=True, months=6, stdout=io.StringIO())
    day = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    extract = make_extract(day, actor=actuary)
    arrays = load_arrays(extract)

    year_before = day.replace(year=day.year - 1)
    members = (InsuredMember.objects.filter(membership_spells__start_on__lte=day)
               .filter(Q(person__date_of_death__isnull=True)
                       | Q(person__date_of_death__gt=year_before)).distinct())
    alive = members.filter(Q(person__date_of_death__isnull=True)
                           | Q(person__date_of_death__gt=day))
    assert members.count() > 50
    assert len(arrays.members["age"]) == members.count() and extract.insured == alive.count()
    months = (counted_records().filter(member__in=members, month__lte=day)
              .values("member", "month").distinct().count())
    assert months > 0 and int(arrays.members["months_total"].sum()) == months
    assert arrays.population_counts.sum() == Person.objects.filter(
        Q(date_of_death__isnull=True) | Q(date_of_death__gt=day),
        date_of_birth__lte=day).exclude(status=Person.Status.MERGED).count()

    assumptions = assumptions_from_extract(extract, lao_assumptions.assumptions(horizon_years=20))
    result = project(assumptions)
    assert len(result.table()) == 20
    assert result.series["contributions"][0, 0] > 0
    assert np.isfinite(result.series["reserve_end"]).all()


@pytest.mark.django_db
def test_the_celery_task_makes_an_extract(fund, actuary):
    from pakan.valuation.extract.tasks import make_valuation_extract

    extract_id = make_valuation_extract.delay(D.isoformat(), actuary.username).get()
    extract = ValuationExtract.objects.get(pk=extract_id)
    assert extract.status == ValuationExtract.Status.DONE and extract.created_by == actuary
