"""Eight processes record payments for the same employer at once, on PostgreSQL.

Each process is spawned fresh and opens its own connection, so the race is between real
sessions: each reads the employer's open invoices and money, and writes allocations. Without
the lock on the employer row two sessions would both see the same invoice open and both
allocate to it. The test ends with exact balances, every invoice allocated at most its total,
and exactly min(paid, billed) allocated.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os

import pytest
from django.db import connection, connections
from django.db.models import Sum

WORKERS = 8
PAYMENTS_PER_WORKER = 5
RECEIVED_ON = datetime.date(2025, 6, 10)


def payment_amount(worker: int, number: int) -> int:
    return 130_000 + worker * 1_000 + number * 7


def record_payments(database_name: str, worker: int, employer_id: int, officer_id: int,
                    start_together) -> None:
    """Runs in a child process: Django is set up here, with a connection of its own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = database_name
    connections["default"].settings_dict["NAME"] = database_name
    from pakan.accounts.models import User
    from pakan.socialsecurity.models import Employer
    from pakan.socialsecurity.services import payments

    officer = User.objects.get(pk=officer_id)
    employer = Employer.objects.get(pk=employer_id)
    start_together.wait(timeout=60)
    for number in range(PAYMENTS_PER_WORKER):
        payments.record_payment(officer, amount=payment_amount(worker, number),
                                received_on=RECEIVED_ON, method="bank_transfer",
                                employer=employer, bank="BCEL",
                                bank_reference=f"W{worker}-{number}")
    connections.close_all()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_processes_paying_one_employer_allocate_exactly(staff, geography):
    from pakan.ledger import selectors
    from pakan.socialsecurity.models import Allocation, Invoice, Payment
    from pakan.socialsecurity.selectors.accounts import balance_of
    from tests.factories import make_employer
    from tests.fund_billing import bill

    employer = make_employer(geography["0101001"])
    months = [datetime.date(2024, month, 1) for month in range(1, 13)]
    invoices = [bill(employer, month, 400_000 + position * 10_001)
                for position, month in enumerate(months)]
    billed = sum(invoice.total for invoice in invoices)
    database_name = connection.settings_dict["NAME"]
    connections.close_all()  # children must not share the parent's socket

    context = multiprocessing.get_context("spawn")
    start_together = context.Barrier(WORKERS)
    workers = [context.Process(target=record_payments,
                               args=(database_name, worker, employer.pk,
                                     staff["central"].pk, start_together))
               for worker in range(WORKERS)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * WORKERS

    paid = sum(payment_amount(worker, number) for worker in range(WORKERS)
               for number in range(PAYMENTS_PER_WORKER))
    assert Payment.objects.count() == WORKERS * PAYMENTS_PER_WORKER
    assert balance_of(employer=employer) == billed - paid
    assert selectors.trial_balance().total == 0
    by_invoice = dict(Allocation.objects.values("invoice_id").annotate(total=Sum("amount"))
                      .values_list("invoice_id", "total"))
    for invoice in Invoice.objects.filter(employer=employer):
        assert by_invoice.get(invoice.pk, 0) <= invoice.total
        assert (invoice.settled_on is not None) == (by_invoice.get(invoice.pk, 0)
                                                    == invoice.total)
    by_payment = dict(Allocation.objects.values("payment_id").annotate(total=Sum("amount"))
                      .values_list("payment_id", "total"))
    for payment in Payment.objects.all():
        assert by_payment.get(payment.pk, 0) <= payment.amount
    assert sum(by_invoice.values()) == min(paid, billed)
