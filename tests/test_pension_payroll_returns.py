"""Payments a bank sends back: a returned-payment file is read once, its matching rows are
applied and posted, the others are held with their row, field and reason in English and Lao;
a returned payment is paid again after its bank details are corrected, by the next run or by
an officer."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from pakan.benefits import accounting
from pakan.benefits.models import Award, PayrollLine, ReturnedPaymentFile
from pakan.benefits.services import returned_payments
from pakan.benefits.validation import BenefitsValidationError
from pakan.ledger.models import Account, Entry, Transaction
from pakan.ledger.selectors import balance
from pakan.registry.models import Person
from tests.benefit_factories import make_pensioner
from tests.test_pension_payroll import MONTH, START, csv_rows, run, stored

pytestmark = pytest.mark.django_db

RETURNED_ON = datetime.date(2026, 4, 3)
APRIL = datetime.date(2026, 4, 1)


@pytest.fixture
def paid_march(geography) -> list[PayrollLine]:
    """March paid to three pensioners through BCEL and LDB."""
    for village, amount, bank in (("0101001", 1_500_000, "BCEL"),
                                  ("0102001", 1_200_000, "LDB"),
                                  ("0601001", 2_000_000, "BCEL")):
        make_pensioner(geography[village], monthly_amount=amount, start_on=START, bank=bank)
    run()
    return list(PayrollLine.objects.order_by("award_id"))


def returned_file(tmp_path: Path, rows: list[tuple], name: str = "returns.csv",
                  header: str = "reference,amount,reason_code,reason_text") -> Path:
    path = tmp_path / name
    text = header + "\n" + "".join(",".join(f'"{cell}"' for cell in row) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")
    return path


def import_file(path: Path, actor, **options) -> ReturnedPaymentFile:
    return returned_payments.import_returned_payments(path, path.name, actor=actor,
                                                      returned_on=RETURNED_ON, **options)


def held_by_row(record: ReturnedPaymentFile) -> dict[int, dict]:
    return {item["row"]: item for item in record.report["held"]}


def balance_of(code: str) -> int:
    account = Account.objects.filter(code=code).first()
    return balance(account) if account else 0


def test_matching_rows_are_applied_and_the_others_held_with_reasons_in_two_languages(
        paid_march, staff, tmp_path):
    first, second, third = paid_march
    path = returned_file(tmp_path, [
        (first.reference, "1,500,000", "AC04", "Account closed"),
        ("PR202603-9999999999", "1500000", "", ""),
        (second.reference, "1250000", "AC01", "Unknown account"),
        (first.reference, "1500000", "AC04", ""),
        ("", "700000", "", ""),
        (third.reference, "two million", "", ""),
    ])
    record = import_file(path, staff["central"])
    assert (record.rows, record.matched, record.matched_amount) == (6, 1, 1_500_000)
    assert record.returned_on == RETURNED_ON and record.imported_by == staff["central"]
    held = held_by_row(record)
    assert set(held) == {3, 4, 5, 6, 7}
    assert (held[3]["field"], held[3]["code"]) == ("reference",
                                                   "payroll_returned_unknown_reference")
    assert "PR202603-9999999999" in held[3]["reason_en"] and "Row 3" in held[3]["reason_en"]
    assert "PR202603-9999999999" in held[3]["reason_lo"] and "ແຖວ 3" in held[3]["reason_lo"]
    assert (held[4]["field"], held[4]["code"]) == ("amount", "payroll_returned_amount_mismatch")
    assert "1,250,000" in held[4]["reason_en"] and "1,200,000" in held[4]["reason_en"]
    assert "1,200,000 ກີບ" in held[4]["reason_lo"]
    assert held[5]["code"] == "payroll_returned_repeated" and "row 2" in held[5]["reason_en"]
    assert "ແຖວ 2" in held[5]["reason_lo"]
    assert (held[6]["field"], held[6]["code"]) == ("reference",
                                                   "payroll_returned_reference_missing")
    assert (held[7]["field"], held[7]["code"]) == ("amount", "payroll_returned_bad_amount")
    assert all(item["reason_lo"] and item["reason_en"] != item["reason_lo"]
               for item in held.values())
    assert record.report["applied"] == [{"row": 2, "reference": first.reference,
                                         "amount": 1_500_000}]
    first.refresh_from_db()
    assert first.status == PayrollLine.Status.RETURNED and first.returns == 1
    assert first.status_reason == "AC04 Account closed" and first.returned_file == record
    assert first.status_changed_on == RETURNED_ON
    assert set(PayrollLine.objects.exclude(pk=first.pk).values_list("status", flat=True)) == {
        PayrollLine.Status.PAID}
    posting = Transaction.objects.get(key=f"benefits:payroll:returned:{first.reference}")
    assert posting.effective_date == RETURNED_ON
    assert dict(posting.entries.values_list("account__code", "amount")) == {
        "nssf:bank": 1_500_000, accounting.RETURNED_PAYMENTS: -1_500_000}
    assert balance_of(accounting.RETURNED_PAYMENTS) == -1_500_000


def test_the_same_file_imported_twice_is_refused_and_changes_nothing(paid_march, staff,
                                                                     tmp_path):
    first = paid_march[0]
    path = returned_file(tmp_path, [(first.reference, "1500000", "AC04", "Account closed")])
    import_file(path, staff["central"])
    before = (Transaction.objects.count(), ReturnedPaymentFile.objects.count(),
              list(PayrollLine.objects.values_list("status", "returns")))
    copy = tmp_path / "the-same-file-renamed.csv"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(BenefitsValidationError) as refused:
        import_file(copy, staff["central"])
    problem = refused.value.errors[0]
    assert problem.field == "file" and problem.code == "payroll_returned_file_seen"
    assert "returns.csv" in problem.reason_en and "returns.csv" in problem.reason_lo
    assert "ນຳເຂົ້າແລ້ວ" in problem.reason_lo
    assert (Transaction.objects.count(), ReturnedPaymentFile.objects.count(),
            list(PayrollLine.objects.values_list("status", "returns"))) == before


def test_a_payment_already_returned_is_held_in_a_later_file(paid_march, staff, tmp_path):
    first, second, _ = paid_march
    import_file(returned_file(tmp_path, [(first.reference, "1500000", "AC04", "")],
                              name="monday.csv"), staff["central"])
    later = import_file(returned_file(tmp_path, [(first.reference, "1500000", "AC04", ""),
                                                 (second.reference, "1200000", "", "")],
                                      name="tuesday.csv"), staff["central"])
    assert later.matched == 1 and later.matched_amount == 1_200_000
    held = held_by_row(later)[2]
    assert held["code"] == "payroll_returned_already_returned"
    assert RETURNED_ON.isoformat() in held["reason_en"] and "ສົ່ງຄືນແລ້ວ" in held["reason_lo"]
    assert Transaction.objects.filter(key__startswith="benefits:payroll:returned:").count() == 2


def test_a_file_that_cannot_be_read_as_returns_is_refused_whole(paid_march, staff, tmp_path):
    first = paid_march[0]
    bad_header = returned_file(tmp_path, [(first.reference, "AC04")],
                               header="reference,reason_code")
    with pytest.raises(BenefitsValidationError) as refused:
        import_file(bad_header, staff["central"])
    assert [problem.field for problem in refused.value.errors] == ["amount"]
    assert refused.value.errors[0].reason_lo
    empty = returned_file(tmp_path, [], name="empty.csv")
    with pytest.raises(BenefitsValidationError):
        import_file(empty, staff["central"])
    spreadsheet = tmp_path / "returns.xls"
    spreadsheet.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(BenefitsValidationError):
        import_file(spreadsheet, staff["central"])
    assert not ReturnedPaymentFile.objects.exists()
    assert not Transaction.objects.filter(key__contains=":returned:").exists()
    assert PayrollLine.objects.filter(status=PayrollLine.Status.RETURNED).count() == 0


def test_a_returned_file_may_be_a_workbook(paid_march, staff, tmp_path):
    first = paid_march[0]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["reference", "amount", "reason_text"])
    sheet.append([first.reference, 1_500_000, "Account closed"])
    path = tmp_path / "returns.xlsx"
    workbook.save(path)
    record = import_file(path, staff["central"])
    assert record.matched == 1 and record.report["held"] == []
    first.refresh_from_db()
    assert first.status == PayrollLine.Status.RETURNED and first.status_reason == "Account closed"


def test_only_central_staff_import_returned_payments(paid_march, staff, tmp_path):
    path = returned_file(tmp_path, [(paid_march[0].reference, "1500000", "", "")])
    for role in ("province_vientiane", "district_chanthabuly", "auditor"):
        with pytest.raises(PermissionDenied):
            import_file(path, staff[role])
    assert not ReturnedPaymentFile.objects.exists()


def test_a_returned_payment_is_paid_again_by_the_next_run_once_its_details_are_corrected(
        paid_march, staff, tmp_path):
    first, second, _ = paid_march
    import_file(returned_file(tmp_path, [(first.reference, "1500000", "AC04", ""),
                                         (second.reference, "1200000", "AC04", "")]),
                staff["central"])
    Award.objects.filter(pk=first.award_id).update(bank="APB", bank_account="APB-000123")
    Person.objects.filter(pk=second.beneficiary_id).update(
        date_of_death=datetime.date(2026, 3, 30))
    april = run(APRIL, paid_on=datetime.date(2026, 4, 25))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PayrollLine.Status.REPAID and first.repaid_in == april
    assert (first.repaid_bank, first.repaid_bank_account) == ("APB", "APB-000123")
    assert first.run.month == MONTH  # the line stays in the month it pays
    # Dead (after March, so March was due): not paid again, left to the claims officer.
    assert second.status == PayrollLine.Status.RETURNED
    assert (april.repaid_lines, april.repaid_amount) == (1, 1_500_000)
    assert april.lines == 2 and april.total_amount == 3_500_000
    apb = april.bank_files.get(bank="APB")
    rows = csv_rows(stored(apb.file))
    assert rows[1] == ["2026-04", "APB", "2", "3000000"]
    assert [row[0] for row in rows[3:]] == [first.reference,
                                            f"PR202604-{first.award_id:010d}"]
    assert {row[3] for row in rows[3:]} == {"APB-000123"}
    repaid = Transaction.objects.get(key=f"benefits:payroll:repaid:{first.reference}")
    assert repaid.effective_date == datetime.date(2026, 4, 25)
    # The month's paid postings are the month's own lines; the repayment is posted apart.
    assert Entry.objects.get(transaction__key="benefits:payroll:2026-04:paid:APB",
                             account__code=accounting.BENEFITS_PAYABLE).amount == 1_500_000
    assert balance_of(accounting.RETURNED_PAYMENTS) == -1_200_000
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    register = csv_rows(stored(april.register_csv))
    columns = register[0]
    repayment = next(dict(zip(columns, row, strict=True)) for row in register[1:]
                     if row[columns.index("reference")] == first.reference)
    assert repayment["paid_for_month"] == "2026-03" and repayment["bank"] == "APB"
    may = run(datetime.date(2026, 5, 1), paid_on=datetime.date(2026, 5, 25))
    assert may.repaid_lines == 0


def test_an_officer_pays_a_returned_payment_again_with_corrected_details(paid_march, staff,
                                                                         tmp_path):
    first, second, _ = paid_march
    import_file(returned_file(tmp_path, [(first.reference, "1500000", "AC04", "")]),
                staff["central"])
    with pytest.raises(BenefitsValidationError) as unchanged:
        returned_payments.pay_returned_again(first.pk, actor=staff["central"])
    assert unchanged.value.errors[0].code == "payroll_bank_details_unchanged"
    assert "ທະນາຄານ" in unchanged.value.errors[0].reason_lo
    with pytest.raises(BenefitsValidationError) as bad_bank:
        returned_payments.pay_returned_again(first.pk, actor=staff["central"], bank="XYZ",
                                             bank_account="123456")
    assert bad_bank.value.errors[0].field == "bank"
    with pytest.raises(BenefitsValidationError) as not_returned:
        returned_payments.pay_returned_again(second.pk, actor=staff["central"], bank="APB",
                                             bank_account="123456")
    assert not_returned.value.errors[0].code == "payroll_line_not_returned"
    with pytest.raises(PermissionDenied):
        returned_payments.pay_returned_again(first.pk, actor=staff["province_vientiane"],
                                             bank="CASH")
    line = returned_payments.pay_returned_again(
        first.pk, actor=staff["central"], bank="CASH", paid_on=datetime.date(2026, 4, 7))
    assert line.status == PayrollLine.Status.REPAID and line.repaid_in is None
    assert (line.repaid_bank, line.repaid_bank_account) == ("CASH", "")
    award = Award.objects.get(pk=first.award_id)
    assert (award.bank, award.bank_account) == ("CASH", "")
    from pakan.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="benefits.award", object_id=award.pk,
                                     note__contains=first.reference).exists()
    assert balance_of(accounting.RETURNED_PAYMENTS) == 0
    # The cash payment does not come back through the next run.
    assert run(APRIL).repaid_lines == 0


def test_a_repayment_that_bounces_is_returned_again_under_its_own_keys(paid_march, staff,
                                                                       tmp_path):
    first = paid_march[0]
    import_file(returned_file(tmp_path, [(first.reference, "1500000", "AC04", "")],
                              name="one.csv"), staff["central"])
    returned_payments.pay_returned_again(first.pk, actor=staff["central"], bank="APB",
                                         bank_account="APB-000999")
    record = import_file(returned_file(tmp_path, [(first.reference, "1500000", "AC01", "")],
                                       name="two.csv"), staff["central"])
    assert record.matched == 1
    first.refresh_from_db()
    assert first.status == PayrollLine.Status.RETURNED and first.returns == 2
    keys = set(Transaction.objects.filter(key__contains=first.reference)
               .values_list("key", flat=True))
    assert keys == {f"benefits:payroll:returned:{first.reference}",
                    f"benefits:payroll:repaid:{first.reference}",
                    f"benefits:payroll:returned:{first.reference}:2"}
    Award.objects.filter(pk=first.award_id).update(bank="LDB", bank_account="LDB-111111")
    april = run(APRIL)
    first.refresh_from_db()
    assert first.status == PayrollLine.Status.REPAID and first.repaid_in == april
    assert Transaction.objects.filter(
        key=f"benefits:payroll:repaid:{first.reference}:2").exists()
    assert balance_of(accounting.RETURNED_PAYMENTS) == 0



def test_references_that_are_not_ours_are_held_as_unknown(paid_march, staff, tmp_path):
    first = paid_march[0]
    award_digits = first.reference.split("-")[1]
    odd = ["PR202613-" + award_digits, "PR202604-" + award_digits, "PR202603-1",
           first.reference.lower(), "BCEL-20260403-77"]
    record = import_file(returned_file(tmp_path, [(reference, "1500000", "", "")
                                                  for reference in odd]), staff["central"])
    assert record.matched == 0
    assert [item["code"] for item in record.report["held"]] == [
        "payroll_returned_unknown_reference"] * len(odd)
    assert not PayrollLine.objects.filter(status=PayrollLine.Status.RETURNED).exists()


def test_a_repayment_gets_its_own_bank_file_when_the_month_pays_nobody_else_there(
        paid_march, staff, tmp_path):
    first = paid_march[0]
    import_file(returned_file(tmp_path, [(first.reference, "1500000", "AC04", "")]),
                staff["central"])
    # The award ended with March (still due), and its details were corrected afterwards.
    Award.objects.filter(pk=first.award_id).update(
        status=Award.Status.ENDED, end_on=datetime.date(2026, 3, 31), bank="NBB",
        bank_account="NBB-000777")
    april = run(APRIL)
    assert not april.payroll_lines.filter(bank="NBB").exists()
    nbb = april.bank_files.get(bank="NBB")
    assert (nbb.lines, nbb.total_amount) == (1, 1_500_000)
    assert csv_rows(stored(nbb.file))[3][0] == first.reference
    assert not Transaction.objects.filter(key="benefits:payroll:2026-04:paid:NBB").exists()
    assert Transaction.objects.filter(key=f"benefits:payroll:repaid:{first.reference}").exists()
