"""The ledger's invariants: whole kip, balanced postings, idempotent keys, reversals, and
balances that are sums of entries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import numpy
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pakan.ledger import selectors, services
from pakan.ledger.models import Account, Entry, Transaction
from pakan.ledger.services import AccountSpec, LedgerError, Line, Posting

MARCH = datetime.date(2025, 3, 31)
APRIL = datetime.date(2025, 4, 30)


def open_accounts(suffix: str = "123") -> tuple[Account, Account, Account]:
    receivable = services.ensure_account(
        f"receivable:employer:{suffix}", name_en=f"Employer {suffix} contributions due",
        name_lo=f"ເງິນສົມທົບຄ້າງຈ່າຍ ຜູ້ໃຊ້ແຮງງານ {suffix}", kind=Account.Kind.ASSET,
        owner_type="socialsecurity.employer", owner_id=int(suffix), scope_path="/LA/01/0101/")
    income = services.ensure_account("income:contributions", name_en="Contribution income",
                                     name_lo="ເງິນສົມທົບ", kind=Account.Kind.INCOME)
    bank = services.ensure_account("asset:bank", name_en="NSSF bank account",
                                   name_lo="ບັນຊີທະນາຄານ", kind=Account.Kind.ASSET)
    return receivable, income, bank


def bill(receivable: Account, income: Account, key: str, amount: int,
         on: datetime.date = MARCH) -> Transaction:
    return services.post(key, [Line(receivable, amount), Line(income, -amount)], kind="bill",
                         effective_date=on)


def pay(receivable: Account, bank: Account, key: str, amount: int,
        on: datetime.date = APRIL) -> Transaction:
    return services.post(key, [Line(bank, amount), Line(receivable, -amount)], kind="payment",
                         effective_date=on)


@pytest.fixture
def accounts(db) -> tuple[Account, Account, Account]:
    return open_accounts()


def test_balanced_posting_is_written_with_signed_entries(accounts):
    receivable, income, _ = accounts
    posted = bill(receivable, income, "billing:2025-03:employer:123", 1_250_000)
    assert posted.key == "billing:2025-03:employer:123"
    assert sorted(posted.entries.values_list("amount", flat=True)) == [-1_250_000, 1_250_000]
    assert selectors.balance(receivable) == 1_250_000
    assert selectors.balance(income) == -1_250_000


def test_accounts_by_code_or_id_are_accepted(accounts):
    receivable, income, _ = accounts
    services.post("by-code", [(receivable.code, 10), (income.pk, -10)], kind="bill",
                  effective_date=MARCH)
    assert selectors.balance(receivable) == 10


@pytest.mark.parametrize("lines, code", [
    ([], "no_lines"),
    ([("receivable:employer:123", 100), ("income:contributions", -99)], "unbalanced"),
    ([("receivable:employer:123", 100)], "unbalanced"),
    ([("receivable:employer:123", 100.0), ("income:contributions", -100.0)],
     "amount_not_integer"),
    ([("receivable:employer:123", 100.5), ("income:contributions", -100.5)],
     "amount_not_integer"),
    ([("receivable:employer:123", Decimal(100)), ("income:contributions", Decimal(-100))],
     "amount_not_integer"),
    ([("receivable:employer:123", "100"), ("income:contributions", "-100")],
     "amount_not_integer"),
    ([("receivable:employer:123", True), ("income:contributions", -1)], "amount_not_integer"),
    ([("receivable:employer:123", 0), ("income:contributions", 0)], "amount_zero"),
    ([("receivable:employer:123", 10**16), ("income:contributions", -(10**16))],
     "amount_too_large"),
    ([("receivable:employer:999", 100), ("income:contributions", -100)], "unknown_account"),
])
def test_bad_posting_is_refused_in_both_languages_and_writes_nothing(accounts, lines, code):
    with pytest.raises(LedgerError) as refused:
        services.post("billing:2025-03:employer:123", lines, kind="bill", effective_date=MARCH)
    assert refused.value.code == code
    assert "billing:2025-03:employer:123" in refused.value.message_en
    assert "billing:2025-03:employer:123" in refused.value.message_lo
    assert refused.value.message_en != refused.value.message_lo
    assert any("\u0e80" <= char <= "\u0eff" for char in refused.value.message_lo)
    assert not Transaction.objects.exists()
    assert not Entry.objects.exists()


def test_refusal_names_line_and_field(accounts):
    receivable, income, _ = accounts
    with pytest.raises(LedgerError) as refused:
        services.post("k", [Line(receivable, 5), Line(income, -4.5)], kind="bill")
    assert refused.value.row == 2
    assert refused.value.field_name == "amount"
    assert "line 2" in refused.value.message_en
    assert "ລາຍການທີ 2" in refused.value.message_lo


def test_numpy_integers_are_whole_kip(accounts):
    receivable, income, _ = accounts
    amount = numpy.int64(2_500_000)
    services.post("numpy", [Line(receivable, amount), Line(income, -amount)], kind="bill")
    assert selectors.balance(receivable) == 2_500_000


def test_same_key_twice_returns_the_first_posting_and_posts_nothing(accounts):
    receivable, income, _ = accounts
    first = bill(receivable, income, "billing:2025-03:employer:123", 500)
    again = bill(receivable, income, "billing:2025-03:employer:123", 500)
    assert again.pk == first.pk
    assert Entry.objects.count() == 2
    assert selectors.balance(receivable) == 500


def test_unique_key_is_enforced_by_the_database(accounts):
    bill(*accounts[:2], "dup", 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Transaction.objects.create(key="dup", kind="bill", effective_date=MARCH)


def test_reversal_mirrors_the_original_and_nets_to_zero(accounts):
    receivable, income, _ = accounts
    original = bill(receivable, income, "billing:2025-03:employer:123", 700_000)
    reversal = services.reverse(original, "reversal:billing:2025-03:employer:123")
    assert reversal.reverses_id == original.pk
    assert reversal.kind == "reversal"
    assert selectors.balance(receivable) == 0
    assert selectors.balance(income) == 0
    assert Entry.objects.count() == 4  # the original stays: append-only
    # the same reversal key again: nothing new
    assert services.reverse(original, "reversal:billing:2025-03:employer:123").pk == reversal.pk
    with pytest.raises(LedgerError) as refused:
        services.reverse(original, "another-reversal")
    assert refused.value.code == "already_reversed"
    assert Entry.objects.count() == 4


def test_balances_are_sums_of_entries(accounts):
    receivable, income, bank = accounts
    bill(receivable, income, "bill-march", 1_000, on=MARCH)
    bill(receivable, income, "bill-april", 2_000, on=APRIL)
    pay(receivable, bank, "pay-april", 1_500, on=APRIL)
    assert selectors.balance(receivable) == 1_500
    assert selectors.balance(receivable, as_of=MARCH) == 1_000
    unused = services.ensure_account("asset:cash", name_en="Cash", kind="asset")
    assert selectors.balances([receivable, income, bank, unused.pk]) == {
        receivable.pk: 1_500, income.pk: -3_000, bank.pk: 1_500, unused.pk: 0}
    assert selectors.balances([receivable], as_of=MARCH) == {receivable.pk: 1_000}


def test_trial_balance_lists_every_account_and_totals_zero(accounts):
    receivable, income, bank = accounts
    bill(receivable, income, "bill", 9_000)
    pay(receivable, bank, "pay", 4_000)
    trial = selectors.trial_balance()
    by_code = {row.account.code: row.balance for row in trial.rows}
    assert by_code == {"asset:bank": 4_000, "income:contributions": -9_000,
                       "receivable:employer:123": 5_000}
    assert trial.total == 0
    assert trial.total_debit == trial.total_credit == 9_000
    assert selectors.trial_balance(as_of=MARCH).total_debit == 9_000
    scoped = selectors.trial_balance(scope_path="/LA/01/")
    assert [row.account.code for row in scoped.rows] == ["receivable:employer:123"]


def test_statement_has_opening_balance_and_running_balance(accounts):
    receivable, income, bank = accounts
    bill(receivable, income, "bill-feb", 300, on=datetime.date(2025, 2, 28))
    bill(receivable, income, "bill-mar", 1_000, on=MARCH)
    pay(receivable, bank, "pay-apr-1", 800, on=datetime.date(2025, 4, 1))
    pay(receivable, bank, "pay-apr-2", 200, on=datetime.date(2025, 4, 15))
    bill(receivable, income, "bill-may", 50, on=datetime.date(2025, 5, 31))
    account_statement = selectors.statement(receivable, datetime.date(2025, 3, 1), APRIL)
    assert account_statement.opening_balance == 300
    assert [(line.key, line.amount, line.running_balance) for line in account_statement.lines] == [
        ("bill-mar", 1_000, 1_300), ("pay-apr-1", -800, 500), ("pay-apr-2", -200, 300)]
    assert account_statement.closing_balance == 300 == selectors.balance(receivable, as_of=APRIL)
    empty = selectors.statement(receivable, datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    assert empty.lines == [] and empty.closing_balance == empty.opening_balance == 350


def test_ensure_account_is_idempotent_and_refuses_a_kind_change(accounts):
    receivable = accounts[0]
    again = services.ensure_account(receivable.code, name_en="other name", kind="asset")
    assert again.pk == receivable.pk and again.name_en == receivable.name_en
    assert Account.objects.count() == 3
    with pytest.raises(LedgerError) as refused:
        services.ensure_account(receivable.code, name_en="x", kind="income")
    assert refused.value.code == "account_kind_conflict"
    with pytest.raises(LedgerError) as unknown:
        services.ensure_account("new", name_en="x", kind="revenue")
    assert unknown.value.code == "account_kind_unknown"
    assert not Account.objects.filter(code="new").exists()


def test_post_many_posts_a_batch_in_a_few_queries_and_skips_keys_already_posted(
        db, django_assert_max_num_queries):
    income = services.ensure_account("income:contributions", name_en="Income", kind="income")
    specs = [AccountSpec(f"receivable:employer:{number}", f"Employer {number}", "asset",
                         owner_type="socialsecurity.employer", owner_id=number)
             for number in range(1, 2_001)]
    receivables = services.ensure_accounts(specs)
    assert len(receivables) == 2_000
    batch = [Posting(f"billing:2025-03:employer:{number}",
                     [(f"receivable:employer:{number}", 1_000 * number),
                      (income, -1_000 * number)], kind="bill", effective_date=MARCH)
             for number in range(1, 2_001)]
    services.post(batch[0].key, batch[0].lines, kind="bill", effective_date=MARCH)
    with django_assert_max_num_queries(60):  # chunked statements, never one per posting
        result = services.post_many(batch)
    assert (result.created, result.already_posted) == (1_999, 1)
    assert Transaction.objects.count() == 2_000 and Entry.objects.count() == 4_000
    assert selectors.balance(income) == -1_000 * sum(range(1, 2_001))
    assert selectors.balance(receivables["receivable:employer:77"]) == 77_000
    rerun = services.post_many(batch)
    assert (rerun.created, rerun.already_posted) == (0, 2_000)
    assert Entry.objects.count() == 4_000


def test_post_many_refuses_the_whole_batch_for_one_bad_posting(accounts):
    receivable, income, _ = accounts
    batch = [Posting("a", [(receivable, 5), (income, -5)], kind="bill"),
             Posting("b", [(receivable, 5), (income, -4)], kind="bill")]
    with pytest.raises(LedgerError) as refused:
        services.post_many(batch)
    assert refused.value.code == "unbalanced" and refused.value.row == 2
    duplicated = [batch[0], Posting("a", [(receivable, 1), (income, -1)], kind="bill")]
    with pytest.raises(LedgerError) as duplicate:
        services.post_many(duplicated)
    assert duplicate.value.code == "duplicate_key_in_batch"
    assert not Transaction.objects.exists()


def columns(keys: list[str], lines: list[list[tuple]], accounts: list) -> services.PostingColumns:
    """A batch as post_columns takes it: lines are (account position, amount) per posting."""
    return services.PostingColumns(
        keys=keys, kinds=["bill"] * len(keys), effective_dates=[MARCH] * len(keys),
        descriptions=[f"bill {key}" for key in keys], accounts=accounts,
        line_posting=numpy.array([row for row, posting in enumerate(lines) for _ in posting],
                                 dtype=numpy.int64),
        line_account=numpy.array([account for posting in lines for account, _ in posting],
                                 dtype=numpy.int64),
        line_amount=numpy.array([amount for posting in lines for _, amount in posting],
                                dtype=numpy.int64))


def test_post_columns_posts_what_post_many_posts_and_skips_keys_already_posted(accounts):
    receivable, income, bank = accounts
    bill(receivable, income, "bill:2", 2_000)
    batch = columns(["bill:1", "bill:2", "bill:3"],
                    [[(0, 1_000), (1, -1_000)], [(0, 2_000), (1, -2_000)],
                     [(0, 3_000), (1, -1_000), (2, -2_000)]],
                    [receivable.code, income.pk, bank])
    result = services.post_columns(batch)
    assert (result.created, result.already_posted) == (2, 1)
    assert sorted(result.created_keys) == ["bill:1", "bill:3"]
    third = Transaction.objects.get(key="bill:3")
    assert (third.kind, third.description, third.effective_date) == ("bill", "bill bill:3",
                                                                      MARCH)
    assert sorted(third.entries.values_list("account_id", "amount", "effective_date")) == sorted(
        [(receivable.pk, 3_000, MARCH), (income.pk, -1_000, MARCH), (bank.pk, -2_000, MARCH)])
    assert selectors.balance(receivable) == 6_000
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"]) == 0
    rerun = services.post_columns(batch)
    assert (rerun.created, rerun.already_posted, rerun.created_keys) == (0, 3, [])
    assert Entry.objects.count() == 7


@pytest.mark.parametrize(("keys", "lines", "code", "row"), [
    (["a", " "], [[(0, 5), (1, -5)], [(0, 5), (1, -5)]], "key_missing", 2),
    (["a", "b"], [[(0, 5), (1, -5)], []], "no_lines", 2),
    (["a", "b"], [[(0, 5), (1, -5)], [(0, 5), (1, -4)]], "unbalanced", 2),
    (["a", "b"], [[(0, 5), (1, -5)], [(0, 0), (1, 0)]], "amount_zero", 1),
    (["a", "b"], [[(0, 10**16), (1, -(10**16))], [(0, 5), (1, -5)]], "amount_too_large", 1),
    (["a", "b"], [[(0, 5), (1, -5)], [(0, 5), (2, -5)]], "unknown_account", 2),
    (["a", "a"], [[(0, 5), (1, -5)], [(0, 1), (1, -1)]], "duplicate_key_in_batch", 2),
])
def test_post_columns_refuses_the_whole_batch_for_one_bad_posting(accounts, keys, lines, code,
                                                                  row):
    receivable, income, _ = accounts
    with pytest.raises(LedgerError) as refused:
        services.post_columns(columns(keys, lines, [receivable, income, "no:such:account"]))
    assert (refused.value.code, refused.value.row) == (code, row)
    assert refused.value.message_en != refused.value.message_lo
    assert not Transaction.objects.exists()


def test_post_columns_refuses_amounts_that_are_not_whole_kip(accounts):
    receivable, income, _ = accounts
    batch = columns(["a"], [[(0, 5), (1, -5)]], [receivable, income])
    fractional = services.PostingColumns(**{**batch.__dict__,
                                            "line_amount": numpy.array([5.0, -5.0])})
    with pytest.raises(LedgerError) as refused:
        services.post_columns(fractional)
    assert refused.value.code == "amount_not_integer"
    assert not Transaction.objects.exists()


@pytest.mark.postgres_only
def test_postgresql_refuses_unbalanced_entries_written_behind_the_service(accounts):
    receivable, income, _ = accounts
    posted = bill(receivable, income, "bill", 100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(transaction=posted, account=income, amount=-1,
                             effective_date=MARCH)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO ledger_entry (transaction_id, account_id, amount, "
                       "effective_date) VALUES (%s, %s, 7, %s), (%s, %s, -6, %s)",
                       [posted.pk, receivable.pk, MARCH, posted.pk, income.pk, MARCH])
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(transaction=posted).update(amount=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(transaction=posted).delete()
    assert selectors.balance(receivable) == 100


# --- property: random bills, payments, reversals and corrections ------------------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("bill"), st.integers(1, 50_000_000)),
        st.tuples(st.just("pay"), st.integers(1, 50_000_000)),
        st.tuples(st.just("reverse"), st.integers(0, 1_000)),
        st.tuples(st.just("correct"), st.integers(1, 50_000_000)),
        st.tuples(st.just("repeat"), st.integers(0, 1_000)),
    ),
    max_size=25,
)


class RolledBack(Exception):
    """Raised at the end of each example so its postings vanish before the next one."""


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_ledger_always_balances_and_employer_owes_billed_minus_paid(db, operations):
    with pytest.raises(RolledBack), transaction.atomic():
        run_operations(operations)
        raise RolledBack


def run_operations(operations: list[tuple[str, int]]) -> None:
    receivable, income, bank = open_accounts()
    live: list[tuple[Transaction, int]] = []  # postings not reversed, with their effect on debt
    billed = paid = reversed_effect = reversed_payments = reversed_bills = 0
    for step, (operation, value) in enumerate(operations):
        if operation == "bill":
            live.append((bill(receivable, income, f"bill:{step}", value), value))
            billed += value
        elif operation == "pay":
            live.append((pay(receivable, bank, f"pay:{step}", value), -value))
            paid += value
        elif operation in {"reverse", "correct"} and live:
            original, effect = live.pop(value % len(live))
            services.reverse(original, f"reverse:{step}")
            reversed_effect += effect
            reversed_payments += max(-effect, 0)
            reversed_bills += max(effect, 0)
            if operation == "correct" and effect > 0:  # a wrong bill replaced by the right one
                live.append((bill(receivable, income, f"corrected:{step}", value), value))
                billed += value
        elif operation == "repeat" and live:  # a rerun of an earlier key posts nothing
            original, _ = live[value % len(live)]
            entries = [Line(entry.account_id, entry.amount) for entry in original.entries.all()]
            assert services.post(original.key, entries, kind=original.kind).pk == original.pk
    assert selectors.balance(receivable) == billed - paid - reversed_effect
    assert selectors.balance(bank) == paid - reversed_payments
    assert selectors.balance(income) == -(billed - reversed_bills)
    assert selectors.trial_balance().total == 0
    assert sum(Entry.objects.values_list("amount", flat=True)) == 0
    for posted in Transaction.objects.all():
        assert sum(posted.entries.values_list("amount", flat=True)) == 0

