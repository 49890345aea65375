"""Runs, fields, bookmarks and hyperlinks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from compiler.renderers.ooxml.schema import RPR_ORDER, child

# --- runs, fields, bookmarks, hyperlinks ------------------------------------------------


def run(text: str = "", *, bold: bool = False, italic: bool = False,
        style_id: str | None = None, rtl: bool | None = None) -> BaseOxmlElement:
    """A w:r; bold and italic also set their complex-script twins as Word does, so
    Arabic and Hebrew text is bold/italic too. rtl=False writes an explicit w:rtl="0"
    that make_rtl leaves alone."""
    r = OxmlElement("w:r")
    props = [(style_id is not None, "rStyle"), (bold, "b"), (bold, "bCs"), (italic, "i"),
             (italic, "iCs"), (rtl is not None, "rtl")]
    if any(on for on, _ in props):
        rpr = OxmlElement("w:rPr")
        for on, tag in props:
            if on:
                el = OxmlElement(f"w:{tag}")
                if tag == "rStyle":
                    el.set(qn("w:val"), str(style_id))
                if tag == "rtl" and not rtl:
                    el.set(qn("w:val"), "0")
                rpr.append(el)
        r.append(rpr)
    if text:
        r.append(_text(text))
    return r


def set_run_language(r: BaseOxmlElement, tag: str) -> None:
    """A run in another language than the document's: spelling, hyphenation and screen
    readers follow it (w:val, w:bidi and w:eastAsia all name it)."""
    rpr = child(r, "rPr", ("rPr", "t"))
    child(rpr, "lang", RPR_ORDER, val=tag, bidi=tag, eastAsia=tag)


def _text(text: str) -> BaseOxmlElement:
    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip() or "  " in text:  # else readers may collapse the spaces
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def tab_run() -> BaseOxmlElement:
    r = OxmlElement("w:r")
    r.append(OxmlElement("w:tab"))
    return r


def _fld_char(kind: str) -> BaseOxmlElement:
    r = OxmlElement("w:r")
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), kind)
    r.append(fld)
    return r


def field_start(instruction: str) -> list[BaseOxmlElement]:
    """The runs that open a complex field up to its result: begin, instruction, separate."""
    instr = OxmlElement("w:instrText")
    instr.text = f" {instruction} "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r = OxmlElement("w:r")
    r.append(instr)
    return [_fld_char("begin"), r, _fld_char("separate")]


def field_end() -> BaseOxmlElement:
    return _fld_char("end")


def field(instruction: str, result: str) -> list[BaseOxmlElement]:
    """A complete complex field (PAGE, NUMPAGES) with a cached result shown until updated."""
    return [*field_start(instruction), run(result), field_end()]


def bookmark(paragraph: BaseOxmlElement, name: str, ident: int) -> None:
    """Wrap the paragraph's content in a bookmark, as Word marks headings for TOC links."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    ppr = paragraph.find(qn("w:pPr"))
    paragraph.insert(0 if ppr is None else 1, start)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    paragraph.append(end)


def bookmark_names(ids: Iterable[str]) -> dict[str, str]:
    """Word bookmark names for section ids: at most 40 characters, a letter first, then
    letters, digits and underscores; unique (case-insensitively, as Word compares them)
    and deterministic, the first id keeping the plain name."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for ident in ids:
        base = re.sub(r"[^A-Za-z0-9_]", "_", ident)
        if not re.match(r"[A-Za-z]", base):
            base = "s_" + base
        name, n = base[:40], 2
        while name.lower() in used:
            suffix = f"_{n}"
            name, n = base[:40 - len(suffix)] + suffix, n + 1
        used.add(name.lower())
        names[ident] = name
    return names


def hyperlink(part: Part, *, url: str | None = None,
              anchor: str | None = None) -> BaseOxmlElement:
    """A w:hyperlink: external targets get a relationship (TargetMode=External), internal
    ones name a bookmark. The caller appends the runs."""
    link = OxmlElement("w:hyperlink")
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    elif url is not None:
        link.set(qn("r:id"), part.relate_to(url, RT.HYPERLINK, is_external=True))
    link.set(qn("w:history"), "1")
    return link
