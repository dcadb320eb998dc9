"""Reading the NSPS framework file (YAML) into plain records, checking all of it first.

The loader writes nothing unless the whole file is sound: every problem is collected and reported
at once, each naming where it is (for example `goals[2].activities[3].code`) and why, in Lao and
in English, so that the person editing the file can fix them all in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pakan.monitoring.models import ACTIVITY_CODE_PATTERN, GOAL_CODE_PATTERN, Pillar

DEFAULT_FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "nsps_framework.yaml"

REQUIRED = _("required field")
NOT_TEXT = _("must be text")
NOT_LIST = _("must be a list")
NOT_MAPPING = _("must be a set of named fields")
BAD_PERIOD = _("must be two years [first, last], the first not after the last")
BAD_GOAL_CODE = _("code must look like G1")
BAD_ACTIVITY_CODE = _("code must look like G1.A1 and start with the code of its goal")
DUPLICATE_CODE = _("this code is used twice")
UNKNOWN_PILLAR = _("unknown pillar; use health_insurance, social_security or social_welfare")
NOT_YAML = _("the file is not valid YAML")
NOT_FOUND = _("the file cannot be found")


def bilingual(reason: Promise | str) -> str:
    """The reason in Lao, then in English: an error must be readable by every officer."""
    with translation.override("lo"):
        lao = str(reason)
    with translation.override("en"):
        english = str(reason)
    return english if lao == english else f"{lao} / {english}"


@dataclass(frozen=True)
class Problem:
    location: str
    reason: Promise | str

    def __str__(self) -> str:
        return f"{self.location}: {bilingual(self.reason)}"


class FrameworkFileError(ValueError):
    """The framework file cannot be loaded; nothing was written."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{path}:\n{lines}")


@dataclass(frozen=True)
class ActivityRecord:
    code: str
    title_en: str


@dataclass(frozen=True)
class GoalRecord:
    code: str
    pillar: str
    title_en: str
    aim_en: str
    outcome_en: str
    activities: list[ActivityRecord]
    responsible: list[str]


@dataclass(frozen=True)
class StrategyRecord:
    code: str
    period: tuple[int, int]
    next_period: tuple[int, int] | None
    vision_en: str
    coordinator_en: str
    local_committees_en: str
    principles: list[str]


@dataclass(frozen=True)
class Framework:
    strategy: StrategyRecord
    goals: list[GoalRecord]
    challenges: list[str]


def _at(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


@dataclass
class _Reader:
    """Walks the parsed YAML, noting every problem instead of stopping at the first."""

    problems: list[Problem] = field(default_factory=list)

    def problem(self, location: str, reason: Promise) -> None:
        self.problems.append(Problem(location, reason))

    def mapping(self, value: Any, location: str) -> dict:
        if isinstance(value, dict):
            return value
        self.problem(location, REQUIRED if value is None else NOT_MAPPING)
        return {}

    def text(self, parent: dict, key: str, location: str) -> str:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problem(_at(location, key), REQUIRED)
            return ""
        if not isinstance(value, str):
            self.problem(_at(location, key), NOT_TEXT)
            return ""
        return " ".join(value.split())

    def texts(self, parent: dict, key: str, location: str) -> list[str]:
        value = parent.get(key)
        if value is None:
            self.problem(_at(location, key), REQUIRED)
            return []
        if not isinstance(value, list):
            self.problem(_at(location, key), NOT_LIST)
            return []
        texts = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{_at(location, key)}[{number}]", NOT_TEXT)
                continue
            texts.append(" ".join(item.split()))
        return texts

    def records(self, parent: dict, key: str, location: str) -> list[tuple[str, dict]]:
        value = parent.get(key)
        if not isinstance(value, list) or not value:
            self.problem(_at(location, key), REQUIRED if not value else NOT_LIST)
            return []
        located = []
        for number, item in enumerate(value, start=1):
            item_location = f"{_at(location, key)}[{number}]"
            if isinstance(item, dict):
                located.append((item_location, item))
            else:
                self.problem(item_location, NOT_MAPPING)
        return located

    def period(self, parent: dict, key: str, location: str, required: bool) -> tuple | None:
        value = parent.get(key)
        if value is None and not required:
            return None
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(year, int) and not isinstance(year, bool) for year in value)
            and value[0] <= value[1]
        ):
            return (value[0], value[1])
        self.problem(_at(location, key), REQUIRED if value is None else BAD_PERIOD)
        return None

    def code(self, item: dict, location: str, pattern: str, reason: Promise, seen: set[str]) -> str:
        value = item.get("code")
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{location}.code", REQUIRED)
            return ""
        value = value.strip()
        if not re.fullmatch(pattern, value):
            self.problem(f"{location}.code", reason)
        elif value in seen:
            self.problem(f"{location}.code", DUPLICATE_CODE)
        seen.add(value)
        return value


def _read_strategy(reader: _Reader, document: dict) -> StrategyRecord:
    raw = reader.mapping(document.get("strategy"), "strategy")
    location = "strategy"
    return StrategyRecord(
        code=reader.text(raw, "code", location),
        period=reader.period(raw, "period", location, required=True) or (0, 0),
        next_period=reader.period(raw, "next_period", location, required=False),
        vision_en=reader.text(raw, "vision_2030", location),
        coordinator_en=reader.text(raw, "coordinator", location),
        local_committees_en=reader.text(raw, "local_committees", location),
        principles=reader.texts(raw, "principles", location),
    )


def _read_goal(reader: _Reader, location: str, raw: dict, seen_codes: set[str]) -> GoalRecord:
    code = reader.code(raw, location, GOAL_CODE_PATTERN, BAD_GOAL_CODE, seen_codes)
    pillar = raw.get("pillar")
    if pillar not in Pillar.values:
        reader.problem(f"{location}.pillar", REQUIRED if pillar is None else UNKNOWN_PILLAR)
    activities = []
    for activity_location, activity in reader.records(raw, "activities", location):
        activity_code = reader.code(
            activity, activity_location, ACTIVITY_CODE_PATTERN, BAD_ACTIVITY_CODE, seen_codes
        )
        if code and activity_code and not activity_code.startswith(f"{code}."):
            reader.problem(f"{activity_location}.code", BAD_ACTIVITY_CODE)
        activities.append(
            ActivityRecord(
                code=activity_code, title_en=reader.text(activity, "title", activity_location)
            )
        )
    return GoalRecord(
        code=code,
        pillar=pillar if isinstance(pillar, str) else "",
        title_en=reader.text(raw, "title", location),
        aim_en=reader.text(raw, "aim", location),
        outcome_en=reader.text(raw, "outcome", location),
        activities=activities,
        responsible=reader.texts(raw, "responsible", location),
    )


def parse_framework(document: Any, path: Path) -> Framework:
    """Check a parsed framework document; raise FrameworkFileError listing every problem."""
    reader = _Reader()
    document = reader.mapping(document, "(file)")
    strategy = _read_strategy(reader, document)
    seen_codes: set[str] = set()
    goals = [
        _read_goal(reader, location, raw, seen_codes)
        for location, raw in reader.records(document, "goals", "")
    ]
    challenges = reader.texts(document, "challenges", "")
    if reader.problems:
        raise FrameworkFileError(path, reader.problems)
    return Framework(strategy=strategy, goals=goals, challenges=challenges)


def read_framework(path: Path = DEFAULT_FRAMEWORK_FILE) -> Framework:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkFileError(path, [Problem("(file)", NOT_FOUND)]) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise FrameworkFileError(path, [Problem(where, NOT_YAML)]) from None
    return parse_framework(document, path)
