"""A DOCTYPE's internal subset in an imported HTML page: XML an HTML parser reads as text.

'<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>' makes an HTML parser put ']>'
and the head's title into the body. The subset is blanked (its lines kept, so positions
stay) and its entities are never expanded: their references ('&x;') are left out, each
reported, instead of standing as text in the policy. Only a DOCTYPE at the start of the
page counts (after a byte order mark, white space, comments, an XML declaration), and only
a subset that closes within MAX_SUBSET characters, read with its quoted strings (a ']>'
inside a quoted entity value does not close it): the page is untrusted, and each step is
linear in it (review7 F6: a search over the whole page was quadratic, hours for 20 MB).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.entities import html5

MAX_SUBSET = 64 * 2**10  # characters: a real page's subset is a few lines
_SPACE = re.compile(r"\s*")
_NEXT = re.compile(r"[\"'\]]")  # what can open a quoted string or close the subset
_CLOSE = re.compile(r"\]\s*>")
_ENTITY = re.compile(r"<!ENTITY\s+(%\s+)?([^\s>]+)")
# names an HTML parser knows itself: '&amp;' is '&' whatever a subset declares (review7 F7)
_HTML_NAMES = frozenset(name.rstrip(";") for name in html5)


def subset(text: str) -> tuple[int, int, list[str]] | None:
    """(start, end) of the DOCTYPE with its subset and the entities the subset declares."""
    start = _doctype(text)
    if start is None:
        return None
    bracket = text.find("[", start, start + MAX_SUBSET)
    gt = text.find(">", start, start + MAX_SUBSET)
    if bracket < 0 or 0 <= gt < bracket:
        return None
    end = _close(text, bracket + 1, min(len(text), bracket + 1 + MAX_SUBSET))
    if end is None:
        return None
    names = [m.group(2) for m in _ENTITY.finditer(text, bracket + 1, end)]
    return start, end, names


def blank(text: str, found: tuple[int, int, list[str]],
          dropped: Callable[[int, str], None]) -> str:
    """text with the subset blanked and references to its entities left out (dropped(line,
    reference) for each; HTML's own names, such as amp, stay)."""
    start, end, names = found
    text = text[:start] + "<!DOCTYPE html>" + "\n" * text.count("\n", start, end) + text[end:]
    own = [n for n in names if n not in _HTML_NAMES]
    if not own:
        return text
    ref = re.compile("&(?:" + "|".join(re.escape(n) for n in own) + ");")
    line, seen = 1, 0

    def drop(m: re.Match[str]) -> str:
        nonlocal line, seen  # counted on from the last reference: linear in the page
        line += text.count("\n", seen, m.start())
        seen = m.start()
        dropped(line, m.group(0))
        return ""

    return ref.sub(drop, text)


def _doctype(text: str) -> int | None:
    """Where the page's DOCTYPE starts, if one starts it (within MAX_SUBSET characters)."""
    i = 1 if text.startswith("\ufeff") else 0
    while i < MAX_SUBSET:
        i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4, MAX_SUBSET)
            if close < 0:
                return None
            i = close + 3
        elif text.startswith("<?", i):
            close = text.find(">", i + 2, MAX_SUBSET)
            if close < 0:
                return None
            i = close + 1
        else:
            return i if text[i:i + 9].upper() == "<!DOCTYPE" else None
    return None


def _close(text: str, i: int, end: int) -> int | None:
    """The end of ']>' closing a subset from i (quoted strings skipped), None before end."""
    while (m := _NEXT.search(text, i, end)) is not None:
        char = m.group(0)
        if char == "]":
            closed = _CLOSE.match(text, m.start(), end)
            if closed:
                return closed.end()
            i = m.end()
            continue
        quote = text.find(char, m.end(), end)
        if quote < 0:
            return None
        i = quote + 1
    return None
