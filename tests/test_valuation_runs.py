"""Runs of scenarios: each stored with its snapshot, settings, code version and results; a re-run
gives the same numbers; stochastic runs made chunk by chunk equal the package's own; costing
runs; the results pages, the PDF report and the XLSX tables."""

from __future__ import annotations

import io
import re

import numpy as np
import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pakan.accounts.models import Role
from pakan.actuarial.stochastic import run_stochastic
from pakan.jobs.models import Job
from pakan.valuation import selectors
from pakan.valuation.messages import RegistryValidationError
from pakan.valuation.models import Scenario, ValuationExtract, ValuationRun
from pakan.valuation.services import computation
from pakan.valuation.services.overrides import fund_assumptions
from pakan.valuation.services.runs import delete_run, rerun, start_run
from pakan.valuation.services.scenarios import create_scenario, update_scenario
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SHORT = {"horizon_years": 30, "contribution_rate.enterprise_employee": 0.14}
SMALL_STOCHASTIC = {"runs": "12", "seed": "7", "chunk_size": "5"}


@pytest.fixture
def actuary(db):
    return make_user("actuary", Role.ACTUARY, None)


@pytest.fixture
def fund_scenario(actuary):
    return create_scenario(actuary, name="Rate 14%", kind="fund", overrides=SHORT)


@pytest.fixture
def costing_scenario(actuary):
    return create_scenario(actuary, name="Floor at 60", kind="costing",
                           overrides={"social_pension.pension_age": 60})


def started(actuary, scenario, capture, **arguments) -> ValuationRun:
    with capture(execute=True):
        run = start_run(actuary, scenario, **arguments)
    run.refresh_from_db()
    return run


def test_a_deterministic_run_stores_what_reproduces_it(
        actuary, fund_scenario, django_capture_on_commit_callbacks):
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic")
    assert run.status == ValuationRun.Status.DONE, run.error
    assert run.job.status == Job.Status.SUCCEEDED
    assert run.assumptions["overrides"] == SHORT
    assert run.assumptions["scenario"]["name"] == "Rate 14%"
    assert "initial_reserve" in run.assumptions["provisional"]
    assert "horizon_years" in {row["name"] for row in run.assumptions["rows"]}
    assert run.assumptions["extract"] == {}
    version = run.code_version
    assert version["rules_version"].startswith("benefits-")
    assert len(version["actuarial_source_sha256"]) == 64
    assert version["packages"]["numpy"] == np.__version__
    assert "git_commit" in version
    arrays = selectors.stored_arrays(run)
    assert arrays["years"][0] == 2024 and arrays["years"].size == 30
    assert len(run.results_sha256) == 64
    assert run.results_sha256 == computation.arrays_sha256(arrays)
    # the stored numbers are the package's
    from pakan.actuarial.engine import project

    expected = project(fund_assumptions("Rate 14%", SHORT))
    assert np.array_equal(arrays["series__payg_cost_rate"],
                          expected.indicator("payg_cost_rate")[0])
    assert run.summary["general_average_premium"] == pytest.approx(
        float(expected.general_average_premium()[0]))
    assert run.summary["by_year"]["2030"]["average_contribution_rate"] > 0


def test_a_run_keeps_its_snapshot_when_the_scenario_changes_and_a_rerun_gives_the_same_numbers(
        actuary, fund_scenario, django_capture_on_commit_callbacks):
    first = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                    kind="deterministic")
    update_scenario(actuary, fund_scenario, name="Rate 14%", overrides={"horizon_years": 20})
    with django_capture_on_commit_callbacks(execute=True):
        again = rerun(actuary, first)
    again.refresh_from_db()
    assert again.rerun_of == first
    assert again.assumptions == first.assumptions
    assert again.summary["reproduces"] == {"run": first.pk, "identical": True}
    assert again.results_sha256 == first.results_sha256
    first_arrays, again_arrays = selectors.stored_arrays(first), selectors.stored_arrays(again)
    assert first_arrays.keys() == again_arrays.keys()
    assert all(np.array_equal(first_arrays[k], again_arrays[k]) for k in first_arrays)
    # a new run of the changed scenario differs
    changed = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                      kind="deterministic")
    assert selectors.stored_arrays(changed)["years"].size == 20


def test_a_rerun_by_code_that_computes_otherwise_says_the_numbers_differ(
        client, actuary, fund_scenario, django_capture_on_commit_callbacks, monkeypatch):
    from pakan.valuation.services import runs as run_services

    first = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                    kind="deterministic")
    original = run_services.computation.deterministic

    def changed_code(assumptions, progress):
        computed = original(assumptions, progress)
        computed.arrays["series__contributions"] = computed.arrays["series__contributions"] * 1.01
        return computed

    monkeypatch.setattr(run_services.computation, "deterministic", changed_code)
    with django_capture_on_commit_callbacks(execute=True):
        again = rerun(actuary, first)
    again.refresh_from_db()
    assert again.summary["reproduces"] == {"run": first.pk, "identical": False}
    page = client_for(client, actuary).get(reverse("valuation:run", args=[again.pk]))
    assert 'id="reproduced"' in page.content.decode()
    assert "different numbers" in page.content.decode()


def test_stochastic_runs_made_chunk_by_chunk_equal_the_packages_and_rerun_identically(
        actuary, fund_scenario, django_capture_on_commit_callbacks):
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="stochastic", settings=SMALL_STOCHASTIC)
    assert run.status == ValuationRun.Status.DONE, run.error
    assert run.run_settings["runs"] == 12 and run.run_settings["seed"] == 7
    arrays = selectors.stored_arrays(run)
    assert arrays["runs__reserve_end"].shape == (12, 30)
    package = run_stochastic(fund_assumptions("Rate 14%", SHORT),
                             computation.stochastic_assumptions(run.run_settings))
    assert np.array_equal(arrays["runs__reserve_end"], package.result.indicator("reserve_end"))
    assert np.array_equal(arrays["bands__payg_cost_rate"], package.bands("payg_cost_rate"))
    assert run.summary["runs"] == 12
    with django_capture_on_commit_callbacks(execute=True):
        again = rerun(actuary, run)
    again.refresh_from_db()
    assert again.summary["reproduces"]["identical"] is True
    other_seed = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                         kind="stochastic", settings={**SMALL_STOCHASTIC, "seed": "8"})
    assert other_seed.results_sha256 != run.results_sha256


def test_progress_is_reported_chunk_by_chunk():
    seen = []
    assumptions = fund_assumptions("short", {"horizon_years": 10})
    computation.stochastic(assumptions, {"runs": 10, "seed": 1, "chunk_size": 4},
                           lambda done, total: seen.append((done, total)))
    assert seen == [(0, 10), (4, 10), (8, 10), (10, 10)]


@pytest.mark.parametrize(("given", "field", "code"), [
    ({"runs": "0"}, "runs", "actuarial_input"),
    ({"runs": "20000"}, "runs", "too_many_runs"),
    ({"runs": "ten"}, "runs", "not_a_whole_number"),
    ({"seed": "-1"}, "seed", "actuarial_input"),
    ({"investment_return_volatility": "150%"}, "investment_return_volatility",
     "actuarial_input"),
])
def test_bad_stochastic_settings_are_refused_and_nothing_is_stored(
        actuary, fund_scenario, given, field, code):
    with pytest.raises(RegistryValidationError) as refused:
        start_run(actuary, fund_scenario, kind="stochastic", settings=given)
    assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)]
    assert refused.value.errors[0].reason_lo
    assert not ValuationRun.objects.exists() and not Job.objects.exists()


def test_a_run_must_suit_its_scenario_and_its_extract(actuary, fund_scenario,
                                                      costing_scenario):
    with pytest.raises(RegistryValidationError) as refused:
        start_run(actuary, costing_scenario, kind="deterministic")
    assert refused.value.errors[0].code == "wrong_run_kind"
    running = ValuationExtract.objects.create(valuation_date="2025-12-31")
    with pytest.raises(RegistryValidationError) as refused:
        start_run(actuary, fund_scenario, kind="deterministic", extract_id=running.pk)
    assert refused.value.errors[0].code == "extract_not_ready"
    with pytest.raises(RegistryValidationError) as refused:
        start_run(actuary, costing_scenario, kind="costing", extract_id=running.pk)
    assert refused.value.errors[0].code == "extract_not_for_costing"
    with pytest.raises(RegistryValidationError) as refused:
        start_run(actuary, costing_scenario, kind="costing", settings={"final_year": "2300"})
    assert refused.value.errors[0].field == "final_year"
    assert not ValuationRun.objects.exists()


def test_a_costing_run_stores_each_benefit_in_kip_and_as_a_share_of_gdp(
        actuary, costing_scenario, django_capture_on_commit_callbacks):
    run = started(actuary, costing_scenario, django_capture_on_commit_callbacks, kind="costing",
                  settings={"final_year": "2035"})
    assert run.status == ValuationRun.Status.DONE, run.error
    arrays = selectors.stored_arrays(run)
    assert list(arrays["years"]) == list(range(2025, 2036))
    names = [benefit["name"] for benefit in run.summary["benefits"]]
    assert names == ["child_grant", "maternity_grant", "social_pension",
                     "disability_allowance", "school_meals"]
    total = sum(arrays[f"benefit__{name}__cost_kip"] for name in names)
    assert np.array_equal(total, arrays["total_cost_kip"])
    assert arrays["total_cost_kip"].dtype == np.int64
    assert np.allclose(arrays["total_share_of_gdp"], arrays["total_cost_kip"] / arrays["gdp_kip"])
    provisional = {item["name"] for item in run.summary["provisional_inputs"]}
    assert "macro.nominal_gdp_2025_kip" in provisional
    assert "social_pension.pension_age" not in provisional  # overridden: entered


def test_only_allowed_users_start_rerun_or_delete(actuary, staff, fund_scenario,
                                                  django_capture_on_commit_callbacks):
    for user in (staff["province_vientiane"], staff["auditor"], staff["member"]):
        with pytest.raises(PermissionDenied):
            start_run(user, fund_scenario, kind="deterministic")
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic")
    with pytest.raises(PermissionDenied):
        rerun(staff["district_chanthabuly"], run)
    with pytest.raises(PermissionDenied):
        delete_run(staff["district_chanthabuly"], run)
    run_by_central = started(staff["central"], fund_scenario,
                             django_capture_on_commit_callbacks, kind="deterministic")
    assert run_by_central.status == ValuationRun.Status.DONE


def test_deleting_a_run_removes_its_file_and_frees_the_scenario(
        actuary, fund_scenario, django_capture_on_commit_callbacks):
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic")
    storage, name = run.results_file.storage, run.results_file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        delete_run(actuary, run)
    assert not storage.exists(name)
    assert not ValuationRun.objects.exists()
    assert fund_scenario.runs.count() == 0


def test_a_refused_input_found_while_projecting_marks_the_run_failed_in_both_languages(
        actuary, fund_scenario, django_capture_on_commit_callbacks, monkeypatch):
    from pakan.actuarial.errors import ActuarialInputError
    from pakan.valuation.services import runs as run_services

    def refuse(*_arguments, **_keywords):
        raise ActuarialInputError("emigration empties age 30 in 2031",
                                  "ການອົບພະຍົບເຮັດໃຫ້ອາຍຸ 30 ໝົດໃນປີ 2031",
                                  field="migration")

    monkeypatch.setattr(run_services.computation, "deterministic", refuse)
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic")
    assert run.status == ValuationRun.Status.FAILED
    assert "emigration" in run.error and "ການອົບພະຍົບ" in run.error
    assert not run.results_file
    with pytest.raises(RegistryValidationError):
        rerun(actuary, run)


# --- pages and downloads -----------------------------------------------------------------------

def client_for(client, user, language="en"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["en", "lo"])
def test_a_run_started_from_the_page_shows_its_tables_and_charts(
        client, actuary, fund_scenario, django_capture_on_commit_callbacks, language):
    client = client_for(client, actuary, language)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("valuation:run_start", args=[fund_scenario.pk]),
                               {"kind": "deterministic"})
    run = ValuationRun.objects.get()
    assert response["Location"] == reverse("valuation:run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert f'lang="{language}"' in page
    for chart in ("pyramid_now", "pyramid_later", "insured", "cost_rate", "reserve"):
        assert f'data-chart="{chart}"' in page
    assert page.count("<svg") >= 5
    assert 'id="table-projection"' in page and 'id="table-population"' in page
    assert 'id="provisional-banner"' in page
    progress = client.get(reverse("valuation:run_progress", args=[run.pk])).json()
    assert progress == {"status": "done", "done": 1, "total": 1, "percent": 100}
    if language == "lo":
        assert "ອັດຕາຕົ້ນທຶນ" in page  # the PAYG cost rate's Lao label


def test_a_bad_run_form_is_refused_on_the_scenario_page(client, actuary, fund_scenario):
    client = client_for(client, actuary)
    response = client.post(reverse("valuation:run_start", args=[fund_scenario.pk]),
                           {"kind": "stochastic", "runs": "0", "seed": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="runs"' in page and 'id="run-errors"' in page
    assert not ValuationRun.objects.exists()


def test_the_pdf_report_and_the_xlsx_tables(client, actuary, fund_scenario,
                                            django_capture_on_commit_callbacks):
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic")
    client = client_for(client, actuary)
    pdf = client.get(reverse("valuation:run_report", args=[run.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("valuation:run_report", args=[run.pk, "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["run", "assumptions", "figures", "projection", "population"]
    projection = workbook["projection"]
    header = [cell.value for cell in projection[2]]
    assert header[0] == "Year" and "PAYG cost rate" in header
    assert projection.max_row == 2 + 30
    arrays = selectors.stored_arrays(run)
    column = header.index("PAYG cost rate") + 1
    assert projection.cell(row=3, column=column).value == pytest.approx(
        float(arrays["series__payg_cost_rate"][0]))
    assert projection.cell(row=3, column=column).number_format == "0.00%"
    facts = {row[0].value: row[1].value for row in workbook["run"].iter_rows(min_row=3)}
    assert facts["Results (sha256 of the numbers)"] == run.results_sha256
    names = [row[0].value for row in workbook["assumptions"].iter_rows(min_row=3)]
    assert "contribution_rate.enterprise_employee" in names


def test_a_costing_report_and_a_stochastic_report(client, actuary, fund_scenario,
                                                  costing_scenario,
                                                  django_capture_on_commit_callbacks):
    costing = started(actuary, costing_scenario, django_capture_on_commit_callbacks,
                      kind="costing")
    stochastic = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                         kind="stochastic", settings=SMALL_STOCHASTIC)
    client = client_for(client, actuary, "lo")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(
        reverse("valuation:run_report", args=[costing.pk, "xlsx"])).content))
    assert {"cost", "share_of_gdp", "beneficiaries", "benefit_detail"} <= set(
        workbook.sheetnames)
    assert workbook["cost"].max_row == 2 + 16  # 2025..2040
    page = client.get(reverse("valuation:run", args=[costing.pk])).content.decode()
    assert 'data-chart="cost"' in page and "ອາຫານທ່ຽງໃນໂຮງຮຽນ" in page  # school meals, glossary
    stochastic_page = client.get(reverse("valuation:run", args=[stochastic.pk])).content.decode()
    assert 'data-chart="reserve_bands"' in stochastic_page and "<polygon" in stochastic_page
    for run in (costing, stochastic):
        pdf = client.get(reverse("valuation:run_report", args=[run.pk, "pdf"]))
        assert pdf.content.startswith(b"%PDF")


def test_runs_compared_side_by_side(client, actuary, fund_scenario,
                                    django_capture_on_commit_callbacks):
    other = create_scenario(actuary, name="Rate 18%", kind="fund",
                            overrides={**SHORT, "contribution_rate.enterprise_employee": 0.18})
    first = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                    kind="deterministic")
    second = started(actuary, other, django_capture_on_commit_callbacks, kind="deterministic")
    client = client_for(client, actuary)
    url = reverse("valuation:compare")
    page = client.get(url, {"run": [first.pk, second.pk]}).content.decode()
    assert "Rate 14%" in page and "Rate 18%" in page
    assert 'data-chart="payg_cost_rate"' in page
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(
        url, {"run": [first.pk, second.pk], "format": "xlsx"}).content))
    assert "payg_cost_rate" in workbook.sheetnames
    header = [cell.value for cell in workbook["payg_cost_rate"][2]]
    assert header == ["Year", f"#{first.pk} Rate 14%", f"#{second.pk} Rate 18%"]
    refused = client.get(url, {"run": [first.pk]}, follow=True)
    assert "at least two" in refused.content.decode()


def test_the_run_pages_are_refused_to_others(client, staff, actuary, fund_scenario,
                                             django_capture_on_commit_callbacks):
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic")
    client.force_login(staff["province_vientiane"])
    for url in (reverse("valuation:run", args=[run.pk]),
                reverse("valuation:run_report", args=[run.pk, "pdf"]),
                reverse("valuation:run_progress", args=[run.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("valuation:run_rerun", args=[run.pk])).status_code == 403
    assert client.post(reverse("valuation:run_start", args=[fund_scenario.pk]),
                       {"kind": "deterministic"}).status_code == 403
    assert ValuationRun.objects.count() == 1
    assert Scenario.objects.count() == 1


# --- from a data extract -----------------------------------------------------------------------

def stored_extract(valuation_date: str = "2025-12-31") -> ValuationExtract:
    """A finished extract of a small made-up fund, stored as the extract part stores one."""
    import datetime

    from django.core.files.base import ContentFile

    from pakan.actuarial import lao_assumptions
    from pakan.valuation.extract.arrays import (
        MEMBER_COLUMNS,
        PENSION_COLUMNS,
        ExtractArrays,
        sha256_of,
    )

    generator = np.random.default_rng(3)
    members_count, pensions_count = 3_000, 200
    members = {name: np.zeros(members_count, dtype=kind) for name, kind in MEMBER_COLUMNS.items()}
    members.update({
        "age": generator.integers(18, 55, members_count).astype("i2"),
        "sex": generator.integers(0, 2, members_count).astype("i1"),
        "category": generator.integers(1, 3, members_count).astype("i1"),
        "alive": np.ones(members_count, bool), "insured": np.ones(members_count, bool),
        "covered": np.ones(members_count, bool), "active": generator.random(members_count) < 0.9,
        "months_total": generator.integers(0, 240, members_count).astype("i4"),
        "months_last_12": np.full(members_count, 11, dtype="i1"),
    })
    pensions = {name: np.zeros(pensions_count, dtype=kind)
                for name, kind in PENSION_COLUMNS.items()}
    pensions.update({
        "age": generator.integers(58, 80, pensions_count).astype("i2"),
        "sex": generator.integers(0, 2, pensions_count).astype("i1"),
        "branch": np.zeros(pensions_count, dtype="i1"),
        "monthly_amount": np.full(pensions_count, 2_000_000, dtype="i8"),
        "award_year": np.full(pensions_count, 2020, dtype="i2"),
        "in_payment": np.ones(pensions_count, bool),
    })
    arrays = ExtractArrays(
        valuation_date=datetime.date.fromisoformat(valuation_date), members=members,
        pensions=pensions,
        population_counts=np.rint(lao_assumptions.base_population().counts).astype(np.int64),
        category_names=("", "enterprise_employee", "civil_servant", "police_military",
                        "voluntary"),
        branch_names=("old_age", "invalidity"))
    data = arrays.to_bytes()
    extract = ValuationExtract.objects.create(
        valuation_date=arrays.valuation_date, status=ValuationExtract.Status.DONE,
        insured=arrays.insured_count, pensioners=arrays.pensioners_count, sha256=sha256_of(data))
    extract.data_file.save("extract.npz", ContentFile(data))
    return extract


def test_a_run_from_a_data_extract_starts_from_what_the_fund_holds(
        actuary, fund_scenario, django_capture_on_commit_callbacks):
    from pakan.valuation.services.extract_inputs import with_extract

    extract = stored_extract()
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic", extract_id=str(extract.pk))
    assert run.status == ValuationRun.Status.DONE, run.error
    assert run.extract == extract
    assert run.assumptions["extract"] == {
        "id": extract.pk, "valuation_date": "2025-12-31", "sha256": extract.sha256,
        "insured": 3_000, "pensioners": 200}
    arrays = selectors.stored_arrays(run)
    assert arrays["years"][0] == 2026  # the year after the valuation date
    from pakan.valuation.extract import load_arrays

    active = int(load_arrays(extract).members["active"].sum())
    assert 2_500 < active < 3_000
    assert arrays["series__active_insured"][0] == pytest.approx(active)
    assert arrays["series__pensioners"][0] == pytest.approx(200)
    # the economic paths start in the extract's base year
    base = fund_assumptions("base", {})
    moved = with_extract(base, extract)
    assert moved.economy.inflation[0] == base.economy.inflation[2]
    with django_capture_on_commit_callbacks(execute=True):
        again = rerun(actuary, run)
    again.refresh_from_db()
    assert again.summary["reproduces"]["identical"] is True


def test_an_extract_whose_file_changed_fails_the_run_and_is_not_rerun(
        actuary, fund_scenario, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    extract = stored_extract()
    run = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                  kind="deterministic", extract_id=extract.pk)
    extract.sha256 = "0" * 64
    extract.save()
    with pytest.raises(RegistryValidationError) as refused:
        rerun(actuary, run)
    assert refused.value.errors[0].code == "extract_changed"
    extract.data_file.save("extract.npz", ContentFile(b"not the file"))
    broken = started(actuary, fund_scenario, django_capture_on_commit_callbacks,
                     kind="deterministic", extract_id=extract.pk)
    assert broken.status == ValuationRun.Status.FAILED
    assert "extract" in broken.error and re.search("[\u0e80-\u0eff]", broken.error)


def test_the_extracts_page_lists_extracts_and_refuses_a_bad_date(client, actuary):
    extract = stored_extract()
    client = client_for(client, actuary)
    page = client.get(reverse("valuation:extracts")).content.decode()
    assert f'data-extract="{extract.pk}"' in page and "2025-12-31" in page
    refused = client.post(reverse("valuation:extracts"), {"valuation_date": "2999-01-01"},
                          follow=True)
    assert refused.status_code == 200
    assert 'class="error"' in refused.content.decode()
    assert ValuationExtract.objects.count() == 1
