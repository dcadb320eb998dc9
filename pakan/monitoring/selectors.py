"""Reads of the NSPS framework for the public pages (and, later, indicators and reports)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from pakan.monitoring.models import Goal, GoalResponsibility, Strategy


def current_strategy() -> Strategy | None:
    """The strategy in force: the one whose period starts last."""
    return Strategy.objects.order_by("-period_start", "code").first()


def strategy_overview() -> Strategy | None:
    """The current strategy with its principles, goals and challenges, in a few queries."""
    return (
        Strategy.objects.order_by("-period_start", "code")
        .prefetch_related("principles", "challenges", "goals")
        .first()
    )


def goals_with_details() -> QuerySet[Goal]:
    """Goals with their activities and responsible institutions (strategy order, lead first)."""
    responsibilities = GoalResponsibility.objects.select_related("institution").order_by(
        "position", "institution__name_en"
    )
    return Goal.objects.select_related("strategy").prefetch_related(
        "activities", Prefetch("responsibilities", queryset=responsibilities)
    )


def goal_detail(code: str) -> Goal | None:
    """One goal by its stable code, or None when there is no such goal."""
    return goals_with_details().filter(code=code).first()


def sibling_goals(goal: Goal) -> QuerySet[Goal]:
    """The goals of the same strategy, for moving from one goal page to the next."""
    return Goal.objects.filter(strategy_id=goal.strategy_id).only(
        "code", "position", "title_en", "title_lo"
    )
