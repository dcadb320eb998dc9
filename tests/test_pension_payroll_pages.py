"""The payroll's pages and its scope: central staff start a run and download the bank files and
the national register; a provincial or district officer sees the runs, reads the register of
their own area only, and can start nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pakan.audit.models import AuditEvent
from pakan.benefits.models import BankPaymentFile, PayrollLine, PayrollRun, ReturnedPaymentFile
from pakan.benefits.selectors import payroll as payroll_selectors
from pakan.jobs.models import Job
from tests.test_pension_payroll import four_pensioners, run, stored

pytestmark = pytest.mark.django_db

RUNS = reverse("benefits:payroll")
RUN = reverse("benefits:payroll_run", args=["2026-03"])


@pytest.fixture
def pensioners(geography):
    return four_pensioners(geography)


def register_url(fmt: str) -> str:
    return reverse("benefits:payroll_register", args=["2026-03", fmt])


def logged_in(client, user):
    client.force_login(user)
    return client


def body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def register_references(content: bytes) -> set[str]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    return {row["reference"] for row in rows if row["row_type"] == "line"}


def references_in(*villages: str) -> set[str]:
    return set(PayrollLine.objects.filter(village__code__in=villages)
               .values_list("reference", flat=True))


def test_central_staff_start_a_run_from_the_page_and_download_its_files(
        pensioners, staff, client, django_capture_on_commit_callbacks):
    client = logged_in(client, staff["central"])
    assert client.get(RUNS).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, {"month": "2026-03", "paid_on": "2026-03-25"})
    assert response.status_code == 302 and response["Location"] == RUN
    job = Job.objects.get(key="payroll:2026-03")
    assert job.status == Job.Status.SUCCEEDED
    page = client.get(RUN)
    assert page.status_code == 200
    outcome = PayrollRun.objects.get()
    assert outcome.paid_on.isoformat() == "2026-03-25" and outcome.lines == 4
    text = page.content.decode()
    assert 'id="bank-files"' in text and "5,600,000" in text
    for record in BankPaymentFile.objects.all():
        download = client.get(reverse("benefits:payroll_bank_file", args=[record.pk]))
        assert download.status_code == 200 and body(download) == stored(record.file)
    register = client.get(register_url("csv"))
    assert register.status_code == 200 and body(register) == stored(outcome.register_csv)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT,
                                     object_type="benefits.bankpaymentfile").count() == 3
    listing = client.get(RUNS).content.decode()
    assert 'data-month="2026-03"' in listing


def test_a_bad_month_is_refused_with_reasons_in_two_languages(pensioners, staff,
                                                              client):
    response = logged_in(client, staff["central"]).post(RUNS, {"month": "March"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "ປປປປ-ດດ" in text and "YYYY-MM" in text
    assert not Job.objects.exists()


def test_a_provincial_officer_sees_the_runs_and_only_their_province_in_the_register(
        pensioners, staff, client):
    run()
    client = logged_in(client, staff["province_luangprabang"])
    assert client.get(RUNS).status_code == 200
    page = client.get(RUN)
    assert page.status_code == 200
    text = page.content.decode()
    # The page is in Lao by default: "Payroll register of your area".
    assert 'id="bank-files"' not in text and "ບັນຊີເງິນເດືອນຂອງເຂດຂອງທ່ານ" in text
    register = body(client.get(register_url("csv")))
    assert register_references(register) == references_in("0601001")
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(register_url("xlsx")))),
                                      read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    references = {row[header.index("reference")] for row in rows[1:]
                  if row[header.index("row_type")] == "line"}
    assert references == references_in("0601001")
    assert rows[-1][header.index("amount")] == 900_000
    record = BankPaymentFile.objects.first()
    assert client.get(reverse("benefits:payroll_bank_file", args=[record.pk])).status_code \
        == 404
    district = logged_in(client, staff["district_chanthabuly"])
    assert register_references(body(district.get(register_url("csv")))) == references_in(
        "0101001", "0101002")


def test_a_provincial_officer_cannot_start_a_run_or_reconcile_returns(pensioners, staff,
                                                                       client):
    client = logged_in(client, staff["province_vientiane"])
    assert client.post(RUNS, {"month": "2026-03"}).status_code == 403
    upload = SimpleUploadedFile("returns.csv", b"reference,amount\nPR202603-0000000001,1\n")
    assert client.post(reverse("benefits:payroll_returns"), {"file": upload}).status_code == 403
    assert not PayrollRun.objects.exists() and not ReturnedPaymentFile.objects.exists()
    assert "start-run" not in client.get(RUNS).content.decode()


def test_accounts_without_a_staff_scope_see_nothing(pensioners, staff, client):
    run()
    for role in ("member", "employer", "public"):
        client = logged_in(client, staff[role])
        assert client.get(RUNS).status_code == 403
        assert client.get(register_url("csv")).status_code == 403
    assert not payroll_selectors.lines_in_scope(staff["member"]).exists()
    assert not payroll_selectors.payroll_runs(staff["public"]).exists()


def test_the_selectors_keep_each_officer_in_their_area(pensioners, staff):
    outcome = run()
    assert payroll_selectors.lines_of_run(staff["central"], outcome).count() == 4
    assert set(payroll_selectors.lines_of_run(staff["province_vientiane"], outcome)
               .values_list("reference", flat=True)) == references_in(
        "0101001", "0101002", "0102001")
    totals = payroll_selectors.run_totals_by_province(staff["province_luangprabang"], outcome)
    assert [(row["village__parent__parent__code"], row["lines"], row["amount"])
            for row in totals] == [("06", 1, 900_000)]
    assert not payroll_selectors.bank_files_of_run(staff["province_vientiane"], outcome).exists()
    assert payroll_selectors.bank_files_of_run(staff["auditor"], outcome).count() == 3
    assert not payroll_selectors.may_run_payroll(staff["auditor"])


def test_a_returned_file_is_reconciled_from_the_page_and_its_report_shown(
        pensioners, staff, client):
    run()
    line = PayrollLine.objects.order_by("id").first()
    content = (f"reference,amount,reason_code,reason_text\n{line.reference},{line.amount},AC04,"
               f"Account closed\nPR202603-0000000000,1000,,\n").encode()
    client = logged_in(client, staff["central"])
    response = client.post(reverse("benefits:payroll_returns"),
                           {"file": SimpleUploadedFile("returns.csv", content)})
    record = ReturnedPaymentFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("benefits:payroll_returned_file", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-code="payroll_returned_unknown_reference"' in page
    assert "ແຖວ 3" in page and "Row 3" in page
    again = client.post(reverse("benefits:payroll_returns"),
                        {"file": SimpleUploadedFile("again.csv", content)})
    assert again.status_code == 400 and "ນຳເຂົ້າແລ້ວ" in again.content.decode()
    assert ReturnedPaymentFile.objects.count() == 1
    returned_page = client.get(RUN).content.decode()
    assert f'data-reference="{line.reference}"' in returned_page
    assert client.get(reverse("benefits:payroll_returned_file", args=[record.pk])
                      ).status_code == 200
    provincial = logged_in(client, staff["province_vientiane"])
    assert provincial.get(reverse("benefits:payroll_returned_file", args=[record.pk])
                          ).status_code == 404
    central = logged_in(client, staff["central"])
    paid = central.post(reverse("benefits:payroll_pay_again", args=[line.pk]),
                        {"bank": "CASH", "bank_account": ""})
    assert paid.status_code == 302
    line.refresh_from_db()
    assert line.status == PayrollLine.Status.REPAID and line.repaid_bank == "CASH"


def test_the_api_lists_runs_starts_a_month_and_keeps_the_scope(
        pensioners, staff, client, django_capture_on_commit_callbacks):
    runs_url = reverse("benefit-payroll-runs")
    central = logged_in(client, staff["central"])
    with django_capture_on_commit_callbacks(execute=True):
        started = central.post(runs_url, {"month": "2026-03", "paid_on": "2026-03-25"},
                               content_type="application/json")
    assert started.status_code == 202 and started.json()["month"] == "2026-03"
    listing = central.get(runs_url).json()
    assert [row["month"] for row in listing["results"]] == ["2026-03"]
    assert listing["results"][0]["lines"] == 4
    detail = central.get(reverse("benefit-payroll-run", args=["2026-03"])).json()
    assert len(detail["bank_files"]) == 3 and detail["total_amount"] == 5_600_000
    bad = central.post(runs_url, {"month": "03/2026"}, content_type="application/json")
    assert bad.status_code == 400
    problem = bad.json()["errors"][0]
    assert problem["field"] == "month" and "ປປປປ-ດດ" in problem["reason_lo"]
    provincial = logged_in(client, staff["province_luangprabang"])
    assert provincial.post(runs_url, {"month": "2026-04"},
                           content_type="application/json").status_code == 403
    seen = provincial.get(reverse("benefit-payroll-run", args=["2026-03"])).json()
    assert seen["bank_files"] == []
    assert [(row["province_code"], row["lines"]) for row in seen["by_province"]] == [("06", 1)]
    assert provincial.get(reverse("benefit-payroll-run", args=["2026-05"])).status_code == 404
