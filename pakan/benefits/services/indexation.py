"""Indexing the pensions in payment, as the dated parameter
social_security.benefits.pension_indexation says.

Each dated entry of the parameter is a rate (0.05 = 5%) that raises, on its start date, every
periodic award in payment or suspended (a suspended pension resumes at the raised amount) that
started before that date and has not ended by it. The award gets a new AwardAmount from that date
(reason "indexation", source = the parameter entry): the amount valid the day before times
(1 + rate), rounded half up to whole kip. Earlier amounts are never rewritten, so a month paid
before the raise is paid again (or explained) at its own amount.

`index_pensions(effective_on)` applies the entry that starts on that date, set-wise (one
INSERT ... SELECT), and is keyed by the date (PensionIndexation): a second call adds nothing,
and the unique (award, date) of AwardAmount keeps an award from being raised twice on a date
even by two callers at once. The payroll run applies every entry that starts on or before the
end of its month and was not applied yet. A 0% entry (the provisional value while the sources
give no indexation rule) is recorded as applied and adds no amount.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from pakan.benefits.models import Award, AwardAmount
from pakan.benefits.models.payroll import PensionIndexation
from pakan.benefits.selectors.payroll import may_run_payroll
from pakan.benefits.validation import BenefitsValidationError, error
from pakan.rules.legal_parameters import history

INDEXATION = "social_security.benefits.pension_indexation"
# Rates become integer parts per million so the arithmetic is exact on both databases.
RATE_SCALE = 1_000_000
ADVISORY_LOCK_CLASS = 310_005


@dataclass(frozen=True)
class IndexationEntry:
    """One dated rate of the parameter."""

    start: datetime.date
    rate: Decimal
    reference: str
    provisional: bool
    provisional_reason: str

    @property
    def parts_per_million(self) -> int:
        return int((self.rate * RATE_SCALE).to_integral_value())

    def source(self) -> dict:
        """What an indexed amount records as its source: the parameter entry it applied."""
        return {"parameter": INDEXATION, "start": self.start.isoformat(),
                "rate": str(self.rate), "reference": self.reference,
                "provisional": self.provisional}


def indexation_entries() -> list[IndexationEntry]:
    """Every dated entry of the parameter, oldest first; a rate outside 0..1 is refused."""
    entries = []
    for dated in history(INDEXATION).values:
        rate = Decimal(str(dated.value))
        if not Decimal(0) <= rate <= Decimal(1):
            raise BenefitsValidationError([error("effective_on", "payroll_bad_indexation_rate",
                                                 rate=dated.value, date=dated.start)])
        entries.append(IndexationEntry(dated.start, rate, dated.reference, dated.provisional,
                                       dated.provisional_reason))
    return entries


def entry_starting_on(effective_on: datetime.date) -> IndexationEntry:
    entries = indexation_entries()
    for entry in entries:
        if entry.start == effective_on:
            return entry
    starts = ", ".join(entry.start.isoformat() for entry in entries)
    raise BenefitsValidationError([error("effective_on", "payroll_no_indexation_on_date",
                                         date=effective_on.isoformat(), starts=starts)])


def entries_not_applied(up_to: datetime.date) -> list[IndexationEntry]:
    """Entries starting on or before `up_to` that no PensionIndexation records yet."""
    applied = set(PensionIndexation.objects.values_list("effective_on", flat=True))
    return [entry for entry in indexation_entries()
            if entry.start <= up_to and entry.start not in applied]


def index_pensions(effective_on: datetime.date, *, actor=None) -> PensionIndexation:
    """Apply the indexation entry that starts on `effective_on`; see the module."""
    if actor is not None and not may_run_payroll(actor):
        raise PermissionDenied
    entry = entry_starting_on(effective_on)
    existing = PensionIndexation.objects.filter(effective_on=effective_on).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            _lock(effective_on)
            existing = PensionIndexation.objects.filter(effective_on=effective_on).first()
            if existing is not None:
                return existing
            indexed = _insert_indexed_amounts(entry) if entry.parts_per_million else 0
            return PensionIndexation.objects.create(
                effective_on=effective_on, rate=str(entry.rate), source=entry.source(),
                awards_indexed=indexed,
                applied_by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:
        # Another caller applied the same date at the same moment: its work stands.
        return PensionIndexation.objects.get(effective_on=effective_on)


def apply_due_indexations(up_to: datetime.date, *, actor=None) -> list[PensionIndexation]:
    """What a payroll run does first: every entry up to the end of its month, once."""
    return [index_pensions(entry.start, actor=actor) for entry in entries_not_applied(up_to)]


def _lock(effective_on: datetime.date) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [ADVISORY_LOCK_CLASS, effective_on.toordinal()])
            cursor.execute("SET LOCAL jit TO OFF")


def _insert_indexed_amounts(entry: IndexationEntry) -> int:
    """One INSERT ... SELECT: the amount valid the day before, raised and rounded half up."""
    postgres = connection.vendor == "postgresql"
    day = connection.ops.adapt_datefield_value(entry.start)
    source_parameter = "%s::jsonb" if postgres else "%s"
    factor = RATE_SCALE + entry.parts_per_million
    sql = (
        "INSERT INTO benefits_awardamount "
        "(award_id, effective_from, monthly_amount, reason, source, created_at) "
        f"SELECT candidate.id, %s, (candidate.previous * %s + {RATE_SCALE // 2}) / {RATE_SCALE}, "
        f"%s, {source_parameter}, %s "
        "FROM (SELECT award.id, "
        "  (SELECT amount.monthly_amount FROM benefits_awardamount amount "
        "   WHERE amount.award_id = award.id AND amount.effective_from < %s "
        "   ORDER BY amount.effective_from DESC LIMIT 1) AS previous "
        "  FROM benefits_award award "
        "  WHERE award.kind = %s AND award.status IN (%s, %s) AND award.start_on < %s "
        "  AND (award.end_on IS NULL OR award.end_on >= %s) "
        "  AND NOT EXISTS (SELECT 1 FROM benefits_awardamount same "
        "                  WHERE same.award_id = award.id AND same.effective_from = %s)"
        # PostgreSQL: OFFSET 0 keeps the previous amount computed once per award.
        f"  {'OFFSET 0' if postgres else ''}) candidate WHERE candidate.previous IS NOT NULL"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    parameters = [day, factor, AwardAmount.Reason.INDEXATION, json.dumps(entry.source()), now,
                  day, Award.Kind.PERIODIC, Award.Status.IN_PAYMENT, Award.Status.SUSPENDED,
                  day, day, day]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return max(cursor.rowcount, 0)
