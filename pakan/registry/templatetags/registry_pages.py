"""Small display helpers shared by the staff pages (registry, jobs, accounts)."""

from __future__ import annotations

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    """An integer with thousands separators (1,234,567), whatever the page language: counts
    and kip amounts are read more easily that way, and Lao offices write numbers so too."""
    if value in (None, ""):
        return ""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}"


@register.filter
def place_name(unit: object) -> str:
    """The name of an admin unit in the page language (Lao name first in Lao)."""
    if unit is None:
        return ""
    if (translation.get_language() or "").startswith("lo"):
        return unit.name_lo or unit.name_en
    return unit.name_en or unit.name_lo


@register.filter
def lookup(mapping: dict, key: object) -> object:
    """`mapping[key]` in a template, or None."""
    if not mapping:
        return None
    return mapping.get(key)
