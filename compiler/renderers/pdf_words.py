"""A word hyphenated at a line end copies whole from the PDF: /ActualText on its two parts.

WeasyPrint draws "Informa‐" at the end of one line and "tionen" at the start of the next.
Text extraction (poppler's pdftotext, Acrobat, screen readers reading the tags) follows the
PDF's /ActualText (ISO 32000 14.9.4): the first part is wrapped in a marked-content span
whose replacement text is the whole word ("Informationen"), the second part in one whose
replacement text is empty, so the copied line reads "Informationen" and the next line goes
on after it. The glyphs drawn are unchanged. Extractors that ignore /ActualText (pypdf)
still read the hyphen as a soft hyphen (U+00AD, pdf_finish.soft_hyphens), which the
standard says to drop.

This wraps WeasyPrint's `draw_first_line` (weasyprint.draw.text; WeasyPrint 70 only, see
pdf_weasyprint): after
it has written a line's glyphs, the glyph run holding the word part is split in two TJ
operators (positions unchanged: the text matrix runs on) and the part is marked. A part
it cannot find glyph for glyph (a ligature across the break, a font change inside the
word) is left as drawn; the soft hyphen still applies there.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

# A line ending inside a word: at the hyphen hyphenation adds (U+2010) or after a hyphen
# the word has ("Business-" + "Integration": poppler would drop that hyphen otherwise).
_WORD_END = re.compile(r"(\w+)([\u2010-])$")
_WORD_START = re.compile(r"^(\w+)")
_TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|(-?[0-9.]+)")


def _glyphs(item: bytes) -> list[tuple[str, bytes]] | None:
    """A TJ operator's operands as ('g', 4-hex-digit glyph id) and ('n', number) tokens."""
    if not (item.startswith(b"[") and item.endswith(b"] TJ")):
        return None
    tokens: list[tuple[str, bytes]] = []
    for hexes, number in _TOKEN.findall(item[1:-4]):
        if number:
            tokens.append(("n", number))
        elif len(hexes) % 4 == 0:
            tokens.extend(("g", hexes[i:i + 4]) for i in range(0, len(hexes), 4))
        else:
            return None  # a 1-byte (bitmap) font: left alone
    return tokens


def _operator(tokens: list[tuple[str, bytes]]) -> bytes:
    out = b""
    previous = "g"
    for kind, value in tokens:
        if kind == "g":
            out += b"<" + value + b">"
        else:
            out += (b" " if previous == "n" else b"") + value  # two numbers: a space apart
        previous = kind
    return b"[" + out + b"] TJ"


def _split(tokens: list[tuple[str, bytes]], to_unicode: dict[int, str], text: str,
           from_end: bool) -> int | None:
    """The token index that separates text (at the run's end, or its start) from the rest."""
    indexes = [i for i, (kind, _) in enumerate(tokens) if kind == "g"]
    found = ""
    for i in (reversed(indexes) if from_end else indexes):
        found = (to_unicode.get(int(tokens[i][1], 16), "") + found if from_end
                 else found + to_unicode.get(int(tokens[i][1], 16), ""))
        if found == text:
            return i if from_end else i + 1
        if len(found) >= len(text):
            return None
    return None


def _actual_text(text: str) -> bytes:
    return b"<</ActualText <FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">>>"


def _font_map(stream: Any, name: bytes | str | None) -> dict[int, str] | None:
    """The glyph -> text map of the font a Tf operator names (WeasyPrint names it by hash)."""
    if name is None:
        return None
    key = name.decode() if isinstance(name, bytes) else name
    for font in stream._fonts.values():
        if font.hash == key:
            found: dict[int, str] = font.to_unicode
            return found
    return None


def _run(stream: Any, first: int, last: int, at_end: bool,
         font_before: str | None) -> tuple[int, dict[int, str]] | None:
    """The last (or first) TJ operator among items first..last, and its font's glyph map."""
    items = stream.stream
    font = font_before
    runs: list[tuple[int, str | None]] = []
    for i in range(first, last):
        item = items[i]
        if isinstance(item, str):
            item = item.encode()
        if isinstance(item, bytes) and item.endswith(b" Tf"):
            font = item.split()[0][1:].decode()
        elif isinstance(item, bytes) and item.endswith(b"] TJ"):
            runs.append((i, font))
    if not runs:
        return None
    index, name = runs[-1] if at_end else runs[0]
    glyphs = _font_map(stream, name)
    return (index, glyphs) if glyphs is not None else None


def _mark(stream: Any, index: int, to_unicode: dict[int, str], text: str, actual: str,
          at_end: bool) -> int:
    """Wrap the glyphs of text, at the end (or the start) of the TJ operator at index, in a
    span whose /ActualText is actual; how many items it added (0: not found, left as is)."""
    items = stream.stream
    tokens = _glyphs(items[index])
    if tokens is None:
        return 0
    cut = _split(tokens, to_unicode, text, from_end=at_end)
    if cut is None:
        return 0
    before, after = tokens[:cut], tokens[cut:]
    marked, rest = (after, before) if at_end else (before, after)
    wrapped = [b"/Span", _actual_text(actual), b"BDC", _operator(marked), b"EMC"]
    replacement = [_operator(rest)] if rest else []
    items[index:index + 1] = replacement + wrapped if at_end else wrapped + replacement
    return len(replacement) + len(wrapped) - 1


# Per thread, the last line that ended inside a word, until its element's next line is
# drawn: (element, stream, the line's last TJ index, its glyph map, the part, its hyphen).
# The element itself is held, so no later element can take its id.
_state = threading.local()


def holds(stream: Any) -> bool:
    """Whether a line drawn into stream may still get its word marked (pdf_memory asks
    before joining a painted page's operators: the mark inserts operators by index)."""
    return any(entry[1] is stream for entry in getattr(_state, "pending", ()))


# WeasyPrint 70's draw_first_line, as read (pdf_weasyprint.READ)
_DRAW_FIRST_LINE = ["stream", "textbox", "text_overflow", "block_ellipsis", "matrix"]


def install() -> bool:
    """Wrap WeasyPrint's line drawing once (idempotent); whether it is wrapped. Only a
    WeasyPrint read (pdf_weasyprint.READ) whose draw_first_line has the shape used here:
    elsewhere a hyphenated word copies as its two parts (the soft hyphen still applies)."""
    from compiler.renderers.pdf_weasyprint import wrappable

    try:
        from weasyprint.draw import text as draw
    except ImportError:
        return False
    original = wrappable(draw, "draw_first_line", "policyc_words", _DRAW_FIRST_LINE)
    if isinstance(original, bool):
        return original
    state = _state

    @functools.wraps(original)
    def draw_first_line(stream, textbox, *args):  # type: ignore[no-untyped-def]
        pending: list[tuple[Any, Any, int, dict[int, str], str, str]] = state.__dict__.setdefault(
            "pending", [])
        first = len(stream.stream)
        font_before = (stream._current_font or (None,))[0]
        emojis = original(stream, textbox, *args)
        element = getattr(textbox, "element", None)
        text = textbox.text
        before = (pending.pop() if element is not None and pending and pending[0][0] is element
                  else None)
        start = _WORD_START.match(text)
        if before is not None and start is not None:
            _, earlier, index, glyphs, part, hyphen = before
            kept = "" if hyphen == "\u2010" else hyphen  # a hyphen of the word stays
            head = _run(stream, first, len(stream.stream), False, font_before)
            tokens = _glyphs(stream.stream[head[0]]) if head is not None else None
            # both parts found glyph for glyph, or neither is marked (no word read twice)
            if head is not None and tokens is not None and _split(
                    tokens, head[1], start.group(1), from_end=False) is not None:
                grown = _mark(earlier, index, glyphs, part + hyphen,
                              part + kept + start.group(1), at_end=True)
                if grown and earlier is stream:
                    first += grown
                    head = (head[0] + grown, head[1])
                if grown:
                    _mark(stream, head[0], head[1], start.group(1), "", at_end=False)
        end = _WORD_END.search(text)
        if end is not None and element is not None and (end.group(2) == "-"
                                or textbox.style["hyphenate_character"] == "\u2010"):
            tail = _run(stream, first, len(stream.stream), True, font_before)
            if tail is not None:
                pending[:] = [(element, stream, tail[0], tail[1], end.group(1), end.group(2))]
        return emojis

    draw_first_line.policyc_words = True  # type: ignore[attr-defined]
    draw.draw_first_line = draw_first_line
    return True
