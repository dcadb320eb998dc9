"""Named scenarios: create, edit, copy and delete, each in one transaction.

Overrides arrive as values (from code or a test), as text typed beside each assumption (the
page's table), or as `name = value` lines (the page's text box); all three are merged and checked
by the packages before anything is saved. A refusal lists every problem, each beside its field,
in English and Lao, and saves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from pakan.valuation.messages import FieldError, error, refuse
from pakan.valuation.models import Scenario
from pakan.valuation.selectors import require_valuation_access
from pakan.valuation.services import catalogue, overrides

NAME_LIMIT = 120
DESCRIPTION_LIMIT = 4000
TEXT_FIELD = "overrides_text"


def _entered_overrides(values: Mapping[str, Any] | None,
                       typed: Mapping[str, str] | None, text: str,
                       problems: list[FieldError]) -> dict[str, Any]:
    entered = dict(values or {})
    for name, typed_value in (typed or {}).items():
        value, errors = overrides.parse_value(name, typed_value)
        problems.extend(errors)
        if value is not None:
            entered[name] = value
    from_text, errors = overrides.parse_lines(TEXT_FIELD, text)
    problems.extend(errors)
    for name, value in from_text.items():
        if name in entered:
            problems.append(error(TEXT_FIELD, "given_twice", name=name))
        entered[name] = value
    return entered


def _checked(kind: str, name: str, description: str, entered: dict[str, Any],
             problems: list[FieldError], *, excluding: int | None = None,
             from_text: bool) -> None:
    name_problems = _name_problems(name, excluding)
    problems.extend(name_problems)
    if len(description) > DESCRIPTION_LIMIT:
        problems.append(error("description", "too_long", limit=DESCRIPTION_LIMIT))
    if kind not in (catalogue.FUND, catalogue.COSTING):
        problems.append(error("kind", "unknown_kind"))
        return
    if problems:
        refuse(problems)
    listed = set(catalogue.names(kind))
    found = overrides.check(kind, entered, scenario_name=name)
    fallback = TEXT_FIELD if from_text else overrides.OVERRIDES_FIELD
    refuse([problem if problem.field in listed else FieldError(
        fallback, problem.code, problem.reason_en, problem.reason_lo) for problem in found])


def _name_problems(name: str, excluding: int | None) -> list[FieldError]:
    if not name:
        return [error("name", "required")]
    if len(name) > NAME_LIMIT:
        return [error("name", "too_long", limit=NAME_LIMIT)]
    taken = Scenario.objects.filter(name__iexact=name)
    if excluding is not None:
        taken = taken.exclude(pk=excluding)
    return [error("name", "name_taken")] if taken.exists() else []


@transaction.atomic
def create_scenario(actor, *, name: str, kind: str, description: str = "",
                    overrides: Mapping[str, Any] | None = None,
                    typed: Mapping[str, str] | None = None,
                    overrides_text: str = "") -> Scenario:
    require_valuation_access(actor)
    name, description = (name or "").strip(), (description or "").strip()
    problems: list[FieldError] = []
    entered = _entered_overrides(overrides, typed, overrides_text, problems)
    _checked(kind, name, description, entered, problems, from_text=bool(overrides_text.strip()))
    return Scenario.objects.create(name=name, kind=kind, description=description,
                                   overrides=entered, created_by=actor)


@transaction.atomic
def update_scenario(actor, scenario: Scenario, *, name: str, description: str = "",
                    overrides: Mapping[str, Any] | None = None,
                    typed: Mapping[str, str] | None = None,
                    overrides_text: str = "") -> Scenario:
    """Replace the scenario's name, description and overrides (its kind stays: an override's
    meaning depends on it). Stored runs keep the assumptions they were made with."""
    require_valuation_access(actor)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    name, description = (name or "").strip(), (description or "").strip()
    problems: list[FieldError] = []
    entered = _entered_overrides(overrides, typed, overrides_text, problems)
    _checked(scenario.kind, name, description, entered, problems, excluding=scenario.pk,
             from_text=bool(overrides_text.strip()))
    scenario.name, scenario.description, scenario.overrides = name, description, entered
    scenario.save(update_fields=["name", "description", "overrides", "updated_at"])
    return scenario


def copy_name(name: str) -> str:
    """"X (copy)", then "X (copy 2)", ... : the first name not taken."""
    stem = name[: NAME_LIMIT - 12]
    candidate, number = f"{stem} (copy)", 2
    while Scenario.objects.filter(name__iexact=candidate).exists():
        candidate, number = f"{stem} (copy {number})", number + 1
    return candidate


@transaction.atomic
def copy_scenario(actor, scenario: Scenario) -> Scenario:
    require_valuation_access(actor)
    return Scenario.objects.create(
        name=copy_name(scenario.name), kind=scenario.kind, description=scenario.description,
        overrides=dict(scenario.overrides), created_by=actor)


@transaction.atomic
def delete_scenario(actor, scenario: Scenario) -> None:
    """Refused while runs keep the scenario: a stored run must stay reproducible."""
    require_valuation_access(actor)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    stored = scenario.runs.count()
    if stored:
        refuse([error("scenario", "scenario_has_runs", runs=stored)])
    scenario.delete()
