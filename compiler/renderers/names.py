"""Names kept whole in print: the organization, product names and variable values.

The localized document lists them (LocalizedDocument.names); the HTML wraps each
occurrence in <span class="nohyphen">, which print.css never hyphenates.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_LETTER = r"A-Za-z0-9\u00c0-\u024f"  # a name is found whole, not inside a longer word


def pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern finding any of the names (longest first), or None without names."""
    words = [n for n in names if any(ch.isalpha() for ch in n)]
    if not words:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![{_LETTER}])(?:{alternatives})(?![{_LETTER}])")


def kept_whole(text: str, names: re.Pattern[str] | None) -> Markup:
    """Escaped text with each name in <span class="nohyphen">."""
    if names is None or not text:
        return escape(text)
    out: list[Markup] = []
    at = 0
    for m in names.finditer(text):
        out.append(escape(text[at:m.start()]))
        out.append(Markup('<span class="nohyphen">{}</span>').format(m.group()))
        at = m.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)
