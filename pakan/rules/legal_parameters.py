"""Dated legal parameters: loading, reading at a date, and listing with their sources.

The values live in YAML files under `parameters/`, in the OpenFisca parameter format (one value
per start date, each with `metadata.reference` and, where the sources leave it open,
`metadata.provisional` and `metadata.provisional_reason`). When the law changes an officer adds a
dated entry; no code changes, and results for earlier months keep their earlier values.

Pure Python (no Django), so the same rules run in a billing job, a page, a notebook or a test.
The tree is read once per process and is never written to afterwards.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openfisca_core.parameters import Parameter, ParameterNode, ParameterNodeAtInstant

PARAMETERS_DIRECTORY = Path(__file__).resolve().parent / "parameters"


class RulesError(ValueError):
    """A rule cannot be applied; the message is given in English and Lao.

    `row` is the 0-based position in the input arrays (None when the problem is not a row's),
    `field` the input that is wrong.
    """

    def __init__(
        self, english: str, lao: str, *, row: int | None = None, field: str | None = None
    ) -> None:
        self.english = english
        self.lao = lao
        self.row = row
        self.field = field
        where = "" if row is None else f"row {row}: "
        where += "" if field is None else f"{field}: "
        super().__init__(f"{where}{english} / {lao}")


@dataclass(frozen=True)
class DatedValue:
    """One entry of a parameter's history: valid from `start` until the day before `end`."""

    start: datetime.date
    end: datetime.date | None
    value: Any
    reference: str
    provisional: bool
    provisional_reason: str


@dataclass(frozen=True)
class ParameterHistory:
    """A parameter with its description, unit and every dated value, oldest first."""

    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]


@functools.cache
def parameter_tree() -> ParameterNode:
    """The whole parameter tree, loaded once per process with openfisca-core's loader."""
    return ParameterNode("", directory_path=str(PARAMETERS_DIRECTORY))


@functools.lru_cache(maxsize=512)
def parameters_at(when: datetime.date) -> ParameterNodeAtInstant:
    """The parameter tree as valid on a date: `parameters_at(d).labour.minimum_wage`."""
    return parameter_tree()(when.isoformat())


def _walk(node: ParameterNode, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
    for key, child in sorted(node.children.items()):
        name = f"{prefix}{key}"
        if isinstance(child, ParameterNode):
            yield from _walk(child, f"{name}.")
        elif isinstance(child, Parameter):
            yield name, child
        else:  # scales are not used here; refuse them rather than list them wrongly
            raise TypeError(f"unsupported parameter type at {name}: {type(child).__name__}")


def _history(name: str, parameter: Parameter) -> ParameterHistory:
    entries = sorted(parameter.values_list, key=lambda entry: entry.instant_str)
    values = []
    for position, entry in enumerate(entries):
        following = entries[position + 1] if position + 1 < len(entries) else None
        metadata = entry.metadata or {}
        values.append(
            DatedValue(
                start=datetime.date.fromisoformat(entry.instant_str),
                end=(
                    None
                    if following is None
                    else datetime.date.fromisoformat(following.instant_str)
                ),
                value=entry.value,
                reference=str(metadata.get("reference", "")),
                provisional=bool(metadata.get("provisional", False)),
                provisional_reason=str(metadata.get("provisional_reason", "")),
            )
        )
    return ParameterHistory(
        name=name,
        description=parameter.description or "",
        unit=str((parameter.metadata or {}).get("unit", "")),
        values=tuple(values),
    )


@functools.cache
def _histories() -> dict[str, ParameterHistory]:
    return {name: _history(name, parameter) for name, parameter in _walk(parameter_tree())}


def list_parameters() -> list[ParameterHistory]:
    """Every parameter with its values, dates, references and provisional flags, by name.

    This is what a "legal parameters" page shows: nothing the rules use is hidden from it.
    """
    return list(_histories().values())


def history(name: str) -> ParameterHistory:
    """One parameter's history by its dotted name, e.g. "labour.minimum_wage"."""
    try:
        return _histories()[name]
    except KeyError:
        raise RulesError(
            f"unknown legal parameter {name!r}",
            f"ບໍ່ພົບພາລາມິເຕີ {name!r}",
            field="name",
        ) from None


def entry_at(name: str, when: datetime.date) -> DatedValue:
    """The dated entry of a parameter valid on a date; a clear error before its first value."""
    for entry in reversed(history(name).values):
        if entry.start <= when:
            return entry
    raise RulesError(
        f"no value of {name} is valid on {when.isoformat()} (the first starts on "
        f"{history(name).values[0].start.isoformat()})",
        f"ບໍ່ມີຄ່າຂອງ {name} ສຳລັບວັນທີ {when.isoformat()}",
        field="date",
    )


def value_at(name: str, when: datetime.date) -> Any:
    """A parameter's value on a date."""
    return entry_at(name, when).value


@dataclass(frozen=True)
class ProvisionalUse:
    """A provisional value a result relied on, with why it is provisional."""

    name: str
    start: datetime.date
    value: Any
    reason: str


def provisional_parameters_used(
    names: Iterable[str], when: datetime.date
) -> list[ProvisionalUse]:
    """Which of the named parameters were provisional on a date, so a page can say so."""
    used = []
    for name in sorted(set(names)):
        entry = entry_at(name, when)
        if entry.provisional:
            used.append(ProvisionalUse(name, entry.start, entry.value, entry.provisional_reason))
    return used
