"""Payments, bank statements, statements of account, arrears, surcharges and instalments."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from pakan.accounts.scope import OutOfScope
from pakan.audit.models import AuditEvent
from pakan.ledger import selectors as ledger_selectors
from pakan.ledger.models import Account, Transaction
from pakan.rules import legal_parameters
from pakan.rules.social_security import SURCHARGE
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import (
    Allocation,
    BankStatement,
    BillingRun,
    EmployerUser,
    InstalmentAgreement,
    Invoice,
    Payment,
)
from pakan.socialsecurity.selectors import accounts
from pakan.socialsecurity.services import arrears, payments
from pakan.socialsecurity.validation import SocialSecurityValidationError
from tests.factories import make_employer, make_member
from tests.fund_billing import bill

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (datetime.date(2025, month, 1) for month in (1, 2, 3, 4))
TODAY = datetime.date(2025, 12, 31)


@pytest.fixture
def employer(staff, geography):
    return make_employer(geography["0101001"])


@pytest.fixture
def other_employer(staff, geography):
    return make_employer(geography["0601001"])


def pay(actor, employer, amount, on=datetime.date(2025, 5, 1), **fields):
    return payments.record_payment(actor, amount=amount, received_on=on, method="cash",
                                   employer=employer, today=TODAY, **fields)


def allocated(invoice) -> int:
    return Allocation.objects.filter(invoice=invoice).aggregate(
        total=Sum("amount"))["total"] or 0


# --- payments by hand ------------------------------------------------------------------------

def test_payment_settles_oldest_invoices_first_and_keeps_the_rest_as_credit(staff, employer):
    officer = staff["district_chanthabuly"]
    january, february = bill(employer, JAN, 1_000_000), bill(employer, FEB, 2_000_000)

    pay(officer, employer, 1_500_000)
    january.refresh_from_db()
    february.refresh_from_db()
    assert allocated(january) == 1_000_000 and january.settled_on == datetime.date(2025, 5, 1)
    assert allocated(february) == 500_000 and february.settled_on is None
    assert accounts.balance_of(employer=employer) == 1_500_000

    pay(officer, employer, 2_000_000, on=datetime.date(2025, 5, 20))
    february.refresh_from_db()
    assert february.settled_on == datetime.date(2025, 5, 20)
    assert accounts.balance_of(employer=employer) == -500_000  # a credit, not lost

    march = bill(employer, MAR, 800_000)  # billing uses the credit as it issues
    assert allocated(march) == 500_000
    assert accounts.balance_of(employer=employer) == 300_000
    assert list(accounts.open_invoices(employer=employer).values_list("outstanding", flat=True)) \
        == [300_000]
    assert ledger_selectors.trial_balance().total == 0


def test_payment_is_posted_from_bank_to_the_receivable(staff, employer):
    payment = pay(staff["central"], employer, 700_000)
    posting = Transaction.objects.get(key=payment.ledger_key)
    entries = {entry.account.code: entry.amount for entry in posting.entries.all()}
    assert entries == {accounting.BANK: 700_000,
                       accounting.employer_account_code(employer.pk): -700_000}
    assert AuditEvent.objects.filter(object_type="socialsecurity.payment",
                                     object_id=payment.pk).exists()


def test_credit_note_settles_open_invoices(staff, employer):
    january = bill(employer, JAN, 1_000_000)
    note = bill(employer, JAN, -400_000, kind="correction")
    allocation = Allocation.objects.get(invoice=january)
    assert allocation.credit_note == note and allocation.amount == 400_000
    assert accounts.balance_of(employer=employer) == 600_000
    pay(staff["central"], employer, 600_000)
    january.refresh_from_db()
    assert january.settled_on is not None


@pytest.mark.parametrize("fields, field, code", [
    ({"amount": -5}, "amount", "payment_amount_not_positive"),
    ({"amount": 0}, "amount", "payment_amount_not_positive"),
    ({"amount": 100.0}, "amount", "payment_amount_not_whole"),
    ({"amount": 10**14}, "amount", "payment_amount_absurd"),
    ({"received_on": datetime.date(2026, 1, 2)}, "received_on", "future_date"),
    ({"method": "gold"}, "method", "payment_bad_method"),
    ({"bank_reference": "X-1"}, "bank", "payment_bank_needed"),
])
def test_bad_payment_is_refused_in_both_languages_and_changes_nothing(staff, employer, fields,
                                                                      field, code):
    values = {"amount": 1_000, "received_on": datetime.date(2025, 5, 1), "method": "cash",
              **fields}
    with pytest.raises(SocialSecurityValidationError) as refused:
        payments.record_payment(staff["central"], employer=employer, today=TODAY, **values)
    (problem,) = refused.value.errors
    assert (problem.field, problem.code) == (field, code)
    assert problem.reason_en and problem.reason_lo and problem.reason_en != problem.reason_lo
    assert not Payment.objects.exists() and not Transaction.objects.exists()


def test_same_bank_transaction_cannot_be_recorded_twice(staff, employer):
    pay(staff["central"], employer, 1_000, bank="BCEL", bank_reference="TX-1")
    with pytest.raises(SocialSecurityValidationError) as refused:
        pay(staff["central"], employer, 1_000, bank="BCEL", bank_reference="TX-1")
    assert refused.value.errors[0].code == "payment_bank_reference_taken"
    assert Payment.objects.count() == 1


def test_payments_by_hand_need_the_payer_in_scope(staff, employer, other_employer):
    with pytest.raises(OutOfScope):
        pay(staff["district_sikhottabong"], employer, 1_000)
    with pytest.raises(OutOfScope):
        pay(staff["province_vientiane"], other_employer, 1_000)
    with pytest.raises(PermissionDenied):
        pay(staff["auditor"], employer, 1_000)
    assert not Payment.objects.exists()
    pay(staff["province_luangprabang"], other_employer, 1_000)


# --- reversal ---------------------------------------------------------------------------------

def test_reversing_a_bounced_cheque_reopens_the_invoices(staff, employer):
    officer = staff["district_chanthabuly"]
    january = bill(employer, JAN, 1_000_000)
    cheque = pay(officer, employer, 1_000_000)
    january.refresh_from_db()
    assert january.settled_on is not None

    payments.reverse_payment(officer, cheque, reason="cheque returned unpaid",
                             reversed_on=datetime.date(2025, 5, 9))
    cheque.refresh_from_db()
    january.refresh_from_db()
    assert cheque.status == Payment.Status.REVERSED
    assert january.settled_on is None and allocated(january) == 0
    assert accounts.balance_of(employer=employer) == 1_000_000
    assert Transaction.objects.filter(reverses__key=cheque.ledger_key).exists()
    assert AuditEvent.objects.filter(object_id=cheque.pk, note="cheque returned unpaid").exists()
    with pytest.raises(SocialSecurityValidationError) as refused:
        payments.reverse_payment(officer, cheque, reason="again")
    assert refused.value.errors[0].code == "payment_already_reversed"
    assert ledger_selectors.trial_balance().total == 0


def test_unidentified_payment_must_be_assigned_before_it_can_be_reversed(tmp_path, staff):
    path = write_statement(tmp_path, ["2025-05-02,1000,NOBODY,R9"])
    payments.import_bank_statement(staff["central"], path, "s.csv", bank="BCEL", today=TODAY)
    held = Payment.objects.get()
    with pytest.raises(SocialSecurityValidationError) as refused:
        payments.reverse_payment(staff["central"], held, reason="sent back")
    assert refused.value.errors[0].code == "payment_unidentified_not_reversible"
    with pytest.raises(OutOfScope):
        payments.reverse_payment(staff["province_vientiane"], held, reason="sent back")


def test_reversal_lets_other_credit_settle_the_reopened_invoice(staff, employer):
    officer = staff["central"]
    january = bill(employer, JAN, 1_000_000)
    cheque = pay(officer, employer, 1_000_000)
    pay(officer, employer, 400_000)  # a credit of 400,000
    payments.reverse_payment(officer, cheque, reason="bounced")
    assert allocated(january) == 400_000
    assert accounts.balance_of(employer=employer) == 600_000


# --- bank statements --------------------------------------------------------------------------

def write_statement(tmp_path, rows, name="statement.csv"):
    path = tmp_path / name
    lines = ["date,amount,payer_reference,bank_reference", *rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def voluntary_member(geography, staff):
    return make_member(geography["0102001"], category="voluntary")


def test_statement_lines_are_matched_by_invoice_registration_or_social_security_number(
        tmp_path, staff, employer, other_employer, voluntary_member):
    january = bill(employer, JAN, 1_000_000)
    bill(other_employer, JAN, 500_000)
    path = write_statement(tmp_path, [
        f"2025-05-02,1000000,{january.number},BCEL-1",
        f"2025-05-02,\"200,000\",{other_employer.nssf_registration_number.lower()},BCEL-2",
        f"2025-05-03,150000.00,{voluntary_member.social_security_number},BCEL-3",
        "2025-05-03,90000,WHO-KNOWS,BCEL-4",
    ])
    statement = payments.import_bank_statement(staff["central"], path, "statement.csv",
                                               bank="BCEL", today=TODAY)
    assert statement.number_of_lines == 4 and statement.total_amount == 1_440_000
    assert (statement.outcome.identified, statement.outcome.unidentified) == (3, 1)
    january.refresh_from_db()
    assert january.settled_on == datetime.date(2025, 5, 2)
    assert accounts.balance_of(employer=other_employer) == 300_000
    assert accounts.balance_of(member=voluntary_member) == -150_000
    unknown = Payment.objects.get(bank_reference="BCEL-4")
    assert unknown.status == Payment.Status.UNIDENTIFIED and unknown.village is None
    suspense = Account.objects.get(code=accounting.SUSPENSE)
    assert ledger_selectors.balance(suspense) == -90_000
    assert list(accounts.unidentified_payments(staff["central"])) == [unknown]
    assert not accounts.unidentified_payments(staff["province_vientiane"]).exists()

    payments.assign_payment(staff["central"], unknown, employer=other_employer,
                            assigned_on=datetime.date(2025, 5, 10))
    unknown.refresh_from_db()
    assert unknown.status == Payment.Status.IDENTIFIED and unknown.employer == other_employer
    assert ledger_selectors.balance(suspense) == 0
    assert accounts.balance_of(employer=other_employer) == 210_000
    assert ledger_selectors.trial_balance().total == 0


def test_a_statement_writes_each_allocation_with_its_source_amount_and_date(
        tmp_path, staff, employer, other_employer, voluntary_member):
    """The rows the set-based matching writes (binary COPY on PostgreSQL), field by field: an
    allocation is dated the later of its money's date and its invoice's issue; a credit note
    and a payment share one invoice; employers and a member are matched in one call."""
    january = bill(employer, JAN, 1_000_000)  # issued 1 February
    february = bill(employer, FEB, 600_000)  # issued 1 March
    note = bill(employer, FEB, -300_000, kind="correction",
                issued_on=datetime.date(2025, 3, 10))
    other = bill(other_employer, JAN, 500_000)
    voluntary = bill(None, JAN, 80_000, kind="voluntary", member=voluntary_member)
    path = write_statement(tmp_path, [
        f"2025-02-20,1000000,{employer.nssf_registration_number},R1",
        f"2025-02-21,200000,{other.number},R2",
        f"2025-02-22,100000,{voluntary_member.social_security_number},R3",
    ])
    statement = payments.import_bank_statement(staff["central"], path, "feb.csv", bank="BCEL",
                                               today=TODAY)
    paid_by = {payment.bank_reference: payment
               for payment in Payment.objects.filter(bank_statement=statement)}
    rows = set(Allocation.objects.values_list("invoice", "payment", "credit_note", "amount",
                                              "allocated_on"))
    assert rows == {
        (january.pk, None, note.pk, 300_000, datetime.date(2025, 3, 10)),
        (january.pk, paid_by["R1"].pk, None, 700_000, datetime.date(2025, 2, 20)),
        (february.pk, paid_by["R1"].pk, None, 300_000, datetime.date(2025, 3, 1)),
        (other.pk, paid_by["R2"].pk, None, 200_000, datetime.date(2025, 2, 21)),
        (voluntary.pk, paid_by["R3"].pk, None, 80_000, datetime.date(2025, 2, 22)),
    }
    assert statement.outcome.allocation == payments.AllocationResult(4, 1_280_000, 2)
    settled = dict(Invoice.objects.filter(settled_on__isnull=False).values_list("pk",
                                                                                "settled_on"))
    assert settled == {january.pk: datetime.date(2025, 2, 20),
                       voluntary.pk: datetime.date(2025, 2, 22)}
    assert accounts.balance_of(member=voluntary_member) == -20_000
    assert accounts.balance_of(employer=employer) == 300_000


def test_the_same_file_twice_is_recognised_and_nothing_is_posted_twice(tmp_path, staff,
                                                                        employer):
    path = write_statement(tmp_path, [f"2025-05-02,1000,{employer.nssf_registration_number},R1"])
    payments.import_bank_statement(staff["central"], path, "april.csv", bank="BCEL", today=TODAY)
    postings = Transaction.objects.count()
    with pytest.raises(SocialSecurityValidationError) as refused:
        payments.import_bank_statement(staff["central"], path, "april-again.csv", bank="BCEL",
                                       today=TODAY)
    (problem,) = refused.value.errors
    assert problem.code == "statement_already_imported"
    assert "april.csv" in problem.reason_en and "april.csv" in problem.reason_lo
    assert "ນຳເຂົ້າແລ້ວ" in problem.reason_lo
    assert Transaction.objects.count() == postings and BankStatement.objects.count() == 1


def test_a_transaction_already_imported_from_another_file_is_skipped_and_reported(
        tmp_path, staff, employer):
    reference = employer.nssf_registration_number
    first = write_statement(tmp_path, [f"2025-05-02,1000,{reference},R1"], "one.csv")
    second = write_statement(tmp_path, [f"2025-05-02,1000,{reference},R1",
                                        f"2025-05-03,2000,{reference},R2"], "two.csv")
    payments.import_bank_statement(staff["central"], first, "one.csv", bank="BCEL", today=TODAY)
    statement = payments.import_bank_statement(staff["central"], second, "two.csv",
                                               bank="BCEL", today=TODAY)
    assert statement.outcome.skipped == [{"line": 2, "bank_reference": "R1",
                                          "file_name": "one.csv"}]
    assert statement.number_of_lines == 1
    assert accounts.balance_of(employer=employer) == -3_000


def test_a_statement_with_bad_lines_is_refused_whole_with_line_column_and_reason(
        tmp_path, staff, employer):
    path = write_statement(tmp_path, [
        f"2025-05-02,1000,{employer.nssf_registration_number},R1",
        ",1000,X,R2",
        "2025-05-02,-500,X,R3",
        "2025-05-02,12.50,X,R4",
        "02/05/2025,1000,X,R5",
        "2025-05-02,1000,X,R1",
        "2025-05-02,abc,X,",
    ])
    with pytest.raises(payments.BankStatementRefused) as refused:
        payments.import_bank_statement(staff["central"], path, "bad.csv", bank="BCEL",
                                       today=TODAY)
    found = {(row.line, row.column, row.code) for row in refused.value.row_errors}
    assert found == {
        (3, "date", "statement_date_missing"),
        (4, "amount", "statement_negative_amount"),
        (5, "amount", "statement_bad_amount"),
        (6, "date", "statement_bad_date"),
        (7, "bank_reference", "statement_bank_reference_repeated"),
        (8, "amount", "statement_bad_amount"),
        (8, "bank_reference", "statement_bank_reference_missing"),
    }
    negative = next(row for row in refused.value.row_errors if row.line == 4)
    assert "Line 4" in negative.reason_en and "ແຖວ 4" in negative.reason_lo
    assert refused.value.errors[0].code == "statement_refused"
    assert not Payment.objects.exists() and not BankStatement.objects.exists()
    assert not Transaction.objects.filter(kind="nssf.payment").exists()


def test_statement_can_be_an_excel_workbook(tmp_path, staff, employer):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["date", "amount", "payer_reference", "bank_reference"])
    sheet.append([datetime.datetime(2025, 5, 2), 250000, employer.nssf_registration_number,
                  "LDB-77"])
    path = tmp_path / "statement.xlsx"
    workbook.save(path)
    statement = payments.import_bank_statement(staff["central"], path, "statement.xlsx",
                                               bank="LDB", today=TODAY)
    assert statement.outcome.identified == 1
    assert Payment.objects.get().received_on == datetime.date(2025, 5, 2)


def test_only_national_staff_import_statements(tmp_path, staff, employer):
    path = write_statement(tmp_path, [f"2025-05-02,1000,{employer.nssf_registration_number},R"])
    with pytest.raises(SocialSecurityValidationError) as refused:
        payments.import_bank_statement(staff["province_vientiane"], path, "s.csv", bank="BCEL")
    assert refused.value.errors[0].code == "payment_national_only"


# --- statement of account ---------------------------------------------------------------------

def test_statement_of_account_has_opening_balance_described_lines_and_running_balance(
        staff, employer):
    officer = staff["central"]
    january = bill(employer, JAN, 1_000_000)
    pay(officer, employer, 1_000_000, on=datetime.date(2025, 2, 10))
    february = bill(employer, FEB, 2_000_000)
    cheque = pay(officer, employer, 500_000, on=datetime.date(2025, 3, 20), bank="BCEL",
                 bank_reference="CHQ-9")
    payments.reverse_payment(officer, cheque, reason="bounced",
                             reversed_on=datetime.date(2025, 3, 25))

    statement = accounts.statement_of_account(employer, start=datetime.date(2025, 2, 5),
                                              end=datetime.date(2025, 12, 31), user=officer)
    assert statement.opening_balance == 1_000_000  # January's invoice, issued 1 February
    assert [(line.kind, line.debit, line.credit, line.balance) for line in statement.lines] == [
        ("payment", 0, 1_000_000, 0),
        ("invoice", 2_000_000, 0, 2_000_000),
        ("payment", 0, 500_000, 1_500_000),
        ("reversal", 500_000, 0, 2_000_000),
    ]
    assert statement.lines[1].reference == february.number
    assert february.number in statement.lines[1].description_en
    assert "ໃບແຈ້ງໜີ້" in statement.lines[1].description_lo
    assert statement.lines[2].reference == "CHQ-9"
    assert statement.closing_balance == accounts.balance_of(employer=employer) == 2_000_000
    assert january.number.startswith("C202501-")


def test_employer_user_reads_only_its_own_invoices_payments_and_statement(
        staff, employer, other_employer):
    EmployerUser.objects.create(user=staff["employer"], employer=employer)
    own = bill(employer, JAN, 1_000)
    bill(other_employer, JAN, 2_000)
    pay(staff["central"], employer, 500)
    pay(staff["central"], other_employer, 700)
    user = staff["employer"]
    assert list(accounts.invoices_in_scope(user)) == [own]
    assert [payment.amount for payment in accounts.payments_in_scope(user)] == [500]
    accounts.statement_of_account(employer, start=JAN, end=TODAY, user=user)
    with pytest.raises(OutOfScope):
        accounts.statement_of_account(other_employer, start=JAN, end=TODAY, user=user)
    assert not accounts.invoices_in_scope(staff["public"]).exists()
    assert not accounts.payments_in_scope(staff["member"]).exists()


def test_staff_see_only_their_province_or_district(staff, employer, other_employer):
    bill(employer, JAN, 1_000)
    bill(other_employer, JAN, 2_000)
    pay(staff["central"], employer, 300)
    pay(staff["central"], other_employer, 400)
    totals = {name: sorted(invoice.total for invoice in accounts.invoices_in_scope(staff[name]))
              for name in ("central", "province_vientiane", "province_luangprabang",
                           "district_chanthabuly", "district_sikhottabong")}
    assert totals == {"central": [1_000, 2_000], "province_vientiane": [1_000],
                      "province_luangprabang": [2_000], "district_chanthabuly": [1_000],
                      "district_sikhottabong": []}
    assert [p.amount for p in accounts.payments_in_scope(staff["province_luangprabang"])] == [400]
    with pytest.raises(OutOfScope):
        accounts.statement_of_account(other_employer, start=JAN, end=TODAY,
                                      user=staff["district_chanthabuly"])


# --- arrears by age ---------------------------------------------------------------------------

def test_arrears_are_aged_by_days_past_due(staff, employer, other_employer):
    as_of = datetime.date(2025, 9, 1)
    bill(employer, JAN, 1_000, due_on=datetime.date(2025, 2, 15))   # 198 days: 180+
    bill(employer, APR, 2_000, due_on=datetime.date(2025, 5, 15))   # 109 days: 91-180
    bill(employer, MAR, 4_000, due_on=datetime.date(2025, 7, 3))    # 60 days: 31-90
    bill(other_employer, JAN, 8_000, due_on=datetime.date(2025, 8, 2))  # 30 days: 0-30
    bill(other_employer, FEB, 16_000, due_on=datetime.date(2025, 9, 1))  # due today: not late
    pay(staff["central"], employer, 1_500, on=datetime.date(2025, 6, 1))  # pays Jan, half Apr
    pay(staff["central"], employer, 100, on=datetime.date(2025, 9, 20))  # after as_of

    assert accounts.arrears_by_age(staff["central"], as_of) == {
        "0-30": 8_000, "31-90": 4_000, "91-180": 1_500, "180+": 0, "total": 13_500}
    assert accounts.arrears_by_age(staff["province_luangprabang"], as_of)["total"] == 8_000
    before_payment = accounts.arrears_by_age(staff["central"], datetime.date(2025, 5, 31))
    assert before_payment["91-180"] == 1_000 and before_payment["0-30"] == 2_000

    by_province = accounts.arrears_by_province(staff["central"], as_of)
    assert [(row["province_code"], row["total"]) for row in by_province] == [
        ("01", 5_500), ("06", 8_000)]
    by_employer = accounts.arrears_by_employer(staff["province_vientiane"], as_of)
    assert [(row["employer_id"], row["31-90"], row["total"]) for row in by_employer] == [
        (employer.pk, 4_000, 5_500)]


# --- surcharges -------------------------------------------------------------------------------

@pytest.fixture
def surcharge_rate(monkeypatch):
    """Give the surcharge a real-looking rate (0.1% a day from 2024) without touching the
    parameter files: the rules read the history this fixture returns."""
    real_history = legal_parameters.history

    def with_rate(rate: float):
        def history(name: str):
            found = real_history(name)
            if name != SURCHARGE:
                return found
            entry = legal_parameters.DatedValue(datetime.date(2024, 1, 1), None, rate, "test",
                                                False, "")
            first = dataclasses.replace(found.values[0], end=entry.start)
            return dataclasses.replace(found, values=(first, entry))
        monkeypatch.setattr(legal_parameters, "history", history)
    return with_rate


def test_surcharge_with_the_provisional_zero_rate_issues_nothing_and_says_provisional(
        staff, employer):
    bill(employer, JAN, 1_000_000)
    run = arrears.run_surcharges(MAR, today=TODAY)
    assert run.number_of_invoices == 0
    assert not Invoice.objects.filter(kind="surcharge").exists()
    assert run.parameters_used[f"{SURCHARGE}@2025-01"]["provisional"] is True
    assert accounts.surcharge_provisional_notice(JAN)[0].name == SURCHARGE


def test_surcharge_charges_each_overdue_day_on_what_was_still_owed(staff, employer,
                                                                   surcharge_rate):
    surcharge_rate(0.001)
    january = bill(employer, JAN, 1_000_000, due_on=datetime.date(2025, 2, 15))
    # March: 1,000,000 owed 1-9 March (9 days), 400,000 from the 10th to the 31st (22 days).
    pay(staff["central"], employer, 600_000, on=datetime.date(2025, 3, 10))
    run = arrears.run_surcharges(MAR, today=TODAY)
    surcharge = Invoice.objects.get(kind="surcharge")
    assert surcharge.surcharge_of == january and surcharge.billing_run == run
    assert surcharge.total == 1_000_000 * 9 // 1000 + 400_000 * 22 // 1000 == 17_800
    assert surcharge.employer_amount == 17_800 and surcharge.month == MAR
    assert run.parameters_used[f"{SURCHARGE}@2025-01"]["provisional"] is False
    assert accounts.balance_of(employer=employer) == 400_000 + 17_800

    again = arrears.run_surcharges(MAR, today=TODAY)  # idempotent
    assert again.pk == run.pk and Invoice.objects.filter(kind="surcharge").count() == 1
    assert accounts.balance_of(employer=employer) == 417_800

    february = arrears.run_surcharges(FEB, today=TODAY)  # 16-28 February: 13 days
    assert february.total_amount == 13_000
    with pytest.raises(SocialSecurityValidationError):
        arrears.run_surcharges(datetime.date(2025, 12, 1), today=TODAY)


def test_no_surcharge_under_an_active_instalment_agreement(staff, employer, surcharge_rate):
    surcharge_rate(0.001)
    january = bill(employer, JAN, 1_000_000, due_on=datetime.date(2025, 2, 15))
    arrears.create_instalment_agreement(staff["central"], employer, [january], 4,
                                        datetime.date(2025, 3, 15),
                                        agreed_on=datetime.date(2025, 3, 1))
    run = arrears.run_surcharges(MAR, today=TODAY)
    assert run.number_of_invoices == 0


# --- instalments ------------------------------------------------------------------------------

def test_instalment_schedule_sums_exactly_and_payments_count_towards_it(staff, employer):
    officer = staff["district_chanthabuly"]
    january = bill(employer, JAN, 600_000)
    february = bill(employer, FEB, 400_001)
    agreement = arrears.create_instalment_agreement(
        officer, employer, [january, february], 3, datetime.date(2025, 1, 31),
        agreed_on=datetime.date(2025, 1, 20))
    schedule = list(agreement.instalments.values_list("sequence", "due_on", "amount"))
    assert schedule == [(1, datetime.date(2025, 1, 31), 333_334),
                        (2, datetime.date(2025, 2, 28), 333_334),
                        (3, datetime.date(2025, 3, 31), 333_333)]
    assert agreement.total_amount == 1_000_001

    pay(officer, employer, 400_000, on=datetime.date(2025, 1, 30))
    lines = accounts.instalment_schedule(agreement, datetime.date(2025, 3, 1))
    assert [(line.paid, line.status) for line in lines] == [
        (333_334, "paid"), (66_666, "overdue"), (0, "due")]
    assert arrears.check_instalment_defaults(datetime.date(2025, 3, 10)) == {
        "completed": 0, "defaulted": 0}  # within the grace days
    assert arrears.check_instalment_defaults(datetime.date(2025, 3, 16)) == {
        "completed": 0, "defaulted": 1}
    agreement.refresh_from_db()
    assert agreement.status == InstalmentAgreement.Status.DEFAULTED


def test_agreement_paid_in_full_is_completed(staff, employer):
    january = bill(employer, JAN, 900)
    agreement = arrears.create_instalment_agreement(
        staff["central"], employer, [january], 3, datetime.date(2025, 3, 1),
        agreed_on=datetime.date(2025, 2, 20))
    pay(staff["central"], employer, 900, on=datetime.date(2025, 2, 25))
    assert arrears.check_instalment_defaults(datetime.date(2025, 3, 1))["completed"] == 1
    agreement.refresh_from_db()
    assert agreement.status == InstalmentAgreement.Status.COMPLETED
    assert AuditEvent.objects.filter(object_type="socialsecurity.instalmentagreement",
                                     object_id=agreement.pk, note="completed").exists()


def test_instalment_agreement_refuses_bad_choices(staff, employer, other_employer):
    paid = bill(employer, JAN, 1_000)
    theirs = bill(other_employer, JAN, 1_000)
    pay(staff["central"], employer, 1_000)
    march = bill(employer, MAR, 3)

    def refused_code(**fields):
        values = {"invoices": [march], "number_of_instalments": 2,
                  "first_due_on": datetime.date(2025, 6, 1),
                  "agreed_on": datetime.date(2025, 5, 1), **fields}
        with pytest.raises(SocialSecurityValidationError) as refused:
            arrears.create_instalment_agreement(staff["central"], employer, **values)
        return refused.value.errors[0].code

    assert refused_code(invoices=[]) == "instalment_no_invoices"
    assert refused_code(invoices=[theirs]) == "instalment_invoice_not_open"
    assert refused_code(invoices=[paid]) == "instalment_invoice_not_open"
    assert refused_code(number_of_instalments=0) == "instalment_bad_count"
    assert refused_code(number_of_instalments=61) == "instalment_bad_count"
    assert refused_code(number_of_instalments=4) == "instalment_too_many_for_amount"
    assert refused_code(first_due_on=datetime.date(2025, 4, 1)) == "instalment_first_due_past"
    arrears.create_instalment_agreement(staff["central"], employer, [march], 3,
                                        datetime.date(2025, 6, 1),
                                        agreed_on=datetime.date(2025, 5, 1))
    assert refused_code() == "instalment_invoice_covered"
    assert not BillingRun.objects.exists()
