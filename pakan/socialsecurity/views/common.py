"""What every fund page shares: who may open it, exports, month and date parsing."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from pakan.accounts.scope import OutOfScope
from pakan.audit.services import record_export
from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.socialsecurity.selectors.pages import is_staff_reader
from pakan.socialsecurity.selectors.register import employer_of_user
from pakan.socialsecurity.selectors.voluntary import member_of_user
from pakan.tabular.export import export_response

EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_LIMIT = 200_000
EXPORT_CHUNK = 2_000
PER_PAGE = 50


def _not_found_outside_scope(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except OutOfScope:
            raise Http404 from None

    return wrapper


def officer_page(view: Callable) -> Callable:
    """Fund staff with a scope only; whatever lies outside their area is simply not found."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_reader(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(_not_found_outside_scope(wrapper))


def portal_page(view: Callable) -> Callable:
    """An employer account linked to its enterprise; the view gets that enterprise."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        employer = employer_of_user(request.user)
        if employer is None:
            raise PermissionDenied
        return view(request, employer, *args, **kwargs)

    return login_required(_not_found_outside_scope(wrapper))


def member_page(view: Callable) -> Callable:
    """An insured-member account linked to its member record; the view gets that record."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        member = member_of_user(request.user)
        if member is None:
            raise PermissionDenied
        return view(request, member, *args, **kwargs)

    return login_required(_not_found_outside_scope(wrapper))


def export_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in EXPORT_FORMATS else None


def audited_export(request: HttpRequest, object_type: str, rows: Iterable[Sequence],
                   header: Sequence[str], fmt: str, filename: str) -> HttpResponse:
    """Every export leaves a line in the audit trail with the query behind it."""
    query = {key: value for key, value in request.GET.items() if key != "format"}
    record_export(request.user, object_type, query, note=filename)
    return export_response(rows, header, fmt, filename)


def stream(queryset, limit: int = EXPORT_LIMIT):
    return queryset[:limit].iterator(chunk_size=EXPORT_CHUNK)


def page_of(request: HttpRequest, rows, per_page: int = PER_PAGE) -> Page:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def parse_month(text: str | None) -> datetime.date | None:
    """'2025-03' (or a full date) as the first day of its month; None when blank or bad."""
    text = (text or "").strip()
    for pattern in ("%Y-%m", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date().replace(day=1)
        except ValueError:
            continue
    return None


def parse_day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def today() -> datetime.date:
    return timezone.localdate()


def show_problems(request: HttpRequest, problem: RegistryValidationError) -> None:
    """A service's refusal as page messages, Lao first then English."""
    for item in problem.errors:
        messages.error(request, bilingual(item))


def bilingual(item: FieldError) -> str:
    where = f"{item.field}: " if item.field else ""
    return f"{where}{item.reason_lo} / {item.reason_en}"


def not_blank(value: object) -> object:
    return "" if value is None else value
