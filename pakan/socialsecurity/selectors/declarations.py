"""Reading declarations, always within the reader's scope: staff by the employer's village, an
employer account its own enterprise's declarations only, anyone else nothing. A declaration
outside that set raises OutOfScope, exactly as one that does not exist."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.socialsecurity.models import Declaration, DeclarationLine, Employer
from pakan.socialsecurity.selectors.register import employer_of_user

ERROR_COLUMNS = ("row", "field", "code", "en", "lo")


def declarations_in_scope(user) -> QuerySet[Declaration]:
    declarations = Declaration.objects.select_related("employer", "submitted_by")
    if scope_path(user) is not None:
        return restrict(declarations, user)
    own = employer_of_user(user)
    return declarations.filter(employer=own) if own else declarations.none()


def declaration_for(user, declaration_id: int) -> Declaration:
    declaration = declarations_in_scope(user).filter(pk=declaration_id).first()
    if declaration is None:
        raise OutOfScope
    return declaration


def declarations_of_month(user, month: datetime.date,
                          status: str | None = None) -> QuerySet[Declaration]:
    declarations = declarations_in_scope(user).filter(month=month)
    return declarations.filter(status=status) if status else declarations


def current_declaration(employer: Employer, month: datetime.date) -> Declaration | None:
    """The month's accepted declaration (the caller has checked scope on the employer)."""
    return Declaration.objects.filter(employer=employer, month=month,
                                      status=Declaration.Status.ACCEPTED).first()


def declaration_history(employer: Employer, month: datetime.date) -> QuerySet[Declaration]:
    """Every submission for the month, oldest first: refused, superseded and the current one."""
    return (Declaration.objects.filter(employer=employer, month=month)
            .order_by("submitted_at", "id"))


def lines_of(declaration: Declaration) -> QuerySet[DeclarationLine]:
    return (declaration.lines.select_related("member__person")
            .order_by("line_number"))


def error_rows(declaration: Declaration) -> list[list]:
    """A refused declaration's errors as rows for an export (ERROR_COLUMNS)."""
    return [[problem.get(column, "") for column in ERROR_COLUMNS]
            for problem in declaration.errors or []]


def months_declared(employer: Employer) -> list[datetime.date]:
    """The months with an accepted declaration, most recent first."""
    return list(Declaration.objects.filter(employer=employer,
                                           status=Declaration.Status.ACCEPTED)
                .order_by("-month").values_list("month", flat=True))
