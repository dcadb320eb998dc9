"""Display helpers of the actuarial pages: table cells by their column's format, column headings
with their unit, and who sees the navigation link."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from pakan.valuation.results import format_cell
from pakan.valuation.selectors import may_use_valuation

register = template.Library()


@register.filter
def cell(value: object, value_format: str) -> str:
    """A value as a page shows it: kip in billions, rates as percentages, counts rounded."""
    return format_cell(value, value_format)


@register.filter
def heading(column) -> str:
    """A column's label with the unit its cells are shown in."""
    if column.format == "kip":
        return f"{column.label} ({_('billion kip')})"
    return column.label


@register.filter
def numeric(column) -> bool:
    return column.format not in ("text",)


@register.filter
def valuation_user(user) -> bool:
    return may_use_valuation(user)


@register.filter
def display_rows(table) -> list[list[tuple[str, bool]]]:
    """Each row's cells as (text, numeric?) by their column's format."""
    return [[(cell(value, column.format), numeric(column))
             for value, column in zip(row, table.columns, strict=True)] for row in table.rows]
