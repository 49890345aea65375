"""A TOC line's dotted leader as one run of text, not one text box per dot.

WeasyPrint lays out `leader(dotted)` (the TOC's dots before each page number) as one copy
of a one-dot text box per dot, placed from the line's end at multiples of the dot's width:
~2,300 boxes in a 7-page policy, nine in ten of all its text boxes. Every later step walks
them (positions, backgrounds, anchors, stacking, tags) and draws each with its own Pango
layout and marked content: a third of the PDF's time went to the dots (issue #18).

This wraps WeasyPrint's `handle_leader` (weasyprint.layout.leader, called by name from
weasyprint.layout.inline; WeasyPrint 70, see pdf_weasyprint): once it has placed the
copies, the run of copies but the leftmost becomes one text box holding the same dots, laid out by Pango as
one line; the leftmost dot stays a box of its own, drawn after the run as WeasyPrint draws
its dots (from the right), so text extractors (poppler) still read a title and its dots
apart ("Introduction ..... 2", not "Introduction..... 2"). The dots land where they were
(a dot's advance is a whole number of Pango units, so n dots are exactly n times one;
pixel-identical pages at 100 dpi in en, sub-pixel anti-aliasing in ja) and pdftotext
reads the same text. A leader it cannot prove the same (other boxes among the copies,
uneven steps, a run whose width is not n dots' width, as with a kerned string) is left
as WeasyPrint made it.
"""

from __future__ import annotations

import itertools
from typing import Any

_TOLERANCE = 1e-3  # CSS px; positions are sums of the same float, far closer than this


def merge(context: Any, leader_box: Any) -> bool:
    """Replace leader_box's copies of one text box (but the leftmost) by one text box of
    the same text; whether it did."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import split_first_line

    copies = leader_box.children
    if len(copies) < 3:
        return False
    first = copies[0]
    if not all(type(c) is boxes.TextBox and c.text == first.text and c.style is first.style
               for c in copies):
        return False
    step = first.width
    # WeasyPrint places the copies from the line's end leftwards, one step apart
    for right, left in itertools.pairwise(copies):
        if abs(right.position_x - left.position_x - step) > _TOLERANCE:
            return False
    run = copies[:-1]
    text = first.text * len(run)
    layout, length, resume_index, width, _, _ = split_first_line(
        text, first.style, context, None, first.justification_spacing)
    if resume_index is not None or length != len(text.encode()) or abs(
            width - step * len(run)) > _TOLERANCE:
        return False
    box = run[-1].copy_with_text(text)
    box.pango_layout = layout
    box.width = width
    leader_box.children = (box, copies[-1])
    return True


_HANDLE_LEADER = ["context", "line", "containing_block"]
_SPLIT_FIRST_LINE = ["text", "style", "context", "max_width", "justification_spacing",
                     "is_line_start", "minimum"]


def install() -> bool:
    """Wrap WeasyPrint's leader placement once (idempotent); whether it is wrapped. Only a
    WeasyPrint read (pdf_weasyprint.READ) whose functions have the shapes used here."""
    from compiler.renderers.pdf_weasyprint import shaped, wrappable

    try:
        from weasyprint.layout import inline
        from weasyprint.layout.leader import leader_index
        from weasyprint.text.line_break import split_first_line
    except ImportError:
        return False
    original = wrappable(inline, "handle_leader", "policyc_leaders", _HANDLE_LEADER)
    if isinstance(original, bool):
        return original
    if not (shaped(leader_index, ["box"]) and shaped(split_first_line, _SPLIT_FIRST_LINE)):
        return False

    def handle_leader(context, line, containing_block):  # type: ignore[no-untyped-def]
        original(context, line, containing_block)
        _, leader_box = leader_index(line)
        if leader_box is not None:
            merge(context, leader_box)

    handle_leader.policyc_leaders = True  # type: ignore[attr-defined]
    inline.handle_leader = handle_leader
    return True
