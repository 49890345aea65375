"""Numbering: list and heading numbering definitions, and paragraphs that use them."""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.package import Package

from compiler.renderers.ooxml.schema import PPR_ORDER, RPR_ORDER, _local, child

# --- numbering ------------------------------------------------------------------------


def numbering_root(package: Package, document_part: Part) -> BaseOxmlElement:
    """The w:numbering element, creating numbering.xml if the reference has none."""
    try:
        part = document_part.part_related_by(RT.NUMBERING)
    except KeyError:
        element = parse_xml(f"<w:numbering {nsdecls('w')}/>")
        part = XmlPart(PackURI("/word/numbering.xml"), CT.WML_NUMBERING, element, package)
        document_part.relate_to(part, RT.NUMBERING)
    assert isinstance(part, XmlPart)
    return part.element


def style_numbering(style: BaseOxmlElement, styles: dict[str, BaseOxmlElement]
                    ) -> tuple[str, int] | None:
    """(numId, ilvl) a paragraph style is linked to, following basedOn; None if unlinked."""
    seen: set[str] = set()
    current: BaseOxmlElement | None = style
    while current is not None:
        num_id = current.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num_id is not None:
            ilvl = current.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:ilvl')}")
            level = int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0
            value = num_id.get(qn("w:val"), "0")
            return None if value == "0" else (value, level)
        based = current.find(qn("w:basedOn"))
        key = based.get(qn("w:val"), "") if based is not None else ""
        if not key or key in seen:
            return None
        seen.add(key)
        current = styles.get(key)
    return None


def _ids(numbering: BaseOxmlElement, tag: str, attr: str) -> list[int]:
    return [int(el.get(qn(f"w:{attr}"), "0")) for el in numbering.findall(qn(f"w:{tag}"))]


def _add_num(numbering: BaseOxmlElement, abstract_id: str) -> BaseOxmlElement:
    num_id = max(_ids(numbering, "num", "numId"), default=0) + 1
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                    f'<w:abstractNumId w:val="{abstract_id}"/></w:num>')
    cleanup = numbering.find(qn("w:numIdMacAtCleanup"))
    if cleanup is not None:
        cleanup.addprevious(num)
    else:
        numbering.append(num)
    return num


def restarted_num(numbering: BaseOxmlElement, num_id: str, ilvl: int) -> str:
    """A new w:num over the same abstract definition whose level ilvl starts again at 1:
    without it Word continues the count of the previous list of the same style."""
    old = next((n for n in numbering.findall(qn("w:num"))
                if n.get(qn("w:numId")) == num_id), None)
    if old is None:
        return num_id
    abstract = old.find(qn("w:abstractNumId"))
    assert abstract is not None
    num = _add_num(numbering, abstract.get(qn("w:val"), "0"))
    num.append(parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="{ilvl}">'
                         f'<w:startOverride w:val="1"/></w:lvlOverride>'))
    return num.get(qn("w:numId"), "")


BULLETS = ("\u2022", "\u2013")


def fallback_num(numbering: BaseOxmlElement, ordered: bool) -> str:
    """A plain multi-level list for a reference whose list styles carry no numbering."""
    levels = []
    for k in range(9):
        fmt, text = ("decimal", f"%{k + 1}.") if ordered else ("bullet", BULLETS[k % 2])
        levels.append(
            f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{360 * (k + 1)}" w:hanging="360"/></w:pPr></w:lvl>')
    return list_num(numbering, levels)


def _add_abstract(numbering: BaseOxmlElement, levels: list[str]) -> str:
    """A new multi-level abstract definition (placed after the others, before the nums)."""
    abstract_id = max(_ids(numbering, "abstractNum", "abstractNumId"), default=-1) + 1
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:nsid w:val="{0x5A1C0000 + abstract_id:08X}"/>'
        f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>')
    existing = numbering.findall(qn("w:abstractNum"))
    if existing:
        existing[-1].addnext(abstract)
    else:
        numbering.insert(0, abstract)
    return str(abstract_id)


LIST_INDENT = 454  # twips per list level (8 mm): room for "(viii)"


def list_level(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
    """One level of a numbered list: Word format (decimal, lowerLetter, lowerRoman...) and
    level text ("(%2)"), hanging so wrapped lines align with the text."""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{LIST_INDENT * (ilvl + 1)}" w:hanging="{LIST_INDENT}"/>'
            "</w:pPr></w:lvl>")


def list_num(numbering: BaseOxmlElement, levels: list[str]) -> str:
    """A list of its own: a new abstract definition with these nine levels and a w:num
    over it; every list counts from its own start, as the HTML and PDF do."""
    return _add_num(numbering, _add_abstract(numbering, levels)).get(qn("w:numId"), "")


def heading_numbering(numbering: BaseOxmlElement, styles: BaseOxmlElement,
                      heading_ids: list[str]) -> str:
    """Clause numbers as Word does them: a multilevel list (1., 1.1, 1.1.1) whose levels are
    linked to the Heading 1..9 styles, and each Heading style pointing back at it. A clause
    added in Word gets the next number; a heading with numId 0 stays unnumbered."""
    levels = []
    for k, style_id in enumerate(heading_ids):
        text = "%1." if k == 0 else ".".join(f"%{j + 1}" for j in range(k + 1))
        hang = 567 + 227 * k
        levels.append(
            f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            f'<w:pStyle w:val="{style_id}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{hang}" w:hanging="{hang}"/></w:pPr></w:lvl>')
    num_id = list_num(numbering, levels)
    by_id = {el.get(qn("w:styleId")): el for el in styles.findall(qn("w:style"))}
    for k, style_id in enumerate(heading_ids):
        style = by_id.get(style_id)
        if style is None:
            continue
        set_numbering_ppr(_style_ppr(style), num_id, k)
    for style in by_id.values():  # TOC Heading is based on Heading 1: not a clause
        based = style.find(qn("w:basedOn"))
        if (based is not None and based.get(qn("w:val")) in heading_ids
                and style.get(qn("w:styleId")) not in heading_ids):
            set_numbering_ppr(_style_ppr(style), "0", None)
    return num_id


def _style_ppr(style: BaseOxmlElement) -> BaseOxmlElement:
    """A style's w:pPr, created before its run and table properties if missing."""
    ppr = style.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        later = [el for el in style if _local(el) in ("rPr", "tblPr", "trPr", "tcPr",
                                                      "tblStylePr")]
        if later:
            later[0].addprevious(ppr)
        else:
            style.append(ppr)
    return ppr


def set_numbering_ppr(ppr: BaseOxmlElement, num_id: str, ilvl: int | None) -> None:
    numpr = child(ppr, "numPr", PPR_ORDER)
    for el in list(numpr):
        numpr.remove(el)
    if ilvl is not None:
        numpr.append(parse_xml(f'<w:ilvl {nsdecls("w")} w:val="{ilvl}"/>'))
    numpr.append(parse_xml(f'<w:numId {nsdecls("w")} w:val="{num_id}"/>'))


def line_break() -> BaseOxmlElement:
    r = OxmlElement("w:r")
    r.append(OxmlElement("w:br"))
    return r


def keep_next(paragraph: BaseOxmlElement) -> None:
    """w:keepNext: the paragraph stays on the page of the next one."""
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        paragraph.insert(0, ppr)
    child(ppr, "keepNext", PPR_ORDER)


def note_colours(paragraph: BaseOxmlElement, border: str, fill: str, *, rtl: bool) -> None:
    """A callout paragraph's start border and shading in other colours than its style's:
    direct w:pBdr (the start side: left, or right in right-to-left text) and w:shd."""
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        paragraph.insert(0, ppr)
    borders = child(ppr, "pBdr", PPR_ORDER)
    side = OxmlElement("w:right" if rtl else "w:left")
    for key, value in (("val", "single"), ("sz", "24"), ("space", "8"), ("color", border)):
        side.set(qn(f"w:{key}"), value)
    borders.append(side)
    child(ppr, "shd", PPR_ORDER, val="clear", color="auto", fill=fill)


def run_colour(run: BaseOxmlElement, colour: str) -> None:
    rpr = run.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        run.insert(0, rpr)
    child(rpr, "color", RPR_ORDER, val=colour)


def set_numbering(paragraph: BaseOxmlElement, num_id: str, ilvl: int) -> None:
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        paragraph.insert(0, ppr)
    numpr = child(ppr, "numPr", PPR_ORDER)
    for el in list(numpr):
        numpr.remove(el)
    numpr.append(parse_xml(f'<w:ilvl {nsdecls("w")} w:val="{ilvl}"/>'))
    numpr.append(parse_xml(f'<w:numId {nsdecls("w")} w:val="{num_id}"/>'))
