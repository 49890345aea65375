"""The DOCX as a contract annex (`build --docx-annex "Annex B"`): <id>.annex.docx.

No title page and no table of contents: the annex opens with "Annex B – <title>" and its
headings read B.1, B.1.1, ... (written out, so the contract's own list numbering is never
continued or restarted). Every style the annex uses is a copy named "Policy <built-in>"
("Policy Heading 1", "Policy Normal", ...), carrying the reference's formatting and outline
level but no list numbering, so that inserting the annex (Word's Insert > Text from File
or docxcompose, each after a section break in the contract) adds styles instead of
redefining the contract's "Normal" or "Heading 1". The annex is its own section: its last
paragraph closes it with its own header ("Annex B – <title>") and footer (page numbers).
That break must be the contract's: without it the contract's last pages end at the annex's
section break and take its page setup, which the annex cannot know to avoid. A numbered
document keeps its own numbers after the letter, in headings, clause lists ("B.7.1") and
cross-references ("Section B.7"); a document whose titles carry their own numbers ("1.
Introduction", kept by an import) gets no annex numbers besides them.
"""

from __future__ import annotations

import copy
import re

from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from compiler.model import LocalizedDocument, Section
from compiler.renderers import ooxml

PREFIX = "Policy"
DASH = "\u2013"


def annex_letter(label: str) -> str:
    """'Annex B' -> 'B', 'Anlage 3' -> '3': the label's last word numbers the headings."""
    words = label.split()
    return words[-1] if words else label


def heading_numbers(sections: tuple[Section, ...], letter: str,
                    prefix: str = "") -> dict[str, str]:
    """Section id -> 'B.1', 'B.1.2', ... in document order."""
    numbers: dict[str, str] = {}
    for i, section in enumerate(sections, start=1):
        number = f"{prefix or letter}.{i}"
        numbers[section.id] = number
        numbers.update(heading_numbers(section.sections, letter, number))
    return numbers


_OWN_NUMBER = re.compile(r"\s*(?:\d+(?:\.\d+)*\.|\d+(?:\.\d+)+)\s")


def self_numbered(sections: tuple[Section, ...]) -> bool:
    """Whether the headings carry clause numbers in their titles ('1. Introduction', as an
    import keeps numbers that do not follow policyc's numbering): at least two do. The
    annex then writes no B.1 numbers of its own ('B.2.1 1. Introduction' doubled them);
    the clause numbers the text and its cross-references use stay the only ones."""
    from compiler.legal import walk

    return sum(1 for s in walk(sections) if _OWN_NUMBER.match(s.title.plain() + " ")) >= 2


def title_text(label: str, doc: LocalizedDocument) -> str:
    return f"{label} {DASH} {doc.title}"


def _style_name(el: BaseOxmlElement) -> str:
    name = el.find(qn("w:name"))
    value = name.get(qn("w:val"), "") if name is not None else ""
    # Word stores some built-in names in lower case ("heading 1"): show them as Word does
    return value[:1].upper() + value[1:]


def own_styles(document: WordDocument, parts: list[BaseOxmlElement]) -> dict[str, str]:
    """Copy every style the body, header and footer use to "Policy <name>" and point the
    paragraphs, runs and tables at the copies. Returns old style id -> new style id."""
    styles_root = document.styles.element
    by_id = {el.get(qn("w:styleId"), ""): el for el in styles_root.findall(qn("w:style"))}
    used: set[str] = set()
    roots = [document.element.body, *parts]
    refs = ("pStyle", "rStyle", "tblStyle")
    for root in roots:
        for tag in refs:
            for el in root.iter(qn(f"w:{tag}")):
                used.add(el.get(qn("w:val"), ""))
    # the styles they are based on (and linked character styles) come along
    pending = list(used)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in ("basedOn", "link", "next"):
            ref = style.find(qn(f"w:{tag}"))
            if ref is not None and (val := ref.get(qn("w:val"), "")) and val not in used:
                used.add(val)
                pending.append(val)
    renamed: dict[str, str] = {}
    for style_id in sorted(used):
        original = by_id.get(style_id)
        if original is None or style_id.startswith(PREFIX):
            continue
        renamed[style_id] = PREFIX + re.sub(r"\W", "", style_id)
    for style_id, new_id in renamed.items():
        original = by_id[style_id]
        clone = copy.deepcopy(original)
        clone.set(qn("w:styleId"), new_id)
        for attr in ("default", "customStyle"):
            clone.attrib.pop(qn(f"w:{attr}"), None)
        clone.set(qn("w:customStyle"), "1")
        name = clone.find(qn("w:name"))
        if name is not None:
            name.set(qn("w:val"), f"{PREFIX} {_style_name(original)}")
        for tag in ("basedOn", "link", "next"):
            ref = clone.find(qn(f"w:{tag}"))
            if ref is not None and ref.get(qn("w:val"), "") in renamed:
                ref.set(qn("w:val"), renamed[ref.get(qn("w:val"), "")])
        ppr = clone.find(qn("w:pPr"))
        if ppr is not None and style_id.startswith("Heading"):
            for num in ppr.findall(qn("w:numPr")):  # written numbers instead: B.1, B.2
                ppr.remove(num)
        original.addnext(clone)
    # list levels name the paragraph style they belong to: follow the copies
    numbering = document.part.numbering_part.element
    for root in (*roots, numbering):
        for tag in refs:
            for el in root.iter(qn(f"w:{tag}")):
                val = el.get(qn("w:val"), "")
                if val in renamed:
                    el.set(qn("w:val"), renamed[val])
    return renamed


def close_section(document: WordDocument) -> None:
    """The annex's last paragraph carries its section (page, header and footer); the
    document's final section properties follow as an empty continuous section."""
    body = document.element.body
    final = body.find(qn("w:sectPr"))
    paragraphs = body.findall(qn("w:p"))
    if final is None or not paragraphs:
        return
    last = paragraphs[-1]
    ppr = last.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        last.insert(0, ppr)
    own = copy.deepcopy(final)
    ooxml.child(own, "type", SECTPR_ORDER, val="nextPage")
    placeholder = ooxml.child(ppr, "sectPr", ooxml.PPR_ORDER)
    ppr.replace(placeholder, own)
    ooxml.child(final, "type", SECTPR_ORDER, val="continuous")


SECTPR_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
    "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings",
    "sectPrChange",
)
