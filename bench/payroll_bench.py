"""Benchmark of the monthly pension payroll for 100,000 pensioners on PostgreSQL, bank files and
register included (target: under 3 seconds), against one ORM save per line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakan_bench_payroll \
        .venv/bin/python bench/payroll_bench.py [--pensioners 100000] [--repeat 3]

The script creates the database named in DATABASE_URL (dropping it first) and drops it at the
end (--keep to look at it afterwards). Set-up, not timed, in set SQL: the official geography
with three villages per district; --pensioners registry people spread over the villages, each
an insured member with an approved old-age claim and a periodic award in payment with its
decided monthly amount (from 800,000 to about 3,000,000 kip), paid through the six banks (BCEL
40%, LDB 20%, APB 15%, NBB 8%, JDB 7%, cash at the district office 10%); one in a hundred starts
within the month (a partial month). Besides them, one per hundred each: suspended awards, awards
ended before the month (neither is paid) and approved funeral grants (lump sums, paid once).

Timed:
(a) pakan.benefits.services.payroll.run_payroll(month) in a child process whose peak resident
    memory is read when it ends: indexation check, every line written set-based, the ledger
    postings, one CSV payment file per bank and the register in CSV and XLSX. --repeat runs;
    before each, the payroll's output (lines, runs, files, postings, indexations) is emptied,
    the lump sums put back in payment, and the server checkpoints. `lines_seconds` is when the
    last line was written, the rest is the postings, files and register; `phases` splits the
    run by the functions it goes through (PHASES), `cpu_seconds` gives the CPU the child and
    its main database session used (steadier than wall time on a busy machine; the second
    session writing half of the lines is not in it), and --profile FILE
    writes a cProfile of the first run;
(b) a second call on the finished month (it must change nothing);
(c) the slow way on a sample of --orm-sample awards: per award the ORM looks up the beneficiary
    and the amount valid on the month's first day and saves one PayrollLine; rolled back. Its
    time per award, times the number of lines of (a), is compared with (a). It writes no file
    and posts nothing, so it is a lower bound of the slow way.

The JSON is printed and saved to bench/results/payroll.json.
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
RESULTS = ROOT / "bench" / "results" / "payroll.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pakan_bench_payroll"
TARGET_SECONDS = 3.0
VILLAGES_PER_DISTRICT = 3
# Bank of each pensioner by (number mod 100): cumulative shares.
BANK_SHARES = (("BCEL", 40), ("LDB", 60), ("APB", 75), ("NBB", 83), ("JDB", 90), ("CASH", 100))

sys.path.insert(0, str(ROOT))
from common import (  # noqa: E402
    machine,
    measured_child,
    postgres_version,
    recreate_database,
    setup_django,
)

# --- set-up (not timed) -------------------------------------------------------------------------


def _constant(field) -> object:
    """The value a set-based insert gives a column it does not compute: the field's default."""
    value = field.get_default()
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    return value


def insert_select(model, computed: dict[str, str], source: str, parameters: list) -> None:
    """INSERT INTO the model's table SELECT the `computed` columns (SQL over `source`, whose %s
    take `parameters` in column order), every other column its field's default, so the set-up
    follows the models as they change."""
    from django.db import connection

    columns, expressions, values = [], [], []
    remaining = iter(parameters)
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in computed:
            expression = computed[field.column]
            values += [next(remaining) for _ in range(expression.count("%s"))]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expression = "now()"
        elif field.has_default() or field.null or field.blank:
            is_json = field.get_internal_type() == "JSONField"
            expression = "%s::jsonb" if is_json else "%s"
            values.append(_constant(field) if field.has_default()
                          else None if field.null else "")
        else:
            raise SystemExit(f"{model.__name__}.{field.name} needs a value in the bench set-up")
        expressions.append(expression)
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
           f"SELECT {', '.join(expressions)} FROM {source}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def build_pensioners(pensioners: int, month: datetime.date) -> dict:
    """People, members, claims, awards and their amounts, in set SQL."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from pakan.accounts.models import Role, User
    from pakan.benefits.models import Award, AwardAmount, Claim
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
    country = AdminUnit.objects.get(code="LA")
    filer = User.objects.create(username="bench_filer", role=Role.CENTRAL_OFFICER,
                                scope_unit=country)
    decider = User.objects.create(username="bench_decider", role=Role.CENTRAL_OFFICER,
                                  scope_unit=country)
    extra = max(1, pensioners // 100)
    everyone = pensioners + 3 * extra
    bank = "CASE " + " ".join(f"WHEN g %% 100 < {limit} THEN '{name}'"
                              for name, limit in BANK_SHARES) + " END"
    # Pensioners 1..n in payment; then suspended, ended, lump sums.
    kind_of = (f"CASE WHEN g > {pensioners + 2 * extra} THEN 'lump_sum' ELSE 'periodic' END")
    status_of = (f"CASE WHEN g > {pensioners} AND g <= {pensioners + extra} THEN 'suspended' "
                 f"WHEN g > {pensioners + extra} AND g <= {pensioners + 2 * extra} "
                 "THEN 'ended' ELSE 'in_payment' END")
    start_of = (f"CASE WHEN g > {pensioners + 2 * extra} THEN %s::date + (g %% 28)::int "
                f"WHEN g <= {pensioners} AND g %% 100 = 50 THEN %s::date + (g %% 28)::int "
                "ELSE DATE '2012-01-01' + (g %% 4000)::int END")
    end_of = (f"CASE WHEN g > {pensioners + extra} AND g <= {pensioners + 2 * extra} "
              "THEN %s::date - 1 ELSE NULL END")
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
            "SELECT 'NID' || lpad(g::text, 9, '0'), '', 'ສົມໃຈ', 'ພົມມະວົງ', "
            "'Somchai' || g, 'Phommavong', CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END, "
            "DATE '1940-01-01' + (g %% 8000), village.id, '', false, '', 'somchai', "
            "'phommavong', 'ສົມໃຈ', 'ພົມມະວົງ', 'active', now(), now() "
            "FROM generate_series(1, %s) AS g JOIN bench_villages village "
            "ON village.position = g %% %s ORDER BY g", [everyone, villages])
        cursor.execute(
            "CREATE TEMP TABLE bench_people AS SELECT id, row_number() OVER (ORDER BY id) AS g "
            "FROM registry_person")
        cursor.execute(
            "INSERT INTO socialsecurity_insuredmember (person_id, social_security_number, "
            "created_at, updated_at) SELECT id, 'SS' || lpad(id::text, 10, '0'), now(), now() "
            "FROM registry_person")
        cursor.execute(
            "CREATE TEMP TABLE bench_source AS SELECT people.g, people.id AS person_id, "
            "member.id AS member_id FROM bench_people people "
            "JOIN socialsecurity_insuredmember member ON member.person_id = people.id")
    lump_sums = f"g > {pensioners + 2 * extra}"
    account = "CASE WHEN g %% 100 >= 90 THEN '' ELSE 'AC' || lpad(g::text, 12, '0') END"
    branch = f"CASE WHEN {lump_sums} THEN 'funeral' ELSE 'old_age' END"
    with transaction.atomic():
        insert_select(Claim, {
            "member_id": "member_id", "claimant_id": "person_id", "branch": branch,
            "event_date": "DATE '2011-12-01'", "filed_on": "DATE '2011-12-01'",
            "filed_by_id": str(filer.pk), "decided_by_id": str(decider.pk),
            "decided_on": "DATE '2011-12-15'", "status": "'approved'",
            "bank": bank, "bank_account": account,
        }, "bench_source", [])
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_claims AS SELECT claim.id AS claim_id, source.* "
                "FROM benefits_claim claim JOIN bench_source source "
                "ON source.member_id = claim.member_id")
        insert_select(Award, {
            "claim_id": "claim_id", "member_id": "member_id", "beneficiary_id": "person_id",
            "branch": branch, "kind": kind_of, "start_on": start_of, "end_on": end_of,
            "lump_sum_amount": f"CASE WHEN {lump_sums} THEN 5000000 ELSE 0 END",
            "status": status_of, "status_since": "DATE '2012-01-01'",
            "explanation": "'{\"made_by\": \"bench/payroll_bench.py\"}'::jsonb",
            "rules_version": "'bench'", "bank": bank, "bank_account": account,
            "decided_by_id": str(decider.pk), "decided_on": "DATE '2011-12-15'",
        }, "bench_claims", [month, month, month])
        insert_select(AwardAmount, {
            "award_id": "award.id", "effective_from": "award.start_on",
            "monthly_amount": "800000 + (award.id %% 2200) * 1000",
            "reason": "'decision'",
        }, "benefits_award award WHERE award.kind = 'periodic'", [])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT status, kind, count(*) FROM benefits_award GROUP BY 1, 2")
        awards = {f"{kind}:{status}": count for status, kind, count in cursor.fetchall()}
        cursor.execute("SELECT bank, count(*) FROM benefits_award GROUP BY 1")
        banks = dict(cursor.fetchall())
    return {"pensioners_in_payment": pensioners, "awards": awards, "banks": banks,
            "villages": villages, "setup_seconds": time.perf_counter() - started}


# --- (a) the payroll, in a child process --------------------------------------------------------


# The run's phases, each timed without the phases it calls: the module-level functions
# run_payroll goes through, wrapped in the child only. Time spent in a second thread (the second
# session writing half of the lines, the register built while the bank files are written) is
# counted under the phase's name with "_thread" added: those overlap the others, the rest add
# up to the run.
PHASES = (
    ("pakan.benefits.services.payroll", "apply_due_indexations", "indexation"),
    ("pakan.benefits.services.payroll", "insert_lines", "lines_insert"),
    ("pakan.benefits.services.payroll", "_end_paid_lump_sums", "lines_end_lump_sums"),
    ("pakan.benefits.services.payroll", "_write_lines", "lines_other"),
    ("pakan.benefits.services.payroll", "_complete_lines", "postings_due_and_repayments"),
    ("pakan.benefits.payroll_files", "run_lines_table", "read_lines"),
    ("pakan.benefits.payroll_files", "bank_file_content", "bank_files_content"),
    ("pakan.benefits.services.payroll", "_post_payment", "bank_files_posting"),
    ("pakan.benefits.payroll_files", "_store_bank_file", "bank_files_store"),
    ("pakan.benefits.payroll_files", "register_table", "register_table"),
    ("pakan.benefits.payroll_files", "register_csv", "register_csv"),
    ("pakan.benefits.payroll_files", "register_xlsx", "register_xlsx"),
    ("pakan.benefits.payroll_files", "store_register", "register_store"),
    ("pakan.benefits.payroll_files", "write_files", "files_other"),
    ("pakan.benefits.services.payroll", "_finish", "finish"),
)


def timed_phases() -> dict[str, float]:
    """Wrap the phases' functions; returns the dict their exclusive seconds add up in."""
    import functools
    import importlib
    import threading

    seconds: dict[str, float] = {}
    local = threading.local()  # per thread: seconds spent in called phases, per open phase

    def wrap(function, name):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            stack = local.__dict__.setdefault("stack", [])
            stack.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                inner = stack.pop()
                key = name if threading.current_thread() is threading.main_thread() \
                    else f"{name}_thread"
                seconds[key] = seconds.get(key, 0.0) + spent - inner
                if stack:
                    stack[-1] += spent
        return timed

    for module_name, attribute, name in PHASES:
        module = importlib.import_module(module_name)
        if hasattr(module, attribute):
            setattr(module, attribute, wrap(getattr(module, attribute), name))
    return seconds


def server_cpu_seconds() -> float | None:
    """CPU seconds the database session has used so far, when the server runs on this machine
    (on a loaded machine, the CPU the run took is steadier than its wall time)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_payroll(month_text: str, profile: str | None = None) -> None:
    from pakan.benefits.services.payroll import run_payroll

    month = datetime.date.fromisoformat(f"{month_text}-01")
    phases = timed_phases()
    calls = []
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    server_before = server_cpu_seconds()
    cpu_before = time.process_time()
    started = time.perf_counter()
    run = run_payroll(month, actor=None, paid_on=month + datetime.timedelta(days=24),
                      progress=lambda done, total: calls.append(
                          (done, total, time.perf_counter() - started)))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    server_after = server_cpu_seconds()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    total = calls[-1][1] if calls else 0
    lines_done = next((moment for done, all_, moment in calls if done == all_ == total),
                      seconds)
    files = {record.bank: {"lines": record.lines, "total_amount": record.total_amount,
                           "bytes": record.file.size} for record in run.bank_files.all()}
    print(json.dumps({
        "seconds": seconds,
        "lines_seconds": lines_done,
        "postings_files_register_seconds": seconds - lines_done,
        "phases": {name: round(value, 3) for name, value in phases.items()},
        "phases_unaccounted": round(seconds - sum(
            value for name, value in phases.items() if not name.endswith("_thread")), 3),
        "cpu_seconds": {"python": round(cpu, 3),
                        "postgres": None if server_before is None or server_after is None
                        else round(server_after - server_before, 3)},
        "load_average": os.getloadavg()[0],
        "status": run.status,
        "lines": run.lines,
        "total_amount": run.total_amount,
        "chunks": max(0, len(calls) - 2),
        "bank_files": files,
        "register_csv_bytes": run.register_csv.size,
        "register_xlsx_bytes": run.register_xlsx.size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_child(database_url: str, var_dir: Path, month_text: str,
              profile: Path | None = None) -> dict:
    return measured_child(__file__, ["--child-payroll", month_text,
                                     *(["--profile", str(profile)] if profile else [])],
                          database_url, var_dir, "payroll")


def empty_payroll() -> None:
    """Remove what a payroll run wrote, and put the lump sums it ended back in payment."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE benefits_payrollline, benefits_bankpaymentfile, benefits_payrollrun, "
            "benefits_pensionindexation, benefits_awardstatuschange, ledger_entry, "
            "ledger_transaction CASCADE")
        cursor.execute("UPDATE benefits_award SET status = 'in_payment' "
                       "WHERE kind = 'lump_sum'")
        cursor.execute("VACUUM ANALYZE benefits_award")


def payroll_state() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM benefits_payrollline), "
            "(SELECT coalesce(sum(amount), 0) FROM benefits_payrollline), "
            "(SELECT count(DISTINCT award_id) FROM benefits_payrollline), "
            "(SELECT count(*) FROM benefits_bankpaymentfile), "
            "(SELECT coalesce(sum(total_amount), 0) FROM benefits_bankpaymentfile), "
            "(SELECT count(*) FROM ledger_transaction), "
            "(SELECT coalesce(sum(amount), 0) FROM ledger_entry), "
            "(SELECT coalesce(sum(entry.amount), 0) FROM ledger_entry entry "
            " JOIN ledger_account account ON account.id = entry.account_id "
            " WHERE account.code LIKE 'nssf:expense:benefits:%%')")
        (lines, total, awards, files, files_total, postings, ledger_sum,
         expense) = cursor.fetchone()
    return {"lines": lines, "total_amount": int(total), "distinct_awards": awards,
            "bank_files": files, "bank_files_total": int(files_total), "postings": postings,
            "ledger_sum": int(ledger_sum), "benefits_due_posted": int(expense)}


# --- (c) one ORM save per line ------------------------------------------------------------------


class _RollBack(Exception):
    pass


def orm_per_line(month: datetime.date, sample: int) -> dict:
    from django.db import transaction

    from pakan.benefits.models import Award, AwardAmount, PayrollLine, PayrollRun

    awards = list(Award.objects.filter(status="in_payment", kind="periodic")
                  .order_by("id")[:sample])
    with contextlib.suppress(_RollBack), transaction.atomic():
        run = PayrollRun.objects.create(month=month)
        started = time.perf_counter()
        for award in awards:
            award = Award.objects.select_related("beneficiary").get(pk=award.pk)
            if award.beneficiary.date_of_death is not None:
                continue
            first_paid = max(award.start_on, month)
            amount = (AwardAmount.objects.filter(award=award, effective_from__lte=first_paid)
                      .order_by("-effective_from").first())
            PayrollLine(run=run, award=award, beneficiary_id=award.beneficiary_id,
                        village_id=award.beneficiary.village_id, branch=award.branch,
                        monthly_amount=amount.monthly_amount, days_paid=31,
                        amount=amount.monthly_amount, bank=award.bank,
                        bank_account=award.bank_account,
                        reference=f"ORM{month:%Y%m}-{award.pk:010d}").save()
        seconds = time.perf_counter() - started
        raise _RollBack
    return {"awards": len(awards), "seconds": seconds,
            "lines_per_second": len(awards) / seconds}


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pensioners", type=int, default=100_000)
    parser.add_argument("--month", default="2026-01")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orm-sample", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--profile", type=Path,
                        help="write a cProfile of the first timed run to this file")
    parser.add_argument("--child-payroll", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL

    if arguments.child_payroll:
        setup_django(database_url, Path(os.environ["PAKAN_VAR_DIR"]))
        child_payroll(arguments.child_payroll, arguments.profile)
        return

    month = datetime.date.fromisoformat(f"{arguments.month}-01")
    host = machine()
    recreate_database(database_url)
    with tempfile.TemporaryDirectory(prefix="pakan-bench-payroll-") as work:
        var_dir = Path(work)
        setup_django(database_url, var_dir)
        try:
            population = build_pensioners(arguments.pensioners, month)
            orm = orm_per_line(month, arguments.orm_sample)
            runs = []
            for repeat in range(arguments.repeat):
                empty_payroll()
                result = run_child(database_url, var_dir, arguments.month,
                                   arguments.profile if repeat == 0 else None)
                result["state"] = payroll_state()
                runs.append(result)
                print(f"run {repeat + 1}: {result['seconds']:.2f} s "
                      f"(lines {result['lines_seconds']:.2f} s), "
                      f"peak {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
            before = payroll_state()
            again = run_child(database_url, var_dir, arguments.month)
            second_call_changed_nothing = payroll_state() == before
            server = postgres_version()
        finally:
            from django.db import connections

            connections.close_all()
            if not arguments.keep:
                recreate_database(database_url, drop_only=True)

    seconds = [run["seconds"] for run in runs]
    median = statistics.median(seconds)
    lines = runs[0]["lines"]
    orm_seconds_for_all = lines / orm["lines_per_second"]
    figures = {
        "benchmark": "pension payroll of one month, bank files and register included "
                     "(pakan.benefits.services.payroll.run_payroll)",
        "date": datetime.date.today().isoformat(),
        "machine": host,
        "postgresql": server,
        "month": arguments.month,
        "population": population,
        "seconds_median": median,
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "peak_rss_mb_max": max(run["peak_rss_mb"] for run in runs),
        "lines_per_second": lines / median,
        "median_run": sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2],
        "runs": runs,
        "second_call_seconds": again["seconds"],
        "second_call_changed_nothing": second_call_changed_nothing,
        "every_award_paid_once": all(
            run["state"]["lines"] == run["state"]["distinct_awards"] == run["lines"]
            for run in runs),
        "ledger_balances": all(run["state"]["ledger_sum"] == 0 for run in runs),
        "ledger_equals_lines": all(
            run["state"]["benefits_due_posted"] == run["state"]["total_amount"]
            == run["state"]["bank_files_total"] for run in runs),
        "orm_per_line": {**orm, "extrapolated_seconds_for_all_lines": orm_seconds_for_all,
                         "note": "lines only: no file, no posting (a lower bound)"},
        "speedup_over_orm_per_line": orm_seconds_for_all / median,
        "target_seconds": TARGET_SECONDS,
        "met": median < TARGET_SECONDS,
    }
    text = json.dumps(figures, indent=2)
    print(text)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
