"""Pensions in payment are indexed as the dated parameter social_security.benefits.
pension_indexation says: each dated entry once, set-wise, by the payroll run or by hand.

The real parameter has one provisional entry (0%: the sources give no indexation rule). To
show the mechanism with a real raise, the tests add a dated entry to a test-only copy of the
parameter tree, read by the same loader (`extra_indexation` below); the real files are never
touched.
"""

from __future__ import annotations

import datetime
import shutil

import pytest
import yaml
from django.core.exceptions import PermissionDenied

from pakan.benefits.models import Award, AwardAmount, PayrollLine
from pakan.benefits.models.payroll import PensionIndexation
from pakan.benefits.services import indexation
from pakan.benefits.validation import BenefitsValidationError
from pakan.rules import legal_parameters
from tests.benefit_factories import make_pensioner
from tests.test_pension_payroll import START, make_lump_sum, run

pytestmark = pytest.mark.django_db

RAISE_ON = datetime.date(2026, 7, 1)
PROVISIONAL_START = datetime.date(2001, 7, 1)


def _forget_loaded_parameters() -> None:
    legal_parameters.parameter_tree.cache_clear()
    legal_parameters.parameters_at.cache_clear()
    legal_parameters._histories.cache_clear()


@pytest.fixture
def extra_indexation(tmp_path):
    """add(start, rate): a dated indexation entry in a test-only copy of the parameters."""
    original = legal_parameters.PARAMETERS_DIRECTORY
    tree = tmp_path / "parameters"
    shutil.copytree(original, tree)
    path = tree / "social_security" / "benefits" / "pension_indexation.yaml"

    def add(start: datetime.date, rate: float) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["values"][start] = {"value": rate, "metadata": {
            "reference": "test-only entry (tests/test_pension_payroll_indexation.py)"}}
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        legal_parameters.PARAMETERS_DIRECTORY = tree
        _forget_loaded_parameters()

    yield add
    legal_parameters.PARAMETERS_DIRECTORY = original
    _forget_loaded_parameters()


@pytest.fixture
def awards(geography) -> dict[str, Award]:
    village = geography["0101001"]
    made = {
        "in_payment": make_pensioner(village, monthly_amount=1_000_001, start_on=START),
        "half_kip": make_pensioner(village, monthly_amount=10, start_on=START),
        "suspended": make_pensioner(village, monthly_amount=800_000, start_on=START),
        "ended": make_pensioner(village, monthly_amount=900_000, start_on=START,
                                end_on=datetime.date(2026, 5, 31)),
        "after": make_pensioner(village, monthly_amount=700_000,
                                start_on=datetime.date(2026, 8, 1)),
        "lump_sum": make_lump_sum(make_pensioner(village, start_on=START), 4_000_000),
        "redecided": make_pensioner(village, monthly_amount=600_000, start_on=START),
    }
    Award.objects.filter(pk=made["suspended"].pk).update(status=Award.Status.SUSPENDED)
    Award.objects.filter(pk=made["ended"].pk).update(status=Award.Status.ENDED)
    AwardAmount.objects.create(award=made["redecided"], effective_from=RAISE_ON,
                               monthly_amount=650_000, reason=AwardAmount.Reason.REDECISION)
    return made


def indexed_amounts() -> dict[int, int]:
    return dict(AwardAmount.objects.filter(reason=AwardAmount.Reason.INDEXATION)
                .values_list("award_id", "monthly_amount"))


def test_the_provisional_entry_is_zero_and_indexes_nothing(awards):
    entries = indexation.indexation_entries()
    assert entries[0].start == PROVISIONAL_START and entries[0].rate == 0
    assert entries[0].provisional
    march = run()
    applied = PensionIndexation.objects.get()
    assert (applied.effective_on, applied.rate, applied.awards_indexed) == (
        PROVISIONAL_START, "0", 0)
    assert applied.source["parameter"] == indexation.INDEXATION and applied.source["provisional"]
    assert march.indexations_applied == ["2001-07-01"] and indexed_amounts() == {}
    april = run(datetime.date(2026, 4, 1))
    assert april.indexations_applied == [] and PensionIndexation.objects.count() == 1


def test_an_indexation_raises_every_pension_in_payment_once(awards, extra_indexation, staff):
    extra_indexation(RAISE_ON, 0.05)
    applied = indexation.index_pensions(RAISE_ON, actor=staff["central"])
    assert applied.awards_indexed == 3 and applied.rate == "0.05"
    assert applied.applied_by == staff["central"]
    # x 1.05 rounded half up: 1,050,001.05 -> 1,050,001; 10.5 -> 11; 840,000.
    assert indexed_amounts() == {awards["in_payment"].pk: 1_050_001,
                                 awards["half_kip"].pk: 11, awards["suspended"].pk: 840_000}
    raised = AwardAmount.objects.get(award=awards["in_payment"],
                                     reason=AwardAmount.Reason.INDEXATION)
    assert raised.effective_from == RAISE_ON
    assert raised.source == {"parameter": "social_security.benefits.pension_indexation",
                             "start": "2026-07-01", "rate": "0.05",
                             "reference": "test-only entry "
                                          "(tests/test_pension_payroll_indexation.py)",
                             "provisional": False}
    # The re-decided amount on the same date stands; the ended, the later and the lump sum
    # are not indexed.
    assert AwardAmount.objects.get(award=awards["redecided"],
                                   effective_from=RAISE_ON).monthly_amount == 650_000
    again = indexation.index_pensions(RAISE_ON, actor=staff["central"])
    assert again.pk == applied.pk and len(indexed_amounts()) == 3
    assert AwardAmount.objects.count() == 10


def test_the_payroll_applies_an_indexation_that_started_once(awards, extra_indexation):
    extra_indexation(RAISE_ON, 0.05)
    june = run(datetime.date(2026, 6, 1))
    assert june.indexations_applied == ["2001-07-01"] and indexed_amounts() == {}
    july = run(datetime.date(2026, 7, 1))
    assert july.indexations_applied == ["2026-07-01"] and len(indexed_amounts()) == 3
    paid = dict(july.payroll_lines.values_list("award_id", "amount"))
    assert paid[awards["in_payment"].pk] == 1_050_001 and paid[awards["half_kip"].pk] == 11
    assert paid[awards["redecided"].pk] == 650_000
    june_paid = dict(june.payroll_lines.values_list("award_id", "amount"))
    assert june_paid[awards["in_payment"].pk] == 1_000_001
    august = run(datetime.date(2026, 8, 1))
    assert august.indexations_applied == [] and len(indexed_amounts()) == 3
    assert PensionIndexation.objects.count() == 2
    # The award that started after the raise is paid its decided amount.
    assert PayrollLine.objects.get(run=august, award=awards["after"]).amount == 700_000


def test_a_date_without_an_entry_or_a_rate_out_of_bounds_is_refused(awards, extra_indexation,
                                                                    staff):
    with pytest.raises(BenefitsValidationError) as no_entry:
        indexation.index_pensions(datetime.date(2026, 7, 2))
    problem = no_entry.value.errors[0]
    assert problem.field == "effective_on" and "2026-07-02" in problem.reason_en
    assert "2001-07-01" in problem.reason_en and "ການປັບເງິນບຳນານ" in problem.reason_lo
    with pytest.raises(PermissionDenied):
        indexation.index_pensions(PROVISIONAL_START, actor=staff["province_vientiane"])
    extra_indexation(RAISE_ON, 1.5)
    with pytest.raises(BenefitsValidationError) as too_high:
        indexation.index_pensions(RAISE_ON)
    assert too_high.value.errors[0].code == "payroll_bad_indexation_rate"
    assert "1.5" in too_high.value.errors[0].reason_lo
    assert not PensionIndexation.objects.exists() and indexed_amounts() == {}
