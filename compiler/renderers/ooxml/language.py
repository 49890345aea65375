"""Language and direction: proofing language, right-to-left paragraphs and tables."""

from __future__ import annotations

from collections.abc import Iterator

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from compiler.renderers.ooxml.schema import (
    DEFAULTS_ORDER,
    PPR_ORDER,
    RPR_ORDER,
    SECTPR_ORDER,
    SETTINGS_ORDER,
    STYLES_ORDER,
    TBLPR_ORDER,
    _local,
    child,
)

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
