"""The `pakan` command: Django's management commands under the project's own name
(`pakan synth --people 20000`, `pakan import_registry people.csv`, ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pakan", *sys.argv[1:]])


if __name__ == "__main__":
    main()
