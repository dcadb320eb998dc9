"""Property-based tests: random sequences of bills, credit notes, payments (identified or held as
unidentified and assigned later) and reversals keep the books right.

After every sequence: the ledger balances (all entries sum to 0); each employer's balance is
billed minus paid; no invoice, payment or credit note is allocated beyond its amount; each
employer has allocated exactly min(money available, amount owed), so no money sits idle while
an invoice is open; an invoice is settled exactly when it is fully allocated.

Each example runs inside a savepoint that is rolled back, so examples start from the same
employers without rebuilding them.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict

import numpy as np
import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pakan.ledger.models import Entry
from pakan.ledger.services import post_many
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import Allocation, Invoice, Payment
from pakan.socialsecurity.selectors.accounts import balance_of
from pakan.socialsecurity.services import payments
from tests.factories import make_employer
from tests.fund_billing import bill

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 12, 31)
START = datetime.date(2024, 1, 1)
BANK_REFERENCES = itertools.count(1)

employer_index = st.integers(min_value=0, max_value=1)
# Round amounts make payments that exactly settle an invoice (and reversals of them) common;
# a few odd ones keep partial allocations in play.
amount = st.one_of(st.integers(1, 20).map(lambda units: units * 50_000),
                   st.integers(1, 5_000_000))
day = st.integers(min_value=0, max_value=700)
step = st.one_of(
    st.tuples(st.just("bill"), employer_index, amount, day),
    st.tuples(st.just("credit_note"), employer_index, amount, day),
    st.tuples(st.just("pay"), employer_index, amount, day),
    st.tuples(st.just("pay_unidentified"), employer_index, amount, day),
    st.tuples(st.just("assign"), employer_index, st.integers(0, 20), day),
    st.tuples(st.just("reverse"), employer_index, st.integers(0, 20), day),
)


class Rollback(Exception):
    """Thrown at the end of an example to undo its writes."""


@pytest.fixture
def employers(staff, geography):
    return [make_employer(geography[code]) for code in ("0101001", "0601001")]


def month_of(offset: int) -> datetime.date:
    when = START + datetime.timedelta(days=offset)
    return when.replace(day=1)


def run_step(actor, employers, operation) -> None:
    kind, who, value, offset = operation
    employer = employers[who]
    on = START + datetime.timedelta(days=offset)
    if kind == "bill":
        bill(employer, month_of(offset), value, kind="assessment", issued_on=on,
             due_on=on + datetime.timedelta(days=30))
    elif kind == "credit_note":
        bill(employer, month_of(offset), -value, kind="correction", issued_on=on, due_on=on)
    elif kind == "pay":
        payments.record_payment(actor, amount=value, received_on=on, method="cash",
                                employer=employer, today=TODAY)
    elif kind == "pay_unidentified":
        # As a statement line with a reference nobody matches: held in suspense.
        reference = f"U-{next(BANK_REFERENCES)}"
        payment = Payment.objects.create(
            amount=value, received_on=on, method=Payment.Method.BANK_TRANSFER,
            status=Payment.Status.UNIDENTIFIED, bank="TEST", bank_reference=reference,
            ledger_key=payments.payment_key("TEST", reference))
        accounting.ensure_fund_accounts()
        post_many([accounting.payment_posting(ledger_key=payment.ledger_key, amount=value,
                                              received_on=on, debtor_account=None)])
    elif kind == "assign":
        waiting = list(Payment.objects.filter(status=Payment.Status.UNIDENTIFIED).order_by("pk"))
        if waiting:
            payment = waiting[value % len(waiting)]
            payments.assign_payment(actor, payment, employer=employer,
                                    assigned_on=max(on, payment.received_on))
    elif kind == "reverse":
        live = list(Payment.objects.filter(status=Payment.Status.IDENTIFIED).order_by("pk"))
        if live:
            payment = live[value % len(live)]
            payments.reverse_payment(actor, payment, reason="property test",
                                     reversed_on=max(on, payment.received_on))


def sums(queryset, key: str) -> dict:
    return {row[key]: row["total"] for row in queryset.values(key).annotate(
        total=Sum("amount")).order_by()}


def check_the_books(employers) -> None:
    assert (Entry.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0
    by_invoice = sums(Allocation.objects.all(), "invoice_id")
    by_payment = sums(Allocation.objects.filter(payment__isnull=False), "payment_id")
    by_note = sums(Allocation.objects.filter(credit_note__isnull=False), "credit_note_id")
    for invoice in Invoice.objects.all():
        if invoice.total > 0:
            assert by_invoice.get(invoice.pk, 0) <= invoice.total
            assert (invoice.settled_on is not None) == (by_invoice.get(invoice.pk, 0)
                                                        == invoice.total)
        else:
            assert invoice.pk not in by_invoice
            assert by_note.get(invoice.pk, 0) <= -invoice.total
    for payment in Payment.objects.all():
        if payment.status == Payment.Status.IDENTIFIED:
            assert by_payment.get(payment.pk, 0) <= payment.amount
        else:
            assert payment.pk not in by_payment
    for employer in employers:
        invoices = list(Invoice.objects.filter(employer=employer).values_list("pk", "total"))
        billed = sum(total for _, total in invoices)
        paid = Payment.objects.filter(employer=employer, status=Payment.Status.IDENTIFIED)
        paid_total = paid.aggregate(total=Sum("amount"))["total"] or 0
        assert balance_of(employer=employer) == billed - paid_total
        available = paid_total - sum(total for _, total in invoices if total < 0)
        owed = sum(total for _, total in invoices if total > 0)
        allocated = defaultdict(int)
        for pk, _ in invoices:
            allocated[employer.pk] += by_invoice.get(pk, 0)
        assert allocated[employer.pk] == min(available, owed)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=16))
def test_random_sequences_keep_the_books_right(staff, employers, steps):
    actor = staff["central"]
    try:
        with transaction.atomic():
            for operation in steps:
                run_step(actor, employers, operation)
            check_the_books(employers)
            raise Rollback
    except Rollback:
        pass


@given(sources=st.lists(st.integers(1, 10**9), max_size=8),
       invoices=st.lists(st.integers(1, 10**9), max_size=8))
def test_allocation_pieces_cover_min_of_money_and_debt(sources, invoices):
    """The number-line matching alone, for one payer: oldest first, nothing over-allocated."""
    payer = np.full(len(sources), 2, dtype=np.int64)
    owing = np.full(len(invoices), 2, dtype=np.int64)
    pieces = list(zip(*(column.tolist() for column in payments.compute_allocations(
        payer, np.array(sources, dtype=np.int64), owing, np.array(invoices, dtype=np.int64))),
        strict=True))
    assert sum(piece[2] for piece in pieces) == min(sum(sources), sum(invoices))
    for source in range(len(sources)):
        assert sum(p[2] for p in pieces if p[0] == source) <= sources[source]
    paid_invoice = [sum(p[2] for p in pieces if p[1] == row) for row in range(len(invoices))]
    for row, value in enumerate(invoices):
        assert paid_invoice[row] <= value
        if paid_invoice[row] < value:  # oldest first: nothing reaches a later invoice
            assert all(paid == 0 for paid in paid_invoice[row + 1:])
    assert all(piece[2] > 0 for piece in pieces)


payer_amounts = st.lists(st.tuples(st.integers(1, 6), st.integers(1, 10**9)), max_size=20)


@given(sources=payer_amounts, invoices=payer_amounts)
def test_allocation_pieces_stay_within_each_payer(sources, invoices):
    """The number-line matching for several payers at once (some with only money, some with
    only invoices): every piece joins a payer's own money to its own invoice, and each payer
    allocates exactly min(its money, its debt)."""
    sources, invoices = sorted(sources, key=lambda row: row[0]), sorted(
        invoices, key=lambda row: row[0])
    source_payers = np.array([payer for payer, _ in sources], dtype=np.int64)
    invoice_payers = np.array([payer for payer, _ in invoices], dtype=np.int64)
    source_rows, invoice_rows, amounts = payments.compute_allocations(
        source_payers, np.array([amount for _, amount in sources], dtype=np.int64),
        invoice_payers, np.array([amount for _, amount in invoices], dtype=np.int64))
    assert (source_payers[source_rows] == invoice_payers[invoice_rows]).all()
    assert (amounts > 0).all()
    for payer in range(1, 7):
        money = sum(amount for who, amount in sources if who == payer)
        debt = sum(amount for who, amount in invoices if who == payer)
        assert int(amounts[source_payers[source_rows] == payer].sum()) == min(money, debt)
