"""Writes to the ledger. Money enters only through `post`, `post_many`, `post_columns` and
`reverse`.

Every posting is checked before anything is written (whole kip, no zero lines, sum zero, known
accounts) and written in one database transaction. The posting key makes each write idempotent:
the unique index on `Transaction.key` decides, under concurrency too, which writer wins; the
others find the winner's posting and write nothing.

`post_columns` is `post_many` for batches held as columns (a month's billing: 50,000 postings,
150,000 lines) with no Python object per posting: numpy makes the same checks at once. On
PostgreSQL both write a batch the same way: COPY into temporary tables, one INSERT ... SELECT
... ON CONFLICT (key) DO NOTHING of the transactions, one INSERT ... SELECT of the entries of
those it inserted (no parameter per value: quoting 150,000 values took seconds).
"""

from __future__ import annotations

import datetime
import numbers
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
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
# PostgreSQL's binary dates count days from this one.
POSTGRESQL_EPOCH = datetime.date(2000, 1, 1)

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
class PostingColumns:
    """Many postings as columns. Posting i is keys[i] (with kinds[i], effective_dates[i],
    descriptions[i]); its lines are the rows j where line_posting[j] == i, each moving
    line_amount[j] kip on accounts[line_account[j]]."""

    keys: Sequence[str]
    kinds: Sequence[str]
    effective_dates: Sequence[datetime.date]
    descriptions: Sequence[str]
    accounts: Sequence[AccountReference]
    line_posting: np.ndarray
    line_account: np.ndarray
    line_amount: np.ndarray


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
    """Open many accounts at once, keyed by code.

    Existing accounts are kept as they are; an existing code with another kind is refused,
    because a receivable silently turning into income would corrupt every balance after it.
    """
    ids = ensure_account_ids(specs)
    found: dict[str, Account] = {}
    for chunk in _chunks(list(ids.values())):
        found.update((account.code, account) for account in Account.objects.filter(pk__in=chunk))
    return found


def ensure_account_ids(specs: Iterable[AccountSpec]) -> dict[str, int]:
    """`ensure_accounts` for many accounts (one per employer for a billing run): their ids by
    code, without loading an Account object for each."""
    wanted = {spec.code: spec for spec in specs}
    for spec in wanted.values():
        if spec.kind not in Account.Kind.values:
            raise LedgerError("account_kind_unknown", field_name="kind", code=spec.code,
                              kind=spec.kind)
    with transaction.atomic():
        found = _account_rows(wanted)
        missing = [
            Account(code=spec.code, name_en=spec.name_en, name_lo=spec.name_lo, kind=spec.kind,
                    owner_type=spec.owner_type, owner_id=spec.owner_id,
                    scope_path=spec.scope_path)
            for code, spec in wanted.items() if code not in found
        ]
        if missing:
            # ON CONFLICT DO NOTHING: a concurrent run may open the same account at the same
            # moment.
            _insert_accounts(missing)
            found.update(_account_rows([account.code for account in missing]))
    for code, spec in wanted.items():
        if found[code][1] != spec.kind:
            raise LedgerError("account_kind_conflict", field_name="kind", code=code,
                              existing=found[code][1], requested=spec.kind)
    return {code: found[code][0] for code in wanted}


def _chunks(values: Sequence) -> Iterator[Sequence]:
    size = POSTGRESQL_QUERY_CHUNK if connection.vendor == "postgresql" else SQLITE_QUERY_CHUNK
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _insert_accounts(accounts: list[Account]) -> None:
    """New accounts; a code already there is skipped. On PostgreSQL one INSERT ... SELECT FROM
    unnest(...) (a first billing opens 50,000 receivables), elsewhere bulk_create."""
    if connection.vendor != "postgresql":
        Account.objects.bulk_create(accounts, batch_size=INSERT_BATCH, ignore_conflicts=True)
        return
    fields = ("code", "name_en", "name_lo", "kind", "owner_type", "owner_id", "scope_path")
    types = ("varchar", "varchar", "varchar", "varchar", "varchar", "bigint", "varchar")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Account._meta.db_table} ({', '.join(fields)}, created_at) "
            f"SELECT *, now() FROM unnest("
            + ", ".join(f"%s::{name}[]" for name in types)
            + ") ON CONFLICT (code) DO NOTHING",
            [[getattr(account, name) for account in accounts] for name in fields])


def _account_rows(codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """(id, kind) of the accounts with these codes: on PostgreSQL one query with the codes as
    one array parameter, elsewhere IN lists of 900."""
    codes = list(codes)
    if connection.vendor == "postgresql":
        if not codes:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code, id, kind FROM {Account._meta.db_table} "
                           f"WHERE code = ANY({_LIST_PARAMETER})", _list_parameter(codes))
            return {code: (pk, kind) for code, pk, kind in cursor.fetchall()}
    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(codes):
        found.update((code, (pk, kind)) for code, pk, kind in
                     Account.objects.filter(code__in=chunk).values_list("code", "pk", "kind"))
    return found


# A list for `= ANY(...)` as one text parameter the server splits: psycopg quotes a list
# parameter value by value in Python (seconds for 150,000 values), one string at once.
_LIST_PARAMETER = "string_to_array(%s, %s)"
_SEPARATOR = "\x1f"


def _list_parameter(texts: Sequence[str]) -> list[str]:
    """The parameters of _LIST_PARAMETER for these texts (none may hold the separator)."""
    if any(_SEPARATOR in text for text in texts):
        raise ValueError("an account code holds the unit separator character")
    return [_SEPARATOR.join(texts), _SEPARATOR]


def _existing_account_ids(ids: Sequence[int]) -> set[int]:
    if connection.vendor == "postgresql":
        if not ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Account._meta.db_table} "
                           f"WHERE id = ANY({_LIST_PARAMETER}::bigint[])",
                           _list_parameter([str(pk) for pk in ids]))
            return {pk for (pk,) in cursor.fetchall()}
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(Account.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def account_ids(codes: Iterable[str]) -> dict[str, int]:
    """Ids of the accounts with these codes that exist (one query per 50,000 on PostgreSQL)."""
    return {code: pk for code, (pk, _kind) in _account_rows(codes).items()}


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
    if connection.vendor == "postgresql":
        # ON CONFLICT (key) DO NOTHING skips the keys already posted, a concurrent run's too.
        with transaction.atomic():
            created = _insert_columns_postgresql(*_columns_of(checked, account_ids), created_by)
        created_keys = [checked[position].key for position in created.tolist()]
        return BatchResult(created=len(created_keys),
                           already_posted=len(checked) - len(created_keys),
                           created_keys=created_keys)
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


def post_columns(batch: PostingColumns, *, created_by=None) -> BatchResult:
    """`post_many` for a batch held as columns: the same checks (made by numpy, one bad posting
    refuses the whole batch with its row), keys already in the ledger skipped, the same result.
    """
    keys = [key.strip() for key in batch.keys]
    if not keys and not len(batch.line_posting):
        return BatchResult()
    amounts, line_posting, line_account = _check_columns(batch, keys)
    account_ids = _resolve_column_accounts(batch, keys, line_posting, line_account)
    line_account_id = account_ids[line_account]
    if connection.vendor != "postgresql":
        return post_many(_postings_of(batch, keys, line_posting, line_account_id, amounts),
                         created_by=created_by)
    with transaction.atomic():
        created = _insert_columns_postgresql(
            keys, batch.kinds, batch.descriptions, batch.effective_dates, line_posting,
            line_account_id, amounts, created_by)
    created_keys = [keys[position] for position in created.tolist()]
    return BatchResult(created=len(created_keys), already_posted=len(keys) - len(created_keys),
                       created_keys=created_keys)


def _check_columns(batch: PostingColumns, keys: list[str]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_check and the duplicate-key check of post_many, for the whole batch at once."""
    count = len(keys)
    if not (len(batch.kinds) == len(batch.effective_dates) == len(batch.descriptions) == count):
        raise ValueError("post_columns: one kind, effective date and description per key")
    line_posting = np.asarray(batch.line_posting)
    line_account = np.asarray(batch.line_account)
    amounts = np.asarray(batch.line_amount)
    if not line_posting.shape == line_account.shape == amounts.shape:
        raise ValueError("post_columns: one posting, account and amount per line")
    if line_posting.size and (line_posting.min() < 0 or line_posting.max() >= count):
        raise ValueError("post_columns: a line belongs to no posting of the batch")
    empty = [row for row, key in enumerate(keys) if not key]
    if empty:
        raise LedgerError("key_missing", row=empty[0] + 1, field_name="key")
    lines_per_posting = np.bincount(line_posting, minlength=count)
    if (lines_per_posting == 0).any():
        row = int(np.flatnonzero(lines_per_posting == 0)[0])
        raise LedgerError("no_lines", row=row + 1, field_name="lines", key=keys[row])
    if amounts.dtype.kind not in "iu":
        line = 0
        raise LedgerError("amount_not_integer", row=_line_row(line_posting, line),
                          field_name="amount", key=keys[line_posting[line]],
                          value=amounts.flat[0])
    amounts = amounts.astype(np.int64)
    for code, wrong in (("amount_zero", amounts == 0),
                        ("amount_too_large", np.abs(amounts) > MAX_LINE_AMOUNT)):
        if wrong.any():
            line = int(np.flatnonzero(wrong)[0])
            raise LedgerError(code, row=_line_row(line_posting, line), field_name="amount",
                              key=keys[line_posting[line]], value=int(amounts[line]))
    totals = np.zeros(count, dtype=np.int64)
    np.add.at(totals, line_posting, amounts)
    if totals.any():
        row = int(np.flatnonzero(totals)[0])
        raise LedgerError("unbalanced", row=row + 1, field_name="amount", key=keys[row],
                          total=int(totals[row]))
    if len(set(keys)) != count:
        seen: set[str] = set()
        for row, key in enumerate(keys, start=1):
            if key in seen:
                raise LedgerError("duplicate_key_in_batch", row=row, field_name="key", key=key)
            seen.add(key)
    return amounts, line_posting, line_account


def _line_row(line_posting: np.ndarray, line: int) -> int:
    """The line's number within its posting (1 for its first line)."""
    return int((line_posting[:line] == line_posting[line]).sum()) + 1


def _resolve_column_accounts(batch: PostingColumns, keys: list[str], line_posting: np.ndarray,
                             line_account: np.ndarray) -> np.ndarray:
    """The account id of each entry of `batch.accounts`; an unknown one refuses the batch."""
    references = list(batch.accounts)
    codes = [ref for ref in references if isinstance(ref, str)]
    numbers = [ref for ref in references if isinstance(ref, int) and not isinstance(ref, bool)]
    resolved: dict[AccountReference, int] = dict(account_ids(codes)) if codes else {}
    resolved.update((pk, pk) for pk in _existing_account_ids(numbers))
    ids = np.zeros(len(references), dtype=np.int64)
    for position, ref in enumerate(references):
        if isinstance(ref, Account):
            resolved[ref] = ref.pk
        if ref in resolved:
            ids[position] = resolved[ref]
            continue
        lines = np.flatnonzero(line_account == position)
        if lines.size:
            line = int(lines[0])
            raise LedgerError("unknown_account", row=_line_row(line_posting, line),
                              field_name="account", key=keys[line_posting[line]], code=ref)
    return ids


def _postings_of(batch: PostingColumns, keys: list[str], line_posting: np.ndarray,
                 line_account_id: np.ndarray, amounts: np.ndarray) -> list[Posting]:
    """The batch as Posting objects, for the plain path of other databases."""
    lines: list[list[Line]] = [[] for _ in keys]
    for posting, account, amount in zip(line_posting.tolist(), line_account_id.tolist(),
                                        amounts.tolist(), strict=True):
        lines[posting].append(Line(account, amount))
    return [Posting(key, lines[row], batch.kinds[row], batch.effective_dates[row],
                    batch.descriptions[row]) for row, key in enumerate(keys)]


POSTINGS_TABLE = "pakan_ledger_postings"
LINES_TABLE = "pakan_ledger_lines"
POSTED_TABLE = "pakan_ledger_posted"


def _columns_of(checked: Sequence[_Checked], account_ids: dict[AccountReference, int]) -> tuple:
    """post_many's checked postings as the column writer's arguments (but created_by)."""
    line_posting, line_account, amounts = [], [], []
    for position, item in enumerate(checked):
        for ref, amount in item.lines:
            line_posting.append(position)
            line_account.append(account_ids[ref])
            amounts.append(amount)
    return ([item.key for item in checked], [item.kind for item in checked],
            [item.description for item in checked], [item.effective_date for item in checked],
            np.array(line_posting, dtype=np.int64), np.array(line_account, dtype=np.int64),
            np.array(amounts, dtype=np.int64))


def _insert_columns_postgresql(keys: Sequence[str], kinds: Sequence[str],
                               descriptions: Sequence[str],
                               effective_dates: Sequence[datetime.date | None],
                               line_posting: np.ndarray, line_account_id: np.ndarray,
                               amounts: np.ndarray, created_by) -> np.ndarray:
    """COPY the postings and lines into temporary tables; one INSERT ... ON CONFLICT (key) DO
    NOTHING of the transactions, one INSERT of the entries of those it inserted. Returns the
    positions inserted. Keys go in in code-point order (post_many's), so two overlapping batches
    wait on each other in the same order instead of deadlocking."""
    today = timezone.localdate()
    postings = "".join(
        f"{position}\t{key}\t{kind}\t{description}\t{(effective_date or today).isoformat()}\n"
        for position, (key, kind, description, effective_date) in enumerate(zip(
            copy_texts(keys), copy_texts(kinds), copy_texts(descriptions), effective_dates,
            strict=True)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {POSTINGS_TABLE} (position integer, "
                       "key varchar(200), kind varchar(40), description varchar(300), "
                       "effective_date date) ON COMMIT DROP")
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {LINES_TABLE} (position bigint, "
                       "account_id bigint, amount bigint) ON COMMIT DROP")
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {POSTED_TABLE} (position integer, "
                       "id bigint) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {POSTINGS_TABLE}, {LINES_TABLE}, {POSTED_TABLE}")
        with cursor.cursor.copy(f"COPY {POSTINGS_TABLE} FROM STDIN") as copy:
            copy.write(postings)
        with cursor.cursor.copy(f"COPY {LINES_TABLE} FROM STDIN (FORMAT binary)") as copy:
            copy.write(binary_copy_of([line_posting, line_account_id, amounts]))
        cursor.execute(
            "WITH inserted AS ("
            " INSERT INTO ledger_transaction "
            " (key, kind, description, effective_date, created_at, created_by_id) "
            f" SELECT key, kind, description, effective_date, now(), %s FROM {POSTINGS_TABLE} "
            " ORDER BY key COLLATE \"C\" ON CONFLICT (key) DO NOTHING RETURNING id, key) "
            f"INSERT INTO {POSTED_TABLE} (position, id) "
            f"SELECT posting.position, inserted.id FROM inserted "
            f"JOIN {POSTINGS_TABLE} posting ON posting.key = inserted.key",
            [created_by.pk if created_by is not None else None])
        if not cursor.rowcount:
            return np.zeros(0, dtype=np.int64)
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount, effective_date) "
            "SELECT posted.id, line.account_id, line.amount, posting.effective_date "
            f"FROM {LINES_TABLE} line JOIN {POSTED_TABLE} posted USING (position) "
            f"JOIN {POSTINGS_TABLE} posting USING (position)")
        cursor.execute(f"SELECT string_agg(int4send(position), '' ORDER BY position) "
                       f"FROM {POSTED_TABLE}")
        return np.frombuffer(cursor.fetchone()[0], dtype=">i4").astype(np.int64)


def copy_texts(values: Sequence[str]) -> list[str]:
    """Strings as COPY's text format writes them (backslash, tab, newline and carriage return
    escaped), escaped all at once: four replacements over one joined string instead of four
    per value. A NUL, which no PostgreSQL text can hold, separates them."""
    if not values:
        return []
    joined = "\x00".join(map(str, values))
    escaped = (joined.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
               .replace("\r", "\\r").split("\x00"))
    if len(escaped) != len(values):
        raise ValueError("a text for the ledger holds a NUL character")
    return escaped


def binary_copy_of(columns: Sequence[np.ndarray | bytes | bool | int]) -> bytes:
    """PostgreSQL's binary COPY format, built by numpy in one go (a million rows in
    milliseconds, where text or parameter arrays take seconds). Each column is an int64 array
    (bigint), or one value for every row: a datetime.date (date), bytes (text), a bool."""
    rows = next(len(column) for column in columns if isinstance(column, np.ndarray))
    layout: list[tuple[str, str]] = [("fields", ">i2")]
    values = []
    for position, column in enumerate(columns):
        if isinstance(column, datetime.date):
            wire, value = ">i4", (column - POSTGRESQL_EPOCH).days
        elif isinstance(column, bytes):
            wire, value = f"S{len(column)}", column
        elif isinstance(column, bool):
            wire, value = "?", column
        else:
            wire, value = ">i8", column
        layout += [(f"length{position}", ">i4"), (f"value{position}", wire)]
        values.append(value)
    tuples = np.empty(rows, dtype=np.dtype(layout))
    tuples["fields"] = len(columns)
    for position, value in enumerate(values):
        tuples[f"length{position}"] = tuples.dtype[f"value{position}"].itemsize
        tuples[f"value{position}"] = value
    header = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    return header + tuples.tobytes() + (-1).to_bytes(2, "big", signed=True)


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
    resolved: dict[AccountReference, int] = dict(account_ids(codes))
    resolved.update((pk, pk) for pk in _existing_account_ids(list(ids)))
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
    """Write the batch (other databases than PostgreSQL); returns the keys this call posted."""
    with transaction.atomic():
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


def _entries(parent: Transaction, item: _Checked,
             account_ids: dict[AccountReference, int]) -> list[Entry]:
    return [Entry(transaction=parent, account_id=account_ids[ref], amount=amount,
                  effective_date=item.effective_date)
            for ref, amount in item.lines]
