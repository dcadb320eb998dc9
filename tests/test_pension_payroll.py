"""The monthly pension payroll: every award in payment paid once a month with its bank files and
register, partial months pro rata, lump sums once, nothing for suspended, ended or dead
beneficiaries, a run keyed by its month that a second call or a crash never pays twice, and
ledger postings equal to the lines."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.db.models import Sum

from pakan.benefits import accounting
from pakan.benefits.models import (
    Award,
    AwardAmount,
    AwardStatusChange,
    BankPaymentFile,
    Branch,
    PayrollLine,
    PayrollRun,
)
from pakan.benefits.services import payroll
from pakan.benefits.validation import BenefitsValidationError
from pakan.jobs.models import Job
from pakan.ledger.models import Entry, Transaction
from tests.benefit_factories import make_pensioner

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2026, 3, 1)
PAID_ON = datetime.date(2026, 3, 25)
START = datetime.date(2025, 1, 1)


def four_pensioners(geography) -> list[Award]:
    """Four pensioners in three districts of two provinces, paid through three banks."""
    return [
        make_pensioner(geography["0101001"], monthly_amount=1_500_000, start_on=START),
        make_pensioner(geography["0101002"], monthly_amount=1_200_000, start_on=START,
                       bank="LDB"),
        make_pensioner(geography["0102001"], monthly_amount=2_000_000, start_on=START),
        make_pensioner(geography["0601001"], monthly_amount=900_000, start_on=START,
                       bank="CASH"),
    ]


@pytest.fixture
def pensioners(geography) -> list[Award]:
    return four_pensioners(geography)


def run(month: datetime.date = MONTH, **options) -> PayrollRun:
    options.setdefault("actor", None)
    options.setdefault("paid_on", PAID_ON)
    return payroll.run_payroll(month, **options)


def stored(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def make_lump_sum(award: Award, amount: int) -> Award:
    """Turn a factory award into an approved lump sum (a funeral grant)."""
    award.amounts.all().delete()
    Award.objects.filter(pk=award.pk).update(kind=Award.Kind.LUMP_SUM, lump_sum_amount=amount,
                                             branch=Branch.FUNERAL)
    award.refresh_from_db()
    return award


def snapshot() -> tuple:
    return (
        sorted(PayrollLine.objects.values_list("reference", "amount", "status", "bank")),
        sorted(BankPaymentFile.objects.values_list("bank", "lines", "total_amount", "sha256")),
        Transaction.objects.count(), Entry.objects.count(),
        list(PayrollRun.objects.values_list("month", "status", "lines", "total_amount",
                                            "finished_at", "register_csv")),
        sorted(Award.objects.values_list("pk", "status")),
        AwardStatusChange.objects.count(), AwardAmount.objects.count(),
    )


def ledger_sum(prefix: str, account: str) -> int:
    return Entry.objects.filter(transaction__key__startswith=prefix,
                                account__code=account).aggregate(total=Sum("amount"))["total"] or 0


def test_a_month_pays_every_award_in_payment_once_with_files_and_register(pensioners):
    outcome = run()
    assert outcome.status == PayrollRun.Status.DONE and outcome.lines_complete
    assert outcome.lines == 4 and outcome.total_amount == 5_600_000
    assert outcome.paid_on == PAID_ON and outcome.finished_at is not None
    lines = {line.award_id: line for line in PayrollLine.objects.all()}
    for award, amount in zip(pensioners, (1_500_000, 1_200_000, 2_000_000, 900_000),
                             strict=True):
        line = lines[award.pk]
        assert line.reference == f"PR202603-{award.pk:010d}"
        assert (line.amount, line.monthly_amount, line.days_paid) == (amount, amount, 31)
        assert line.status == PayrollLine.Status.PAID
        assert line.village_id == award.beneficiary.village_id
        assert (line.bank, line.bank_account) == (award.bank, award.bank_account)

    files = {record.bank: record for record in outcome.bank_files.all()}
    assert set(files) == {"BCEL", "LDB", "CASH"}
    bcel = stored(files["BCEL"].file)
    assert files["BCEL"].sha256 == hashlib.sha256(bcel).hexdigest()
    assert (files["BCEL"].lines, files["BCEL"].total_amount) == (2, 3_500_000)
    rows = csv_rows(bcel)
    assert rows[0] == ["run_month", "bank", "lines", "total_amount"]
    assert rows[1] == ["2026-03", "BCEL", "2", "3500000"]
    assert rows[2] == ["reference", "name_lo", "name_latin", "account", "amount"]
    first, third = pensioners[0], pensioners[2]
    person = first.beneficiary
    assert rows[3] == [f"PR202603-{first.pk:010d}",
                       f"{person.given_name_lo} {person.family_name_lo}",
                       f"{person.given_name_latin} {person.family_name_latin}",
                       first.bank_account, "1500000"]
    assert rows[4][0] == f"PR202603-{third.pk:010d}" and rows[4][4] == "2000000"
    assert len(rows) == 5 and bcel.endswith(b"\r\n") and not bcel.startswith(b"\xef\xbb\xbf")
    cash = csv_rows(stored(files["CASH"].file))
    assert cash[1] == ["2026-03", "CASH", "1", "900000"] and cash[3][3] == ""


def test_names_with_commas_quotes_and_formulas_are_written_as_they_are_but_quoted(geography):
    """The lines are read back for the files as CSV (COPY on PostgreSQL): a name holding the
    separator, a double quote or a line break comes through whole, and text a spreadsheet would
    take for a formula gets its leading quote."""
    from pakan.registry.models import Person

    award = make_pensioner(geography["0101001"], monthly_amount=1_000_000, start_on=START)
    Person.objects.filter(pk=award.beneficiary_id).update(
        given_name_latin='=cmd|"Bounmy"', family_name_latin="Keo, Jr.\nII",
        given_name_lo="ບຸນມີ", family_name_lo="")
    outcome = run()
    rows = csv_rows(stored(outcome.bank_files.get().file))
    assert rows[3] == [f"PR202603-{award.pk:010d}", "ບຸນມີ ", "\'=cmd|\"Bounmy\" Keo, Jr.\nII",
                       award.bank_account, "1000000"]
    register = [dict(zip(rows[0], row, strict=True))
                for rows in [csv_rows(stored(outcome.register_csv))] for row in rows[1:]]
    assert register[0]["name_latin"] == "\'=cmd|\"Bounmy\" Keo, Jr.\nII"
    assert register[0]["name_lo"] == "ບຸນມີ " and register[0]["amount"] == "1000000"


def test_the_register_lists_every_line_with_district_and_province_totals(pensioners):
    outcome = run()
    rows = csv_rows(stored(outcome.register_csv))
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert header[0] == "row_type" and header[-1] == "amount"
    assert [row["row_type"] for row in body] == [
        "line", "line", "district_total", "line", "district_total", "province_total",
        "line", "district_total", "province_total", "total"]
    chanthabuly = body[2]
    assert (chanthabuly["district_code"], chanthabuly["lines"], chanthabuly["amount"]) == (
        "0101", "2", "2700000")
    vientiane = body[5]
    assert (vientiane["province_code"], vientiane["lines"], vientiane["amount"]) == (
        "01", "3", "4700000")
    assert (body[-1]["lines"], body[-1]["amount"]) == ("4", "5600000")
    assert body[0]["paid_for_month"] == "2026-03" and body[0]["days_paid"] == "31"
    workbook = openpyxl.load_workbook(io.BytesIO(stored(outcome.register_xlsx)), read_only=True)
    sheet_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert sheet_rows[0] == header
    assert len(sheet_rows) == len(rows)
    for sheet_row, csv_row in zip(sheet_rows[1:], rows[1:], strict=True):
        assert ["" if value is None else str(value) for value in sheet_row] == csv_row
    assert sheet_rows[-1][-1] == 5_600_000  # a number, not text


def test_the_ledger_posts_the_month_per_branch_and_per_bank_equal_to_the_lines(pensioners,
                                                                               geography):
    survivor = make_pensioner(geography["0101001"], monthly_amount=700_000, start_on=START,
                              branch=Branch.SURVIVORS)
    outcome = run()
    keys = set(Transaction.objects.values_list("key", flat=True))
    assert {"benefits:payroll:2026-03:due:old_age", "benefits:payroll:2026-03:due:survivors",
            "benefits:payroll:2026-03:paid:BCEL", "benefits:payroll:2026-03:paid:LDB",
            "benefits:payroll:2026-03:paid:CASH"} == keys
    lines = PayrollLine.objects.filter(run=outcome)
    for branch in (Branch.OLD_AGE, Branch.SURVIVORS):
        assert ledger_sum("benefits:payroll:2026-03:due:", accounting.expense_account(branch)) \
            == lines.filter(branch=branch).aggregate(total=Sum("amount"))["total"]
    for bank in ("BCEL", "LDB", "CASH"):
        posted = Entry.objects.filter(transaction__key=f"benefits:payroll:2026-03:paid:{bank}",
                                      account__code=accounting.BENEFITS_PAYABLE)
        assert posted.get().amount == lines.filter(bank=bank).aggregate(
            total=Sum("amount"))["total"]
    total = lines.aggregate(total=Sum("amount"))["total"]
    assert total == outcome.total_amount == 6_300_000 and survivor.pk in set(
        lines.values_list("award_id", flat=True))
    assert ledger_sum("benefits:payroll:2026-03:", accounting.BENEFITS_PAYABLE) == 0
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    assert BankPaymentFile.objects.aggregate(total=Sum("total_amount"))["total"] == total


def test_a_second_run_of_the_month_pays_nobody_twice(pensioners):
    run()
    before = snapshot()
    again = run(paid_on=datetime.date(2026, 3, 28))
    assert snapshot() == before and again.paid_on == PAID_ON


def test_the_next_month_pays_again_with_its_own_key(pensioners):
    run()
    april = run(datetime.date(2026, 4, 1), paid_on=datetime.date(2026, 4, 25))
    assert april.lines == 4 and april.total_amount == 5_600_000
    assert PayrollLine.objects.count() == 8
    assert PayrollLine.objects.filter(reference__startswith="PR202604-").count() == 4
    assert april.bank_files.count() == 3


def test_a_run_that_failed_half_way_finishes_the_rest_and_pays_each_once(pensioners,
                                                                          monkeypatch):
    real_insert = payroll.insert_lines
    calls = []

    def insert_then_fail(run_, first, last):
        calls.append((first, last))
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real_insert(run_, first, last)

    monkeypatch.setattr(payroll, "insert_lines", insert_then_fail)
    with pytest.raises(RuntimeError):
        run(chunk_size=1)
    failed = PayrollRun.objects.get()
    assert failed.status == PayrollRun.Status.FAILED and "killed" in failed.error
    assert PayrollLine.objects.count() == 2 and not failed.lines_complete
    assert not BankPaymentFile.objects.exists() and not Transaction.objects.exists()
    monkeypatch.setattr(payroll, "insert_lines", real_insert)
    finished = run(chunk_size=1)
    assert finished.status == PayrollRun.Status.DONE and finished.error == ""
    assert finished.lines == 4 and finished.total_amount == 5_600_000
    assert PayrollLine.objects.values("award_id").distinct().count() == 4
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    assert BankPaymentFile.objects.aggregate(total=Sum("total_amount"))["total"] == 5_600_000


def test_a_run_that_failed_while_writing_files_writes_only_the_missing_ones(pensioners,
                                                                             monkeypatch):
    from pakan.benefits import payroll_files

    real_store = payroll_files._store_bank_file

    def store_then_fail(run_, bank, lines, post_payment):
        if bank == "LDB":
            raise OSError("disk full")
        return real_store(run_, bank, lines, post_payment)

    monkeypatch.setattr(payroll_files, "_store_bank_file", store_then_fail)
    with pytest.raises(OSError):
        run()
    assert set(BankPaymentFile.objects.values_list("bank", flat=True)) == {"BCEL", "CASH"}
    failed = PayrollRun.objects.get()
    # The register is stored after the last bank file: a run that has it has every file.
    assert failed.status == PayrollRun.Status.FAILED and not failed.register_csv
    monkeypatch.setattr(payroll_files, "_store_bank_file", real_store)
    finished = run()
    assert finished.status == PayrollRun.Status.DONE and finished.register_csv
    assert finished.register_xlsx and (finished.lines, finished.total_amount) == (4, 5_600_000)
    assert set(BankPaymentFile.objects.values_list("bank", flat=True)) == {"BCEL", "LDB", "CASH"}
    assert Transaction.objects.filter(key__startswith="benefits:payroll:2026-03:paid:").count() \
        == 3
    assert PayrollLine.objects.count() == 4


def test_progress_is_reported_chunk_by_chunk(pensioners):
    calls = []
    run(chunk_size=3, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 4), (3, 4), (4, 4), (4, 4)]


def test_suspended_ended_and_dead_beneficiaries_are_not_paid(pensioners, geography):
    from pakan.registry.models import Person

    suspended, ended, dead_before, dead_in_month = pensioners
    Award.objects.filter(pk=suspended.pk).update(status=Award.Status.SUSPENDED)
    Award.objects.filter(pk=ended.pk).update(status=Award.Status.ENDED,
                                             end_on=datetime.date(2026, 2, 28))
    Person.objects.filter(pk=dead_before.beneficiary_id).update(
        date_of_death=datetime.date(2026, 2, 10))
    Person.objects.filter(pk=dead_in_month.beneficiary_id).update(
        date_of_death=datetime.date(2026, 3, 4))
    outcome = run()
    # The month of a death is due in full; nothing after it (the claims side recovers by the
    # same rule).
    assert list(PayrollLine.objects.values_list("award_id", "amount", "days_paid")) == [
        (dead_in_month.pk, 900_000, 31)]
    assert outcome.total_amount == 900_000
    april = run(datetime.date(2026, 4, 1))
    assert april.lines == 0 and april.total_amount == 0 and not april.bank_files.exists()
    assert april.status == PayrollRun.Status.DONE


def test_a_death_recorded_before_the_payroll_still_pays_its_month_and_nothing_after(staff,
                                                                                  geography):
    from pakan.registry import services as registry_services

    award = make_pensioner(geography["0101001"], monthly_amount=900_000, start_on=START)
    registry_services.record_death(staff["district_chanthabuly"], award.beneficiary,
                                   occurred_on=datetime.date(2026, 3, 4))
    award.refresh_from_db()
    assert award.status == Award.Status.ENDED
    march = run()
    assert list(march.payroll_lines.values_list("award_id", "amount", "days_paid")) == [
        (award.pk, 900_000, 31)]
    assert run(datetime.date(2026, 4, 1)).lines == 0


def test_partial_months_are_paid_pro_rata_by_days_rounded_half_up(geography):
    village = geography["0101001"]
    # From 17 March: 15 of 31 days of 1,000,001 = 483,871.45... -> 483,871.
    starts = make_pensioner(village, monthly_amount=1_000_001,
                            start_on=datetime.date(2026, 3, 17))
    # Until 10 March: 10 of 31 days of 3,100,000 = 1,000,000 exactly.
    ends = make_pensioner(village, monthly_amount=3_100_000, start_on=START,
                          end_on=datetime.date(2026, 3, 10))
    # One day of 31 at 47 kip a month is 1.516 kip -> 2.
    tiny = make_pensioner(village, monthly_amount=47, start_on=datetime.date(2026, 3, 31))
    # One day of 15 kip is 0.48 kip: nothing to pay, no line.
    nothing = make_pensioner(village, monthly_amount=15, start_on=datetime.date(2026, 3, 31))
    # Starts in April: nothing in March.
    later = make_pensioner(village, monthly_amount=1_000_000,
                           start_on=datetime.date(2026, 4, 2))
    # The first month uses the amount valid on start_on, not on the month's first day.
    AwardAmount.objects.create(award=starts, effective_from=datetime.date(2026, 3, 20),
                               monthly_amount=2_000_000, reason=AwardAmount.Reason.REDECISION)
    run()
    paid = dict(PayrollLine.objects.values_list("award_id", "amount"))
    days = dict(PayrollLine.objects.values_list("award_id", "days_paid"))
    assert paid == {starts.pk: 483_871, ends.pk: 1_000_000, tiny.pk: 2}
    assert days == {starts.pk: 15, ends.pk: 10, tiny.pk: 1}
    assert nothing.pk not in paid and later.pk not in paid
    april = run(datetime.date(2026, 4, 1))
    april_paid = dict(april.payroll_lines.values_list("award_id", "amount"))
    # From the first full month on, the amount valid on the month's first day.
    assert april_paid[starts.pk] == 2_000_000
    # 2 to 30 April: 29 of 30 days.
    assert april_paid[later.pk] == 966_667 and ends.pk not in april_paid


def test_a_lump_sum_is_paid_once_and_its_award_ended(geography):
    grant = make_lump_sum(make_pensioner(geography["0101001"], start_on=datetime.date(
        2026, 3, 12)), 5_000_000)
    future = make_lump_sum(make_pensioner(geography["0101001"], start_on=datetime.date(
        2026, 4, 3)), 3_000_000)
    outcome = run()
    line = PayrollLine.objects.get()
    assert (line.award_id, line.kind, line.amount, line.days_paid) == (
        grant.pk, Award.Kind.LUMP_SUM, 5_000_000, 0)
    grant.refresh_from_db()
    assert grant.status == Award.Status.ENDED and grant.status_since == PAID_ON
    change = AwardStatusChange.objects.get(award=grant)
    assert change.status == Award.Status.ENDED and "2026-03" in change.reason
    assert ledger_sum("benefits:payroll:2026-03:due:funeral",
                      accounting.expense_account(Branch.FUNERAL)) == outcome.total_amount
    april = run(datetime.date(2026, 4, 1))
    assert list(april.payroll_lines.values_list("award_id", flat=True)) == [future.pk]
    # Approved but never paid in its month (a run missed it): the next run pays it, once.
    Award.objects.filter(pk=grant.pk).update(status=Award.Status.IN_PAYMENT)
    may = run(datetime.date(2026, 5, 1))
    assert may.lines == 0 and PayrollLine.objects.filter(award=grant).count() == 1


def test_a_month_must_be_given_as_its_first_day(geography):
    with pytest.raises(BenefitsValidationError) as refused:
        payroll.run_payroll(datetime.date(2026, 3, 15), actor=None)
    assert refused.value.errors[0].field == "month"
    assert "2026-03-15" in refused.value.errors[0].reason_en
    assert "ປປປປ-ດດ" in refused.value.errors[0].reason_lo
    assert not PayrollRun.objects.exists()


def test_only_central_staff_start_a_payroll(pensioners, staff):
    for role in ("province_vientiane", "district_chanthabuly", "auditor", "member", "public"):
        with pytest.raises(PermissionDenied):
            payroll.run_payroll(MONTH, actor=staff[role], paid_on=PAID_ON)
        with pytest.raises(PermissionDenied):
            payroll.start_payroll_job(staff[role], MONTH)
    assert not PayrollRun.objects.exists() and not Job.objects.exists()
    outcome = payroll.run_payroll(MONTH, actor=staff["central"], paid_on=PAID_ON)
    assert outcome.started_by == staff["central"] and outcome.lines == 4
    assert Transaction.objects.filter(created_by=staff["central"]).count() == 4


def test_the_payroll_job_is_keyed_by_month(pensioners, staff,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = payroll.start_payroll_job(staff["central"], MONTH, paid_on=PAID_ON)
    job.refresh_from_db()
    assert job.key == "payroll:2026-03" and job.status == Job.Status.SUCCEEDED
    assert job.result["lines"] == 4 and job.result["total_amount"] == 5_600_000
    outcome = PayrollRun.objects.get()
    assert outcome.job == job and outcome.status == PayrollRun.Status.DONE
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        again = payroll.start_payroll_job(staff["admin"], MONTH)
    assert again.pk == job.pk and Job.objects.count() == 1 and snapshot() == before


def test_the_celery_task_pays_the_month(pensioners):
    from pakan.benefits.tasks import pay_pensions

    run_id = pay_pensions.delay("2026-03").get()
    assert PayrollRun.objects.get(pk=run_id).lines == 4


# A real second process on PostgreSQL ---------------------------------------------------------

# Runs in a child interpreter of its own, on the test database: a real second session.
CHILD_PAYROLL = """
import datetime, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "pakan.settings"
os.environ["PAKAN_VAR_DIR"] = sys.argv[3]
import django
from django.conf import settings
django.setup()
from django.db import connections
settings.DATABASES["default"]["NAME"] = sys.argv[1]
connections["default"].settings_dict["NAME"] = sys.argv[1]
settings.MEDIA_ROOT = sys.argv[3]
from pakan.benefits.services.payroll import run_payroll
die = sys.argv[2] == "die"

def progress(done, total):
    if die and done >= 2:
        os._exit(9)  # killed: no clean-up, nothing rolled back that was committed

run_payroll(datetime.date(2026, 3, 1), actor=None, paid_on=datetime.date(2026, 3, 25),
            chunk_size=1, progress=progress)
"""


def _payroll_process(database_name: str, mode: str, media: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD_PAYROLL, database_name, mode,
                             str(media)], cwd=Path(__file__).resolve().parent.parent)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_in_another_process_is_finished_by_the_next(pensioners, settings):
    database_name = connection.settings_dict["NAME"]
    media = Path(settings.MEDIA_ROOT)
    connections.close_all()
    assert _payroll_process(database_name, "die", media).wait(timeout=120) == 9
    assert PayrollLine.objects.count() == 2
    half = PayrollRun.objects.get()
    assert half.status == PayrollRun.Status.RUNNING and not half.lines_complete
    assert not Transaction.objects.exists()
    # Two processes finish it at once: the month's lock lets one pay, the other finds it done.
    finishers = [_payroll_process(database_name, "finish", media) for _ in range(2)]
    assert [process.wait(timeout=120) for process in finishers] == [0, 0]
    finished = PayrollRun.objects.get()
    assert finished.status == PayrollRun.Status.DONE
    assert finished.lines == 4 and finished.total_amount == 5_600_000
    assert PayrollLine.objects.values("award_id").distinct().count() == 4
    assert BankPaymentFile.objects.count() == 3
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    assert ledger_sum("benefits:payroll:2026-03:due:", accounting.expense_account(
        Branch.OLD_AGE)) == 5_600_000


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sessions_write_the_halves_of_a_range_and_a_failed_half_is_written_again(
        pensioners, geography, monkeypatch):
    """On PostgreSQL, outside a caller's transaction, each range of award ids is written as two
    halves at once, the second by a session of its own: each half is its own transaction."""
    grant = make_lump_sum(make_pensioner(geography["0601001"], start_on=datetime.date(
        2026, 3, 5)), 4_000_000)
    first_award = min(award.pk for award in pensioners)
    real_insert = payroll.insert_lines
    sessions = set()

    def second_half_fails(run_, first, last):
        sessions.add(connection.connection.info.backend_pid)
        if first != first_award:
            raise RuntimeError("second half killed")
        return real_insert(run_, first, last)

    monkeypatch.setattr(payroll, "insert_lines", second_half_fails)
    with pytest.raises(RuntimeError, match="second half killed"):
        run()
    assert len(sessions) == 2
    written = set(PayrollLine.objects.values_list("award_id", flat=True))
    assert written and written < {award.pk for award in pensioners} | {grant.pk}
    assert not Transaction.objects.exists()
    monkeypatch.setattr(payroll, "insert_lines", real_insert)
    finished = run()
    assert finished.status == PayrollRun.Status.DONE
    assert finished.lines == 5 and finished.total_amount == 9_600_000
    assert PayrollLine.objects.values("award_id").distinct().count() == 5
    grant.refresh_from_db()
    assert grant.status == Award.Status.ENDED
    assert AwardStatusChange.objects.filter(award=grant).count() == 1
    assert BankPaymentFile.objects.aggregate(total=Sum("total_amount"))["total"] == 9_600_000
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
