"""Import of the Ministry of Industry and Commerce enterprise register (CSV or XLSX) into
EnterpriseRegisterEntry, so the compliance list can name enterprises with no social security
registration.

The file is accepted whole or not at all: every row is checked first (column expressions over
batches, pakan.tabular), every bad cell is reported with its line, column and reason in English
and Lao, and only a file without errors is written, in one transaction, as an upsert by
enterprise number (a newer register file updates the entries it repeats).

Columns: enterprise_number, name_lo, sector, village_code (required); name_en,
number_of_workers, registered_on (YYYY-MM-DD) (optional).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import transaction
from django.utils import timezone

from pakan.accounts.scope import require_change_permission, scope_path
from pakan.audit.models import AuditEvent
from pakan.registry.columns import IDENTIFIER_PATTERN
from pakan.registry.models import AdminUnit
from pakan.socialsecurity.models import EnterpriseRegisterEntry, Sector
from pakan.tabular.messages import Message, RowError, TableRefused, preview, register
from pakan.tabular.reading import LINE_COLUMN, check_header, open_table

COLUMNS = ("enterprise_number", "name_lo", "name_en", "sector", "number_of_workers",
           "village_code", "registered_on")
REQUIRED = ("enterprise_number", "name_lo", "sector", "village_code")
MAX_NAME_LENGTH = 200
MAX_WORKERS = 1_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024
# The report lists this many errors; the count of all of them is given beside.
MAX_LISTED_ERRORS = 1000
INSERT_BATCH = 5000
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CONTROL_CHARACTER_PATTERN = r"[\x00-\x1F\x7F]"

register({
    "enterprise_register_required": Message(
        "Line {line}: '{column}' is empty; it is required.",
        "ແຖວ {line}: '{column}' ຫວ່າງເປົ່າ; ຕ້ອງຕື່ມ."),
    "enterprise_register_bad_number": Message(
        "Line {line}: the enterprise number must be 6 to 20 digits, capital letters or hyphens.",
        "ແຖວ {line}: ເລກທະບຽນວິສາຫະກິດຕ້ອງແມ່ນຕົວເລກ, ຕົວອັກສອນໃຫຍ່ ຫຼື ຂີດ 6 ຫາ 20 ຕົວ."),
    "enterprise_register_duplicate": Message(
        "Line {line}: enterprise number {cell} appears more than once in the file.",
        "ແຖວ {line}: ເລກທະບຽນວິສາຫະກິດ {cell} ມີຫຼາຍກວ່າໜຶ່ງເທື່ອໃນໄຟລ໌."),
    "enterprise_register_too_long": Message(
        "Line {line}: '{column}' is longer than {limit} characters.",
        "ແຖວ {line}: '{column}' ຍາວເກີນ {limit} ຕົວອັກສອນ."),
    "enterprise_register_bad_sector": Message(
        "Line {line}: unknown sector; write the ISIC section letter (A to S).",
        "ແຖວ {line}: ບໍ່ຮູ້ຈັກຂະແໜງການ; ໃຫ້ຂຽນຕົວອັກສອນໝວດ ISIC (A ຫາ S)."),
    "enterprise_register_bad_workers": Message(
        "Line {line}: the number of workers must be a whole number from 0 to {limit}.",
        "ແຖວ {line}: ຈຳນວນແຮງງານຕ້ອງແມ່ນຈຳນວນເຕັມ ແຕ່ 0 ຫາ {limit}."),
    "enterprise_register_unknown_village": Message(
        "Line {line}: no village has the code {cell}.",
        "ແຖວ {line}: ບໍ່ມີບ້ານທີ່ມີລະຫັດ {cell}."),
    "enterprise_register_outside_scope": Message(
        "Line {line}: village {cell} is outside your province or district.",
        "ແຖວ {line}: ບ້ານ {cell} ຢູ່ນອກແຂວງ ຫຼື ເມືອງ ຂອງທ່ານ."),
    "enterprise_register_bad_date": Message(
        "Line {line}: '{column}' must be a date written YYYY-MM-DD.",
        "ແຖວ {line}: '{column}' ຕ້ອງແມ່ນວັນທີ ຂຽນແບບ YYYY-MM-DD."),
    "enterprise_register_future_date": Message(
        "Line {line}: '{column}' is in the future.",
        "ແຖວ {line}: '{column}' ຢູ່ໃນອະນາຄົດ."),
    "enterprise_register_control_character": Message(
        "Line {line}: '{column}' contains a line break, a tab or another control character.",
        "ແຖວ {line}: '{column}' ມີການຂຶ້ນແຖວໃໝ່, ແທັບ ຫຼື ຕົວອັກສອນຄວບຄຸມອື່ນ."),
})


class EnterpriseRegisterRefused(TableRefused):
    """The register file has errors; nothing was imported. `total_errors` counts them all,
    `errors` lists the first MAX_LISTED_ERRORS."""

    total_errors: int = 0


@dataclass(frozen=True)
class RegisterImport:
    rows: int
    created: int
    updated: int


def _villages(actor) -> pl.DataFrame:
    """Every village code, and whether it lies in the importer's scope."""
    prefix = scope_path(actor) or "\x00"
    rows = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).values_list("code", "pk",
                                                                               "path")
    codes, ids, in_scope = [], [], []
    for code, pk, path in rows.iterator():
        codes.append(code)
        ids.append(pk)
        in_scope.append(path.startswith(prefix))
    return pl.DataFrame({"village_code": codes, "village_id": ids, "in_scope": in_scope},
                        schema={"village_code": pl.String, "village_id": pl.Int64,
                                "in_scope": pl.Boolean})


def _checks(today: datetime.date) -> list[tuple[str, str, pl.Expr, dict]]:
    """(column, code, expression true where the cell is wrong, message values)."""
    column = pl.col
    number = column("number_of_workers")
    date = column("registered_on")
    parsed = date.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    checks = [(name, "enterprise_register_required", column(name).is_null(), {})
              for name in REQUIRED]
    checks += [(name, "enterprise_register_control_character",
                column(name).str.contains(CONTROL_CHARACTER_PATTERN).fill_null(False), {})
               for name in COLUMNS]
    checks += [
        ("enterprise_number", "enterprise_register_bad_number",
         ~column("enterprise_number").str.to_uppercase().str.contains(IDENTIFIER_PATTERN)
         .fill_null(True) & column("enterprise_number").is_not_null(), {}),
        ("sector", "enterprise_register_bad_sector",
         ~column("sector").str.to_uppercase().is_in(list(Sector.values))
         & column("sector").is_not_null(), {}),
        ("number_of_workers", "enterprise_register_bad_workers",
         number.is_not_null() & (~number.str.contains(r"^[0-9]{1,7}$").fill_null(False)
                                 | (number.cast(pl.Int64, strict=False) > MAX_WORKERS)),
         {"limit": f"{MAX_WORKERS:,}"}),
        ("registered_on", "enterprise_register_bad_date",
         date.is_not_null() & (~date.str.contains(ISO_DATE_PATTERN).fill_null(False)
                               | parsed.is_null()), {}),
        ("registered_on", "enterprise_register_future_date",
         parsed.is_not_null() & (parsed > pl.lit(today)), {}),
        ("village_code", "enterprise_register_unknown_village",
         column("village_code").is_not_null() & column("village_id").is_null(), {}),
        ("village_code", "enterprise_register_outside_scope",
         column("village_id").is_not_null() & ~column("in_scope").fill_null(False), {}),
        ("enterprise_number", "enterprise_register_duplicate",
         column("enterprise_number").is_not_null()
         & column("enterprise_number").str.to_uppercase().is_duplicated(), {}),
    ]
    checks += [(name, "enterprise_register_too_long",
                column(name).str.len_chars() > MAX_NAME_LENGTH, {"limit": MAX_NAME_LENGTH})
               for name in ("name_lo", "name_en")]
    return checks


def _errors(frame: pl.DataFrame, today: datetime.date) -> tuple[list[RowError], int]:
    listed: list[RowError] = []
    total = 0
    for name, code, wrong, values in _checks(today):
        bad = frame.filter(wrong.fill_null(False)).select(LINE_COLUMN, name)
        total += bad.height
        for line, value in bad.head(MAX_LISTED_ERRORS - len(listed)).iter_rows():
            listed.append(RowError.of(line, name, value, code, cell=preview(value), **values))
    listed.sort(key=lambda error: (error.line, error.column))
    return listed, total


def read_register(path: Path, original_name: str, actor,
                  today: datetime.date) -> pl.DataFrame:
    """The whole file as one frame of checked rows, or EnterpriseRegisterRefused."""
    table = open_table(path, original_name, max_bytes=MAX_FILE_BYTES)
    header_errors = check_header(table.header, REQUIRED, COLUMNS)
    if header_errors:
        raise EnterpriseRegisterRefused(header_errors)
    batches = list(table.batches())
    if not batches:
        raise TableRefused.of("no_rows")
    frame = pl.concat(batches).with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in COLUMNS
        if name not in table.header)
    frame = frame.join(_villages(actor), on="village_code", how="left")
    errors, total = _errors(frame, today)
    if errors:
        refusal = EnterpriseRegisterRefused(errors)
        refusal.total_errors = total
        raise refusal
    return frame


def import_enterprise_register(actor, path: Path, original_name: str = "", *,
                               today: datetime.date | None = None) -> RegisterImport:
    """Check the whole register file, then write it in one transaction (upsert by enterprise
    number). Raises EnterpriseRegisterRefused (row errors) or TableRefused (the file)."""
    require_change_permission(actor)
    today = today or timezone.localdate()
    frame = read_register(Path(path), original_name or Path(path).name, actor, today)
    now = timezone.now()
    entries = [EnterpriseRegisterEntry(
        enterprise_number=number.upper(), name_lo=name_lo, name_en=name_en or "",
        sector=sector.upper(), number_of_workers=int(workers or 0), village_id=village_id,
        registered_on=datetime.date.fromisoformat(registered) if registered else None,
        imported_at=now) for number, name_lo, name_en, sector, workers, village_id, registered
        in frame.select("enterprise_number", "name_lo", "name_en", "sector",
                        "number_of_workers", "village_id", "registered_on").iter_rows()]
    numbers = [entry.enterprise_number for entry in entries]
    with transaction.atomic():
        known = set()
        for start in range(0, len(numbers), INSERT_BATCH):
            known.update(EnterpriseRegisterEntry.objects.filter(
                enterprise_number__in=numbers[start:start + INSERT_BATCH])
                .values_list("enterprise_number", flat=True))
        EnterpriseRegisterEntry.objects.bulk_create(
            entries, batch_size=INSERT_BATCH, update_conflicts=True,
            unique_fields=["enterprise_number"],
            update_fields=["name_lo", "name_en", "sector", "number_of_workers", "village",
                           "registered_on", "imported_at"])
        result = RegisterImport(len(entries), len(entries) - len(known), len(known))
        AuditEvent.objects.create(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=AuditEvent.Action.IMPORT,
            object_type=EnterpriseRegisterEntry._meta.label_lower,
            after={"file_name": original_name, "rows": result.rows,
                   "created": result.created, "updated": result.updated},
            note=f"enterprise register {original_name}"[:200])
    return result
