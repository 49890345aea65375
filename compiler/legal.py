"""Legal structure: clause numbers of sections, list markers, and cross-reference targets.

One place decides what a reader sees as "7.2" or "(b)", so that HTML, PDF and DOCX (whose
Word numbering is built from the same formats) agree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from compiler.model import ListStyle, Section

NUMBERING_SCHEMES = ("none", "decimal")
# Nested numbered lists without a style of their own count 1. -> (a) -> (i) -> 1. ...
LEGAL_SEQUENCE = (ListStyle.DECIMAL, ListStyle.LOWER_ALPHA, ListStyle.LOWER_ROMAN)


def default_style(depth: int) -> ListStyle:
    """The style of a numbered list nested depth numbered lists deep (1: outermost)."""
    return LEGAL_SEQUENCE[(depth - 1) % len(LEGAL_SEQUENCE)]


def number_sections(sections: tuple[Section, ...], unnumbered: set[str],
                    prefix: str = "") -> tuple[Section, ...]:
    """The sections with their clause numbers: 1, 1.1, 1.1.1 in reading order.

    A section whose id is in unnumbered (source: numbered: false), and everything under it,
    stays unnumbered and does not count, as a preamble or an annex in a contract.
    """
    out: list[Section] = []
    count = 0
    for s in sections:
        if s.id in unnumbered:
            out.append(dataclasses.replace(s, number="", sections=_clear(s.sections)))
            continue
        count += 1
        number = f"{prefix}{count}"
        out.append(dataclasses.replace(
            s, number=number, sections=number_sections(s.sections, unnumbered, number + ".")))
    return tuple(out)


def _clear(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    return tuple(dataclasses.replace(s, number="", sections=_clear(s.sections))
                 for s in sections)


def heading_number(number: str) -> str:
    """The number as a heading shows it: "1." for a top-level clause, "7.2" below."""
    return f"{number}." if number and "." not in number else number


def walk(sections: tuple[Section, ...]) -> Iterator[Section]:
    for s in sections:
        yield s
        yield from walk(s.sections)


# --- list markers ------------------------------------------------------------------------

_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def alpha(n: int) -> str:
    """a..z, then aa..zz, as Word's lowerLetter counts (27 is "aa")."""
    letter = chr(ord("a") + (n - 1) % 26)
    return letter * ((n - 1) // 26 + 1)


def counter(style: ListStyle, n: int) -> str:
    """The bare counter: 3, c, C, iii, III."""
    match style:
        case ListStyle.DECIMAL | ListStyle.CLAUSE:
            return str(n)
        case ListStyle.LOWER_ALPHA:
            return alpha(n)
        case ListStyle.UPPER_ALPHA:
            return alpha(n).upper()
        case ListStyle.LOWER_ROMAN:
            return roman(n)
        case ListStyle.UPPER_ROMAN:
            return roman(n).upper()
    raise AssertionError(style)


def marker(style: ListStyle, n: int, section: str = "") -> str:
    """What a reader sees before an item: "3." for decimal lists, "(c)" and "(iii)" for
    letters and numerals, as contracts write them; "7.3" for clauses of section 7."""
    return level_text(style, section).replace("%", counter(style, n))


def level_text(style: ListStyle, section: str = "") -> str:
    """The marker's shape, "%" standing for the counter (Word's level text with %N)."""
    if style is ListStyle.CLAUSE:
        return f"{section}.%" if section else "%."
    return MARKER_TEXT[style]


# The same shapes as Word level texts ("%" stands for the counter) and formats.
MARKER_TEXT = {ListStyle.DECIMAL: "%.", ListStyle.LOWER_ALPHA: "(%)",
               ListStyle.UPPER_ALPHA: "(%)", ListStyle.LOWER_ROMAN: "(%)",
               ListStyle.UPPER_ROMAN: "(%)", ListStyle.CLAUSE: "%."}
WORD_FORMAT = {ListStyle.DECIMAL: "decimal", ListStyle.LOWER_ALPHA: "lowerLetter",
               ListStyle.UPPER_ALPHA: "upperLetter", ListStyle.LOWER_ROMAN: "lowerRoman",
               ListStyle.UPPER_ROMAN: "upperRoman", ListStyle.CLAUSE: "decimal"}
