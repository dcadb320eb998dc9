"""pakan.actuarial is pure numeric Python: it imports and runs where Django is not installed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pakan.actuarial

PACKAGE = Path(pakan.actuarial.__file__).parent

# Django is made impossible to import (as on a machine without it), every module of the
# package is imported and a small valuation runs; then no django module may be loaded.
PROBE = """
import importlib, importlib.abc, pkgutil, sys, warnings

class NoDjango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django."):
            raise ImportError("Django is not available here: " + name)
        return None

sys.meta_path.insert(0, NoDjango())
warnings.simplefilter("ignore")  # celery warns that it cannot find Django
assert not any(m == "django" or m.startswith("django.") for m in sys.modules)
import pakan.actuarial
for module in pkgutil.walk_packages(pakan.actuarial.__path__, "pakan.actuarial."):
    importlib.import_module(module.name)
from pakan.actuarial import lao_assumptions
from pakan.actuarial.engine import project
result = project(lao_assumptions.assumptions(horizon_years=3))
assert result.series["contributions"][0, 0] > 0
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print("django modules:", loaded)
sys.exit(1 if loaded else 0)
"""


def test_the_package_imports_and_runs_without_django():
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PACKAGE.parents[1])}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=environment,
        check=False, timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "django modules: []" in completed.stdout


def test_no_module_of_the_package_names_django():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] in {"django", "rest_framework"} for name in names), (
                f"{path.name} imports {names}")
