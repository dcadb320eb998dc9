"""Monthly declarations: an employer says which insured workers it employed in a month and at
what wage, by file upload, by form or through the API. The three channels end in
`submit_declaration`, so every line is checked the same way.

A declaration is accepted whole or refused whole. A refused one is stored with every error,
row by row (row, field, reason in English and Lao), and nothing else changes; then
DeclarationRefused is raised. An accepted one is stored with its lines. A month that already
has an accepted declaration can only be declared again as a correction (`corrects=True`): the
correction is a new declaration that supersedes the accepted one, which is kept as it was
(only its status says it was superseded). Billing turns accepted declarations into invoices.

Decisions the law's sources leave open (see docs/social-security-declarations-billing.md):
- the wage floor of a declaration is the month's minimum wage (labour.minimum_wage on the
  month's first day; before the first minimum wage, the insurable-wage floor). The insurable
  wage floor of contributions is lower (50 % of it) and raises a low wage for billing; a wage
  below the minimum wage in a declaration is still refused, as an error to check;
- a closed employer may still declare the months that began on or before its closure (its
  last workers' last wages), never a later one;
- a suspended employer may declare: suspension stops new employment, not the duty to declare
  the workers it still employs.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pakan.accounts.scope import OutOfScope, require_change_permission, require_unit_in_scope
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.registry.validation import FieldError
from pakan.rules.legal_parameters import history
from pakan.rules.months import month_end
from pakan.rules.social_security import EMPLOYED_CATEGORIES, MINIMUM_WAGE, month_rules
from pakan.socialsecurity.declaration_files import (
    MONTHLY_WAGE,
    SOCIAL_SECURITY_NUMBER,
    read_declaration_file,
)
from pakan.socialsecurity.models import (
    Declaration,
    DeclarationLine,
    Employer,
    EmploymentSpell,
    InsuredMember,
    MembershipSpell,
)
from pakan.socialsecurity.selectors.register import employer_of_user
from pakan.socialsecurity.services.register import check_monthly_wage
from pakan.socialsecurity.validation import MESSAGES, SocialSecurityValidationError

QUERY_CHUNK = 900
INSERT_BATCH = 5000
# Whole kip, possibly written with thousands separators: "2500000", "2,500,000", "2 500 000".
WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]+$")
THOUSANDS_SEPARATORS = re.compile(r"(?<=[0-9])[, ](?=[0-9]{3}(?:[, ]|$))")


@dataclass(frozen=True)
class DeclarationError(FieldError):
    """A FieldError that also names the row (None for the declaration as a whole)."""

    row: int | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code,
                "en": self.reason_en, "lo": self.reason_lo}


class DeclarationRefused(SocialSecurityValidationError):
    """The declaration was refused whole; it is stored (status refused) with its errors."""

    def __init__(self, declaration: Declaration, errors: list[DeclarationError]) -> None:
        super().__init__(errors)
        self.declaration = declaration


def declaration_error(row: int | None, field: str, code: str,
                      **values: object) -> DeclarationError:
    english, lao = MESSAGES[code]
    return DeclarationError(field, code, english.format(**values), lao.format(**values), row)


def month_text(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def declaration_wage_floor(month: datetime.date) -> int:
    """The lowest wage a declaration may show for a month: the minimum wage valid on its first
    day, or, before the first minimum wage, the insurable-wage floor of contributions."""
    minimum_wages = history(MINIMUM_WAGE).values
    valid = [entry for entry in minimum_wages if entry.start <= month]
    if valid:
        return int(valid[-1].value)
    return month_rules(month).floor


# Who may declare -----------------------------------------------------------------------------

def check_may_declare(actor, employer: Employer) -> None:
    """The employer's own account, or staff who may change data where the employer is."""
    own = employer_of_user(actor)
    if own is not None:
        if own.pk != employer.pk:
            raise OutOfScope
        return
    require_change_permission(actor)
    require_unit_in_scope(actor, employer.village)


# Reading the lines -----------------------------------------------------------------------------

def parse_kip(value: object) -> tuple[int | None, str | None]:
    """A whole number of kip from a cell, a form field or JSON; (None, code) when it is not."""
    if isinstance(value, bool):
        return None, "wage_not_integer"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        return (int(value), None) if value.is_integer() else (None, "wage_not_integer")
    text = THOUSANDS_SEPARATORS.sub("", str(value if value is not None else "").strip())
    if not text:
        return None, "required"
    if not WHOLE_NUMBER.match(text):
        return None, "wage_not_integer"
    return int(text), None


def _wage_errors(row: int, value: object) -> tuple[int | None, list[DeclarationError]]:
    wage, code = parse_kip(value)
    if code is not None:
        return None, [declaration_error(row, MONTHLY_WAGE, code)]
    try:
        check_monthly_wage(wage)
    except SocialSecurityValidationError as refused:
        return wage, [DeclarationError(MONTHLY_WAGE, problem.code, problem.reason_en,
                                       problem.reason_lo, row) for problem in refused.errors]
    return wage, []


@dataclass
class _Line:
    row: int
    social_security_number: str
    wage: int | None
    # The wage as a number even when it is refused (negative, absurd): the total is checked
    # against these, so a totals row is judged on what the employer wrote.
    parsed: int | None = None
    member_id: int | None = None


def _clean_lines(lines: Sequence[dict]) -> tuple[list[_Line], list[DeclarationError]]:
    cleaned: list[_Line] = []
    errors: list[DeclarationError] = []
    first_row: dict[str, int] = {}
    for position, line in enumerate(lines, start=1):
        row = int(line.get("row") or position)
        number = str(line.get(SOCIAL_SECURITY_NUMBER) or "").strip().upper()
        if not number:
            errors.append(declaration_error(row, SOCIAL_SECURITY_NUMBER, "required"))
        elif number in first_row:
            errors.append(declaration_error(row, SOCIAL_SECURITY_NUMBER,
                                            "declaration_duplicate_line",
                                            first_row=first_row[number]))
        else:
            first_row[number] = row
        wage, wage_errors = _wage_errors(row, line.get(MONTHLY_WAGE))
        errors += wage_errors
        cleaned.append(_Line(row, number, wage if not wage_errors else None, wage))
    return cleaned, errors


def _members_by_number(numbers: Iterable[str]) -> dict[str, int]:
    numbers = sorted(set(numbers))
    found: dict[str, int] = {}
    for start in range(0, len(numbers), QUERY_CHUNK):
        found.update(InsuredMember.objects.filter(
            social_security_number__in=numbers[start:start + QUERY_CHUNK])
            .values_list("social_security_number", "pk"))
    return found


def _overlapping(month: datetime.date) -> Q:
    return Q(start_on__lte=month_end(month)) & (Q(end_on__isnull=True) | Q(end_on__gte=month))


def _employed(employer: Employer, member_ids: list[int], month: datetime.date) -> set[int]:
    employed: set[int] = set()
    for start in range(0, len(member_ids), QUERY_CHUNK):
        employed.update(EmploymentSpell.objects.filter(
            _overlapping(month), employer=employer,
            member_id__in=member_ids[start:start + QUERY_CHUNK]).values_list("member_id",
                                                                            flat=True))
    return employed


def _categories(member_ids: list[int], month: datetime.date) -> dict[int, str]:
    """Each member's category in the month: the latest membership spell touching it."""
    categories: dict[int, str] = {}
    for start in range(0, len(member_ids), QUERY_CHUNK):
        for member_id, category in (MembershipSpell.objects.filter(
                _overlapping(month), member_id__in=member_ids[start:start + QUERY_CHUNK])
                .order_by("start_on").values_list("member_id", "category")):
            categories[member_id] = category
    return categories


def _line_errors(employer: Employer, month: datetime.date,
                 lines: list[_Line]) -> list[DeclarationError]:
    errors: list[DeclarationError] = []
    members = _members_by_number(line.social_security_number for line in lines
                                 if line.social_security_number)
    member_ids = sorted(set(members.values()))
    employed = _employed(employer, member_ids, month)
    categories = _categories(member_ids, month)
    floor = declaration_wage_floor(month)
    shown = month_text(month)
    for line in lines:
        if line.wage is not None and line.wage < floor:
            errors.append(declaration_error(line.row, MONTHLY_WAGE,
                                            "declaration_wage_below_minimum", month=shown,
                                            minimum=f"{floor:,}"))
        if not line.social_security_number:
            continue
        line.member_id = members.get(line.social_security_number)
        if line.member_id is None:
            errors.append(declaration_error(line.row, SOCIAL_SECURITY_NUMBER,
                                            "declaration_unknown_member"))
            continue
        if line.member_id not in employed:
            errors.append(declaration_error(line.row, SOCIAL_SECURITY_NUMBER,
                                            "declaration_not_employed", month=shown))
        category = categories.get(line.member_id)
        if category is None:
            errors.append(declaration_error(line.row, SOCIAL_SECURITY_NUMBER,
                                            "declaration_no_membership", month=shown))
        elif category not in EMPLOYED_CATEGORIES:
            errors.append(declaration_error(line.row, SOCIAL_SECURITY_NUMBER,
                                            "declaration_voluntary_member", month=shown))
    return errors


# The declaration as a whole -------------------------------------------------------------------

def _month_errors(employer: Employer, month: datetime.date, today: datetime.date,
                  accepted: Declaration | None, corrects: bool) -> list[DeclarationError]:
    shown = month_text(month)
    errors: list[DeclarationError] = []
    if month > today.replace(day=1):
        errors.append(declaration_error(None, "month", "declaration_month_in_future",
                                        month=shown))
    if month_end(month) < employer.registered_on:
        errors.append(declaration_error(None, "month", "declaration_before_registration",
                                        month=shown,
                                        registered=employer.registered_on.isoformat()))
    if employer.status == Employer.Status.CLOSED and month > employer.status_since:
        errors.append(declaration_error(None, "employer", "declaration_employer_closed",
                                        closed=employer.status_since.isoformat()))
    if accepted is not None and not corrects:
        errors.append(declaration_error(None, "month", "declaration_month_already_declared",
                                        month=shown))
    if accepted is None and corrects:
        errors.append(declaration_error(None, "corrects", "declaration_nothing_to_correct",
                                        month=shown))
    return errors


def _total_errors(lines: list[_Line], declared_total: object,
                  total_row: int | None) -> list[DeclarationError]:
    if declared_total is None:
        return []
    field = MONTHLY_WAGE if total_row is not None else "declared_total"
    declared, code = parse_kip(declared_total)
    if code is not None:
        return [declaration_error(total_row, field, code)]
    if any(line.parsed is None for line in lines):
        return []  # a wage that is not a number has no sum; its own error says so
    computed = sum(line.parsed for line in lines)
    if declared != computed:
        return [declaration_error(total_row, field, "declaration_total_mismatch",
                                  declared=f"{declared:,}", computed=f"{computed:,}")]
    return []


def _file_errors(problems: Iterable) -> list[DeclarationError]:
    """pakan.tabular's errors about the file (line 0 or 1 for the header) as declaration
    errors; codes of our own are rendered from the fund's messages."""
    errors = []
    for problem in problems:
        reason_en, reason_lo = problem.reason_en, problem.reason_lo
        if not reason_en and problem.code in MESSAGES:
            reason_en, reason_lo = MESSAGES[problem.code]
        errors.append(DeclarationError(problem.column or "file", problem.code, reason_en,
                                       reason_lo, problem.line or None))
    return errors


def _sorted(errors: list[DeclarationError]) -> list[DeclarationError]:
    """Declaration-wide errors first, then row by row in file order (stable within a row)."""
    return sorted(errors, key=lambda problem: -1 if problem.row is None else problem.row)


def submit_declaration(actor, employer: Employer, month: datetime.date, lines: Sequence[dict],
                       *, channel: str, file_name: str = "", declared_total: object = None,
                       today: datetime.date | None = None, corrects: bool = False
                       ) -> Declaration:
    """Check and store a month's declaration: accepted whole, or refused whole with every
    error (then DeclarationRefused is raised after the refusal is stored).

    lines: [{"social_security_number": ..., "monthly_wage": ...}], optionally with "row" (the
    file's line number). `declared_total` is the total the employer wrote, if any.
    `corrects=True` replaces the month's accepted declaration."""
    return _submit(actor, employer, month, lines, channel=channel, file_name=file_name,
                   declared_total=declared_total, total_row=None, today=today,
                   corrects=corrects)


def submit_declaration_file(actor, employer: Employer, month: datetime.date, path: Path,
                            original_name: str, *, today: datetime.date | None = None,
                            corrects: bool = False) -> Declaration:
    """A declaration uploaded as CSV or XLSX (see declaration_files for the layout)."""
    check_may_declare(actor, employer)
    table = read_declaration_file(Path(path), original_name)
    return _submit(actor, employer, month, table.lines, channel=Declaration.Channel.UPLOAD,
                   file_name=original_name or Path(path).name,
                   declared_total=table.declared_total, total_row=table.total_row,
                   today=today, corrects=corrects, file_problems=table.errors,
                   file_sha256=table.file_sha256)


def _submit(actor, employer: Employer, month: datetime.date, lines: Sequence[dict], *,
            channel: str, file_name: str, declared_total: object, total_row: int | None,
            today: datetime.date | None, corrects: bool, file_problems: Iterable = (),
            file_sha256: str = "") -> Declaration:
    if channel not in Declaration.Channel.values:
        raise SocialSecurityValidationError([declaration_error(None, "channel",
                                                               "declaration_bad_channel")])
    if isinstance(month, datetime.datetime) or not isinstance(month, datetime.date):
        raise TypeError("month must be a date")
    month = month.replace(day=1)
    today = today or timezone.localdate()
    with transaction.atomic():
        # The lock makes "already declared" true at commit: two submissions for one employer
        # run one after the other.
        employer = Employer.objects.select_for_update().select_related("village").get(
            pk=employer.pk)
        check_may_declare(actor, employer)
        accepted = Declaration.objects.filter(employer=employer, month=month,
                                              status=Declaration.Status.ACCEPTED).first()
        errors = _file_errors(file_problems)
        errors += _month_errors(employer, month, today, accepted, corrects)
        cleaned, line_errors = _clean_lines(lines)
        errors += line_errors
        if not cleaned and not file_problems:
            errors.append(declaration_error(None, "lines", "declaration_no_lines"))
        errors += _line_errors(employer, month, cleaned)
        errors += _total_errors(cleaned, declared_total, total_row)
        errors = _sorted(errors)
        declaration = Declaration(
            employer=employer, month=month, channel=channel, file_name=file_name[:255],
            file_sha256=file_sha256, number_of_lines=len(cleaned),
            total_wages=sum(line.wage for line in cleaned if line.wage is not None),
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None)
        if errors:
            _store_refused(actor, declaration, errors)
        else:
            _store_accepted(actor, declaration, cleaned, accepted if corrects else None)
    if errors:
        raise DeclarationRefused(declaration, errors)
    return declaration


def _store_refused(actor, declaration: Declaration, errors: list[DeclarationError]) -> None:
    declaration.status = Declaration.Status.REFUSED
    declaration.errors = [problem.as_dict() for problem in errors]
    declaration.save()
    record_change(actor, AuditEvent.Action.CREATE, declaration,
                  note=f"declaration {month_text(declaration.month)} refused: "
                       f"{len(errors)} errors")


def _store_accepted(actor, declaration: Declaration, lines: list[_Line],
                    superseded: Declaration | None) -> None:
    if superseded is not None:
        # Only the status changes: its lines stay as they were declared.
        before = snapshot(superseded)
        superseded.status = Declaration.Status.SUPERSEDED
        superseded.save(update_fields=["status"])
        record_change(actor, AuditEvent.Action.UPDATE, superseded, before,
                      note="superseded by a correction")
    declaration.status = Declaration.Status.ACCEPTED
    declaration.supersedes = superseded
    declaration.save()
    DeclarationLine.objects.bulk_create(
        [DeclarationLine(declaration=declaration, line_number=line.row,
                         member_id=line.member_id, monthly_wage=line.wage) for line in lines],
        batch_size=INSERT_BATCH)
    note = "correction" if superseded is not None else "accepted"
    record_change(actor, AuditEvent.Action.CREATE, declaration,
                  note=f"declaration {month_text(declaration.month)} {note}: "
                       f"{len(lines)} lines")
