"""What every actuarial page shares: who may open it, and what a missing row means."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from pakan.valuation.messages import RegistryValidationError
from pakan.valuation.selectors import may_use_valuation


def valuation_page(view: Callable) -> Callable:
    """Actuaries and national staff only (403 for anyone else); a scenario or run that does
    not exist is simply not found."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_use_valuation(request.user):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404 from None

    return login_required(wrapper)


def show_refusal(request: HttpRequest, refusal: RegistryValidationError) -> None:
    """A service's refusal as page messages, Lao first then English."""
    for problem in refusal.errors:
        messages.error(request, f"{problem.reason_lo} / {problem.reason_en}")
