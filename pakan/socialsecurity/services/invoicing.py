"""Issuing invoices: the one way an invoice comes into being, whatever produced it (a billing
run, a correction, an assessment, a surcharge, a voluntary contribution).

An invoice row and its ledger posting are written in one transaction and share `ledger_key`,
so a rerun finds the invoices already issued and issues only the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from pakan.ledger.services import post_many
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import Employer, InsuredMember, Invoice

INSERT_BATCH = 5000
QUERY_CHUNK = 900


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


def _open_debtor_accounts(invoices: Sequence[Invoice]) -> None:
    employer_ids = {invoice.employer_id for invoice in invoices if invoice.employer_id}
    member_ids = {invoice.member_id for invoice in invoices
                  if invoice.member_id and not invoice.employer_id}
    employers = []
    for start in range(0, len(employer_ids), QUERY_CHUNK):
        chunk = list(employer_ids)[start:start + QUERY_CHUNK]
        employers += Employer.objects.filter(pk__in=chunk).values_list("pk", "village__path")
    members = []
    for start in range(0, len(member_ids), QUERY_CHUNK):
        chunk = list(member_ids)[start:start + QUERY_CHUNK]
        members += InsuredMember.objects.filter(pk__in=chunk).values_list(
            "pk", "person__village__path")
    accounting.ensure_debtor_accounts(employers, members)


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
    with transaction.atomic():
        Invoice.objects.bulk_create(to_issue, batch_size=INSERT_BATCH)
        post_many([posting_for(invoice) for invoice in to_issue], created_by=created_by)
    return to_issue
