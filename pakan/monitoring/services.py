"""Writes for the NSPS framework.

The framework file is the starting point, the admin is where people improve it. Loading is
therefore an upsert by code that only fills blanks: it creates what is missing and fills empty
fields, and never overwrites a title an admin corrected or Lao text an editor entered. Running it
twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.text import slugify

from pakan.monitoring.framework_file import (
    DEFAULT_FRAMEWORK_FILE,
    Framework,
    GoalRecord,
    StrategyRecord,
    read_framework,
)
from pakan.monitoring.glossary import STRATEGY_TITLE_EN, lao_for
from pakan.monitoring.models import (
    Activity,
    Challenge,
    Goal,
    GoalResponsibility,
    Institution,
    Principle,
    Strategy,
)

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass
class LoadReport:
    """What a load did, by model name: rows created and blank fields filled."""

    created: Counter = field(default_factory=Counter)
    filled: Counter = field(default_factory=Counter)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.filled.values()))

    def summary(self) -> str:
        names = sorted(set(self.created) | set(self.filled))
        if not names:
            return "Nothing to change: the framework is already loaded."
        return "; ".join(
            f"{name}: {self.created[name]} created, {self.filled[name]} fields filled"
            for name in names
        )


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _upsert(
    model: type[ModelT], lookup: dict[str, Any], values: dict[str, Any], report: LoadReport
) -> ModelT:
    """Create the row, or fill only those of `values` whose field is still blank."""
    name = model.__name__
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        report.created[name] += 1
        return model.objects.create(**lookup, **values)
    blank_fields = [
        field_name
        for field_name, value in values.items()
        if _is_blank(getattr(instance, field_name)) and not _is_blank(value)
    ]
    for field_name in blank_fields:
        setattr(instance, field_name, values[field_name])
    if blank_fields:
        report.filled[name] += len(blank_fields)
        instance.save(update_fields=[*blank_fields, *_auto_now_fields(model)])
    return instance


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [
        model_field.name
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False)
    ]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _load_strategy(record: StrategyRecord, report: LoadReport) -> Strategy:
    next_start, next_end = record.next_period or (None, None)
    coordinator_en = _capitalised(record.coordinator_en)
    local_committees_en = _capitalised(record.local_committees_en)
    strategy = _upsert(
        Strategy,
        {"code": record.code},
        {
            "title_en": STRATEGY_TITLE_EN,
            "title_lo": lao_for(STRATEGY_TITLE_EN),
            "period_start": record.period[0],
            "period_end": record.period[1],
            "next_period_start": next_start,
            "next_period_end": next_end,
            "vision_en": record.vision_en,
            "coordinator_en": coordinator_en,
            "coordinator_lo": lao_for(coordinator_en),
            "local_committees_en": local_committees_en,
            "local_committees_lo": lao_for(local_committees_en),
        },
        report,
    )
    for position, principle in enumerate(record.principles, start=1):
        name_en = _capitalised(principle)
        _upsert(
            Principle,
            {"strategy": strategy, "code": slugify(principle)},
            {
                "position": position,
                "name_en": name_en,
                "name_lo": lao_for(name_en),
            },
            report,
        )
    return strategy


def _load_goal(strategy: Strategy, position: int, record: GoalRecord, report: LoadReport) -> Goal:
    goal = _upsert(
        Goal,
        {"code": record.code},
        {
            "strategy": strategy,
            "position": position,
            "pillar": record.pillar,
            "title_en": record.title_en,
            "title_lo": lao_for(record.title_en),
            "aim_en": record.aim_en,
            "outcome_en": record.outcome_en,
        },
        report,
    )
    for activity_position, activity in enumerate(record.activities, start=1):
        _upsert(
            Activity,
            {"code": activity.code},
            {
                "goal": goal,
                "position": activity_position,
                "title_en": activity.title_en,
                "title_lo": lao_for(activity.title_en),
            },
            report,
        )
    for responsibility_position, name_en in enumerate(record.responsible, start=1):
        institution = _upsert(
            Institution,
            {"code": slugify(name_en)[:120]},
            {
                "name_en": name_en,
                "name_lo": lao_for(name_en),
            },
            report,
        )
        _upsert(
            GoalResponsibility,
            {"goal": goal, "institution": institution},
            {
                "position": responsibility_position,
            },
            report,
        )
    return goal


def _load_challenges(strategy: Strategy, challenges: list[str], report: LoadReport) -> None:
    """Challenges have no code in the file: they are numbered C1, C2, ... in file order."""
    for position, text in enumerate(challenges, start=1):
        title_en = _capitalised(text)
        _upsert(
            Challenge,
            {"strategy": strategy, "code": f"C{position}"},
            {
                "position": position,
                "title_en": title_en,
                "title_lo": lao_for(title_en),
            },
            report,
        )


@transaction.atomic
def load_framework(framework: Framework) -> LoadReport:
    """Upsert the whole framework by code, filling blanks only; all of it or none of it."""
    report = LoadReport()
    strategy = _load_strategy(framework.strategy, report)
    for position, goal in enumerate(framework.goals, start=1):
        _load_goal(strategy, position, goal, report)
    _load_challenges(strategy, framework.challenges, report)
    return report


def load_framework_file(path: Path = DEFAULT_FRAMEWORK_FILE) -> LoadReport:
    """Read and check the file, then load it. A bad file raises FrameworkFileError, no writes."""
    return load_framework(read_framework(path))
