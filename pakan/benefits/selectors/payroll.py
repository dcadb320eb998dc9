"""Reading the payroll: who may run it, its runs and lines within the reader's scope, and the
lines with names and places as one table for the bank files and the register.

A payroll run is national: any staff account may see the list of runs and their totals, as for
billing. The lines follow the place rule (pakan.accounts.scope, by the beneficiary's village
when the line was written), so a provincial officer reads the register of their province only.
Bank payment files and returned-payment files hold the whole country: national staff only.
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum

from pakan.accounts.models import Role
from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.benefits.models import BankPaymentFile, PayrollLine, PayrollRun, ReturnedPaymentFile
from pakan.registry.models import AdminUnit

PAYROLL_ROLES = (Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER)


def is_staff_reader(user) -> bool:
    return scope_path(user) is not None


def is_national(user) -> bool:
    """Staff whose scope is the whole country."""
    return is_staff_reader(user) and user.scope_unit.parent_id is None


def may_run_payroll(user) -> bool:
    """Only central (national) staff who may change data start a payroll, index pensions,
    import returned payments or pay a returned payment again."""
    return is_national(user) and user.can_change_registry and user.role in PAYROLL_ROLES


def payroll_runs(user) -> QuerySet[PayrollRun]:
    if not is_staff_reader(user):
        return PayrollRun.objects.none()
    return PayrollRun.objects.select_related("started_by", "job")


def payroll_run_for_month(user, month) -> PayrollRun:
    run = payroll_runs(user).filter(month=month).first()
    if run is None:
        raise OutOfScope
    return run


def lines_in_scope(user) -> QuerySet[PayrollLine]:
    return restrict(PayrollLine.objects.all(), user)


def lines_of_run(user, run: PayrollRun) -> QuerySet[PayrollLine]:
    return lines_in_scope(user).filter(run=run)


def line_for(user, line_id: int) -> PayrollLine:
    line = (lines_in_scope(user).select_related("run", "award", "beneficiary", "repaid_in")
            .filter(pk=line_id).first())
    if line is None:
        raise OutOfScope
    return line


def run_totals_by_province(user, run: PayrollRun) -> list[dict]:
    """The month's lines and amount per province, within the reader's scope."""
    rows = (lines_of_run(user, run).order_by()
            .values("village__parent__parent__code", "village__parent__parent__name_en",
                    "village__parent__parent__name_lo")
            .annotate(lines=Count("id"), amount=Sum("amount")))
    return sorted(rows, key=lambda row: row["village__parent__parent__code"] or "")


def run_totals_by_bank(run: PayrollRun) -> list[dict]:
    rows = (run.payroll_lines.order_by().values("bank")
            .annotate(lines=Count("id"), amount=Sum("amount")))
    return sorted(rows, key=lambda row: row["bank"])


def returned_lines(user) -> QuerySet[PayrollLine]:
    """Payments a bank sent back that are not paid again yet, oldest first."""
    return (lines_in_scope(user).filter(status=PayrollLine.Status.RETURNED)
            .select_related("run", "award", "beneficiary").order_by("run__month", "reference"))


def bank_files_of_run(user, run: PayrollRun) -> QuerySet[BankPaymentFile]:
    if not is_national(user):
        return BankPaymentFile.objects.none()
    return run.bank_files.all()


def bank_file_for(user, file_id: int) -> BankPaymentFile:
    found = (BankPaymentFile.objects.select_related("run").filter(pk=file_id).first()
             if is_national(user) else None)
    if found is None:
        raise OutOfScope
    return found


def returned_files(user) -> QuerySet[ReturnedPaymentFile]:
    if not is_national(user):
        return ReturnedPaymentFile.objects.none()
    return ReturnedPaymentFile.objects.select_related("imported_by")


def returned_file_for(user, file_id: int) -> ReturnedPaymentFile:
    found = returned_files(user).filter(pk=file_id).first()
    if found is None:
        raise OutOfScope
    return found


# The lines as one table ------------------------------------------------------------------------

# The lines as one table: what the database gives per line...
_LINE_READ: dict[str, pl.DataType] = {
    "reference": pl.String, "paid_for_month": pl.String, "kind": pl.String,
    "branch": pl.String, "status": pl.String, "monthly_amount": pl.Int64,
    "days_paid": pl.Int64, "amount": pl.Int64, "bank": pl.String, "bank_account": pl.String,
    "name_lo": pl.String, "name_latin": pl.String, "village_id": pl.Int64,
}
# ... and the places it is joined to (names written "Lao · English", as the pages show them).
_PLACES: dict[str, pl.DataType] = {
    "village_id": pl.Int64, "village_code": pl.String, "village": pl.String,
    "district_code": pl.String, "district": pl.String,
    "province_code": pl.String, "province": pl.String,
}
LINE_COLUMNS = [name for name in _LINE_READ if name != "village_id"] + [
    name for name in _PLACES if name != "village_id"]

_LINES_SQL = (
    "SELECT line.reference, CAST(origin.month AS TEXT), line.kind, line.branch, line.status, "
    "line.monthly_amount, line.days_paid, line.amount, "
    "CASE WHEN line.run_id = %(run)s THEN line.bank ELSE line.repaid_bank END, "
    "CASE WHEN line.run_id = %(run)s THEN line.bank_account ELSE line.repaid_bank_account END, "
    "person.given_name_lo || ' ' || person.family_name_lo, "
    "person.given_name_latin || ' ' || person.family_name_latin, line.village_id "
    "FROM benefits_payrollline line "
    "JOIN benefits_payrollrun origin ON origin.id = line.run_id "
    "JOIN registry_person person ON person.id = line.beneficiary_id "
    "WHERE (line.run_id = %(run)s OR line.repaid_in_id = %(run)s) {conditions}"
)
_PLACES_SQL = (
    "SELECT village.id, village.code, village.name_lo || ' · ' || village.name_en, "
    "district.code, district.name_lo || ' · ' || district.name_en, "
    "province.code, province.name_lo || ' · ' || province.name_en "
    "FROM registry_adminunit village "
    "LEFT JOIN registry_adminunit district ON district.id = village.parent_id "
    "LEFT JOIN registry_adminunit province ON province.id = district.parent_id "
    "WHERE village.level = %s"
)


def run_lines_table(run: PayrollRun, *, place_prefix: str = "", bank: str = "") -> pl.DataFrame:
    """Every payment the run's bank files carry (or those under a place, or of one bank): the
    month's lines, and returned payments of earlier months paid again through this run (to
    their corrected bank details; `paid_for_month` tells them apart), with the beneficiary's
    names and places, sorted by province, district and reference: what the bank files and the
    register are written from. The places (a few thousand villages) are read once and joined
    here rather than three times per line in the database."""
    conditions, parameters = "", {"run": run.pk}
    if place_prefix:
        conditions += (" AND line.village_id IN (SELECT place.id FROM registry_adminunit place "
                       "WHERE place.path LIKE %(place)s)")
        parameters["place"] = f"{place_prefix}%"
    if bank:
        conditions += (" AND CASE WHEN line.run_id = %(run)s THEN line.bank "
                       "ELSE line.repaid_bank END = %(bank)s")
        parameters["bank"] = bank
    sql = _LINES_SQL.format(conditions=conditions)
    if connection.vendor == "postgresql":
        lines = _copied_table(sql, parameters)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            lines = pl.DataFrame(cursor.fetchall(), schema=_LINE_READ, orient="row")
    with connection.cursor() as cursor:
        cursor.execute(_PLACES_SQL, [AdminUnit.Level.VILLAGE])
        places = pl.DataFrame(cursor.fetchall(), schema=_PLACES, orient="row")
    table = lines.join(places, on="village_id", how="left").with_columns(
        pl.col("paid_for_month").str.slice(0, 7),
        *(pl.col(name).fill_null("") for name in _PLACES if name != "village_id"))
    return table.select(LINE_COLUMNS).sort(["province_code", "district_code", "reference"])


def _copied_table(sql: str, parameters: dict) -> pl.DataFrame:
    """PostgreSQL writes the table as CSV (COPY ... TO STDOUT), streamed into one buffer and
    read by polars: no per-row work in Python at all. A missing text is read as empty."""
    buffer = io.BytesIO()
    with transaction.atomic(), connection.cursor() as cursor:
        # No JIT compilation: it costs more than the query takes.
        cursor.execute("SET LOCAL jit TO OFF")
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", parameters) as copy:
            for block in copy:
                buffer.write(block)
    if not buffer.tell():
        return pl.DataFrame(schema=_LINE_READ)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, schema=_LINE_READ,
                       empty_string_is_null=False).with_columns(
        pl.col(name).fill_null("") for name, dtype in _LINE_READ.items() if dtype == pl.String)


def run_totals(run: PayrollRun) -> dict:
    """The month's payroll, and the repayments its files carry, straight from the lines."""
    regular = run.payroll_lines.aggregate(lines=Count("id"), amount=Sum("amount"))
    repaid = run.repayments.aggregate(lines=Count("id"), amount=Sum("amount"))
    return {"lines": regular["lines"], "amount": regular["amount"] or 0,
            "repaid_lines": repaid["lines"], "repaid_amount": repaid["amount"] or 0}
