"""Issuing invoices: the one way an invoice comes into being, whatever produced it (a billing
run, a correction, an assessment, a surcharge, a voluntary contribution).

An invoice row and its ledger posting are written in one transaction and share `ledger_key`,
so a rerun finds the invoices already issued and issues only the rest.

On PostgreSQL a large batch goes in with one COPY into a temporary table and one INSERT ...
SELECT ... ON CONFLICT (ledger_key) DO NOTHING RETURNING, instead of Django's bulk_create (a
statement with a parameter per cell), and only the invoices that statement inserted are posted (a
concurrent writer's stay its own).

A month's billing issues 50,000 invoices at once: `issue_employer_invoices` takes them as numpy
columns (one invoice per employer, of one kind and month), with no Invoice object, Posting or
Python row each, and posts them through the ledger's `post_columns`; the same rules, the same
keys, the same postings as `issue_invoices`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from pakan.ledger.services import (
    PostingColumns,
    account_ids,
    copy_texts,
    ensure_account_ids,
    post_columns,
    post_many,
)
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


# Many invoices as columns ---------------------------------------------------------------------


@dataclass(frozen=True)
class EmployerInvoices:
    """Invoices of one kind and month, one per employer (so the key needs no suffix), as
    columns: row i bills employer_id[i] for its declaration_id[i]."""

    kind: str
    month: datetime.date
    issued_on: datetime.date
    due_on: datetime.date
    billing_run_id: int | None
    employer_id: np.ndarray
    village_id: np.ndarray
    declaration_id: np.ndarray
    number_of_workers: np.ndarray
    insured_amount: np.ndarray
    employer_amount: np.ndarray

    def keys(self) -> list[str]:
        month_text = f"{self.month:%Y-%m}"
        return [invoice_key(self.kind, month_text, employer_id=employer_id)
                for employer_id in self.employer_id.tolist()]

    def invoice(self, row: int, key: str) -> Invoice:
        insured, employer = int(self.insured_amount[row]), int(self.employer_amount[row])
        return Invoice(kind=self.kind, employer_id=int(self.employer_id[row]),
                       village_id=int(self.village_id[row]), month=self.month,
                       declaration_id=int(self.declaration_id[row]),
                       billing_run_id=self.billing_run_id,
                       number_of_workers=int(self.number_of_workers[row]),
                       insured_amount=insured, employer_amount=employer,
                       total=insured + employer, issued_on=self.issued_on, due_on=self.due_on,
                       ledger_key=key)


def issue_employer_invoices(batch: EmployerInvoices, *, created_by=None) -> np.ndarray:
    """`issue_invoices` for a batch held as columns: invoices of zero are not issued, keys
    already issued are skipped, each invoice issued now is posted in the same transaction.
    Returns which rows were issued now (a boolean mask)."""
    keys = batch.keys()
    wanted = (batch.insured_amount + batch.employer_amount) != 0
    if connection.vendor != "postgresql":
        issued = {invoice.ledger_key for invoice in issue_invoices(
            [batch.invoice(row, keys[row]) for row in np.flatnonzero(wanted).tolist()],
            created_by=created_by)}
        return np.array([key in issued for key in keys], dtype=bool)
    rows = np.flatnonzero(wanted)
    if not rows.size:
        return wanted
    with transaction.atomic():
        debtors = _employer_account_ids(batch.employer_id[rows])
        inserted = _insert_employer_invoices(batch, keys, rows)
        issued = rows[inserted]
        post_columns(_postings_of(batch, keys, issued, debtors[inserted]),
                     created_by=created_by)
    mask = np.zeros(len(keys), dtype=bool)
    mask[issued] = True
    return mask


def _employer_account_ids(employer_ids: np.ndarray) -> np.ndarray:
    """Each employer's receivable account id, opening the missing ones (a new employer)."""
    codes = [accounting.employer_account_code(employer_id)
             for employer_id in employer_ids.tolist()]
    found = account_ids(codes)
    missing = sorted({employer_id for employer_id, code in zip(employer_ids.tolist(), codes,
                                                               strict=True)
                      if code not in found})
    accounting.ensure_fund_accounts()
    if missing:
        with connection.cursor() as cursor:
            cursor.execute("SELECT employer.id, village.path FROM socialsecurity_employer "
                           "employer JOIN registry_adminunit village "
                           "ON village.id = employer.village_id WHERE employer.id = ANY(%s)",
                           [missing])
            employers = cursor.fetchall()
        found.update(ensure_account_ids(
            [accounting.employer_account_spec(pk, path) for pk, path in employers]))
    return np.array([found[code] for code in codes], dtype=np.int64)


EMPLOYER_BATCH_TABLE = "pakan_employer_invoice_batch"


def _insert_employer_invoices(batch: EmployerInvoices, keys: list[str],
                              rows: np.ndarray) -> np.ndarray:
    """COPY the rows into a temporary table, one INSERT ... ON CONFLICT (ledger_key) DO NOTHING;
    returns which of `rows` it inserted (a boolean mask over `rows`)."""
    columns = [column[rows].tolist() for column in (
        batch.employer_id, batch.village_id, batch.declaration_id, batch.number_of_workers,
        batch.insured_amount, batch.employer_amount)]
    text = "".join(f"{position}\t{employer}\t{village}\t{declaration}\t{workers}\t{insured}\t"
                   f"{employer_share}\t{key}\n"
                   for position, (key, employer, village, declaration, workers, insured,
                                  employer_share)
                   in enumerate(zip(copy_texts([keys[row] for row in rows.tolist()]), *columns,
                                    strict=True)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {EMPLOYER_BATCH_TABLE} ("
                       "position integer, employer_id bigint, village_id bigint, "
                       "declaration_id bigint, number_of_workers integer, insured_amount bigint, "
                       "employer_amount bigint, ledger_key varchar(200)) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {EMPLOYER_BATCH_TABLE}")
        with cursor.cursor.copy(f"COPY {EMPLOYER_BATCH_TABLE} FROM STDIN") as copy:
            copy.write(text)
        cursor.execute(
            "WITH inserted AS ("
            f" INSERT INTO {Invoice._meta.db_table} (kind, employer_id, village_id, month, "
            " declaration_id, billing_run_id, number_of_workers, insured_amount, "
            " employer_amount, state_subsidy, total, issued_on, due_on, ledger_key) "
            " SELECT %s, employer_id, village_id, %s, declaration_id, %s, number_of_workers, "
            " insured_amount, employer_amount, 0, insured_amount + employer_amount, %s, %s, "
            f" ledger_key FROM {EMPLOYER_BATCH_TABLE} ORDER BY position "
            " ON CONFLICT (ledger_key) DO NOTHING RETURNING ledger_key) "
            "SELECT string_agg(int4send(batch.position), '') "
            f"FROM inserted JOIN {EMPLOYER_BATCH_TABLE} batch USING (ledger_key)",
            [batch.kind, batch.month, batch.billing_run_id, batch.issued_on, batch.due_on])
        positions = cursor.fetchone()[0]
    inserted = np.zeros(len(rows), dtype=bool)
    if positions:
        inserted[np.frombuffer(positions, dtype=">i4")] = True
    return inserted


def _postings_of(batch: EmployerInvoices, keys: list[str], rows: np.ndarray,
                 debtors: np.ndarray) -> PostingColumns:
    """The postings of these invoices, line for line accounting.invoice_posting's: the
    accounts of each share come from that function itself (asked once, with shares of 1 and 2
    kip), so the chart of accounts stays written down in one place."""
    template = accounting.invoice_posting(
        ledger_key="template", debtor_account="debtor", insured_amount=1, employer_amount=2,
        kind=batch.kind, issued_on=batch.issued_on)
    share_account = {line.amount: line.account for line in template.lines}
    if set(share_account) != {3, -1, -2} or share_account[3] != "debtor":
        raise ValueError(f"invoice kind {batch.kind} does not post as debtor against two shares")
    insured, employer = batch.insured_amount[rows], batch.employer_amount[rows]
    count = len(rows)
    amounts = np.stack([insured + employer, -insured, -employer], axis=1).ravel()
    # Accounts: the debtors first (one each), then the two share accounts.
    accounts = np.stack([np.arange(count), np.full(count, count), np.full(count, count + 1)],
                        axis=1).ravel()
    postings = np.repeat(np.arange(count), 3)
    kept = amounts != 0
    description = f"{Invoice.Kind(batch.kind).label} {batch.month:%Y-%m}"
    return PostingColumns(
        keys=[keys[row] for row in rows.tolist()], kinds=[template.kind] * count,
        effective_dates=[batch.issued_on] * count, descriptions=[description] * count,
        accounts=[*debtors.tolist(), share_account[-1], share_account[-2]],
        line_posting=postings[kept], line_account=accounts[kept], line_amount=amounts[kept])
