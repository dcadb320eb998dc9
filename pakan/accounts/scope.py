"""Row-level scope: a staff account sees and changes only what lies inside its admin unit.

Every selector and service that touches the registry goes through these functions, so the rule
lives in one place. A place is "inside" when its materialised path starts with the scope's path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

if TYPE_CHECKING:
    from pakan.accounts.models import User
    from pakan.registry.models import AdminUnit


class OutOfScope(PermissionDenied):
    """Raised for anything outside the user's scope. Carries no hint of whether it exists."""


# How to reach a place's path from each kind of scoped row.
PATH_LOOKUPS = {
    "registry.adminunit": "path",
    "registry.person": "village__path",
    "registry.household": "village__path",
    "registry.duplicatecandidate": "person__village__path",
    "registry.lifeevent": "person__village__path",
    "socialsecurity.employer": "village__path",
    "socialsecurity.insuredmember": "person__village__path",
    "socialsecurity.employmentspell": "employer__village__path",
    "socialsecurity.contributionrecord": "member__person__village__path",
    "socialsecurity.declaration": "employer__village__path",
    "socialsecurity.invoice": "village__path",
    "socialsecurity.payment": "village__path",
    "socialsecurity.instalmentagreement": "employer__village__path",
    "socialsecurity.voluntaryenrolment": "member__person__village__path",
    "socialsecurity.enterpriseregisterentry": "village__path",
    "socialsecurity.riskscore": "employer__village__path",
    "socialsecurity.inspectionplan": "place__path",
    "socialsecurity.inspection": "employer__village__path",
    "benefits.claim": "member__person__village__path",
    "benefits.award": "beneficiary__village__path",
    "benefits.recovery": "award__beneficiary__village__path",
    "benefits.payrollline": "village__path",
}


def scope_path(user: User | None) -> str | None:
    """The path prefix this user may see, or None for no registry access at all."""
    if user is None or not user.is_authenticated or not user.is_registry_staff:
        return None
    return user.scope_unit.path


def restrict(queryset: QuerySet, user: User | None) -> QuerySet:
    """Only the rows of `queryset` inside the user's scope (none when the user has no scope)."""
    prefix = scope_path(user)
    if prefix is None:
        return queryset.none()
    lookup = PATH_LOOKUPS[queryset.model._meta.label_lower]
    return queryset.filter(**{f"{lookup}__startswith": prefix})


def unit_in_scope(user: User | None, unit: AdminUnit) -> bool:
    prefix = scope_path(user)
    return prefix is not None and unit.path.startswith(prefix)


def require_unit_in_scope(user: User | None, unit: AdminUnit) -> None:
    if not unit_in_scope(user, unit):
        raise OutOfScope


def require_change_permission(user: User | None) -> None:
    """Staff with a scope may change the registry; auditors and others may not."""
    if user is None or not user.is_authenticated or not user.can_change_registry:
        raise PermissionDenied
