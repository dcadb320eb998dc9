"""Issuing invoices: the one way an invoice comes into being, whatever produced it (a billing
run, a correction, an assessment, a surcharge, a voluntary contribution).

An invoice row and its ledger posting are written in one transaction and share `ledger_key`,
so a rerun finds the invoices already issued and issues only the rest.

A month's billing issues 50,000 invoices at once: on PostgreSQL a large batch goes in with one
COPY into a temporary table and one INSERT ... SELECT ... ON CONFLICT (ledger_key) DO NOTHING
RETURNING, instead of Django's bulk_create (a statement with a parameter per cell), and only
the invoices that statement inserted are posted (a concurrent writer's stay its own).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from pakan.ledger.services import post_many
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import Employer, InsuredMember, Invoice

INSERT_BATCH = 5000
QUERY_CHUNK = 900
# From this many invoices on, PostgreSQL takes them by COPY (below, bulk_create is as quick).
COPY_MINIMUM = 200
BATCH_TABLE = "pakan_invoice_batch"


def invoice_key(kind: str, month_text: str, *, employer_id: int | None = None,
                member_id: int | None = None, suffix: str = "") -> str:
    """The ledger key of an invoice: what, for whom, which month (and what else makes it one)."""
    debtor = f"employer:{employer_id}" if employer_id is not None else f"member:{member_id}"
    key = f"nssf:invoice:{kind}:{debtor}:{month_text}"
    return f"{key}:{suffix}" if suffix else key


def _already_issued(keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), QUERY_CHUNK):
        found.update(Invoice.objects.filter(ledger_key__in=keys[start:start + QUERY_CHUNK])
                     .values_list("ledger_key", flat=True))
    return found


def _missing_accounts(codes: dict[str, int]) -> list[int]:
    """Ids of the debtors whose receivable account is not open yet (most are, after the first
    month): looking codes up is cheaper than loading every account."""
    from pakan.ledger.models import Account

    found: set[str] = set()
    wanted = list(codes)
    for start in range(0, len(wanted), QUERY_CHUNK):
        found.update(Account.objects.filter(code__in=wanted[start:start + QUERY_CHUNK])
                     .values_list("code", flat=True))
    return [debtor_id for code, debtor_id in codes.items() if code not in found]


def _open_debtor_accounts(invoices: Sequence[Invoice]) -> None:
    employer_ids = _missing_accounts({
        accounting.employer_account_code(invoice.employer_id): invoice.employer_id
        for invoice in invoices if invoice.employer_id})
    member_ids = _missing_accounts({
        accounting.member_account_code(invoice.member_id): invoice.member_id
        for invoice in invoices if invoice.member_id and not invoice.employer_id})
    employers = []
    for start in range(0, len(employer_ids), QUERY_CHUNK):
        chunk = employer_ids[start:start + QUERY_CHUNK]
        employers += Employer.objects.filter(pk__in=chunk).values_list("pk", "village__path")
    members = []
    for start in range(0, len(member_ids), QUERY_CHUNK):
        chunk = member_ids[start:start + QUERY_CHUNK]
        members += InsuredMember.objects.filter(pk__in=chunk).values_list(
            "pk", "person__village__path")
    accounting.ensure_debtor_accounts(employers, members)


def _description(invoice: Invoice, seen: dict[tuple[str, object], str]) -> str:
    """The posting's description, translated once per kind and month rather than per invoice."""
    key = (invoice.kind, invoice.month)
    if key not in seen:
        seen[key] = f"{invoice.get_kind_display()} {invoice.month:%Y-%m}"
    return seen[key]


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _insert_by_copy(invoices: Sequence[Invoice]) -> list[Invoice]:
    """Insert through a temporary table; returns the invoices inserted now, with their ids."""
    fields = [field for field in Invoice._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(field.column for field in fields)
    definitions = ", ".join(f"{field.column} {field.db_type(connection)}" for field in fields)
    lines = []
    for position, invoice in enumerate(invoices):
        values = [position] + [getattr(invoice, field.attname) for field in fields]
        lines.append("\t".join(_copy_text(value) for value in values))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {BATCH_TABLE} "
                       f"(position integer, {definitions}) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {BATCH_TABLE}")
        with cursor.cursor.copy(f"COPY {BATCH_TABLE} (position, {columns}) FROM STDIN") as copy:
            copy.write("\n".join(lines) + "\n")
        cursor.execute(f"INSERT INTO {Invoice._meta.db_table} ({columns}) SELECT {columns} "
                       f"FROM {BATCH_TABLE} ORDER BY position "
                       f"ON CONFLICT (ledger_key) DO NOTHING RETURNING id, ledger_key")
        inserted = {key: pk for pk, key in cursor.fetchall()}
    issued = []
    for invoice in invoices:
        if invoice.ledger_key in inserted:
            invoice.pk = inserted[invoice.ledger_key]
            invoice._state.adding = False
            invoice._state.db = connection.alias
            issued.append(invoice)
    return issued


def posting_for(invoice: Invoice, description: str = ""):
    return accounting.invoice_posting(
        ledger_key=invoice.ledger_key,
        debtor_account=accounting.debtor_account_code(employer_id=invoice.employer_id,
                                                      member_id=invoice.member_id),
        insured_amount=invoice.insured_amount, employer_amount=invoice.employer_amount,
        state_subsidy=invoice.state_subsidy, kind=invoice.kind, issued_on=invoice.issued_on,
        description=description or f"{invoice.get_kind_display()} {invoice.month:%Y-%m}")


def issue_invoices(invoices: Sequence[Invoice], *, created_by=None) -> list[Invoice]:
    """Save these new invoices and post each to the ledger; ones already issued under the same
    `ledger_key` are skipped. Returns the invoices issued now. Invoices of zero are not issued:
    a zero posting means nothing and the ledger refuses it."""
    wanted = [invoice for invoice in invoices if invoice.total or invoice.state_subsidy]
    issued = _already_issued([invoice.ledger_key for invoice in wanted])
    to_issue = [invoice for invoice in wanted if invoice.ledger_key not in issued]
    if not to_issue:
        return []
    _open_debtor_accounts(to_issue)
    descriptions: dict[tuple[str, object], str] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql" and len(to_issue) >= COPY_MINIMUM:
            to_issue = _insert_by_copy(to_issue)
        else:
            Invoice.objects.bulk_create(to_issue, batch_size=INSERT_BATCH)
        post_many([posting_for(invoice, _description(invoice, descriptions))
                   for invoice in to_issue], created_by=created_by)
    return to_issue
