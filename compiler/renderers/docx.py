"""DOCX renderer: an editable Word document built on a style reference document."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import assert_never

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Twips

from compiler import legal, links
from compiler.errors import Category, CompilerError, Diagnostics, Loc
from compiler.model import (
    HISTORY_ID,
    Address,
    Block,
    CallToAction,
    Code,
    Contact,
    Definitions,
    Emphasis,
    Inline,
    ItemList,
    Link,
    LocalizedDocument,
    Note,
    NoteKind,
    Paragraph,
    Placeholder,
    Ref,
    Rich,
    Section,
    Strong,
    Table,
    Text,
    plain_text,
)
from compiler.renderers import RenderOptions, ooxml
from compiler.renderers import docx_annex as annex
from compiler.renderers.theme import NO_THEME

PARAGRAPH, CHARACTER, TABLE = "paragraph", "character", "table"
TOC_DEPTH = 3
LIST_DEPTH = 5  # Word's built-in list styles stop at "List Bullet 5"
TABLE_STYLE = "Policy Table"
LETTER = (12240, 15840)  # twips
IMPORTANT_BORDER, IMPORTANT_SHADE = "B4540A", "FFF6EC"  # print.css and web.css .note-important
# \n: no page numbers, so the TOC is right as written and stays right when refreshed
TOC_INSTRUCTION = f'TOC \\o "1-{TOC_DEPTH}" \\h \\z \\u \\n'
LRM = "\u200e"
RTL_SCRIPT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# East Asian fonts every Office has (Windows, and bundled with Office for Mac)
CJK_FONTS = {"ja": "Yu Gothic", "ko": "Malgun Gothic", "zh": "Microsoft YaHei"}


def reference_path(options: RenderOptions) -> Path:
    return options.reference_docx or options.templates.find("docx/reference.docx")


# --- styles ----------------------------------------------------------------------------


def list_style(ordered: bool, depth: int) -> str:
    name = "List Number" if ordered else "List Bullet"
    depth = min(depth, LIST_DEPTH)
    return name if depth == 1 else f"{name} {depth}"


def continue_style(depth: int) -> str:
    """A further paragraph of a list item: indented like the item, without a marker."""
    depth = min(depth, LIST_DEPTH)
    return "List Continue" if depth == 1 else f"List Continue {depth}"


# Styles added since the reference document was designed: a reference (a corporate
# template made from an older one) that lacks them gets these plain definitions, so it
# keeps working; the shipped reference can restyle them like any other.
FALLBACK_STYLES: dict[str, str] = {
    "Code": '<w:style {ns} w:type="character" w:customStyle="1" w:styleId="Code">'
            '<w:name w:val="Code"/><w:basedOn w:val="DefaultParagraphFont"/>'
            '<w:uiPriority w:val="20"/><w:qFormat/><w:rPr><w:rFonts w:ascii="Courier New" '
            'w:hAnsi="Courier New" w:cs="Courier New"/><w:noProof/><w:sz w:val="19"/></w:rPr>'
            "</w:style>",
    "Definition Term": '<w:style {ns} w:type="paragraph" w:customStyle="1" '
            'w:styleId="DefinitionTerm"><w:name w:val="Definition Term"/>'
            '<w:basedOn w:val="Normal"/><w:next w:val="Definition"/><w:uiPriority w:val="20"/>'
            '<w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="0"/></w:pPr>'
            "<w:rPr><w:b/><w:bCs/></w:rPr></w:style>",
    "Definition": '<w:style {ns} w:type="paragraph" w:customStyle="1" w:styleId="Definition">'
            '<w:name w:val="Definition"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="20"/>'
            '<w:qFormat/><w:pPr><w:ind w:left="340"/></w:pPr></w:style>',
    "Address": '<w:style {ns} w:type="paragraph" w:customStyle="1" w:styleId="Address">'
            '<w:name w:val="Address"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="20"/>'
            '<w:qFormat/><w:pPr><w:keepLines/></w:pPr></w:style>',
    **{continue_style(d): (
        '<w:style {ns} w:type="paragraph" w:styleId="ListContinue' + ("" if d == 1 else str(d))
        + '"><w:name w:val="' + continue_style(d) + '"/><w:basedOn w:val="Normal"/>'
        '<w:uiPriority w:val="99"/><w:pPr><w:spacing w:after="80"/><w:ind w:left="'
        + str(454 * d) + '"/></w:pPr></w:style>') for d in range(1, LIST_DEPTH + 1)},
}


def add_fallback_styles(document: WordDocument, need: dict[str, str]) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    names = {(el.find(qn("w:name")).get(qn("w:val"), "") if el.find(qn("w:name")) is not None
              else "").lower() for el in document.styles.element.findall(qn("w:style"))}
    for name in need:
        if name in FALLBACK_STYLES and name.lower() not in names:
            document.styles.element.append(parse_xml(
                FALLBACK_STYLES[name].replace("{ns}", nsdecls("w"))))


def required_styles(doc: LocalizedDocument) -> dict[str, str]:
    """Every style name this document uses, with its type, checked up front so that a
    corporate template missing one fails with a message naming it, not a KeyError."""
    need = {"Normal": PARAGRAPH, "Title": PARAGRAPH, "Subtitle": PARAGRAPH,
            "TOC Heading": PARAGRAPH, "Header": PARAGRAPH, "Footer": PARAGRAPH,
            "Hyperlink": CHARACTER, "Code": CHARACTER}
    if doc.meta.numbering != "none":
        for level in range(1, 10):
            need[f"Heading {level}"] = PARAGRAPH
    for block in doc.document.preamble:
        _block_styles(block, need)
    for section in doc.document.walk_sections():
        if section.level <= TOC_DEPTH:
            need[f"TOC {section.level}"] = PARAGRAPH
        need[f"Heading {min(section.level, 9)}"] = PARAGRAPH
        for block in section.blocks:
            _block_styles(block, need)
    return need


def _block_styles(block: Block, need: dict[str, str], depth: int = 1) -> None:
    match block:
        case Paragraph():
            pass
        case ItemList(ordered=ordered, items=items):
            need[list_style(ordered, depth)] = PARAGRAPH
            for item in items:
                if item.sublist:
                    _block_styles(item.sublist, need, depth + 1)
                for sub in item.blocks:
                    _block_styles(sub, need, depth + 1)
                if len(item.blocks) > 1 or (item.blocks and not isinstance(
                        item.blocks[0], Paragraph)):
                    need[continue_style(depth)] = PARAGRAPH
        case Definitions():
            need["Definition Term"] = PARAGRAPH
            need["Definition"] = PARAGRAPH
        case Address():
            need["Address"] = PARAGRAPH
        case Note():
            need["Note"] = PARAGRAPH
        case Contact():
            need["Contact"] = PARAGRAPH
        case CallToAction():
            need["Call To Action Title"] = PARAGRAPH
            need["Call To Action"] = PARAGRAPH
        case Table(caption=caption):
            need[TABLE_STYLE] = TABLE
            if caption:
                need["Caption"] = PARAGRAPH
        case _:
            assert_never(block)


def resolve_styles(document: WordDocument, need: dict[str, str],
                   reference: Path) -> dict[str, str]:
    """Style name -> style id in the reference. Names compare case-insensitively because
    Word stores some built-ins in lower case ("heading 1", "toc 1") and localized Word
    writes localized ids; all problems are reported at once."""
    found: dict[str, tuple[str, str]] = {}
    for el in document.styles.element.findall(qn("w:style")):
        name = el.find(qn("w:name"))
        if name is not None:
            found.setdefault(name.get(qn("w:val"), "").lower(),
                             (el.get(qn("w:type"), PARAGRAPH), el.get(qn("w:styleId"), "")))
    diagnostics = Diagnostics()
    expected = ", ".join(need)
    ids: dict[str, str] = {}
    for name, kind in need.items():
        hit = found.get(name.lower())
        if hit is None:
            diagnostics.error(Loc.file(reference), f"style '{name}' missing from reference "
                              f"document (expected styles: {expected})", Category.IO)
        elif hit[0] != kind:
            diagnostics.error(Loc.file(reference), f"style '{name}' in reference document is a "
                              f"{hit[0]} style (expected a {kind} style)", Category.IO)
        else:
            ids[name] = hit[1]
    diagnostics.raise_if_errors()
    return ids


def open_reference(path: Path) -> WordDocument:
    from compiler.renderers.reference import read_reference

    data = read_reference(path)  # only what a reference may lend, read within limits
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise CompilerError.at(Loc.file(path), f"cannot read reference document: {err} "
                               "(expected a .docx file)", Category.IO) from err
    body = document.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)  # the reference lends styles and layout, never content
    return document


# --- the body --------------------------------------------------------------------------


def _plain(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


def _ltr_fragment(link: Link) -> bool:
    """An e-mail address, URL or phone number written in Latin script and digits. In
    right-to-left text the bidi algorithm would reorder "+1 555 0100" into "0100 555 1+";
    runs marked left-to-right between two LRMs keep it whole (the HTML's dir="ltr")."""
    return (link.href.startswith(("mailto:", "tel:", "http://", "https://"))
            and not RTL_SCRIPT.search(plain_text(link.children)))


class _Writer:
    """Appends the model to the body, mapping each node type to a style name once."""

    def __init__(self, document: WordDocument, doc: LocalizedDocument,
                 styles: dict[str, str]) -> None:
        self.document = document
        self.doc = doc
        self.rtl = doc.direction == "rtl"
        self.styles = styles
        self.part = document.part
        self.base_url: str | None = None  # {doc:id} links are absolute with it
        sectpr = document.element.body.find(qn("w:sectPr"))
        if sectpr is None:
            sectpr = OxmlElement("w:sectPr")
            document.element.body.append(sectpr)
        self.end = sectpr
        self.anchors = ooxml.bookmark_names(s.id for s in doc.document.walk_sections())
        self.bookmarks = 0
        self.breaks = False  # inside a table cell: line breaks in the text are kept
        self.clause_prefix = ""  # the number of the section being written (clause lists)
        self.fallback_nums: dict[bool, str] = {}
        self.style_elements = {el.get(qn("w:styleId"), ""): el
                               for el in document.styles.element.findall(qn("w:style"))}
        self.annex_letter = ""  # annex mode: "B" of "Annex B"
        self.numbers: dict[str, str] = {}  # section id -> written number (annex: B.1)

    # paragraphs and inlines

    def paragraph(self, style: str, parent: BaseOxmlElement | None = None) -> BaseOxmlElement:
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        ppr.append(OxmlElement("w:pStyle"))
        ppr[0].set(qn("w:val"), self.styles[style])
        p.append(ppr)
        if parent is None:
            self.end.addprevious(p)
        else:
            parent.append(p)
        return p

    def inlines(self, parent: BaseOxmlElement, nodes: tuple[Inline, ...], *,
                bold: bool = False, italic: bool = False, link: bool = False,
                ltr: bool = False) -> None:
        """Runs for inlines; ltr marks a left-to-right island inside right-to-left text."""
        for node in nodes:
            match node:
                case Text(text=t):
                    lines = t.strip("\n").split("\n") if self.breaks else [t]
                    for k, line in enumerate(lines):
                        if k:
                            parent.append(ooxml.line_break())
                        parent.append(ooxml.run(
                            _plain(line), bold=bold, italic=italic, rtl=False if ltr else None,
                            style_id=self.styles["Hyperlink"] if link else None))
                case Code(text=t):
                    parent.append(ooxml.run(t, bold=bold, italic=italic, rtl=False,
                                            style_id=self.styles["Code"]))
                case Ref(target=target, label=label):
                    if link:
                        self.inlines(parent, label, bold=bold, italic=italic, link=True, ltr=ltr)
                        continue
                    ref = self.hyperlink("#" + target)
                    parent.append(ref)
                    self.inlines(ref, label, bold=bold, italic=italic, link=True, ltr=ltr)
                case Strong(children=c):
                    self.inlines(parent, c, bold=True, italic=italic, link=link, ltr=ltr)
                case Emphasis(children=c):
                    self.inlines(parent, c, bold=bold, italic=True, link=link, ltr=ltr)
                case Link(href=href, children=c):
                    if link:  # OOXML has no nested hyperlinks; the outer one wins
                        self.inlines(parent, c, bold=bold, italic=italic, link=True, ltr=ltr)
                        continue
                    target = self.hyperlink(href)
                    parent.append(target)
                    island = self.rtl and _ltr_fragment(node)
                    self.inlines(target, c, bold=bold, italic=italic, link=True, ltr=island)
                    texts = target.findall(f"{qn('w:r')}/{qn('w:t')}")
                    if island and texts:  # in the runs: separate runs break the underline
                        texts[0].text = LRM + (texts[0].text or "")
                        texts[-1].text = (texts[-1].text or "") + LRM
                case Placeholder():
                    raise AssertionError("placeholders are resolved by localize()")
                case _:
                    assert_never(node)

    def hyperlink(self, href: str) -> BaseOxmlElement:
        if href.startswith(links.DOC_SCHEME):
            href = links.document_href(href, "docx", self.doc.language.code, self.base_url)
        if href.startswith("#"):
            fragment = href[1:]
            anchor = self.anchors.get(fragment) or ooxml.bookmark_names([fragment])[fragment]
            return ooxml.hyperlink(self.part, anchor=anchor)
        return ooxml.hyperlink(self.part, url=href)

    def rich(self, parent: BaseOxmlElement, rich: Rich, *, bold: bool = False,
             link: bool = False) -> None:
        """The runs of one translatable string: the door through which all source text
        enters the body (the redline writer overrides it to mark insertions and deletions).
        Source text standing in for a missing translation carries its language (w:lang)."""
        before = len(parent)
        self.inlines(parent, rich.inlines, bold=bold, link=link)
        if rich.lang:
            for el in list(parent)[before:]:
                for r in [el] if el.tag == qn("w:r") else el.findall(qn("w:r")):
                    ooxml.set_run_language(r, rich.lang)

    def lead(self, p: BaseOxmlElement, term: Rich, separator: str) -> None:
        """A bold lead ("Account Information: "): one run when the term is plain text."""
        if all(isinstance(node, Text) for node in term.inlines):
            text = "".join(node.text for node in term.inlines if isinstance(node, Text))
            p.append(ooxml.run(_plain(text) + separator, bold=True))
            if term.lang:
                ooxml.set_run_language(p[-1], term.lang)
        else:
            self.rich(p, term, bold=True)
            if separator:
                p.append(ooxml.run(separator, bold=True))

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
            target.append(ooxml.run((number + " " if number else "")
                                    + _plain(section.title.plain())))
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
            self.numbers = annex.heading_numbers(self.doc.sections, self.annex_letter)

    def preamble(self) -> None:
        for block in self.doc.document.preamble:
            self.block(block)

    def section(self, section: Section) -> None:
        if section.id == HISTORY_ID:
            self.keep_with_history()
        p = self.heading(section.level, section.number)
        self.clause_prefix = section.number
        if self.annex_letter:  # written numbers: B.1, B.2 (the document's own when numbered)
            number = (f"{self.annex_letter}.{section.number}" if section.number
                      else self.numbers.get(section.id, ""))
            if number:
                p.append(ooxml.run(number + "\u2002"))
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


def number_headings(document: WordDocument, doc: LocalizedDocument,
                    styles: dict[str, str]) -> None:
    """Numbered documents: the Heading styles carry Word's multilevel clause numbering."""
    if doc.meta.numbering == "none":
        return
    root = ooxml.numbering_root(document.part.package, document.part)
    ooxml.heading_numbering(root, document.styles.element,
                            [styles[f"Heading {k}"] for k in range(1, 10)])

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


# --- header, footer, page ------------------------------------------------------------------


def page_setup(document: WordDocument, page_size: str) -> None:
    """The reference's page size, unless Letter is asked for: A4 is the default and so
    carries no intent, while a Letter request (or a Letter corporate template) does."""
    section = document.sections[0]
    if page_size == "Letter":
        section.page_width, section.page_height = Twips(LETTER[0]), Twips(LETTER[1])


def _empty(p: BaseOxmlElement) -> bool:
    return all(el.tag == qn("w:pPr") for el in p)


def _header_footer(writer: _Writer, container: BaseOxmlElement, style: str) -> BaseOxmlElement:
    """Our paragraph in a reference's header or footer: its logo or rule stays, its empty
    placeholder paragraphs go."""
    for p in container.findall(qn("w:p")):
        if _empty(p):
            container.remove(p)
    return writer.paragraph(style, parent=container)


def header_footer(writer: _Writer, brand_footer: str | None = None,
                  annex_label: str | None = None) -> list[BaseOxmlElement]:
    doc = writer.doc
    section = writer.document.sections[0]
    header = _header_footer(writer, section.header._element, "Header")
    title = annex.title_text(annex_label, doc) if annex_label else doc.title
    header.append(ooxml.run(f"{title} \u00b7 {doc.labels.version} {doc.meta.version}"))
    footer = _header_footer(writer, section.footer._element, "Footer")
    if brand_footer:
        footer.append(ooxml.run(f"{brand_footer} \u00b7 "))
    for i, piece in enumerate(re.split(r"\{(page|pages)\}", doc.labels.page_of)):
        if i % 2 == 0:
            if piece:
                footer.append(ooxml.run(piece))
        else:
            footer.extend(ooxml.field("PAGE" if piece == "page" else "NUMPAGES", "1"))
    return [section.header._element, section.footer._element]


# --- properties and language ------------------------------------------------------------


def properties(document: WordDocument, doc: LocalizedDocument) -> None:
    meta = doc.meta
    stamp = dt.datetime(meta.updated.year, meta.updated.month, meta.updated.day, tzinfo=dt.UTC)
    core = document.core_properties
    for el in list(core._element):  # drop the reference's author, dates and comments
        core._element.remove(el)
    core.title = doc.title
    core.author = core.last_modified_by = meta.organization
    core.subject = meta.description.plain() if meta.description else doc.title
    core.keywords = ", ".join(meta.keywords)
    core.language = doc.language.tag
    core.identifier = meta.id
    core.version = meta.version
    core.created = core.modified = stamp
    core.revision = 1
    package = document.part.package
    ooxml.set_company(package, meta.organization)
    ooxml.set_custom_properties(package, {
        "Version": meta.version, "Effective": meta.effective.isoformat(),
        "Updated": meta.updated.isoformat(), "Language": doc.language.tag,
        "Company": meta.organization, "DocumentId": meta.id,
    })


def east_asian_font(tag: str) -> str | None:
    language, *rest = tag.split("-")
    if language == "zh" and {"Hant", "TW", "HK", "MO"} & set(rest):
        return "Microsoft JhengHei"
    return CJK_FONTS.get(language)


def language(document: WordDocument, doc: LocalizedDocument) -> None:
    tag, rtl = doc.language.tag, doc.direction == "rtl"
    font = east_asian_font(tag)
    ooxml.set_language(document.styles.element, tag, rtl=rtl, east_asian_font=font)
    ooxml.set_settings(document.settings.element, tag, rtl=rtl, cjk=font is not None)


# --- entry point ---------------------------------------------------------------------------


def render(doc: LocalizedDocument, options: RenderOptions) -> bytes:
    reference = reference_path(options)
    document = open_reference(reference)
    need = required_styles(doc)
    add_fallback_styles(document, need)
    styles = resolve_styles(document, need, reference)
    page_setup(document, options.page_size)
    number_headings(document, doc, styles)
    writer = _Writer(document, doc, styles)
    writer.base_url = options.base_url
    if options.docx_annex:
        writer.annex_front(options.docx_annex)
    else:
        writer.front_matter()
        writer.toc()
    writer.preamble()
    for section in doc.sections:
        writer.section(section)
    parts = header_footer(writer, options.theme.footer, options.docx_annex)
    if options.theme != NO_THEME:
        from compiler.renderers import docx_theme

        docx_theme.apply(document, options.theme, doc.meta.organization)
    if options.docx_annex:
        annex.own_styles(document, parts)
        annex.close_section(document)
    language(document, doc)
    properties(document, doc)
    if options.docx_protect:
        ooxml.protect_settings(document.settings.element)
    if doc.direction == "rtl":
        for root in (document.element.body, *parts):
            ooxml.make_rtl(root)
        ooxml.mirror_borders(document.styles.element)
    out = io.BytesIO()
    document.save(out)
    return ooxml.normalize_zip(out.getvalue(), doc.meta.updated)
