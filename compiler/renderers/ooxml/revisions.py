"""Tracked changes (w:ins, w:del, w:moveFrom, w:moveTo) for redlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from compiler.renderers.ooxml.schema import PPR_ORDER, child

# --- tracked changes ------------------------------------------------------------------------

# Revision kinds: inserted or deleted text, and the two ends of a move.
INS, DEL, MOVE_FROM, MOVE_TO = "ins", "del", "moveFrom", "moveTo"
_REMOVING = (DEL, MOVE_FROM)
_REVISIONS = {qn(f"w:{k}") for k in (INS, DEL, MOVE_FROM, MOVE_TO)}
_FIELD_PARTS = (qn("w:fldChar"), qn("w:instrText"))
# Paragraph marks of moved text are marked inserted or deleted: LibreOffice does not remove
# a paragraph whose moveTo mark is rejected (Word treats both the same).
MARKS = {INS: INS, DEL: DEL, MOVE_FROM: DEL, MOVE_TO: INS}


class Revisions:
    """Writes Word's tracked changes (ECMA-376 17.13.5): runs wrapped in w:ins / w:del /
    w:moveFrom / w:moveTo, paragraph marks and table rows marked the same way, each with a
    unique id, the author and the date, so Word's Accept and Reject act on them."""

    def __init__(self, author: str, date: dt.date, first_id: int = 100_000) -> None:
        self.author = author
        self.date = f"{date.isoformat()}T00:00:00Z"
        self.next_id = first_id

    def element(self, kind: str) -> BaseOxmlElement:
        el = OxmlElement(f"w:{kind}")
        el.set(qn("w:id"), str(self.next_id))
        self.next_id += 1
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        return el

    def runs(self, elements: Iterable[BaseOxmlElement], kind: str) -> None:
        """Mark paragraph content (runs, and the runs inside hyperlinks) as one revision kind.
        Content already marked stays as it is; field characters are never marked, so a
        field (the TOC) keeps its begin and end whichever way the changes go."""
        pending: list[BaseOxmlElement] = []

        def flush() -> None:
            if pending:
                wrapper = self.element(kind)
                pending[0].addprevious(wrapper)
                wrapper.extend(pending)
                pending.clear()

        for el in list(elements):
            if el.tag == qn("w:r") and not any(el.find(t) is not None for t in _FIELD_PARTS):
                if kind == DEL:
                    for t in el.findall(qn("w:t")):
                        t.tag = qn("w:delText")
                pending.append(el)
                continue
            flush()
            if el.tag == qn("w:hyperlink"):
                self.runs(list(el), kind)
        flush()

    def paragraph(self, p: BaseOxmlElement, kind: str) -> None:
        """A whole paragraph: its content and its mark (so accepting a deletion, or rejecting
        an insertion, removes the paragraph itself, not just its text)."""
        self.runs(list(p), kind)
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        rpr = child(ppr, "rPr", PPR_ORDER)
        if not any(el.tag in _REVISIONS for el in rpr):
            rpr.insert(0, self.element(MARKS[kind]))

    def row(self, tr: BaseOxmlElement, kind: str) -> None:
        """A whole table row: its cells' paragraphs and the row itself."""
        for p in tr.iter(qn("w:p")):
            self.paragraph(p, kind)
        trpr = tr.find(qn("w:trPr"))
        if trpr is None:
            trpr = OxmlElement("w:trPr")
            tr.insert(1 if tr.find(qn("w:tblPrEx")) is not None else 0, trpr)
        mark = DEL if kind in _REMOVING else INS  # rows have no move marks
        if trpr.find(qn(f"w:{mark}")) is None:
            trpr.append(self.element(mark))  # after the row properties (CT_TrPr)

    def block(self, element: BaseOxmlElement, kind: str) -> None:
        """A body element added or removed whole: a paragraph, or a table row by row."""
        if element.tag == qn("w:p"):
            self.paragraph(element, kind)
        elif element.tag == qn("w:tbl"):
            for tr in element.findall(qn("w:tr")):
                self.row(tr, kind)


def paragraph_mark(p: BaseOxmlElement) -> BaseOxmlElement | None:
    """The revision on a paragraph's mark (w:pPr/w:rPr/w:ins...), if any."""
    rpr = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
    return next((el for el in rpr if el.tag in _REVISIONS), None) if rpr is not None else None


def shift_marks(paragraphs: list[BaseOxmlElement]) -> None:
    """Move the paragraph-mark revisions of a trailing run of paragraphs one paragraph up.

    A paragraph whose mark cannot go (the body's last one, or the one closing the TOC
    field) would stay behind empty when its insertion is rejected or its deletion
    accepted. Word's own comparisons mark the mark before instead: rejecting then joins
    the preceding paragraph's text to the last mark, and the text comes out the same.
    """
    end = len(paragraphs)
    while end > 0 and paragraph_mark(paragraphs[end - 1]) is not None:
        end -= 1
    if end == len(paragraphs) or end == 0:
        return  # nothing trailing, or no unmarked paragraph to carry the first mark
    run = paragraphs[end - 1:]
    marks = [paragraph_mark(p) for p in run[1:]]
    for mark in marks:
        assert mark is not None
        mark.getparent().remove(mark)
    for p, mark in zip(run, marks, strict=False):
        rpr = child(child(p, "pPr", ("pPr",)), "rPr", PPR_ORDER)
        rpr.insert(0, mark)
