"""Benchmark of billing one month for the whole country on PostgreSQL, against one ORM save
per row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakan_bench_billing \
        .venv/bin/python bench/billing_bench.py

The script creates the database named in DATABASE_URL (dropping it first), and drops it at
the end (--keep to look at it afterwards). Set-up, not timed: the schema, the official
geography with a few villages per district, then, in set SQL and COPY, --workers insured
people (registry person, insured member, membership: 1 in 20 a civil servant, the rest
enterprise employees), --employers employers whose sizes follow a long tail (log-normal: most
have a handful of workers, a few have thousands), one employment spell per worker with a wage
from the minimum wage up (a long upper tail, some above the ceiling), and one accepted
declaration per employer for --month with one line per worker.

Timed:
(a) pakan.socialsecurity.services.billing.run_billing(month) in a child process whose peak
    resident memory (ru_maxrss) is read when it ends: read every line with its category,
    compute the shares (pakan.rules), issue one invoice per employer and post it to the ledger,
    write each worker's ContributionRecord. --repeat runs; before each, the billing's output
    (invoices, records, ledger postings, the run) is emptied and the server checkpoints. The
    first run also opens the 50,000 employers' receivable accounts (as the first billing of a
    new fund would); later runs find them, as every later month does;
(b) a second call on the finished month (it must change nothing);
(c) the same work with one ORM save per row on a sample of --orm-sample workers (whole
    employers): per worker a membership look-up, pakan.rules on one wage and
    ContributionRecord.save(); per employer Invoice.save() and one ledger post(). Rolled back
    afterwards. Its time per worker, times the number of workers, is compared with (a).

The JSON is printed and saved to bench/results/billing.json.

Iterating: `--keep` keeps the database, and `--reuse` then skips the set-up when the kept
database already holds a fund of the same size (about 3 minutes at full scale);
`--orm-sample 0` skips (c); `--profile FILE` writes the first child's cProfile statistics.
The child's JSON carries run_billing's time per phase (`phases`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "billing.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pakan_bench_billing"
TARGET_SECONDS = 10.0
TARGET_PEAK_RSS_MB = 1024
VILLAGES_PER_DISTRICT = 3
MINIMUM_WAGE_2025 = 2_500_000

sys.path.insert(0, str(ROOT))
from common import (  # noqa: E402
    PhaseTimer,
    machine,
    measured_child,
    postgres_version,
    psycopg_url,
    recreate_database,
    setup_django,
)

# --- set-up (not timed) -------------------------------------------------------------------------


def employer_sizes(workers: int, employers: int, seed: int):
    """Workers per employer: log-normal (median about 6, mean workers/employers), at least 1,
    summing exactly to `workers`."""
    import numpy as np

    generator = np.random.default_rng(seed)
    weights = generator.lognormal(mean=0.0, sigma=1.6, size=employers)
    sizes = np.maximum(1, np.floor(weights / weights.sum() * workers)).astype(np.int64)
    sizes[int(np.argmax(sizes))] += workers - int(sizes.sum())
    while int(sizes.min()) < 1:  # the largest gave back more than it had: spread the rest
        largest = int(np.argmax(sizes))
        smallest = int(np.argmin(sizes))
        moved = 1 - int(sizes[smallest])
        sizes[smallest] += moved
        sizes[largest] -= moved
    return sizes


def wages(workers: int, seed: int):
    """From the minimum wage up, with a long upper tail; whole thousands of kip."""
    import numpy as np

    generator = np.random.default_rng(seed + 1)
    extra = generator.lognormal(mean=13.3, sigma=1.1, size=workers)
    return (MINIMUM_WAGE_2025 + np.round(extra / 1000) * 1000).astype(np.int64)


def copy_rows(cursor, sql: str, columns: list) -> None:
    """COPY whole numpy/int columns as text, one chunk at a time."""
    rows = len(columns[0])
    step = 200_000
    with cursor.copy(sql) as copy:
        for start in range(0, rows, step):
            parts = [column[start:start + step] for column in columns]
            lines = "\n".join("\t".join(map(str, values)) for values in zip(*parts, strict=True))
            copy.write(lines + "\n")


def build_fund(workers: int, employers: int, month: datetime.date, seed: int) -> dict:
    """People, members, employers, employment and one accepted declaration per employer, in
    set SQL and COPY."""
    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction

    from pakan.registry.geography import UnitRow, load_official_geography, upsert_units
    from pakan.registry.models import AdminUnit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_official_geography()
    districts = AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT).values_list("code",
                                                                                     flat=True)
    upsert_units([UnitRow(f"{district}{number:03d}", district, AdminUnit.Level.VILLAGE,
                          f"Ban {district}-{number}", f"ບ້ານ {district}-{number}")
                  for district in districts for number in range(1, VILLAGES_PER_DISTRICT + 1)])
    sizes = employer_sizes(workers, employers, seed)
    worker_wages = wages(workers, seed)
    registered = datetime.date(2019, 1, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_villages AS SELECT row_number() OVER (ORDER BY id) - 1 "
            "AS position, id FROM registry_adminunit WHERE level = %s",
            [AdminUnit.Level.VILLAGE])
        cursor.execute("SELECT count(*) FROM bench_villages")
        villages = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO registry_person (national_id, family_book_number, given_name_lo, "
            "family_name_lo, given_name_latin, family_name_latin, sex, date_of_birth, "
            "village_id, relationship_to_head, uxo_survivor, phone, given_key_latin, "
            "family_key_latin, given_key_lo, family_key_lo, status, created_at, updated_at) "
            "SELECT 'NID' || lpad(g::text, 9, '0'), '', 'ສົມໃຈ', 'ພົມມະວົງ', 'Somchai', "
            "'Phommavong', CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END, "
            "DATE '1960-01-01' + (g %% 15000), village.id, '', false, '', 'somchai', "
            "'phommavong', 'ສົມໃຈ', 'ພົມມະວົງ', 'active', now(), now() "
            "FROM generate_series(1, %s) AS g JOIN bench_villages village "
            "ON village.position = g %% %s", [workers, villages])
        cursor.execute(
            "INSERT INTO socialsecurity_insuredmember (person_id, social_security_number, "
            "created_at, updated_at) SELECT id, 'SS' || lpad(id::text, 10, '0'), now(), now() "
            "FROM registry_person")
        cursor.execute(
            "INSERT INTO socialsecurity_membershipspell (member_id, category, start_on) "
            "SELECT id, CASE WHEN id %% 20 = 0 THEN 'civil_servant' "
            "ELSE 'enterprise_employee' END, %s FROM socialsecurity_insuredmember",
            [registered])
        cursor.execute(
            "INSERT INTO socialsecurity_employer (enterprise_number, nssf_registration_number, "
            "name_lo, name_en, sector, number_of_workers, size_class, village_id, "
            "contact_person, phone, email, status, status_since, registered_on, created_at, "
            "updated_at) "
            "SELECT 'ENT' || lpad(size.position::text, 8, '0'), "
            "'NSSF' || lpad(size.position::text, 8, '0'), 'ບໍລິສັດ', "
            "'Company ' || size.position, chr(65 + (size.position %% 19)::int), size.workers, "
            "CASE WHEN size.workers <= 5 THEN 'micro' WHEN size.workers <= 50 THEN 'small' "
            "WHEN size.workers <= 99 THEN 'medium' ELSE 'large' END, village.id, '', '', '', "
            "'active', %s, %s, now(), now() "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS size(workers, position) "
            "JOIN bench_villages village ON village.position = size.position %% %s "
            "ORDER BY size.position",
            [registered, registered, sizes.tolist(), villages])
        cursor.execute("SELECT id FROM socialsecurity_employer ORDER BY id")
        employer_ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        cursor.execute("SELECT id FROM socialsecurity_insuredmember ORDER BY id")
        member_ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        employer_of_worker = np.repeat(employer_ids, sizes)
        copy_rows(cursor, "COPY socialsecurity_employmentspell (member_id, employer_id, "
                          "start_on, monthly_wage) FROM STDIN",
                  [member_ids.tolist(), employer_of_worker.tolist(),
                   [registered.isoformat()] * workers, worker_wages.tolist()])
        cursor.execute(
            "INSERT INTO socialsecurity_declaration (employer_id, month, status, channel, "
            "number_of_lines, total_wages, file_name, file_sha256, errors, submitted_at) "
            "SELECT employer_id, %s, 'accepted', 'upload', count(*), sum(monthly_wage), "
            "'declaration.csv', '', '[]'::jsonb, now() FROM socialsecurity_employmentspell "
            "GROUP BY employer_id ORDER BY employer_id", [month])
        cursor.execute(
            "INSERT INTO socialsecurity_declarationline (declaration_id, line_number, member_id, "
            "monthly_wage) SELECT declaration.id, 1 + row_number() OVER ("
            "PARTITION BY spell.employer_id ORDER BY spell.member_id), spell.member_id, "
            "spell.monthly_wage FROM socialsecurity_employmentspell spell "
            "JOIN socialsecurity_declaration declaration "
            "ON declaration.employer_id = spell.employer_id")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "workers": workers,
        "employers": employers,
        "villages": villages,
        "employer_size_median": float(np.median(sizes)),
        "employer_size_mean": float(sizes.mean()),
        "employer_size_p99": float(np.percentile(sizes, 99)),
        "employer_size_max": int(sizes.max()),
        "employers_with_5_or_fewer_workers": int((sizes <= 5).sum()),
        "wage_median": float(np.median(worker_wages)),
        "workers_above_ceiling": int((worker_wages > 4_500_000).sum()),
        "setup_seconds": time.perf_counter() - started,
    }


# --- (a) the billing, in a child process -------------------------------------------------------


def timed_phases() -> dict[str, float]:
    """Wrap the billing's steps; returns the dict their times add up in."""
    from django.db import connection

    from pakan.ledger import services as ledger
    from pakan.socialsecurity.services import billing, invoicing

    timer = PhaseTimer()
    for owner, name, label in (
            (billing, "_pending", "pending declarations"),
            (billing, "_read_lines", "read lines, categories and rules"),
            (billing, "_latest_spells", "of which membership spells (on the second connection)"),
            (billing, "_categories", "of which categories (numpy)"),
            (billing.rules, "contributions", "of which rules"),
            (billing, "issue_employer_invoices", "invoices (with ledger)"),
            (invoicing, "_employer_account_ids", "of which receivable accounts"),
            (invoicing, "_insert_employer_invoices", "of which invoice rows"),
            (invoicing, "post_columns", "of which ledger"),
            (ledger, "_insert_columns_postgresql", "of which ledger rows"),
            (billing, "_insert_records", "contribution records (on the second connection)"),
            (billing._RecordsBeside, "written", "waiting for the records"),
            (billing, "_check_deferred_constraints", "deferred checks (ledger entries)"),
            (billing._RecordsBeside, "commit", "records' commit"),
            (billing, "_add_to_run", "run counters"),
            (connection, "commit", "commits")):
        if hasattr(owner, name):
            timer.wrap(owner, name, label)
    return timer.seconds


def child_billing(month_text: str, profile: str = "") -> None:
    from pakan.socialsecurity.services.billing import run_billing

    month = datetime.date.fromisoformat(f"{month_text}-01")
    progress_calls = []
    phases = timed_phases()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    run = run_billing(month, issued_on=month.replace(day=28) + datetime.timedelta(days=4),
                      progress=lambda done, total: progress_calls.append(
                          (done, total, time.perf_counter() - started)))
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    print(json.dumps({
        "seconds": seconds,
        "status": run.status,
        "invoices": run.number_of_invoices,
        "workers": run.number_of_workers,
        "total_amount": run.total_amount,
        "chunks": len(progress_calls) - 1,
        "phases": {name: round(value, 3) for name, value in phases.items()},
        "provisional_parameters": sorted(
            name for name, used in run.parameters_used.items() if used["provisional"]),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_child(database_url: str, var_dir: Path, month_text: str, profile: str = "") -> dict:
    return measured_child(__file__, ["--child-billing", month_text]
                          + (["--profile", profile] if profile else []),
                          database_url, var_dir, "billing")


def empty_billing() -> None:
    """Remove what a billing run wrote (receivable accounts are kept, as in a live fund)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE socialsecurity_invoice, socialsecurity_contributionrecord, "
            "socialsecurity_billingrun, ledger_entry, ledger_transaction CASCADE")
        cursor.execute("VACUUM ANALYZE socialsecurity_invoice")


def billing_state() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM socialsecurity_invoice), "
            "(SELECT coalesce(sum(total), 0) FROM socialsecurity_invoice), "
            "(SELECT count(*) FROM socialsecurity_contributionrecord), "
            "(SELECT count(DISTINCT member_id) FROM socialsecurity_contributionrecord), "
            "(SELECT count(*) FROM ledger_transaction), (SELECT count(*) FROM ledger_entry), "
            "(SELECT coalesce(sum(amount), 0) FROM ledger_entry)")
        invoices, total, records, members, postings, entries, ledger_sum = cursor.fetchone()
    return {"invoices": invoices, "invoiced_total": int(total), "records": records,
            "distinct_members": members, "postings": postings, "entries": entries,
            "ledger_sum": int(ledger_sum)}


def existing_fund(database_url: str, workers: int, employers: int,
                  month: datetime.date) -> dict | None:
    """The kept database's fund when it has the asked size (for --reuse), else None."""
    import psycopg

    try:
        with psycopg.connect(psycopg_url(database_url)) as connection:
            employer_count, line_count = connection.execute(
                "SELECT (SELECT count(*) FROM socialsecurity_employer), "
                "(SELECT count(*) FROM socialsecurity_declarationline line "
                " JOIN socialsecurity_declaration declaration "
                " ON declaration.id = line.declaration_id "
                " WHERE declaration.month = %s AND declaration.status = 'accepted')",
                [month]).fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None
    if (employer_count, line_count) != (employers, workers):
        return None
    return {"workers": workers, "employers": employers, "reused": True}


# --- (c) one ORM save per row --------------------------------------------------------------------


class _RollBack(Exception):
    pass


def orm_per_row(month: datetime.date, sample: int) -> dict:
    from django.db import transaction
    from django.db.models import Q

    from pakan.ledger.services import post
    from pakan.rules import social_security as rules
    from pakan.socialsecurity import accounting
    from pakan.socialsecurity.models import (
        ContributionRecord,
        Declaration,
        Invoice,
        MembershipSpell,
    )
    from pakan.socialsecurity.services.invoicing import invoice_key

    declarations = []
    workers = 0
    for declaration in (Declaration.objects.filter(month=month, status="accepted")
                        .select_related("employer").order_by("employer_id").iterator()):
        declarations.append(declaration)
        workers += declaration.number_of_lines
        if workers >= sample:
            break
    due_on = rules.due_date(month)
    with contextlib.suppress(_RollBack), transaction.atomic():
        accounting.ensure_debtor_accounts(
            [(declaration.employer_id, "") for declaration in declarations])
        started = time.perf_counter()
        for declaration in declarations:
            insured_total = employer_total = 0
            lines = list(declaration.lines.all())
            for line in lines:
                spell = MembershipSpell.objects.filter(
                    Q(end_on__isnull=True) | Q(end_on__gte=month), member_id=line.member_id,
                    start_on__lte=month).order_by("-start_on").first()
                result = rules.contributions([line.monthly_wage], [spell.category], month)
                ContributionRecord(
                    member_id=line.member_id, month=month, employer_id=declaration.employer_id,
                    insurable_wage=int(result.insurable_wage[0]),
                    insured_amount=int(result.insured[0]),
                    employer_amount=int(result.employer[0]), source="declaration").save()
                insured_total += int(result.insured[0])
                employer_total += int(result.employer[0])
            invoice = Invoice(
                kind="contribution", employer_id=declaration.employer_id,
                village_id=declaration.employer.village_id, month=month,
                declaration=declaration, number_of_workers=len(lines),
                insured_amount=insured_total, employer_amount=employer_total,
                total=insured_total + employer_total, issued_on=due_on, due_on=due_on,
                ledger_key=invoice_key("contribution", f"{month:%Y-%m}",
                                       employer_id=declaration.employer_id))
            invoice.save()
            posting = accounting.invoice_posting(
                ledger_key=invoice.ledger_key,
                debtor_account=accounting.employer_account_code(declaration.employer_id),
                insured_amount=insured_total, employer_amount=employer_total,
                kind="contribution", issued_on=due_on)
            post(posting.key, posting.lines, kind=posting.kind,
                 effective_date=posting.effective_date)
        seconds = time.perf_counter() - started
        raise _RollBack
    return {"workers": workers, "employers": len(declarations), "seconds": seconds,
            "workers_per_second": workers / seconds}


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--month", default="2025-01")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orm-sample", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="skip the set-up when the database already holds this fund")
    parser.add_argument("--profile", default="",
                        help="write the first run's cProfile statistics to this file")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child-billing", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL

    if arguments.child_billing:
        setup_django(database_url, Path(os.environ["PAKAN_VAR_DIR"]))
        child_billing(arguments.child_billing, arguments.profile)
        return

    month = datetime.date.fromisoformat(f"{arguments.month}-01")
    host = machine()
    fund = None
    if arguments.reuse:
        fund = existing_fund(database_url, arguments.workers, arguments.employers, month)
    if fund is None:
        recreate_database(database_url)
    with tempfile.TemporaryDirectory(prefix="pakan-bench-billing-") as work:
        var_dir = Path(work)
        setup_django(database_url, var_dir)
        try:
            if fund is None:
                fund = build_fund(arguments.workers, arguments.employers, month,
                                  arguments.seed)
            else:
                from django.core.management import call_command

                call_command("migrate", verbosity=0)  # the kept fund, on today's schema
                empty_billing()  # the kept fund may hold the last run's billing
            orm = orm_per_row(month, arguments.orm_sample) if arguments.orm_sample else None
            runs = []
            for repeat in range(arguments.repeat):
                empty_billing()
                result = run_child(database_url, var_dir, arguments.month,
                                   arguments.profile if repeat == 0 else "")
                result["state"] = billing_state()
                result["receivable_accounts_opened"] = repeat == 0
                runs.append(result)
                print(f"run {repeat + 1}: {result['seconds']:.2f} s, "
                      f"peak {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
            before = billing_state()
            again = run_child(database_url, var_dir, arguments.month)
            rerun_changed_nothing = billing_state() == before
            server = postgres_version()
        finally:
            from django.db import connections

            connections.close_all()
            if not arguments.keep:
                recreate_database(database_url, drop_only=True)

    seconds = [run["seconds"] for run in runs]
    median_run = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    orm_seconds_for_all = arguments.workers / orm["workers_per_second"] if orm else None
    expected_records = arguments.workers
    figures = {
        "benchmark": "billing one month (pakan.socialsecurity.services.billing.run_billing)",
        "date": datetime.date.today().isoformat(),
        "machine": host,
        "postgresql": server,
        "month": arguments.month,
        "fund": fund,
        "seconds_median": statistics.median(seconds),
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "peak_rss_mb_max": max(run["peak_rss_mb"] for run in runs),
        "workers_per_second": arguments.workers / statistics.median(seconds),
        "median_run": median_run,
        "runs": runs,
        "second_call_seconds": again["seconds"],
        "second_call_changed_nothing": rerun_changed_nothing,
        "every_worker_billed_once": all(
            run["state"]["records"] == expected_records
            and run["state"]["distinct_members"] == expected_records for run in runs),
        "ledger_balances": all(run["state"]["ledger_sum"] == 0 for run in runs),
        "orm_per_row": {**orm, "extrapolated_seconds_for_all_workers": orm_seconds_for_all}
        if orm else None,
        "speedup_over_orm_per_row": orm_seconds_for_all / statistics.median(seconds)
        if orm else None,
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_PEAK_RSS_MB},
        "met": statistics.median(seconds) < TARGET_SECONDS
        and max(run["peak_rss_mb"] for run in runs) < TARGET_PEAK_RSS_MB,
    }
    text = json.dumps(figures, indent=2)
    print(text)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
