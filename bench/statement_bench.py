"""An employer's statement of account with 10 years of history, on PostgreSQL, inside a big
ledger (target: under 100 ms).

Around the employer measured, the database holds 50,000 other employers with 10 invoices and
10 payments each in the fund's tables and their postings in the ledger (1,000,000 postings,
2,000,000 entries), written set-wise in SQL since only their bulk matters. The employer measured
gets its history through the real services: 120 monthly invoices, 120 payments (record_payment,
allocated as they come), 20 surcharge invoices and 2 credit notes over 2016-2025. Times
`statement_of_account` (with the scope check of a provincial officer) for the whole ten years
and for the last year, many times each, and prints p50/p95 as JSON.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakan_bench_payments \
       .venv/bin/python bench/statement_bench.py [--employers 50000] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


from common import machine, percentile, postgres_version  # noqa: E402
from payments_bench import DEFAULT_URL, make_employers, setup_database  # noqa: E402

TARGET_MS = 100.0
HISTORY_MONTHS = 120
FIRST_MONTH = datetime.date(2016, 1, 1)


def background(months: int) -> dict:
    """Every employer's receivable with `months` invoices and payments, in a few statements."""
    from django.db import connection

    started = time.perf_counter()
    statements = [
        "INSERT INTO ledger_account (code, name_en, name_lo, kind, owner_type, owner_id, "
        "scope_path, created_at) SELECT 'nssf:receivable:employer:' || e.id, 'Employer ' || e.id,"
        " '', 'asset', 'socialsecurity.employer', e.id, v.path, now() "
        "FROM socialsecurity_employer e JOIN registry_adminunit v ON v.id = e.village_id",
        "INSERT INTO ledger_account (code, name_en, name_lo, kind, owner_type, scope_path, "
        "created_at) VALUES ('bench:income', 'Income', '', 'income', '', '', now()), "
        "('bench:bank', 'Bank', '', 'asset', '', '', now())",
        f"INSERT INTO socialsecurity_invoice (kind, employer_id, village_id, month, "
        f"number_of_workers, insured_amount, employer_amount, state_subsidy, total, issued_on, "
        f"due_on, settled_on, ledger_key) SELECT 'contribution', e.id, e.village_id, "
        f"date '2020-01-01' + make_interval(months => m), 5, 500000, 600000, 0, 1100000, "
        f"date '2020-02-01' + make_interval(months => m), "
        f"date '2020-02-15' + make_interval(months => m), "
        f"date '2020-02-10' + make_interval(months => m), 'bg:invoice:' || e.id || ':' || m "
        f"FROM socialsecurity_employer e CROSS JOIN generate_series(0, {months - 1}) m",
        "INSERT INTO socialsecurity_payment (employer_id, village_id, amount, received_on, "
        "method, payer_reference, bank, bank_reference, status, entered_at, ledger_key) "
        "SELECT employer_id, village_id, total, settled_on, 'bank_transfer', '', 'BG', "
        "'bg-' || id, 'identified', now(), 'bg:payment:' || id FROM socialsecurity_invoice "
        "WHERE ledger_key LIKE 'bg:invoice:%'",
        "INSERT INTO ledger_transaction (key, kind, description, effective_date, created_at) "
        "SELECT ledger_key, 'nssf.invoice.contribution', '', issued_on, now() "
        "FROM socialsecurity_invoice WHERE ledger_key LIKE 'bg:invoice:%' UNION ALL "
        "SELECT ledger_key, 'nssf.payment', '', received_on, now() "
        "FROM socialsecurity_payment WHERE ledger_key LIKE 'bg:payment:%'",
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, effective_date) "
        "SELECT t.id, a.id, i.total, i.issued_on FROM socialsecurity_invoice i "
        "JOIN ledger_transaction t ON t.key = i.ledger_key "
        "JOIN ledger_account a ON a.code = 'nssf:receivable:employer:' || i.employer_id "
        "UNION ALL SELECT t.id, (SELECT id FROM ledger_account WHERE code = 'bench:income'), "
        "-i.total, i.issued_on FROM socialsecurity_invoice i "
        "JOIN ledger_transaction t ON t.key = i.ledger_key",
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, effective_date) "
        "SELECT t.id, a.id, -p.amount, p.received_on FROM socialsecurity_payment p "
        "JOIN ledger_transaction t ON t.key = p.ledger_key "
        "JOIN ledger_account a ON a.code = 'nssf:receivable:employer:' || p.employer_id "
        "UNION ALL SELECT t.id, (SELECT id FROM ledger_account WHERE code = 'bench:bank'), "
        "p.amount, p.received_on FROM socialsecurity_payment p "
        "JOIN ledger_transaction t ON t.key = p.ledger_key",
        "ANALYZE",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("SELECT count(*) FROM ledger_entry")
        entries = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM ledger_transaction")
        postings = cursor.fetchone()[0]
    return {"background_postings": postings, "background_entries": entries,
            "background_seconds": round(time.perf_counter() - started, 1)}


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def history_of_one_employer(officer):
    """Ten years of a real employer's life, written through the services."""
    from pakan.rules.social_security import due_date
    from pakan.socialsecurity.models import Employer, Invoice
    from pakan.socialsecurity.services import payments
    from pakan.socialsecurity.services.invoicing import invoice_key, issue_invoices

    neighbour = Employer.objects.order_by("pk").first()
    employer = Employer.objects.create(
        enterprise_number="ENT-MEASURED", nssf_registration_number="NSSF-MEASURED",
        name_lo="ບໍລິສັດ ທີ່ວັດແທກ", name_en="Measured Company", sector="C",
        number_of_workers=40, size_class="small", village_id=neighbour.village_id,
        status_since=FIRST_MONTH, registered_on=FIRST_MONTH)
    months = [add_months(FIRST_MONTH, offset) for offset in range(HISTORY_MONTHS)]
    invoices = [Invoice(kind="contribution", employer=employer, village_id=employer.village_id,
                        month=month, insured_amount=1_000_000 + offset * 1_000,
                        employer_amount=1_200_000, total=2_200_000 + offset * 1_000,
                        issued_on=add_months(month, 1), due_on=due_date(month),
                        ledger_key=invoice_key("contribution", f"{month:%Y-%m}",
                                               employer_id=employer.pk, suffix="hist"))
                for offset, month in enumerate(months)]
    for invoice in invoices:
        issue_invoices([invoice])
        if invoice.month.month % 6 == 1:
            surcharge_month = add_months(invoice.month, 2)
            surcharge = Invoice(
                kind="surcharge", employer=employer, village_id=employer.village_id,
                month=surcharge_month, surcharge_of=invoice, employer_amount=15_000, total=15_000,
                issued_on=add_months(surcharge_month, 1), due_on=due_date(surcharge_month),
                ledger_key=invoice_key("surcharge", f"{surcharge_month:%Y-%m}",
                                       employer_id=employer.pk, suffix=f"of:{invoice.pk}"))
            issue_invoices([surcharge])
        if invoice.month.month == 7 and invoice.month.year in (2018, 2022):
            issue_invoices([Invoice(
                kind="correction", employer=employer, village_id=employer.village_id,
                month=invoice.month, insured_amount=-50_000, employer_amount=-60_000,
                total=-110_000, issued_on=add_months(invoice.month, 2),
                due_on=add_months(invoice.month, 2),
                ledger_key=invoice_key("correction", f"{invoice.month:%Y-%m}",
                                       employer_id=employer.pk, suffix="credit"))])
        payments.allocate_open_credit(employer=employer)
        payments.record_payment(officer, amount=invoice.total + 10_000,
                                received_on=invoice.due_on - datetime.timedelta(days=3),
                                method="bank_transfer", employer=employer, bank="BCEL",
                                bank_reference=f"hist-{invoice.pk}",
                                today=datetime.date(2026, 12, 31))
    return employer


def measure(employer, officer, start: datetime.date, end: datetime.date, repeat: int) -> dict:
    from pakan.socialsecurity.selectors.accounts import statement_of_account

    statement_of_account(employer, start=start, end=end, user=officer)  # warm-up
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        statement = statement_of_account(employer, start=start, end=end, user=officer)
        timings.append((time.perf_counter() - started) * 1000)
    return {"start": start.isoformat(), "end": end.isoformat(), "lines": len(statement.lines),
            "opening_balance": statement.opening_balance,
            "closing_balance": statement.closing_balance,
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2),
            "max_ms": round(max(timings), 2), "repeat": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if "sqlite" in database_url:
        raise SystemExit("this benchmark measures PostgreSQL; set DATABASE_URL")
    setup_database(database_url)
    from pakan.accounts.models import Role, User
    from pakan.registry.models import AdminUnit
    from pakan.socialsecurity.selectors.accounts import balance_of

    report = {"benchmark": "statement_of_account", "date": datetime.date.today().isoformat(),
              "machine": {**machine(), "postgresql": postgres_version()},
              "employers": arguments.employers}
    make_employers(arguments.employers)
    report.update(background(arguments.months))
    officer = User.objects.create_user("bench_central", role=Role.CENTRAL_OFFICER,
                                       scope_unit=AdminUnit.objects.get(code="LA"))
    started = time.perf_counter()
    employer = history_of_one_employer(officer)
    report["history_seconds"] = round(time.perf_counter() - started, 1)
    province = User.objects.create_user(
        "bench_province", role=Role.PROVINCIAL_OFFICER,
        scope_unit=AdminUnit.objects.get(path=employer.village.path[:7]))
    ten_years = measure(employer, province, FIRST_MONTH, datetime.date(2025, 12, 31),
                        arguments.repeat)
    last_year = measure(employer, province, datetime.date(2025, 1, 1),
                        datetime.date(2025, 12, 31), arguments.repeat)
    report.update({
        "ten_years": ten_years, "last_year": last_year,
        "balance_check": ten_years["closing_balance"] == balance_of(
            employer=employer, as_of=datetime.date(2025, 12, 31)),
        "target_ms": TARGET_MS, "within_target": ten_years["p95_ms"] < TARGET_MS,
        "load_average_at_end": round(os.getloadavg()[0], 2),
    })
    text = json.dumps(report, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
