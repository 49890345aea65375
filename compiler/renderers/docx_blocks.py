"""The DOCX renderer's document structure: front matter, table of contents, sections,
blocks, lists and tables (renderers/docx.py drives it)."""

from __future__ import annotations

from typing import assert_never

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from compiler import legal
from compiler.model import (
    HISTORY_ID,
    Address,
    Block,
    CallToAction,
    Contact,
    Definitions,
    ItemList,
    Note,
    NoteKind,
    Paragraph,
    Rich,
    Section,
    Table,
)
from compiler.renderers import docx_annex as annex
from compiler.renderers import ooxml
from compiler.renderers.docx_body import _InlineWriter, _plain
from compiler.renderers.docx_styles import (
    LIST_DEPTH,
    TABLE_STYLE,
    TOC_DEPTH,
    TOC_INSTRUCTION,
    continue_style,
    list_style,
)

IMPORTANT_BORDER, IMPORTANT_SHADE = "B4540A", "FFF6EC"  # print.css and web.css .note-important


class Writer(_InlineWriter):
    """Appends the model to the body, mapping each node type to a style name once."""

    # document structure

    def front_matter(self) -> None:
        doc, labels, sep = self.doc, self.doc.labels, self.doc.term_separator
        self.rich(self.paragraph("Title"), doc.meta.title)
        if doc.meta.description:
            self.rich(self.paragraph("Normal"), doc.meta.description)
        for line in (f"{labels.version} {doc.meta.version}",
                     f"{labels.effective}{sep}{doc.effective_text}",
                     f"{labels.last_updated}{sep}{doc.updated_text}"):
            self.paragraph("Subtitle").append(ooxml.run(line))

    def toc(self) -> None:
        """A real TOC field (\\n: without page numbers), pre-filled with linked entries.
        Its result is complete as written, so Word need not refresh it on open (no
        updateFields prompt), and a refresh in Word or LibreOffice gives the same entries:
        no page number can be wrong, since only a layout engine knows them. Google Docs
        shows the field's entries as its own linked table of contents."""
        self.paragraph("TOC Heading").append(ooxml.run(self.doc.labels.contents))
        entries = [s for s in self.doc.document.walk_sections() if s.level <= TOC_DEPTH]
        if not entries:
            p = self.paragraph("Normal")
            p.extend([*ooxml.field_start(TOC_INSTRUCTION), ooxml.field_end()])
            return
        for i, section in enumerate(entries):
            p = self.paragraph(f"TOC {section.level}")
            if i == 0:
                p.extend(ooxml.field_start(TOC_INSTRUCTION))
            target = ooxml.hyperlink(self.part, anchor=self.anchors[section.id])
            number = legal.heading_number(section.number)
            title = _plain(section.title.plain())
            if self.island(section.title):  # English standing in, in an Arabic contents list
                if number:
                    target.append(ooxml.run(number + " "))
                target.append(self.plain_run(title, section.title))
            else:
                target.append(ooxml.run((number + " " if number else "") + title))
            p.append(target)
            if i == len(entries) - 1:
                p.append(ooxml.field_end())

    def heading(self, level: int, number: str) -> BaseOxmlElement:
        """A Heading N paragraph; in a numbered document an unnumbered section (a preamble,
        an annex, the version history) switches the style's numbering off (numId 0)."""
        p = self.paragraph(f"Heading {min(level, 9)}")
        if self.doc.meta.numbering != "none" and not number:
            ooxml.set_numbering(p, "0", 0)
        return p

    def keep_with_history(self) -> None:
        """The version history never stands alone on the last page: the last paragraphs
        before it (a contact line, a call-to-action box) keep with its heading."""
        body = self.end.getparent()
        before = [el for el in body if el.tag == qn("w:p")][-3:]
        for p in before:
            ooxml.keep_next(p)

    def annex_front(self, label: str) -> None:
        """An annex opens on a new page with "Annex B – <title>"; no title page, no TOC."""
        p = self.paragraph("Title")
        ooxml.child(p.find(qn("w:pPr")), "pageBreakBefore", ooxml.PPR_ORDER)
        p.append(ooxml.run(f"{label} \u2013 "))
        self.rich(p, self.doc.meta.title)
        self.annex_letter = annex.annex_letter(label)
        if self.doc.meta.numbering == "none":
            if not annex.self_numbered(self.doc.sections):  # numbers in titles: not doubled
                self.numbers = annex.heading_numbers(self.doc.sections, self.annex_letter)
        else:  # the document's own numbers after the letter: clauses and references too
            self.numbers = {s.id: f"{self.annex_letter}.{s.number}"
                            for s in self.doc.document.walk_sections() if s.number}
            self.ref_numbers = dict(self.numbers)

    def preamble(self) -> None:
        for block in self.doc.document.preamble:
            self.block(block)

    def section(self, section: Section) -> None:
        if section.id == HISTORY_ID:
            self.keep_with_history()
        p = self.heading(section.level, section.number)
        self.clause_prefix = section.number
        if self.annex_letter:  # written numbers: B.1, B.2 (the document's own when numbered)
            number = self.numbers.get(section.id, "")
            if number:
                p.append(ooxml.run(number + "\u2002"))
            if section.number:  # its clauses read 2.7.1, 2.7.2 under "2.7"
                self.clause_prefix = number
        self.rich(p, section.title)
        ooxml.bookmark(p, self.anchors[section.id], self.bookmarks)
        self.bookmarks += 1
        for block in section.blocks:
            self.block(block)
        for sub in section.sections:
            self.section(sub)

    def block(self, block: Block) -> None:
        labels, sep = self.doc.labels, self.doc.term_separator
        match block:
            case Paragraph(text=t):
                p = self.paragraph("Normal")
                if t.plain().rstrip().endswith((":", "\uff1a")):
                    ooxml.keep_next(p)  # a lead-in stays with what it introduces
                self.rich(p, t)
            case ItemList():
                self.item_list(block, 1)
            case Note(kind=kind, text=t):
                p = self.paragraph("Note")
                label = {NoteKind.IMPORTANT: labels.important, NoteKind.WARNING: labels.warning,
                         NoteKind.INFO: None}[kind]
                if label:  # important and warning notes in the PDF's and HTML's amber
                    ooxml.note_colours(p, IMPORTANT_BORDER, IMPORTANT_SHADE, rtl=self.rtl)
                    label_run = ooxml.run(label + sep, bold=True)
                    ooxml.run_colour(label_run, IMPORTANT_BORDER)
                    p.append(label_run)
                self.rich(p, t)
            case Contact(entries=entries):
                for entry in entries:
                    p = self.paragraph("Contact")
                    self.lead(p, entry.label, sep)
                    self.rich(p, entry.value)
            case CallToAction(title=title, text=text, action=action, href=href):
                self.rich(self.paragraph("Call To Action Title"), title)
                self.rich(self.paragraph("Call To Action"), text)
                target = self.hyperlink(href)
                self.paragraph("Call To Action").append(target)
                self.rich(target, action, bold=True, link=True)
            case Table():
                self.table(block)
            case Definitions(items=items):
                for d in items:
                    self.rich(self.paragraph("Definition Term"), d.term)
                    self.rich(self.paragraph("Definition"), d.text)
            case Address(lines=lines):
                p = self.paragraph("Address")
                for k, line in enumerate(lines):
                    if k:
                        p.append(ooxml.line_break())
                    self.rich(p, line)
            case _:
                assert_never(block)

    def item_list(self, lst: ItemList, depth: int) -> None:
        style = list_style(lst.ordered, depth)
        numbering = self.list_numbering(style, lst, min(depth, LIST_DEPTH))
        sep = self.doc.term_separator if lst.separator is None else lst.separator
        for i, item in enumerate(lst.items):
            first = item.blocks[0] if item.blocks else None
            lead_text = item.text or (first.text if isinstance(first, Paragraph) else None)
            rest = item.blocks[1:] if lead_text is not None and item.blocks else item.blocks
            if item.term or lead_text:
                p = self.paragraph(style)
                if len(lst.items) > 1 and i in (0, len(lst.items) - 2):
                    ooxml.keep_next(p)  # no first item alone at a foot, no last at a top
                if numbering:
                    ooxml.set_numbering(p, *numbering)
                if item.term:
                    self.lead(p, item.term, sep if lead_text or item.blocks else "")
                if lead_text:
                    self.rich(p, lead_text)
            self.item_blocks(rest, depth)
            if item.sublist:
                self.item_list(item.sublist, depth + 1)

    def item_blocks(self, blocks: tuple[Block, ...], depth: int) -> None:
        """The further blocks of a list item: paragraphs indented under it, lists nested."""
        for block in blocks:
            match block:
                case Paragraph(text=t):
                    self.rich(self.paragraph(continue_style(depth)), t)
                case ItemList():
                    self.item_list(block, depth + 1)
                case _:
                    self.block(block)

    def list_numbering(self, style: str, lst: ItemList, depth: int) -> tuple[str, int] | None:
        """Direct numbering for a list paragraph, or None when its style's own suffices.
        Each numbered list gets numbering of its own: its level counts in the list's style
        from its start, the other levels in the legal sequence; bullets keep the style's."""
        ordered = lst.ordered
        root = ooxml.numbering_root(self.part.package, self.part)
        if ordered and lst.style is not None:
            levels = []
            for k in range(9):
                kind = lst.style if k == depth - 1 else legal.default_style(k + 1)
                text = legal.level_text(kind, self.clause_prefix).replace("%", f"%{k + 1}")
                levels.append(ooxml.list_level(k, legal.WORD_FORMAT[kind], text,
                                               lst.start if k == depth - 1 else 1))
            return ooxml.list_num(root, levels), depth - 1
        linked = ooxml.style_numbering(self.style_elements[self.styles[style]],
                                       self.style_elements)
        if linked is not None and not ordered:
            return None
        if linked is None:
            if ordered not in self.fallback_nums:
                self.fallback_nums[ordered] = ooxml.fallback_num(root, ordered)
            linked = (self.fallback_nums[ordered], depth - 1)
            if not ordered:
                return linked
        return ooxml.restarted_num(root, *linked), linked[1]

    def table(self, table: Table) -> None:
        if table.caption:
            self.rich(self.paragraph("Caption"), table.caption)
        rows = (table.header, *table.rows)
        cols = max(len(r) for r in rows)
        grid = self.document.add_table(rows=len(rows), cols=cols)
        tblpr = grid._tbl.tblPr  # add_table appended it before the final sectPr
        ooxml.child(tblpr, "tblStyle", ooxml.TBLPR_ORDER, val=self.styles[TABLE_STYLE])
        ooxml.child(tblpr, "tblW", ooxml.TBLPR_ORDER, w="5000", type="pct")
        # the source's widths when it gives them, else widths from the content
        self.column_widths(grid, table.widths if table.widths and len(table.widths) == cols
                           else content_widths(rows, cols))
        ooxml.child(tblpr, "tblLook", ooxml.TBLPR_ORDER, val="0620", firstRow="1", lastRow="0",
                    firstColumn="0", lastColumn="0", noHBand="1", noVBand="1")
        for r, (row, cells) in enumerate(zip(grid.rows, rows, strict=True)):
            trpr = row._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:cantSplit"))
            if r == 0:
                trpr.append(OxmlElement("w:tblHeader"))  # repeats on every page
            self.breaks = True
            for cell, rich in zip(row.cells, cells, strict=False):
                self.rich(cell.paragraphs[0]._p, rich)
            self.breaks = False

    def column_widths(self, grid: object, widths: tuple[float, ...]) -> None:
        """Relative widths as a fixed layout: the grid columns and each cell's width, in
        twips of the text area (page width less margins)."""
        section = self.document.sections[0]
        text_width = int((section.page_width or 11906 * 635) - (section.left_margin or 0)
                         - (section.right_margin or 0)) // 635
        total = sum(widths)
        twips = [int(text_width * w / total) for w in widths]
        tbl = grid._tbl  # type: ignore[attr-defined]
        ooxml.child(tbl.tblPr, "tblLayout", ooxml.TBLPR_ORDER, type="fixed")
        for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=False):
            col.set(qn("w:w"), str(width))
        for tr in tbl.findall(qn("w:tr")):
            for tc, width in zip(tr.findall(qn("w:tc")), twips, strict=False):
                tcpr = tc.get_or_add_tcPr()
                tcw = tcpr.find(qn("w:tcW"))
                if tcw is None:
                    tcw = OxmlElement("w:tcW")
                    tcpr.insert(0, tcw)
                tcw.set(qn("w:w"), str(width))
                tcw.set(qn("w:type"), "dxa")



def content_widths(rows: tuple[tuple[Rich, ...], ...], cols: int) -> tuple[float, ...]:
    """Relative column widths from the content, not equal columns: a column wants room for
    its longest word (narrower, a word would break) and beyond that a share by its average
    text length; none gets less than half an equal share, so a short column stays legible."""
    def texts(c: int) -> list[str]:
        return [row[c].plain() for row in rows if c < len(row)]

    longest_word = [max((len(w) for t in texts(c) for w in t.split()), default=1)
                    for c in range(cols)]
    average = [sum(len(t) for t in texts(c)) / max(1, len(texts(c))) for c in range(cols)]
    want = [max(word * 1.6, avg) for word, avg in zip(longest_word, average, strict=True)]
    floor = sum(want) / cols / 2
    return tuple(max(floor, w) for w in want)

