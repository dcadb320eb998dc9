"""RULES_VERSION: changes whenever a benefit formula or a benefit parameter file changes.

It is a readable prefix and the first 12 hex digits of a SHA-256 over the benefit formulas'
source (this package) and the benefit parameter files, so a decision stored years ago says
exactly which rules made it. Parameter files owned by other parts (pension indexation, the
appeal time limit) are left out: they do not change how a benefit is assessed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pakan.rules.legal_parameters import PARAMETERS_DIRECTORY

PREFIX = "benefits-1"
FORMULAS_DIRECTORY = Path(__file__).resolve().parent
PARAMETER_DIRECTORY = PARAMETERS_DIRECTORY / "social_security" / "benefits"
NOT_ASSESSMENT_PARAMETERS = frozenset({"pension_indexation.yaml", "appeal_days.yaml"})


def rules_files() -> list[Path]:
    formulas = sorted(FORMULAS_DIRECTORY.glob("*.py"))
    parameters = sorted(
        path
        for path in PARAMETER_DIRECTORY.rglob("*.yaml")
        if path.name not in NOT_ASSESSMENT_PARAMETERS
    )
    return formulas + parameters


def compute_rules_version() -> str:
    digest = hashlib.sha256()
    for path in rules_files():
        if path.is_relative_to(FORMULAS_DIRECTORY):
            name = "formulas/" + path.relative_to(FORMULAS_DIRECTORY).as_posix()
        else:
            name = "parameters/" + path.relative_to(PARAMETER_DIRECTORY).as_posix()
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    return f"{PREFIX}-{digest.hexdigest()[:12]}"


RULES_VERSION = compute_rules_version()
