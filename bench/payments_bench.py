"""Matching 50,000 bank payments to invoices on PostgreSQL (target: under 5 seconds).

Builds a fund of 50,000 employers with three monthly invoices each (issued through
issue_invoices, so every invoice is posted), then imports bank statements of 50,000 lines each:
payer references are invoice numbers (60%), NSSF registration numbers (38%) or unknown (2%);
amounts pay an invoice exactly, part of it, or more than it. Times:

- `matching`: the set-based allocation of the 50,000 payments (allocate_for_debtors: lock the
  payers, read their money and open invoices, compute every allocation with numpy, insert them,
  settle invoices) — the figure the target is about; its phases in `matching_phases_seconds`;
- `import`: the whole import_bank_statement (read and check the file, resolve the references,
  insert the payments, post them with post_many, match), with its phases;
- `one_by_one`: record_payment for a sample of payments, one call each (post + allocate per
  payment), extrapolated to 50,000 for the ratio.

The database named in DATABASE_URL (default pakan_bench_payments) is dropped and created.
Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakan_bench_payments \
       .venv/bin/python bench/payments_bench.py [--employers 50000] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import PhaseTimer, machine, postgres_version  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pakan_bench_payments"
TARGET_SECONDS = 5.0
VILLAGES = 40
# The matching's phases (functions of pakan.socialsecurity.services.payments): lock the payers,
# read their open invoices, compute the allocations (numpy), insert them, settle the invoices
# paid in full and mark the contribution records they billed paid.
MATCHING_PHASES = (("lock_debtors", "lock_payers"), ("_open_invoices", "open_invoices"),
                   ("_allocations", "compute"), ("_insert_allocations", "insert_allocations"),
                   ("_settle", "settle_invoices"),
                   ("mark_paid_for_invoices", "mark_records_paid"))


def setup_database(database_url: str) -> None:
    """Drop and create the database, point Django at it, migrate, load the geography."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    os.environ.setdefault("PAKAN_VAR_DIR", tempfile.mkdtemp(prefix="pakan-bench-"))
    import django

    django.setup()
    from django.core.management import call_command

    from pakan.registry.geography import UnitRow, load_official_geography, upsert_units
    from pakan.registry.models import AdminUnit

    call_command("migrate", verbosity=0)
    load_official_geography()
    districts = list(AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT)
                     .order_by("code").values_list("code", flat=True))
    upsert_units([UnitRow(f"{districts[number % len(districts)]}{900 + number:03d}",
                          districts[number % len(districts)], AdminUnit.Level.VILLAGE,
                          f"Bench village {number}", f"ບ້ານ {number}")
                  for number in range(VILLAGES)])


def make_employers(count: int) -> list:
    """Employers in bulk (set-up, not timed): their registration numbers are references."""
    from pakan.registry.models import AdminUnit
    from pakan.socialsecurity.models import Employer

    villages = list(AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE)
                    .values_list("pk", flat=True))
    started = datetime.date(2015, 1, 1)
    Employer.objects.bulk_create([
        Employer(enterprise_number=f"ENT{number:08d}", nssf_registration_number=f"NSSF{number:08d}",
                 name_lo=f"ບໍລິສັດ {number}", name_en=f"Company {number}", sector="C",
                 number_of_workers=5, size_class="small", village_id=villages[number % len(
                     villages)], status_since=started, registered_on=started)
        for number in range(count)], batch_size=5000)
    return list(Employer.objects.order_by("pk").values_list("pk", "village_id"))


def issue_month(employers: list, month: datetime.date, generator) -> None:
    from pakan.rules.social_security import due_date
    from pakan.socialsecurity.models import Invoice
    from pakan.socialsecurity.services.invoicing import invoice_key, issue_invoices

    totals = np.round(generator.lognormal(np.log(1_500_000), 0.8, len(employers)), -3)
    issued_on = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    invoices = []
    for (pk, village_id), total in zip(employers, totals.astype(np.int64).tolist(), strict=True):
        insured = total * 55 // 115
        invoices.append(Invoice(
            kind="contribution", employer_id=pk, village_id=village_id, month=month,
            insured_amount=insured, employer_amount=total - insured, total=total,
            issued_on=issued_on, due_on=due_date(month),
            ledger_key=invoice_key("contribution", f"{month:%Y-%m}", employer_id=pk)))
    issue_invoices(invoices)


def write_statement(path: Path, employers: list, month: datetime.date, received_on,
                    generator, tag: str) -> int:
    """50,000 lines: invoice numbers, registration numbers, a few unknown references."""
    from pakan.socialsecurity.models import Invoice

    rows = list(Invoice.objects.filter(month=month, kind="contribution").order_by("employer_id")
                .values_list("pk", "employer_id", "total"))
    choice = generator.random(len(rows))
    share = generator.choice([1.0, 1.0, 1.0, 0.5, 1.3], size=len(rows))
    lines = ["date,amount,payer_reference,bank_reference"]
    for position, ((pk, employer_id, total), pick, part) in enumerate(
            zip(rows, choice.tolist(), share.tolist(), strict=True)):
        if pick < 0.60:
            reference = f"C{month:%Y%m}-{pk:08d}"
        elif pick < 0.98:
            reference = f"NSSF{employer_id - employers[0][0]:08d}"
        else:
            reference = f"UNKNOWN{position}"
        amount = max(1, int(total * part))
        lines.append(f"{received_on:%Y-%m-%d},{amount},{reference},{tag}-{position:06d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def one_by_one(employers: list, sample: int, received_on: datetime.date) -> float:
    """Seconds per payment through record_payment (post + allocate per call)."""
    from pakan.accounts.models import Role, User
    from pakan.registry.models import AdminUnit
    from pakan.socialsecurity.models import Employer
    from pakan.socialsecurity.services import payments

    officer = User.objects.create_user("bench_officer", role=Role.CENTRAL_OFFICER,
                                       scope_unit=AdminUnit.objects.get(code="LA"))
    chosen = Employer.objects.filter(pk__in=[pk for pk, _ in employers[-sample:]])
    started = time.perf_counter()
    for employer in chosen:
        payments.record_payment(officer, amount=700_000, received_on=received_on,
                                method="bank_transfer", employer=employer, bank="SLOW",
                                bank_reference=f"slow-{employer.pk}")
    return (time.perf_counter() - started) / sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if "sqlite" in database_url:
        raise SystemExit("this benchmark measures PostgreSQL; set DATABASE_URL")
    setup_database(database_url)
    report = {"benchmark": "payments", "date": datetime.date.today().isoformat(),
              "machine": {**machine(), "postgresql": postgres_version()},
              "employers": arguments.employers}
    from pakan.accounts.models import Role, User
    from pakan.registry.models import AdminUnit
    from pakan.socialsecurity.models import Allocation
    from pakan.socialsecurity.services import payments

    generator = np.random.default_rng(2026)
    started = time.perf_counter()
    employers = make_employers(arguments.employers)
    months = [datetime.date(2025, month, 1) for month in range(1, arguments.runs + 1)]
    for month in months:
        issue_month(employers, month, generator)
    report["setup_seconds"] = round(time.perf_counter() - started, 1)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics after the bulk set-up, as
        cursor.execute("ANALYZE")         # autovacuum would give a live database

    timer = PhaseTimer()
    for name, label in (("read_statement", "read_and_check_file"),
                        ("resolve_payers", "resolve_references"),
                        ("_insert_payments", "insert_payments"),
                        ("_earlier_bank_references", "find_earlier_transactions"),
                        ("_open_missing_receivables", "open_missing_receivables"),
                        ("_new_payments", "build_payments"),
                        ("allocate_for_debtors", "matching")):
        timer.wrap(payments, name, label)
    timer.wrap(payments.ledger, "post_many", "post_many")
    matching_timer = PhaseTimer()  # the matching's own phases, inside allocate_for_debtors
    for name, label in MATCHING_PHASES:
        matching_timer.wrap(payments, name, label)
    officer = User.objects.create_user("bench_central", role=Role.CENTRAL_OFFICER,
                                       scope_unit=AdminUnit.objects.get(code="LA"))
    runs = []
    with tempfile.TemporaryDirectory() as work:
        for number, month in enumerate(months):
            path = Path(work) / f"statement-{number}.csv"
            received_on = (month.replace(day=28) + datetime.timedelta(days=20))
            lines = write_statement(path, employers, month, received_on, generator, f"R{number}")
            timer.seconds.clear()
            matching_timer.seconds.clear()
            allocations_before = Allocation.objects.count()
            started = time.perf_counter()
            statement = payments.import_bank_statement(officer, path, path.name, bank="BCEL",
                                                       today=datetime.date(2026, 1, 1))
            total = time.perf_counter() - started
            runs.append({"lines": lines, "import_seconds": round(total, 3),
                         "phases_seconds": {k: round(v, 3) for k, v in timer.seconds.items()},
                         "matching_phases_seconds": {
                             k: round(v, 3) for k, v in matching_timer.seconds.items()},
                         "identified": statement.outcome.identified,
                         "unidentified": statement.outcome.unidentified,
                         "allocations": Allocation.objects.count() - allocations_before,
                         "invoices_settled": statement.outcome.allocation.invoices_settled})
    matching = [run["phases_seconds"]["matching"] for run in runs]
    imports = [run["import_seconds"] for run in runs]
    per_payment = one_by_one(employers, arguments.sample, datetime.date(2025, 6, 1))
    report.update({
        "runs": runs,
        "matching_seconds_median": round(statistics.median(matching), 3),
        "import_seconds_median": round(statistics.median(imports), 3),
        "one_by_one_seconds_per_payment": round(per_payment, 5),
        "one_by_one_sample": arguments.sample,
        "one_by_one_extrapolated_seconds": round(per_payment * runs[0]["lines"], 1),
        "speedup_matching_vs_one_by_one": round(per_payment * runs[0]["lines"]
                                                / statistics.median(matching)),
        "speedup_import_vs_one_by_one": round(per_payment * runs[0]["lines"]
                                              / statistics.median(imports), 1),
        "target_seconds": TARGET_SECONDS,
        "matching_within_target": max(matching) < TARGET_SECONDS,
        "import_within_target": statistics.median(imports) < TARGET_SECONDS,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_at_end": round(os.getloadavg()[0], 2),
    })
    text = json.dumps(report, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
