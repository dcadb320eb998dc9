"""Writes to the ledger. Money enters only through `post`, `post_many` and `reverse`.

Every posting is checked before anything is written (whole kip, no zero lines, sum zero, known
accounts) and written in one database transaction. The posting key makes each write idempotent:
the unique index on `Transaction.key` decides, under concurrency too, which writer wins; the
others find the winner's posting and write nothing.
"""

from __future__ import annotations

import datetime
import numbers
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from pakan.ledger.messages import render
from pakan.ledger.models import Account, Entry, Transaction

# Far beyond any real amount (Lao GDP is a few hundred trillion kip) and far inside BIGINT, so
# sums over millions of entries cannot overflow either.
MAX_LINE_AMOUNT = 10**15
# Keeps IN (...) lists under SQLite's variable limit and INSERT statements a sensible size.
# SQLite allows 999 variables in a statement; PostgreSQL takes a batch's keys in one query.
SQLITE_QUERY_CHUNK = 900
POSTGRESQL_QUERY_CHUNK = 50_000
INSERT_BATCH = 5000

AccountReference = Account | str | int


class LedgerError(ValueError):
    """A posting the ledger refuses, with its reason in English and Lao."""

    def __init__(self, code: str, /, *, row: int | None = None, field_name: str | None = None,
                 **values: object) -> None:
        self.code = code
        self.row = row
        self.field_name = field_name
        self.message_en, self.message_lo = render(code, row=row, **values)
        super().__init__(f"{self.message_en} / {self.message_lo}")


@dataclass(frozen=True)
class Line:
    """One side of a posting: debit when `amount` is positive, credit when negative."""

    account: AccountReference
    amount: int


@dataclass(frozen=True)
class Posting:
    """One balanced movement of money, as a pillar asks for it."""

    key: str
    lines: Sequence[Line | tuple[AccountReference, int]]
    kind: str
    effective_date: datetime.date | None = None
    description: str = ""


@dataclass(frozen=True)
class AccountSpec:
    code: str
    name_en: str
    kind: str
    name_lo: str = ""
    owner_type: str = ""
    owner_id: int | None = None
    scope_path: str = ""


@dataclass
class BatchResult:
    created: int = 0
    already_posted: int = 0
    created_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Checked:
    key: str
    kind: str
    effective_date: datetime.date
    description: str
    lines: list[tuple[AccountReference, int]]


# ---------------------------------------------------------------------------------------------
# Accounts


def ensure_account(code: str, *, name_en: str, kind: str, name_lo: str = "",
                   owner_type: str = "", owner_id: int | None = None,
                   scope_path: str = "") -> Account:
    """The account with this code, opened on first use; safe to call from every run."""
    spec = AccountSpec(code, name_en, kind, name_lo, owner_type, owner_id, scope_path)
    return ensure_accounts([spec])[code]


def ensure_accounts(specs: Iterable[AccountSpec]) -> dict[str, Account]:
    """Open many accounts at once (one per employer for a billing run), keyed by code.

    Existing accounts are kept as they are; an existing code with another kind is refused,
    because a receivable silently turning into income would corrupt every balance after it.
    """
    wanted = {spec.code: spec for spec in specs}
    for spec in wanted.values():
        if spec.kind not in Account.Kind.values:
            raise LedgerError("account_kind_unknown", field_name="kind", code=spec.code,
                              kind=spec.kind)
    with transaction.atomic():
        found = _accounts_by_code(wanted)
        missing = [
            Account(code=spec.code, name_en=spec.name_en, name_lo=spec.name_lo, kind=spec.kind,
                    owner_type=spec.owner_type, owner_id=spec.owner_id,
                    scope_path=spec.scope_path)
            for code, spec in wanted.items() if code not in found
        ]
        if missing:
            # ignore_conflicts: a concurrent run may open the same account at the same moment.
            Account.objects.bulk_create(missing, batch_size=INSERT_BATCH, ignore_conflicts=True)
            found.update(_accounts_by_code([account.code for account in missing]))
    for code, spec in wanted.items():
        if found[code].kind != spec.kind:
            raise LedgerError("account_kind_conflict", field_name="kind", code=code,
                              existing=found[code].kind, requested=spec.kind)
    return found


def _chunks(values: Sequence) -> Iterator[Sequence]:
    size = POSTGRESQL_QUERY_CHUNK if connection.vendor == "postgresql" else SQLITE_QUERY_CHUNK
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _accounts_by_code(codes: Iterable[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    for chunk in _chunks(list(codes)):
        for account in Account.objects.filter(code__in=chunk):
            found[account.code] = account
    return found


# ---------------------------------------------------------------------------------------------
# Postings


def post(key: str, lines: Sequence[Line | tuple[AccountReference, int]], *, kind: str,
         effective_date: datetime.date | None = None, description: str = "",
         created_by=None, reverses: Transaction | None = None) -> Transaction:
    """Post one balanced transaction, or return the one already posted under `key`."""
    checked = _check(Posting(key, lines, kind, effective_date, description))
    existing = Transaction.objects.filter(key=checked.key).first()
    if existing is not None:
        return existing
    account_ids = _resolve_accounts([checked])
    try:
        with transaction.atomic():
            posted = Transaction.objects.create(
                key=checked.key, kind=checked.kind, description=checked.description,
                effective_date=checked.effective_date, created_by=created_by, reverses=reverses,
            )
            Entry.objects.bulk_create(_entries(posted, checked, account_ids))
    except IntegrityError:
        # Another writer won the race for this key: its posting stands, ours is not needed.
        existing = Transaction.objects.filter(key=checked.key).first()
        if existing is not None:
            return existing
        if reverses is not None:
            _refuse_second_reversal(Transaction.objects.get(pk=reverses.pk))
        raise
    return posted


def post_many(postings: Iterable[Posting], *, created_by=None) -> BatchResult:
    """Post thousands of transactions in a few statements (a month's billing, a payment file).

    All postings are checked first, so one bad line refuses the whole batch and writes nothing.
    Keys already in the ledger are skipped; rerunning a batch after a crash posts only the rest.
    """
    checked = [_check(posting, batch_row=row) for row, posting in enumerate(postings, start=1)]
    seen: set[str] = set()
    for row, item in enumerate(checked, start=1):
        if item.key in seen:
            raise LedgerError("duplicate_key_in_batch", row=row, field_name="key", key=item.key)
        seen.add(item.key)
    account_ids = _resolve_accounts(checked)
    for _attempt in range(3):
        posted_keys = _existing_keys([item.key for item in checked])
        to_post = [item for item in checked if item.key not in posted_keys]
        if not to_post:
            return BatchResult(already_posted=len(checked))
        try:
            created_keys = _insert_batch(to_post, account_ids, created_by)
        except IntegrityError:
            # A concurrent run posted some of these keys meanwhile: look again, post the rest.
            if not _existing_keys([item.key for item in to_post]):
                raise
            continue
        return BatchResult(created=len(created_keys),
                           already_posted=len(checked) - len(created_keys),
                           created_keys=created_keys)
    raise RuntimeError("post_many: keys kept colliding with concurrent runs; run it again")


def reverse(original: Transaction, key: str, *, effective_date: datetime.date | None = None,
            description: str = "", created_by=None) -> Transaction:
    """Cancel a posting by posting its mirror image; the original stays, as the trail requires."""
    existing = Transaction.objects.filter(key=key.strip()).first()
    if existing is not None:
        return existing
    original = Transaction.objects.get(pk=original.pk)
    _refuse_second_reversal(original)
    mirror = [Line(entry.account_id, -entry.amount) for entry in original.entries.all()]
    return post(key, mirror, kind="reversal", reverses=original,
                effective_date=effective_date,
                description=description or f"Reversal of {original.key}",
                created_by=created_by)


def _refuse_second_reversal(original: Transaction) -> None:
    reversal = Transaction.objects.filter(reverses=original).first()
    if reversal is not None:
        raise LedgerError("already_reversed", key=original.key, reversal_key=reversal.key)


def _check(posting: Posting, batch_row: int | None = None) -> _Checked:
    """Refuse anything but whole, non-zero kip on lines that sum to zero."""
    key = (posting.key or "").strip()
    if not key:
        raise LedgerError("key_missing", row=batch_row, field_name="key")
    if not posting.lines:
        raise LedgerError("no_lines", row=batch_row, field_name="lines", key=key)
    lines: list[tuple[AccountReference, int]] = []
    for row, line in enumerate(posting.lines, start=1):
        account, value = (line.account, line.amount) if isinstance(line, Line) else line
        lines.append((account, _whole_kip(value, key, row)))
    total = sum(amount for _, amount in lines)
    if total != 0:
        raise LedgerError("unbalanced", row=batch_row, field_name="amount", key=key, total=total)
    return _Checked(key, posting.kind, posting.effective_date or timezone.localdate(),
                    posting.description, lines)


def _whole_kip(value: object, key: str, row: int) -> int:
    # bool is an int to Python, 2.0 is a float, Decimal("2") may hide fractions elsewhere:
    # only true integers (int, numpy integers) are kip.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise LedgerError("amount_not_integer", row=row, field_name="amount", key=key,
                          value=value)
    amount = int(value)
    if amount == 0:
        raise LedgerError("amount_zero", row=row, field_name="amount", key=key)
    if abs(amount) > MAX_LINE_AMOUNT:
        raise LedgerError("amount_too_large", row=row, field_name="amount", key=key,
                          value=amount)
    return amount


def _resolve_accounts(checked: Sequence[_Checked]) -> dict[AccountReference, int]:
    """Account ids for every reference in the batch, in one query per chunk of codes."""
    codes = {ref for item in checked for ref, _ in item.lines if isinstance(ref, str)}
    ids = {ref for item in checked for ref, _ in item.lines if isinstance(ref, int)}
    resolved: dict[AccountReference, int] = {}
    for chunk in _chunks(list(codes)):
        resolved.update(Account.objects.filter(code__in=chunk).values_list("code", "pk"))
    for chunk in _chunks(list(ids)):
        resolved.update({pk: pk for pk in Account.objects.filter(pk__in=chunk)
                         .values_list("pk", flat=True)})
    for item in checked:
        for row, (ref, _) in enumerate(item.lines, start=1):
            if isinstance(ref, Account):
                resolved[ref] = ref.pk
            elif ref not in resolved:
                raise LedgerError("unknown_account", row=row, field_name="account",
                                  key=item.key, code=ref)
    return resolved


def _existing_keys(keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(list(keys)):
        found.update(Transaction.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def _insert_batch(to_post: Sequence[_Checked], account_ids: dict[AccountReference, int],
                  created_by) -> list[str]:
    """Write the batch; returns the keys this call posted (a concurrent writer may own others)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _insert_batch_postgresql(to_post, account_ids, created_by)
        posted = Transaction.objects.bulk_create(
            [Transaction(key=item.key, kind=item.kind, description=item.description,
                         effective_date=item.effective_date, created_by=created_by)
             for item in to_post],
            batch_size=INSERT_BATCH,
        )
        entries = [entry for parent, item in zip(posted, to_post, strict=True)
                   for entry in _entries(parent, item, account_ids)]
        Entry.objects.bulk_create(entries, batch_size=INSERT_BATCH)
    return [item.key for item in to_post]


def _insert_batch_postgresql(to_post: Sequence[_Checked],
                             account_ids: dict[AccountReference, int], created_by) -> list[str]:
    """Two set-based statements fed by arrays, no model instance per row.

    ON CONFLICT DO NOTHING leaves a key that a concurrent writer holds to that writer, and only
    the transactions this statement inserted get entries. Keys go in sorted order so two
    overlapping batches wait on each other in the same order instead of deadlocking.
    """
    to_post = sorted(to_post, key=lambda item: item.key)
    created_by_id = created_by.pk if created_by is not None else None
    entry_keys: list[str] = []
    entry_accounts: list[int] = []
    entry_amounts: list[int] = []
    entry_dates: list[datetime.date] = []
    for item in to_post:
        for ref, amount in item.lines:
            entry_keys.append(item.key)
            entry_accounts.append(account_ids[ref])
            entry_amounts.append(amount)
            entry_dates.append(item.effective_date)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction "
            "(key, kind, description, effective_date, created_at, created_by_id) "
            "SELECT batch.key, batch.kind, batch.description, batch.effective_date, now(), %s "
            "FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::date[]) "
            "WITH ORDINALITY AS batch(key, kind, description, effective_date, position) "
            "ORDER BY batch.position "
            "ON CONFLICT (key) DO NOTHING RETURNING id, key",
            [created_by_id, [item.key for item in to_post], [item.kind for item in to_post],
             [item.description for item in to_post], [item.effective_date for item in to_post]],
        )
        created = cursor.fetchall()
        if not created:
            return []
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount, effective_date) "
            "SELECT posted.id, line.account_id, line.amount, line.effective_date "
            "FROM unnest(%s::varchar[], %s::bigint[], %s::bigint[], %s::date[]) "
            "AS line(key, account_id, amount, effective_date) "
            "JOIN unnest(%s::bigint[], %s::varchar[]) AS posted(id, key) "
            "ON posted.key = line.key",
            [entry_keys, entry_accounts, entry_amounts, entry_dates,
             [row[0] for row in created], [row[1] for row in created]],
        )
    return [row[1] for row in created]


def _entries(parent: Transaction, item: _Checked,
             account_ids: dict[AccountReference, int]) -> list[Entry]:
    return [Entry(transaction=parent, account_id=account_ids[ref], amount=amount,
                  effective_date=item.effective_date)
            for ref, amount in item.lines]
