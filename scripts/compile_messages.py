"""Compile every .po catalogue under pakan/ to .mo (pure Python: no gettext tools needed)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "pakan"


def main() -> None:
    for catalogue in ROOT.glob("**/locale/*/LC_MESSAGES/*.po"):
        compiled = catalogue.with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= catalogue.stat().st_mtime:
            continue
        polib.pofile(str(catalogue)).save_as_mofile(str(compiled))


if __name__ == "__main__":
    main()
