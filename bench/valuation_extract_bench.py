"""Benchmark of the valuation data extract on PostgreSQL: 1,000,000 insured members with 24
months of contribution records each and 50,000 pensioners (target: under 30 seconds).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakan_bench_extract \
        .venv/bin/python bench/valuation_extract_bench.py [--members 1000000] [--months 24] \
        [--pensioners 50000] [--repeat 3]

The script creates the database named in DATABASE_URL (dropping it first) and drops it at the
end (--keep to look at it afterwards; --reuse to measure a kept one again without building it).

Set-up, not timed, in set SQL (generate_series, INSERT ... SELECT), no ORM save per row:
the insured members, their membership and employment and --months months of contribution
records are built by bench/estimate_bench.py's set-up (people born 1965-2005, half women;
1 in 20 a civil servant, 1 in 20 voluntary; 1 in 50 workers with a second employer in some
months; some employers and voluntary members not paying the last months). Then --pensioners
more registry people born 1940-1959, each a member from 1990 to the day before the award, with
an approved old-age claim (1 in 10 an invalidity claim) and a periodic award in payment from
2010-2024 with its decided monthly amount; one in three also has an indexed amount from
1 January 2025, one in a hundred ended before the valuation date and one in a hundred is
suspended (neither is in payment). Indexes are rebuilt and the tables analysed.

Timed: `pakan.valuation.extract.make_extract(VALUATION_DATE, actor=<central officer>)` in a
child process whose peak resident memory (ru_maxrss) is read when it ends, --repeat runs
(the server checkpoints before each), with the extract's own phase timings. Each run is
checked: the number of insured and pensioners equals what was built.

The JSON is printed and saved to bench/results/valuation_extract.json.
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "valuation_extract.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pakan_bench_extract"
TARGET_SECONDS = 30.0
# estimate_bench's records are the months before June 2025: the last one is May 2025.
VALUATION_DATE = datetime.date(2025, 5, 31)
PENSIONS_FROM = datetime.date(2010, 1, 1)
INDEXED_FROM = datetime.date(2025, 1, 1)

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import (  # noqa: E402
    machine,
    measured_child,
    postgres_version,
    recreate_database,
    setup_django,
)
from estimate_bench import build_members, build_records  # noqa: E402
from payroll_bench import insert_select  # noqa: E402

# --- set-up (not timed) -------------------------------------------------------------------------

def build_pensioners(pensioners: int) -> dict:
    """People, members (spells ended at the award), claims, awards and amounts, in set SQL."""
    from django.db import connection, transaction

    from pakan.accounts.models import Role, User
    from pakan.benefits.models import Award, AwardAmount, Claim
    from pakan.registry.models import AdminUnit

    country = AdminUnit.objects.get(code="LA")
    filer = User.objects.create(username="bench_filer", role=Role.CENTRAL_OFFICER,
                                scope_unit=country)
    decider = User.objects.create(username="bench_decider", role=Role.CENTRAL_OFFICER,
                                  scope_unit=country)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM registry_person")
        first_person = cursor.fetchone()[0] + 1
        cursor.execute(
            "CREATE TEMP TABLE bench_pension_villages AS SELECT row_number() OVER (ORDER BY id)"
            " - 1 AS position, id FROM registry_adminunit WHERE level = %s",
            [AdminUnit.Level.VILLAGE])
        cursor.execute("SELECT count(*) FROM bench_pension_villages")
        villages = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO registry_person (national_id, family_book_number, given_name_lo, "
            "family_name_lo, given_name_latin, family_name_latin, sex, date_of_birth, "
            "village_id, relationship_to_head, uxo_survivor, phone, given_key_latin, "
            "family_key_latin, given_key_lo, family_key_lo, status, created_at, updated_at) "
            "SELECT 'PID' || lpad(g::text, 9, '0'), '', 'ບຸນມີ', 'ສີສຸພັນ', 'Bounmy', "
            "'Sisouphanh', CASE WHEN g %% 3 = 0 THEN 'F' ELSE 'M' END, "
            "DATE '1940-01-01' + (g::bigint * 7919 %% 7300)::int, village.id, '', false, '', "
            "'bounmy', 'sisouphanh', 'ບຸນມີ', 'ສີສຸພັນ', 'active', now(), now() "
            "FROM generate_series(1, %s) AS g JOIN bench_pension_villages village "
            "ON village.position = g %% %s ORDER BY g", [pensioners, villages])
        cursor.execute(
            "CREATE TEMP TABLE bench_pensioners AS SELECT person.id AS person_id, "
            "person.id - %s + 1 AS g, %s::date + ((person.id - %s) * 7 %% 5400)::int "
            "AS start_on FROM registry_person person WHERE person.id >= %s",
            [first_person, PENSIONS_FROM, first_person, first_person])
        cursor.execute(
            "INSERT INTO socialsecurity_insuredmember (person_id, social_security_number, "
            "created_at, updated_at) SELECT person_id, 'SP' || lpad(person_id::text, 10, '0'), "
            "now(), now() FROM bench_pensioners")
        cursor.execute(
            "CREATE TEMP TABLE bench_pension_source AS SELECT pensioner.*, member.id AS "
            "member_id FROM bench_pensioners pensioner JOIN socialsecurity_insuredmember member "
            "ON member.person_id = pensioner.person_id")
        cursor.execute(
            "INSERT INTO socialsecurity_membershipspell (member_id, category, start_on, end_on) "
            "SELECT member_id, 'enterprise_employee', DATE '1990-01-01', start_on - 1 "
            "FROM bench_pension_source")
    branch = "CASE WHEN g %% 10 = 3 THEN 'invalidity' ELSE 'old_age' END"
    with transaction.atomic():
        insert_select(Claim, {
            "member_id": "member_id", "claimant_id": "person_id", "branch": branch,
            "event_date": "start_on", "filed_on": "start_on",
            "filed_by_id": str(filer.pk), "decided_by_id": str(decider.pk),
            "decided_on": "start_on", "status": "'approved'",
        }, "bench_pension_source", [])
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_pension_claims AS SELECT claim.id AS claim_id, "
                "source.* FROM benefits_claim claim JOIN bench_pension_source source "
                "ON source.member_id = claim.member_id")
        insert_select(Award, {
            "claim_id": "claim_id", "member_id": "member_id", "beneficiary_id": "person_id",
            "branch": branch, "kind": "'periodic'", "start_on": "start_on",
            "end_on": "CASE WHEN g %% 100 = 7 THEN %s::date - 30 END",
            "status": "CASE WHEN g %% 100 = 7 THEN 'ended' WHEN g %% 100 = 8 THEN 'suspended' "
                      "ELSE 'in_payment' END",
            "status_since": "start_on",
            "explanation": "'{\"made_by\": \"bench/valuation_extract_bench.py\"}'::jsonb",
            "rules_version": "'bench'", "decided_by_id": str(decider.pk),
            "decided_on": "start_on",
        }, "bench_pension_claims", [VALUATION_DATE])
        insert_select(AwardAmount, {
            "award_id": "award.id", "effective_from": "award.start_on",
            "monthly_amount": "800000 + (award.id %% 2200) * 1000", "reason": "'decision'",
        }, "benefits_award award WHERE award.kind = 'periodic'", [])
        insert_select(AwardAmount, {
            "award_id": "award.id", "effective_from": "%s",
            "monthly_amount": "(800000 + (award.id %% 2200) * 1000) * 105 / 100",
            "reason": "'indexation'",
        }, "benefits_award award WHERE award.kind = 'periodic' AND award.id %% 3 = 0 "
           f"AND award.start_on < DATE '{INDEXED_FROM.isoformat()}'", [INDEXED_FROM])
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO benefits_awardstatuschange (award_id, status, effective_on, "
                "reason, recorded_at) SELECT id, status, coalesce(end_on, %s::date - 60), "
                "'bench', now() FROM benefits_award WHERE status <> 'in_payment'",
                [VALUATION_DATE])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT branch, status, count(*) FROM benefits_award GROUP BY 1, 2")
        awards = {f"{branch}:{status}": count for branch, status, count in cursor.fetchall()}
    return {"pensioners_built": pensioners, "awards": awards}


def expected_counts() -> dict:
    """What the extract must find, counted straight from the tables (not timed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM socialsecurity_insuredmember member "
            "WHERE NOT EXISTS (SELECT 1 FROM benefits_award award WHERE award.member_id = "
            "member.id AND award.branch = 'old_age' AND award.start_on <= %s)",
            [VALUATION_DATE])
        insured = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM benefits_award WHERE kind = 'periodic' "
            "AND status = 'in_payment' AND start_on <= %s", [VALUATION_DATE])
        pensioners = cursor.fetchone()[0]
    return {"insured": insured, "pensioners": pensioners}


# --- timed, in a child process -----------------------------------------------------------------

def child_extract() -> None:
    from pakan.accounts.models import Role, User
    from pakan.registry.models import AdminUnit
    from pakan.valuation.extract import make_extract

    actor, _ = User.objects.get_or_create(
        username="bench_actuary", defaults={"role": Role.CENTRAL_OFFICER,
                                            "scope_unit": AdminUnit.objects.get(code="LA")})
    started = time.perf_counter()
    extract = make_extract(VALUATION_DATE, actor=actor)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds,
        "phases": extract.statistics.get("timings", {}),
        "insured": extract.insured,
        "pensioners": extract.pensioners,
        "file_bytes": extract.data_file.size,
        "sha256": extract.sha256,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_child(database_url: str, var_dir: Path) -> dict:
    return measured_child(__file__, ["--child"], database_url, var_dir, "extract",
                          {"PAKAN_DEBUG": "0"})


# --- the run -------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--pensioners", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="measure a database kept by an earlier --keep run")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL

    if arguments.child:
        setup_django(database_url, Path(os.environ["PAKAN_VAR_DIR"]))
        child_extract()
        return

    os.environ["PAKAN_DEBUG"] = "0"
    host = machine()
    if not arguments.reuse:
        recreate_database(database_url)
    with tempfile.TemporaryDirectory(prefix="pakan-bench-extract-") as work:
        var_dir = Path(work)
        setup_django(database_url, var_dir)
        try:
            started = time.perf_counter()
            if arguments.reuse:
                fund = {"reused": True}
            else:
                fund = build_members(arguments.members)
                fund.update(build_records(arguments.months))
                fund.update(build_pensioners(arguments.pensioners))
            fund["setup_seconds"] = time.perf_counter() - started
            expected = expected_counts()
            runs = []
            for repeat in range(0 if arguments.build_only else arguments.repeat):
                result = run_child(database_url, var_dir)
                result["counts_as_built"] = (result["insured"] == expected["insured"]
                                             and result["pensioners"] == expected["pensioners"])
                runs.append(result)
                print(f"run {repeat + 1}: {result['seconds']:.2f} s, "
                      f"peak {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
            server = postgres_version()
        finally:
            from django.db import connections

            connections.close_all()
            if not arguments.keep:
                recreate_database(database_url, drop_only=True)
    if arguments.build_only:
        print(json.dumps({"fund": fund, "expected": expected}, indent=2))
        return

    seconds = [run["seconds"] for run in runs]
    median_seconds = statistics.median(seconds)
    figures = {
        "benchmark": "valuation data extract (pakan.valuation.extract.make_extract)",
        "date": datetime.date.today().isoformat(),
        "machine": host,
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "postgresql": server,
        "valuation_date": VALUATION_DATE.isoformat(),
        "fund": fund,
        "expected": expected,
        "seconds_median": median_seconds,
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "peak_rss_mb_max": max(run["peak_rss_mb"] for run in runs),
        "median_run": sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2],
        "runs": runs,
        "counts_as_built": all(run["counts_as_built"] for run in runs),
        "same_file_every_run": len({run["sha256"] for run in runs}) == 1,
        "target_seconds": TARGET_SECONDS,
        "met": median_seconds < TARGET_SECONDS,
    }
    text = json.dumps(figures, indent=2)
    print(text)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
