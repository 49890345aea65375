"""Phrase-wise line breaks for Japanese and Chinese titles: no runt such as "す。" alone.

Japanese and Chinese break lines between any two characters, so a title or subtitle can end
with one or two characters on a line of their own. BudouX (Google's phrase segmenter, the
model behind Chrome's `word-break: auto-phrase`) splits the text into phrases; each phrase is
wrapped in `<span class="phrase">`, which print.css and web.css keep on one line
(`white-space: nowrap`), so lines break only between phrases and the last line holds at
least the last phrase ("説明します。"). Nothing is added to the text: copying it from the PDF or
the page gives the plain title. Other languages are returned escaped, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Protocol

from markupsafe import Markup, escape

# A phrase longer than this may still break inside: kept whole, it could overflow a narrow
# line (a phone's width at the title's size holds about 12 characters).
MAX_PHRASE = 12


class _Parser(Protocol):
    def parse(self, sentence: str) -> list[str]: ...


def _loader(tag: str) -> Callable[[], _Parser] | None:
    import budoux

    language, _, rest = tag.partition("-")
    if language == "ja":
        return budoux.load_default_japanese_parser
    if language == "zh":
        traditional = rest.split("-")[0] in ("Hant", "TW", "HK", "MO")
        return (budoux.load_default_traditional_chinese_parser if traditional
                else budoux.load_default_simplified_chinese_parser)
    return None


@cache
def _parser(tag: str) -> _Parser | None:
    load = _loader(tag)
    return load() if load is not None else None


def keep_phrases(text: str, tag: str) -> Markup:
    """text as HTML whose lines break only between phrases (ja, zh), escaped otherwise."""
    if not tag.startswith(("ja", "zh")):
        return escape(text)
    parser = _parser(tag)
    if parser is None:
        return escape(text)
    return Markup("").join(
        Markup('<span class="phrase">{}</span>').format(p) if 1 < len(p) <= MAX_PHRASE
        else escape(p)
        for p in parser.parse(text))
