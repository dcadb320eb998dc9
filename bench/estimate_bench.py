"""Benchmark of the benefit estimator on PostgreSQL: a million members at once, and one member
through the API.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakan_bench_estimate \
        .venv/bin/python bench/estimate_bench.py [--members 1000000] [--months 24]

The script creates the database named in DATABASE_URL (dropping it first) and drops it at the
end (--keep to look at it afterwards; --reuse to measure a kept one again without building it).
Set-up, not timed, in set SQL (generate_series, INSERT ... SELECT): the schema, the official
geography with a few villages per district, --members registry people born 1965-2005 (half
women), insured members (1 in 20 a civil servant, 1 in 20 voluntary, the rest enterprise
employees), one employer per 20 workers, and --months months of contribution records per
member, written a month at a time for everyone as billing writes them; 1 in 50 workers has a
second employer in some months, 1 in 40 employers has not paid the last three months, 1 in 4
voluntary members has not paid the last two. Indexes are dropped during the load and rebuilt,
then the tables are vacuumed and analysed.

Timed:
(a) in a child process whose peak resident memory (ru_maxrss) is read when it ends: estimates
    for every member at once (`estimate_many`), "retire at 60" counting the record as it stands
    (the figure "if you stopped contributing today"): read the members and, at the same time on
    connections of their own, the counted records (columns packed by the server), put them in
    (member, month) order, assess (pakan.rules.benefits) — timed together and by phase
    (read_members: until the members are in; read_records: the rest of the reading), --repeat
    runs, each with the load average at its start. The same with the record continued at the
    current wage until the 60th birthday (chunked by members to bound memory) is timed once,
    apart.
(b) one estimate through the API (Django's test client, a member account on
    /api/v1/benefits/estimates/me/ and an officer on .../member/<id>/), --api-requests times
    each, p50/p95; the first request of each kind is a warm-up and is not counted.
(c) the slow way: per member, an ORM read of the member, the person, the membership and the
    contribution records, then assess for that one member, on --orm-sample members; its time
    per member times the number of members is compared with (a).

The JSON is printed and saved to bench/results/estimate.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "estimate.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pakan_bench_estimate"
TARGET_SECONDS = 10.0
TARGET_PEAK_RSS_MB = 2048
TARGET_API_MS = 50.0
VILLAGES_PER_DISTRICT = 3
WORKERS_PER_EMPLOYER = 20
AS_OF = datetime.date(2025, 6, 15)
RETIREMENT_AGE = 60
MEMBERS_SINCE = datetime.date(2015, 1, 1)
RECORD_TABLE = "socialsecurity_contributionrecord"

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import (  # noqa: E402
    machine,
    measured_child,
    percentile,
    postgres_version,
    recreate_database,
    setup_django,
)

# --- set-up (not timed) -------------------------------------------------------------------------

@contextlib.contextmanager
def indexes_dropped(cursor, table: str):
    """Drop the table's secondary indexes for a bulk load and build them again afterwards."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
        [table])
    definitions = cursor.fetchall()
    for name, _definition in definitions:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in definitions:
        cursor.execute(definition)


def first_months(months: int) -> list[datetime.date]:
    """The `months` months before AS_OF's month, oldest first."""
    first = AS_OF.replace(day=1)
    result = []
    for back in range(months, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        result.append(datetime.date(year, month + 1, 1))
    return result


def build_members(members: int) -> dict:
    """People, members, memberships, employers and employment, in set SQL."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from pakan.registry.geography import UnitRow, load_official_geography, upsert_units
    from pakan.registry.models import AdminUnit

    call_command("migrate", verbosity=0)
    load_official_geography()
    districts = AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT).values_list(
        "code", flat=True)
    upsert_units([UnitRow(f"{district}{number:03d}", district, AdminUnit.Level.VILLAGE,
                          f"Ban {district}-{number}", f"ບ້ານ {district}-{number}")
                  for district in districts for number in range(1, VILLAGES_PER_DISTRICT + 1)])
    employers = max(1, members // WORKERS_PER_EMPLOYER)
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
            "DATE '1965-01-01' + (g::bigint * 7919 %% 14600)::int, village.id, '', false, "
            "'', 'somchai', 'phommavong', 'ສົມໃຈ', 'ພົມມະວົງ', 'active', now(), now() "
            "FROM generate_series(1, %s) AS g JOIN bench_villages village "
            "ON village.position = g %% %s", [members, villages])
        cursor.execute(
            "INSERT INTO socialsecurity_insuredmember (person_id, social_security_number, "
            "created_at, updated_at) SELECT id, 'SS' || lpad(id::text, 10, '0'), now(), now() "
            "FROM registry_person ORDER BY id")
        cursor.execute(
            "INSERT INTO socialsecurity_membershipspell (member_id, category, start_on) "
            "SELECT id, CASE WHEN id %% 20 = 0 THEN 'civil_servant' "
            "WHEN id %% 20 = 7 THEN 'voluntary' ELSE 'enterprise_employee' END, %s "
            "FROM socialsecurity_insuredmember", [MEMBERS_SINCE])
        cursor.execute(
            "INSERT INTO socialsecurity_employer (enterprise_number, nssf_registration_number, "
            "name_lo, name_en, sector, number_of_workers, size_class, village_id, "
            "contact_person, phone, email, status, status_since, registered_on, created_at, "
            "updated_at) "
            "SELECT 'ENT' || lpad(g::text, 8, '0'), 'NSSF' || lpad(g::text, 8, '0'), "
            "'ບໍລິສັດ', 'Company ' || g, chr(65 + (g %% 19)), %s, 'small', village.id, '', '', "
            "'', 'active', %s, %s, now(), now() "
            "FROM generate_series(1, %s) AS g JOIN bench_villages village "
            "ON village.position = g %% %s ORDER BY g",
            [WORKERS_PER_EMPLOYER, MEMBERS_SINCE, MEMBERS_SINCE, employers, villages])
        cursor.execute(
            "CREATE TEMP TABLE bench_workers AS SELECT member.id AS member_id, "
            "(SELECT min(id) FROM socialsecurity_employer) + member.id %% %s AS employer_id, "
            "(SELECT min(id) FROM socialsecurity_employer) + (member.id * 7) %% %s "
            "AS second_employer_id, member.id %% 20 = 7 AS voluntary, "
            "1200000 + (member.id * 104729 %% 3300) * 1000 AS wage "
            "FROM socialsecurity_insuredmember member", [employers, employers])
        cursor.execute(
            "INSERT INTO socialsecurity_employmentspell (member_id, employer_id, start_on, "
            "monthly_wage) SELECT member_id, employer_id, %s, wage "
            "FROM bench_workers WHERE NOT voluntary", [MEMBERS_SINCE])
    return {"members": members, "employers": employers, "villages": villages}


def build_records(months: int) -> dict:
    """`months` months of contribution records for every member, a month at a time."""
    from django.db import connection, transaction

    month_list = first_months(months)
    unpaid_from = month_list[-3] if len(month_list) >= 3 else month_list[0]
    with transaction.atomic(), connection.cursor() as cursor, \
            indexes_dropped(cursor, RECORD_TABLE):
        # Django's foreign keys are deferred; checked per statement, none is left pending
        # when the indexes are built again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for month in month_list:
            paid_on = month + datetime.timedelta(days=45)
            cursor.execute(
                f"INSERT INTO {RECORD_TABLE} (member_id, month, employer_id, insurable_wage, "
                "insured_amount, employer_amount, source, paid, paid_on) "
                "SELECT member_id, %(month)s, CASE WHEN voluntary THEN NULL ELSE employer_id "
                "END, wage, wage * 55 / 1000, CASE WHEN voluntary THEN 0 ELSE wage * 60 / 1000 "
                "END, CASE WHEN voluntary THEN 'voluntary' ELSE 'declaration' END, "
                "paid.value, CASE WHEN paid.value THEN %(paid_on)s::date END "
                "FROM bench_workers, LATERAL (SELECT NOT ((%(month)s >= %(unpaid_from)s) AND "
                "((NOT voluntary AND employer_id %% 40 = 0) OR (voluntary AND member_id %% 4 = 3 "
                "AND %(month)s >= %(unpaid_voluntary_from)s)))) AS paid(value) ",
                {"month": month, "paid_on": paid_on, "unpaid_from": unpaid_from,
                 "unpaid_voluntary_from": month_list[-2] if len(month_list) >= 2 else month})
            cursor.execute(
                f"INSERT INTO {RECORD_TABLE} (member_id, month, employer_id, insurable_wage, "
                "insured_amount, employer_amount, source, paid, paid_on) "
                "SELECT member_id, %s, second_employer_id, 1500000, 82500, 90000, "
                "'declaration', true, %s FROM bench_workers WHERE NOT voluntary "
                "AND member_id %% 50 = 1 AND second_employer_id <> employer_id "
                "AND extract(month FROM %s::date)::int %% 3 = 0",
                [month, paid_on, month])
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {RECORD_TABLE}")
        cursor.execute("ANALYZE")
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE NOT paid) FROM {RECORD_TABLE}")
        records, unpaid = cursor.fetchone()
    return {"months": months, "first_month": month_list[0].isoformat(),
            "last_month": month_list[-1].isoformat(), "records": records,
            "unpaid_records": unpaid}


# --- (a) every member at once, in a child process ----------------------------------------------

def child_estimates(continue_record: bool) -> None:
    from pakan.benefits.services import estimates as services

    scenario = services.Scenario(name="retire", age=RETIREMENT_AGE)
    phases: dict[str, float] = {}
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = services.estimate_many(None, scenario, as_of=AS_OF,
                                    continue_record=continue_record, timings=phases)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds,
        "phases": phases,
        "load_average_at_start": round(load, 2),
        "members": len(result.member_id),
        "records": result.records_read,
        "assessed_records": result.assessed_records,
        "qualifying": int(result.assessment.qualifies.sum()),
        "by_kind": {kind or "not_qualified": int((result.assessment.kind == kind).sum())
                    for kind in sorted(set(result.assessment.kind.tolist()))},
        "monthly_amount_total": int(result.assessment.monthly_amount.sum()),
        "lump_sum_total": int(result.assessment.lump_sum.sum()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_child(database_url: str, var_dir: Path, continue_record: bool) -> dict:
    return measured_child(__file__, ["--child", "continued" if continue_record else "stopped"],
                          database_url, var_dir, "estimate", {"PAKAN_DEBUG": "0"})


# --- (b) one estimate through the API ----------------------------------------------------------

def api_latency(requests: int, seed: int) -> dict:
    from django.db import connection
    from django.test import Client

    from pakan.accounts.models import Role, User
    from pakan.registry.models import AdminUnit
    from pakan.socialsecurity.models import MemberUser

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM socialsecurity_insuredmember")
        low, high = cursor.fetchone()
    generator = random.Random(seed)
    member_ids = [generator.randint(low, high) for _ in range(requests + 1)]
    officer, _ = User.objects.get_or_create(
        username="bench_officer", defaults={"role": Role.CENTRAL_OFFICER,
                                            "scope_unit": AdminUnit.objects.get(code="LA")})
    officer_client = Client()
    officer_client.force_login(officer)
    member_clients = []
    for number, member_id in enumerate(member_ids[:min(20, len(member_ids))]):
        user, _ = User.objects.get_or_create(username=f"bench_member_{number}",
                                             defaults={"role": Role.INSURED_MEMBER})
        MemberUser.objects.update_or_create(user=user, defaults={"member_id": member_id})
        client = Client()
        client.force_login(user)
        member_clients.append(client)
    figures = {}
    for label, call in (
        ("member_me", lambda number: member_clients[number % len(member_clients)].get(
            "/api/v1/benefits/estimates/me/", {"scenario": "retire", "age": RETIREMENT_AGE})),
        ("officer_member", lambda number: officer_client.get(
            f"/api/v1/benefits/estimates/member/{member_ids[number]}/",
            {"scenario": "retire", "age": RETIREMENT_AGE})),
    ):
        call(0)  # warm-up: imports, parameter files, the first connection
        latencies = []
        for number in range(1, requests + 1):
            started = time.perf_counter()
            response = call(number)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code} {response.content[:500]}")
        figures[label] = {"requests": requests,
                          "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
                          "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
                          "max_ms": round(max(latencies) * 1000, 2),
                          "mean_ms": round(statistics.fmean(latencies) * 1000, 2)}
    return figures


# --- (c) the slow way: one member at a time through the ORM ------------------------------------

def orm_per_member(sample: int, seed: int) -> dict:
    import numpy as np
    from django.db import connection

    from pakan.benefits.services.estimates import Scenario, branch_and_facts
    from pakan.rules.benefits import ContributionHistory, assess
    from pakan.socialsecurity.models import InsuredMember

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM socialsecurity_insuredmember")
        low, high = cursor.fetchone()
    generator = random.Random(seed + 1)
    member_ids = [generator.randint(low, high) for _ in range(sample)]
    scenario = Scenario(name="retire", age=RETIREMENT_AGE)
    started = time.perf_counter()
    for member_id in member_ids:
        member = InsuredMember.objects.select_related("person").get(pk=member_id)
        spell = member.membership_spells.order_by("-start_on").first()
        wage_of: dict[datetime.date, int] = {}
        for record in member.contribution_records.all():
            if record.paid or record.source != "voluntary":
                wage_of[record.month] = wage_of.get(record.month, 0) + record.insurable_wage
        months = sorted(wage_of)
        history = ContributionHistory.single(
            birth_date=member.person.date_of_birth, sex=member.person.sex,
            category=spell.category if spell else "", months=months,
            wages=[wage_of[month] for month in months])
        birth = np.array([member.person.date_of_birth], dtype="datetime64[D]")
        branch, event_date, facts = branch_and_facts(scenario, birth, history.sex, AS_OF)
        assess(branch, history, event_date, facts)
    seconds = time.perf_counter() - started
    return {"members": sample, "seconds": seconds, "members_per_second": sample / seconds}


# --- the run --------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--api-requests", type=int, default=300)
    parser.add_argument("--orm-sample", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="measure a database kept by an earlier --keep run")
    parser.add_argument("--skip-continued", action="store_true",
                        help="do not time the estimates with the record continued")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", choices=("stopped", "continued"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL

    if arguments.child:
        setup_django(database_url, Path(os.environ["PAKAN_VAR_DIR"]))
        child_estimates(arguments.child == "continued")
        return

    os.environ["PAKAN_DEBUG"] = "0"  # no query log in the API timings
    host = machine()
    if not arguments.reuse:
        recreate_database(database_url)
    with tempfile.TemporaryDirectory(prefix="pakan-bench-estimate-") as work:
        var_dir = Path(work)
        setup_django(database_url, var_dir)
        try:
            started = time.perf_counter()
            if arguments.reuse:
                fund = {"reused": True}
            else:
                fund = build_members(arguments.members)
                fund.update(build_records(arguments.months))
            fund["setup_seconds"] = time.perf_counter() - started
            runs = []
            for repeat in range(arguments.repeat):
                result = run_child(database_url, var_dir, continue_record=False)
                runs.append(result)
                print(f"run {repeat + 1}: {result['seconds']:.2f} s, "
                      f"peak {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
            continued = None if arguments.skip_continued else run_child(
                database_url, var_dir, continue_record=True)
            api = api_latency(arguments.api_requests, arguments.seed)
            orm = orm_per_member(arguments.orm_sample, arguments.seed)
            server = postgres_version()
        finally:
            from django.db import connections

            connections.close_all()
            if not arguments.keep:
                recreate_database(database_url, drop_only=True)

    seconds = [run["seconds"] for run in runs]
    median_seconds = statistics.median(seconds)
    peak = max(run["peak_rss_mb"] for run in runs)
    members = runs[0]["members"]
    orm_seconds_for_all = members / orm["members_per_second"]
    worst_api_p95 = max(figure["p95_ms"] for figure in api.values())
    figures = {
        "benchmark": "benefit estimates (pakan.benefits.services.estimates)",
        "date": datetime.date.today().isoformat(),
        "machine": host,
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "postgresql": server,
        "as_of": AS_OF.isoformat(),
        "scenario": f"retire at {RETIREMENT_AGE}",
        "fund": fund,
        "all_members": {
            "seconds_median": median_seconds,
            "seconds_min": min(seconds),
            "seconds_max": max(seconds),
            "peak_rss_mb_max": peak,
            "median_run": sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2],
            "runs": runs,
        },
        "all_members_record_continued": continued,
        "api": api,
        "orm_per_member": {**orm, "extrapolated_seconds_for_all_members": orm_seconds_for_all},
        "speedup_over_orm_per_member": orm_seconds_for_all / median_seconds,
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_PEAK_RSS_MB,
                    "api_p95_ms": TARGET_API_MS},
        "met": median_seconds < TARGET_SECONDS and peak < TARGET_PEAK_RSS_MB
        and worst_api_p95 < TARGET_API_MS,
    }
    text = json.dumps(figures, indent=2)
    print(text)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
