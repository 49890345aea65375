"""Source text standing in for a translation, marked with its language and, inside a page of
the other direction, isolated in its own (English in an Arabic page reads in order, its full
stop at its end, not scrambled by the page's right-to-left flow); and the direction of a string."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from markupsafe import Markup

from compiler.i18n.formatting import tag_direction
from compiler.model import ListItem, Rich

TERM_TEXT = Markup('<strong class="term">{}{}</strong>{}')  # an item's term, separator, text


def fallback(lang: str, page_direction: str, markup: Markup) -> Markup:
    """markup in a span naming its language, with dir when that differs from the page's."""
    direction = tag_direction(lang)
    if direction == page_direction:
        return Markup('<span lang="{}">{}</span>').format(lang, markup)
    return Markup('<span lang="{}" dir="{}">{}</span>').format(lang, direction, markup)


def isolated(rich: Rich, page_direction: str, markup: Markup) -> Markup:
    """A string shown plain (title, lede, contents): isolated when it stands in for a
    translation in a page of the other direction, else as it is (those pages unchanged)."""
    if rich.lang and tag_direction(rich.lang) != page_direction:
        return fallback(rich.lang, page_direction, markup)
    return markup


def isolated_text(rich: Rich, page_direction: str, text: str) -> str:
    """text, for where no markup goes (a CSS string of a PDF's running header): between
    Unicode isolates (LRI/RLI ... PDI) when rich stands in for a translation in a page of the
    other direction, as isolated() puts it in its own span; else as it is."""
    if rich.lang and tag_direction(rich.lang) != page_direction:
        start = "\u2066" if tag_direction(rich.lang) == "ltr" else "\u2067"
        return start + text + "\u2069"
    return text


def item_fallback(item: ListItem, page_direction: str,
                  owned: Callable[[Rich], bool]) -> str | None:
    """The language when an item's term and text both stand in inside a page of the other
    direction (one isolate, so the ": " between them keeps its place), unless a caller lays
    either out itself. In a page of their own direction each keeps its own span and the
    separator stays in the page's language (German/French ": " and " : ")."""
    term, text = item.term, item.text
    if term is None or text is None or not term.lang or text.lang != term.lang:
        return None
    if tag_direction(term.lang) == page_direction:
        return None
    return None if owned(term) or owned(text) else term.lang


def text_direction(text: str) -> str:
    """ltr or rtl by the first strong character (what dir="auto" does, for WeasyPrint)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"
