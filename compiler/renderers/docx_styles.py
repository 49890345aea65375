"""The DOCX renderer's styles: the names each node type maps to, the fallbacks a
reference document may lack, and opening the reference (renderers/docx.py renders)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import assert_never

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from compiler.errors import Category, CompilerError, Diagnostics, Loc
from compiler.model import (
    Address,
    Block,
    CallToAction,
    Contact,
    Definitions,
    ItemList,
    LocalizedDocument,
    Note,
    Paragraph,
    Table,
)

PARAGRAPH, CHARACTER, TABLE = "paragraph", "character", "table"
TOC_DEPTH = 3
LIST_DEPTH = 5  # Word's built-in list styles stop at "List Bullet 5"
TABLE_STYLE = "Policy Table"
# \n: no page numbers, so the TOC is right as written and stays right when refreshed
TOC_INSTRUCTION = f'TOC \\o "1-{TOC_DEPTH}" \\h \\z \\u \\n'
LRM = "\u200e"
RTL_SCRIPT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


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
