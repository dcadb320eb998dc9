"""The benefits' messages in English and Lao, and its error class.

Errors have the registry's shape (pakan.registry.validation.FieldError), so pages, the API and
file reports show them the way they already show the registry's and the fund's.
"""

from __future__ import annotations

import importlib
import pkgutil

from pakan.benefits import messages as message_tables
from pakan.registry.validation import FieldError, RegistryValidationError


def _merged_tables() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(message_tables.__path__),
                              key=lambda info: info.name):
        table = importlib.import_module(f"{message_tables.__name__}.{module_info.name}").MESSAGES
        clash = merged.keys() & table.keys()
        if clash:
            raise ImportError(f"message codes defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


MESSAGES: dict[str, tuple[str, str]] = _merged_tables()


def error(field: str, code: str, **values: object) -> FieldError:
    english, lao = MESSAGES[code]
    return FieldError(field, code, english.format(**values), lao.format(**values))


class BenefitsValidationError(RegistryValidationError):
    """Bad input to a benefits service; nothing was changed."""
