"""Raw WordprocessingML that python-docx has no API for, kept in one place."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.package import Package
from lxml import etree

# Schema order of the children we insert into existing elements: Word rejects a file
# ("unreadable content") when a child sits out of its xsd:sequence position.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
)
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath",
)
SECTPR_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
    "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
)
TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange",
)
SETTINGS_ORDER = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)
# docDefaults/rPrDefault/rPr and a style's rPr share the run property order.
DEFAULTS_ORDER = ("rPrDefault", "pPrDefault")
STYLES_ORDER = ("docDefaults", "latentStyles", "style")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def child(parent: BaseOxmlElement, tag: str, order: tuple[str, ...],
          **attrs: str) -> BaseOxmlElement:
    """parent's w:tag child, created at its schema position if missing, attributes set.

    Children this module does not know (extensions such as w14:docId) are taken to
    follow the ones it does, as they do in files Word writes.
    """
    found = parent.find(qn(f"w:{tag}"))
    if found is None:
        found = OxmlElement(f"w:{tag}")
        later = set(order[order.index(tag) + 1:])
        for i, existing in enumerate(parent):
            name = _local(existing)
            if name in later or (name and name not in order):
                parent.insert(i, found)
                break
        else:
            parent.append(found)
    for key, value in attrs.items():
        found.set(qn(f"w:{key}"), value)
    return found


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


# --- language and direction ---------------------------------------------------------------


def set_language(styles: BaseOxmlElement, tag: str, *, rtl: bool,
                 east_asian_font: str | None) -> None:
    """Proofing language (and the east-Asian font) on the document defaults, so every
    style inherits them and Word's spelling and line breaking follow the document."""
    defaults = child(styles, "docDefaults", STYLES_ORDER)
    rpr = child(child(defaults, "rPrDefault", DEFAULTS_ORDER), "rPr", ("rPr",))
    lang = child(rpr, "lang", RPR_ORDER, val=tag)
    if rtl:
        lang.set(qn("w:bidi"), tag)
    if east_asian_font:
        lang.set(qn("w:eastAsia"), tag)
        fonts = child(rpr, "rFonts", RPR_ORDER, eastAsia=east_asian_font)
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def set_settings(settings: BaseOxmlElement, tag: str, *, rtl: bool, cjk: bool) -> None:
    """Theme fonts by language. No updateFields: every field's result is right as written
    (the TOC has no page numbers), so Word has nothing to ask about on open."""
    for stale in settings.findall(qn("w:updateFields")):
        settings.remove(stale)
    theme_lang = child(settings, "themeFontLang", SETTINGS_ORDER, val=tag)
    if rtl:
        theme_lang.set(qn("w:bidi"), tag)
    if cjk:
        theme_lang.set(qn("w:eastAsia"), tag)


PBDR_ORDER = ("top", "left", "bottom", "right", "between", "bar")


def mirror_borders(styles: BaseOxmlElement) -> None:
    """Swap the left and right paragraph borders of every style. w:bidi mirrors a
    paragraph's indents and alignment but not its borders (ECMA-376 17.3.1.6), so a
    note's accent bar would otherwise stay on the left, at the end of Arabic lines."""
    left, right = qn("w:left"), qn("w:right")
    for pbdr in list(styles.iter(qn("w:pBdr"))):
        for el in pbdr:
            if el.tag in (left, right):
                el.tag = right if el.tag == left else left
        pbdr[:] = sorted(pbdr, key=lambda el: PBDR_ORDER.index(_local(el))
                         if _local(el) in PBDR_ORDER else len(PBDR_ORDER))


def _descendants(root: BaseOxmlElement, tag: str) -> Iterator[BaseOxmlElement]:
    yield from root.iter(qn(f"w:{tag}"))


def make_rtl(root: BaseOxmlElement) -> None:
    """Right-to-left layout: paragraphs bidi, runs rtl (with complex-script bold and
    italic) unless marked w:rtl="0", tables mirrored, the section's page layout mirrored."""
    for p in list(_descendants(root, "p")):
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        child(ppr, "bidi", PPR_ORDER)
    for r in list(_descendants(root, "r")):
        rpr = r.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            r.insert(0, rpr)
        if rpr.find(qn("w:b")) is not None:
            child(rpr, "bCs", RPR_ORDER)
        if rpr.find(qn("w:i")) is not None:
            child(rpr, "iCs", RPR_ORDER)
        if rpr.find(qn("w:rtl")) is None:
            child(rpr, "rtl", RPR_ORDER)
    for tblpr in list(_descendants(root, "tblPr")):
        child(tblpr, "bidiVisual", TBLPR_ORDER)
    for sectpr in list(_descendants(root, "sectPr")):
        child(sectpr, "bidi", SECTPR_ORDER)


# --- document properties -----------------------------------------------------------------

CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one fmtid for user-defined properties


def _replace_part(package: Package, reltype: str, partname: str, content_type: str,
                  blob: bytes) -> None:
    for rid, rel in list(package.rels.items()):
        if rel.reltype == reltype:
            del package.rels[rid]
    package.relate_to(Part(PackURI(partname), content_type, blob, package), reltype)


def _existing(package: Package, reltype: str) -> etree._Element | None:
    for rel in package.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return etree.fromstring(rel.target_part.blob)
    return None


def set_custom_properties(package: Package, values: dict[str, str]) -> None:
    """docProps/custom.xml for DOCPROPERTY fields; the reference's own custom
    properties (a sensitivity label, a SharePoint content type) are kept."""
    root = _existing(package, RT.CUSTOM_PROPERTIES)
    if root is None:
        root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    for prop in list(root):
        if prop.get("name") in values:
            root.remove(prop)
    for name, value in values.items():
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=FMTID, name=name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    for pid, prop in enumerate(root, start=2):
        prop.set("pid", str(pid))
    _replace_part(package, RT.CUSTOM_PROPERTIES, "/docProps/custom.xml",
                  CT.OFC_CUSTOM_PROPERTIES, _xml(root))


def set_company(package: Package, company: str) -> None:
    """The built-in Company property (docProps/app.xml) that DOCPROPERTY Company reads."""
    root = _existing(package, RT.EXTENDED_PROPERTIES)
    if root is None:
        root = etree.Element(f"{{{APP_NS}}}Properties", nsmap={None: APP_NS, "vt": VT_NS})
    element = root.find(f"{{{APP_NS}}}Company")
    if element is None:
        element = etree.SubElement(root, f"{{{APP_NS}}}Company")
    element.text = company
    _replace_part(package, RT.EXTENDED_PROPERTIES, "/docProps/app.xml",
                  CT.OFC_EXTENDED_PROPERTIES, _xml(root))


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


# --- the package -----------------------------------------------------------------------

FIRST = "[Content_Types].xml"


def normalize_zip(data: bytes, date: dt.date) -> bytes:
    """Rewrite a package byte-reproducibly: [Content_Types].xml first (some readers
    sniff it), other entries sorted, one timestamp, fixed permissions, deflated."""
    stamp = max(date, dt.date(1980, 1, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in sorted(entries, key=lambda n: (n != FIRST, n)):
            info = zipfile.ZipInfo(name, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            dst.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()


def protect_settings(settings: BaseOxmlElement) -> None:
    """Read-only recommended on open, editing restricted to comments, no password.

    For legal-approved copies: anyone can read, and Word keeps accidental edits out.
    w:updateFields is dropped so Word does not offer to change a protected copy on open.
    """
    for name in ("writeProtection", "documentProtection", "updateFields"):
        for old in settings.findall(qn(f"w:{name}")):
            settings.remove(old)
    child(settings, "writeProtection", SETTINGS_ORDER, recommended="1")
    child(settings, "documentProtection", SETTINGS_ORDER, edit="comments", enforcement="1")


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
