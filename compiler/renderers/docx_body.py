"""The DOCX renderer's paragraphs and inlines: runs, hyperlinks and the rich text every
source string enters the body through (the base of docx_blocks.Writer), and the Hooks
through which a caller (the redline writer) lays out strings of its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import assert_never

from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from compiler import links
from compiler.i18n.formatting import tag_direction
from compiler.model import (
    Code,
    Emphasis,
    Inline,
    Link,
    LocalizedDocument,
    Placeholder,
    Ref,
    Rich,
    Strong,
    Text,
    plain_text,
)
from compiler.renderers import ooxml
from compiler.renderers.docx_styles import LRM, RTL_SCRIPT


def _plain(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text)


def _ltr_fragment(link: Link) -> bool:
    """An e-mail address, URL or phone number written in Latin script and digits. In
    right-to-left text the bidi algorithm would reorder "+1 555 0100" into "0100 555 1+";
    runs marked left-to-right between two LRMs keep it whole (the HTML's dir="ltr")."""
    return (link.href.startswith(("mailto:", "tel:", "http://", "https://"))
            and not RTL_SCRIPT.search(plain_text(link.children)))


def _never(rich: Rich) -> bool:
    return False


@dataclass(frozen=True)
class Hooks:
    """Where a caller takes over the writing of some strings (the redline writer: strings
    with revisions become tracked runs). owns(rich) says whether it does for this one; then
    write(parent, rich, bold, link) appends its runs to parent, instead of the plain runs
    (in a bold lead too)."""

    owns: Callable[[Rich], bool] = _never
    write: Callable[[BaseOxmlElement, Rich, bool, bool], None] | None = None


LRE, POP = "\u202a", "\u202c"  # left-to-right embedding and its end (pop directional formatting)


class _InlineWriter:
    """Paragraphs and runs; docx_blocks.Writer adds the document's structure."""

    def __init__(self, document: WordDocument, doc: LocalizedDocument,
                 styles: dict[str, str], hooks: Hooks | None = None) -> None:
        self.hooks = hooks or Hooks()
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
        self.ref_numbers: dict[str, str] = {}  # annex of a numbered document: id -> B.7

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
                    if target in self.ref_numbers:  # "Section 7" reads "Section B.7"
                        label = (Text(self.doc.labels.section.replace(
                            "{number}", self.ref_numbers[target])),)
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
                    self.inlines(target, c, bold=bold, italic=italic, link=True,
                                 ltr=island or ltr)
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
        enters the body (the redline writer's Hooks mark insertions and deletions there).
        Source text standing in for a missing translation carries its language (w:lang)."""
        if self.hooks.write is not None and self.hooks.owns(rich):
            self.hooks.write(parent, rich, bold, link)
            return
        before = len(parent)
        island = self.island(rich)
        self.inlines(parent, rich.inlines, bold=bold, link=link, ltr=island)
        if rich.lang:
            runs = [r for el in list(parent)[before:]
                    for r in ([el] if el.tag == qn("w:r") else el.findall(qn("w:r")))]
            for r in runs:
                ooxml.set_run_language(r, rich.lang)
            texts = [t for r in runs for t in r.findall(qn("w:t"))]
            if island and texts:
                texts[0].text = LRE + (texts[0].text or "")
                texts[-1].text = (texts[-1].text or "") + POP

    def island(self, rich: Rich) -> bool:
        """Source text standing in, in a document of the other direction: its runs are
        marked left-to-right and embedded (LRE ... PDF), so an English sentence in an Arabic
        document reads in order, its full stop at its end, a day count in Arabic inside it
        in its place (as the HTML's isolate; Word and LibreOffice honour the marks)."""
        return bool(rich.lang) and self.rtl and tag_direction(rich.lang or "") == "ltr"

    def plain_run(self, text: str, rich: Rich, *, bold: bool = False) -> BaseOxmlElement:
        """One run of text written plain for the string rich (a lead, a contents entry, the
        running header), embedded left-to-right when rich is an island; its language when
        it stands in."""
        island = self.island(rich)
        r = ooxml.run(LRE + text + POP if island else text, bold=bold,
                      rtl=False if island else None)
        if rich.lang:
            ooxml.set_run_language(r, rich.lang)
        return r

    def lead(self, p: BaseOxmlElement, term: Rich, separator: str) -> None:
        """A bold lead ("Account Information: "): one run when the term is plain text."""
        if not self.hooks.owns(term) and all(isinstance(node, Text) for node in term.inlines):
            text = "".join(node.text for node in term.inlines if isinstance(node, Text))
            p.append(self.plain_run(_plain(text) + separator, term, bold=True))
        else:
            self.rich(p, term, bold=True)
            if separator:
                p.append(ooxml.run(separator, bold=True))
