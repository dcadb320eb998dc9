"""Choosing stored text by the reader's language, in one place for every app.

Any object with `<field>_en` and `<field>_lo` attributes works: a goal, an admin unit, a
programme. In a template:

    {% load localised %}
    {{ goal|localised:"title" }}        text in the page language, with a visible marker when the
                                        Lao is still blank and English stands in for it
    {{ goal|localised_plain:"title" }}  the same text without the marker (for <title>, attributes)

Python code (exports, PDFs) calls `localised_text(obj, "title")` for the text and whether it is
a stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop

register = template.Library()

FALLBACK_LANGUAGE = "en"
# Shown in the page language and always in English too, so an English-reading editor sees it.
MISSING_LAO_MESSAGE = gettext_noop("Lao text not yet added")


@dataclass(frozen=True)
class LocalisedText:
    text: str
    language: str
    is_stand_in: bool


def current_language() -> str:
    """The active language's base code ("lo", "en"), whatever region suffix it carries."""
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def localised_text(obj: Any, field: str, language: str | None = None) -> LocalisedText:
    """`<field>_<language>` if filled, else the English text marked as a stand-in."""
    language = language or current_language()
    fallback_name = f"{field}_{FALLBACK_LANGUAGE}"
    if not hasattr(obj, fallback_name):
        raise AttributeError(f"{type(obj).__name__} has no field {fallback_name!r}")
    wanted = getattr(obj, f"{field}_{language}", None)
    if isinstance(wanted, str) and wanted.strip():
        return LocalisedText(wanted, language, is_stand_in=False)
    fallback = getattr(obj, fallback_name) or ""
    return LocalisedText(fallback, FALLBACK_LANGUAGE, is_stand_in=language != FALLBACK_LANGUAGE)


def missing_translation_marker() -> SafeString:
    in_page_language = gettext(MISSING_LAO_MESSAGE)
    label = (
        MISSING_LAO_MESSAGE
        if in_page_language == MISSING_LAO_MESSAGE
        else f"{in_page_language} · {MISSING_LAO_MESSAGE}"
    )
    return format_html('<mark class="translation-missing">{}</mark>', label)


@register.filter
def localised(obj: Any, field: str) -> SafeString | str:
    """The text in the page language; a stand-in is tagged as English and marked."""
    if obj is None:
        return ""
    chosen = localised_text(obj, field)
    if not chosen.is_stand_in:
        return chosen.text
    return format_html(
        '<span lang="{}">{}</span> {}',
        chosen.language,
        chosen.text,
        missing_translation_marker(),
    )


@register.filter
def localised_plain(obj: Any, field: str) -> str:
    """The text in the page language, falling back to English without a marker."""
    return "" if obj is None else localised_text(obj, field).text
