"""Eight processes post payments for the same employer at once, some under the same keys.

Each process is spawned fresh, sets Django up itself and opens its own connection to the test
database, so the race is between real PostgreSQL sessions: the unique key must let exactly one
posting per key through, and the employer's balance must come out exact.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os

import pytest
from django.db import connection, connections

WORKERS = 8
PAYMENTS_PER_WORKER = 12
STEP = 6  # each worker's keys overlap half of the next worker's
PAYMENT_DATE = datetime.date(2025, 4, 10)


def payment_keys(worker: int) -> list[str]:
    first = worker * STEP
    numbers = range(first, first + PAYMENTS_PER_WORKER)
    keys = [f"payment:statement-7:line:{number}" for number in numbers]
    return [*keys, "payment:statement-7:line:shared"]


def payment_amount(key: str) -> int:
    number = key.rsplit(":", 1)[1]
    return 1_000_000 + (999 if number == "shared" else int(number))


def post_payments(database_name: str, worker: int, start_together) -> None:
    """Runs in a child process: Django is set up here, with a connection of its own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = database_name
    connections["default"].settings_dict["NAME"] = database_name
    from pakan.ledger import services

    keys = payment_keys(worker)
    start_together.wait(timeout=60)
    if worker % 2:  # half the workers go through the batch path
        services.post_many([
            services.Posting(key, [("asset:bank", payment_amount(key)),
                                   ("receivable:employer:123", -payment_amount(key))],
                             kind="payment", effective_date=PAYMENT_DATE)
            for key in keys
        ])
    else:
        for key in keys:
            services.post(key, [("asset:bank", payment_amount(key)),
                                ("receivable:employer:123", -payment_amount(key))],
                          kind="payment", effective_date=PAYMENT_DATE)
    connections.close_all()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_processes_paying_the_same_employer_post_each_key_once():
    from pakan.ledger import selectors, services
    from pakan.ledger.models import Entry, Transaction

    receivable = services.ensure_account("receivable:employer:123", name_en="Employer 123",
                                         kind="asset")
    bank = services.ensure_account("asset:bank", name_en="Bank", kind="asset")
    database_name = connection.settings_dict["NAME"]
    connections.close_all()  # children must not share the parent's socket

    context = multiprocessing.get_context("spawn")
    start_together = context.Barrier(WORKERS)
    workers = [context.Process(target=post_payments, args=(database_name, worker, start_together))
               for worker in range(WORKERS)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert [process.exitcode for process in workers] == [0] * WORKERS

    distinct_keys = {key for worker in range(WORKERS) for key in payment_keys(worker)}
    expected_total = sum(payment_amount(key) for key in distinct_keys)
    assert Transaction.objects.count() == len(distinct_keys)
    assert set(Transaction.objects.values_list("key", flat=True)) == distinct_keys
    assert Entry.objects.count() == 2 * len(distinct_keys)
    assert selectors.balance(receivable) == -expected_total
    assert selectors.balance(bank) == expected_total
    assert selectors.trial_balance().total == 0
