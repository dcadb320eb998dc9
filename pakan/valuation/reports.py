"""A run's downloads: the valuation report as a PDF (WeasyPrint, with the Lao font served by
the app) and its tables as an XLSX workbook, one sheet per table.

Both start with what makes the run reproducible (scenario, settings, extract, code version) and
the assumptions used, provisional ones marked; then the results. Text that comes from users
(a scenario's name or description) goes through the export's formula neutraliser.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pakan.tabular.export import xlsx_cell
from pakan.valuation.models import ValuationRun
from pakan.valuation.results import Column, Results, Table
from pakan.valuation.services import catalogue

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"rate": "0.00%", "kip": "#,##0", "whole_kip": "#,##0", "count": "#,##0",
                  "ratio": "0.00", "year": "0"}
SHEET_NAME_LIMIT = 31


def run_facts(run: ValuationRun) -> list[tuple[str, Any]]:
    """The run as a list of (label, value): what it was, and what makes it reproducible."""
    code = run.code_version or {}
    extract = (run.assumptions or {}).get("extract") or {}
    facts = [
        (_("Run"), f"#{run.pk}"),
        (_("Scenario"), run.assumptions.get("scenario", {}).get("name", run.scenario.name)),
        (_("Kind of run"), run.get_kind_display()),
        (_("Started"), timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("Seconds"), f"{run.seconds:.1f}" if run.seconds is not None else "—"),
        (_("Base assumptions"), run.assumptions.get("base", "")),
        (_("Settings"), ", ".join(f"{k} = {v}" for k, v in run.run_settings.items()) or "—"),
        (_("Data extract"), f"#{extract['id']} {extract['valuation_date']} sha256 "
                            f"{extract['sha256']}" if extract else _("None: the base "
                                                                     "assumptions")),
        (_("Git commit"), code.get("git_commit") or "—"),
        (_("Uncommitted changes"), code.get("git_uncommitted_changes")),
        (_("Benefit rules version"), code.get("rules_version", "—")),
        (_("Actuarial package source (sha256)"), code.get("actuarial_source_sha256", "—")),
        (_("Python"), code.get("python", "—")),
        (_("Packages"), ", ".join(f"{k} {v}" for k, v in (code.get("packages") or {}).items())),
        (_("Results (sha256 of the numbers)"), run.results_sha256 or "—"),
    ]
    if run.rerun_of_id:
        reproduces = (run.summary or {}).get("reproduces", {})
        facts.append((_("Re-run of"), f"#{run.rerun_of_id}: " + (
            _("the same numbers") if reproduces.get("identical") else _("different numbers"))))
    return facts


def assumption_table(run: ValuationRun) -> Table:
    columns = (Column("name", _("Assumption"), "text"),
               Column("override", _("Value in this scenario"), "text"),
               Column("base_value", _("Base value"), "text"),
               Column("unit", _("Unit"), "text"),
               Column("source", _("Source"), "text"),
               Column("provisional", _("Provisional: why"), "text"))
    rows = [[row["name"], row["override"], row["base_value"], row["unit"], row["source"],
             row["provisional_reason"] if row["provisional"] else ""]
            for row in catalogue.snapshot_rows(run.assumptions)]
    return Table("assumptions", _("Assumptions"), columns, rows)


# --- XLSX --------------------------------------------------------------------------------------

def _sheet_title(key: str, used: set[str]) -> str:
    title, number = key[:SHEET_NAME_LIMIT], 2
    while title in used:
        suffix = f"_{number}"
        title, number = key[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    used.add(title)
    return title


def _add_sheet(workbook, table: Table, used: set[str]) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(_sheet_title(table.key, used))
    sheet.append([xlsx_cell(table.title)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([xlsx_cell(f"{c.label} (kip)" if c.format in ("kip", "whole_kip") else c.label)
                  for c in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([xlsx_cell(value) for value in row])
        for column, cell in zip(table.columns, sheet[sheet.max_row], strict=True):
            if column.format in NUMBER_FORMATS and isinstance(cell.value, int | float):
                cell.number_format = NUMBER_FORMATS[column.format]
    sheet.freeze_panes = "A3"


def _workbook_bytes(tables: Sequence[Table]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        _add_sheet(workbook, table, used)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _facts_table(facts: list[tuple[str, Any]]) -> Table:
    return Table("run", _("The run"), (Column("fact", _("Fact"), "text"),
                                       Column("value", _("Value"), "text")),
                 [[label, value] for label, value in facts])


def _figures_table(results: Results) -> Table:
    return Table("figures", _("Key figures"),
                 (Column("figure", _("Figure"), "text"), Column("value", _("Value"), "text")),
                 [[label, value] for label, value, _format in results.figures])


def run_xlsx(run: ValuationRun, results: Results) -> bytes:
    return _workbook_bytes([_facts_table(run_facts(run)), assumption_table(run),
                            _figures_table(results), *results.tables])


def comparison_xlsx(runs: Sequence[ValuationRun], results: Results) -> bytes:
    facts = [[f"#{run.pk}", run.scenario.name, run.get_kind_display(),
              run.results_sha256] for run in runs]
    listed = Table("runs", _("Runs compared"),
                   (Column("run", _("Run"), "text"), Column("scenario", _("Scenario"), "text"),
                    Column("kind", _("Kind of run"), "text"),
                    Column("sha256", _("Results (sha256 of the numbers)"), "text")), facts)
    return _workbook_bytes([listed, *results.tables])


# --- PDF ---------------------------------------------------------------------------------------

def run_pdf(request: HttpRequest, run: ValuationRun, results: Results) -> bytes:
    from weasyprint import HTML

    context = {
        "run": run,
        "facts": run_facts(run),
        "assumptions": catalogue.snapshot_rows(run.assumptions),
        "results": results,
        "font_regular": finders.find("vendor/fonts/noto-sans-lao-lao-400-normal.woff2"),
        "font_bold": finders.find("vendor/fonts/noto-sans-lao-lao-700-normal.woff2"),
        "language": get_language(),
        "printed_on": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    html = render_to_string("valuation/report_pdf.html", context, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
