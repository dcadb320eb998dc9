"""Public "NSPS Online" pages: no login, Lao or English by the reader's choice."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from pakan.monitoring import selectors


@require_safe
def strategy(request: HttpRequest) -> HttpResponse:
    """The strategy at a glance: vision, principles, the goals and their outcomes, challenges."""
    return render(
        request,
        "monitoring/strategy.html",
        {
            "strategy": selectors.strategy_overview(),
        },
    )


@require_safe
def goal(request: HttpRequest, code: str) -> HttpResponse:
    """One goal: what it aims at, the outcome sought, its activities and who is responsible."""
    found = selectors.goal_detail(code)
    if found is None:
        raise Http404(_("There is no goal with this code."))
    return render(
        request,
        "monitoring/goal.html",
        {
            "goal": found,
            "sibling_goals": selectors.sibling_goals(found),
        },
    )
