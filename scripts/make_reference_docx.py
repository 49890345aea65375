"""Generate templates/docx/reference.docx, the default DOCX style reference, reproducibly.

It starts from python-docx's own default template (its theme, settings, font table and
latent styles) and replaces the styles and list definitions with policyc's: Office fonts,
dark slate headings with a thin teal accent, A4 with 2.2 cm margins. A corporate template
is made the same way as pandoc's: copy this file, restyle it in Word, keep the style names.

Usage: .venv/bin/python scripts/make_reference_docx.py [OUTPUT]
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.renderers import ooxml  # noqa: E402  (needs the project root on sys.path)

OUTPUT = ROOT / "templates" / "docx" / "reference.docx"
STAMP = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

# Fonts every Office has, on Windows and on macOS, per script: Arial for Latin and Arabic
# (its Arabic glyphs ship with Windows and with Office for Mac), Yu Gothic for Japanese.
# Word opens the document without substituting a font; LibreOffice uses its metric-compatible
# Liberation Sans (or the fontconfig fallback) for Arial. The PDF keeps Noto, embedded.
SANS, CJK, ARABIC = "Arial", "Yu Gothic", "Arial"
TEXT, HEADING, MUTED = "1D2733", "14202C", "5A6878"
ACCENT, LINK, RULE, SHADE, CTA_SHADE = "1F5F99", "1F5F99", "DDE3EA", "EEF5FC", "F3F6F9"
A4 = (11906, 16838)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
MARGIN = 1247  # 2.2 cm in twentieths of a point

W = nsdecls("w")


def _rpr(*, size: float | None = None, color: str | None = None, bold: bool = False,
         italic: bool = False, underline: bool = False, extra: str = "") -> str:
    """Run properties in schema order; sizes in points, complex-script twins included so
    Arabic headings are as large and as bold as Latin ones."""
    parts = [extra]
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if italic:
        parts.append("<w:i/><w:iCs/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size:
        half = round(size * 2)
        parts.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    if underline:
        parts.append('<w:u w:val="single"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>"


def _border(side: str, size: int, color: str, space: int = 4) -> str:
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/>'


def _style(kind: str, sid: str, name: str, *, based: str | None = "Normal",
           next_: str | None = None, ppr: str = "", rpr: str = "", custom: bool = False,
           priority: int | None = None, extra: str = "") -> str:
    head = f'<w:style {W} w:type="{kind}" w:styleId="{sid}"'
    head += ' w:customStyle="1">' if custom else ">"
    body = [f'<w:name w:val="{name}"/>']
    if based:
        body.append(f'<w:basedOn w:val="{based}"/>')
    if next_:
        body.append(f'<w:next w:val="{next_}"/>')
    if priority is not None:
        body.append(f'<w:uiPriority w:val="{priority}"/>')
    body.append("<w:qFormat/>")
    body += [f"<w:pPr>{ppr}</w:pPr>" if ppr else "", rpr, extra]
    return head + "".join(body) + "</w:style>"


def styles() -> list[str]:
    out = [
        f'<w:style {W} w:type="paragraph" w:default="1" w:styleId="Normal">'
        '<w:name w:val="Normal"/><w:qFormat/></w:style>',
        f'<w:style {W} w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "<w:unhideWhenUsed/></w:style>",
        f'<w:style {W} w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>'
        '<w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
        '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr></w:style>",
        f'<w:style {W} w:type="numbering" w:default="1" w:styleId="NoList">'
        '<w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/>'
        "<w:unhideWhenUsed/></w:style>",
        _style("paragraph", "Title", "Title", next_="Subtitle", priority=10,
               ppr=f"<w:keepNext/><w:pBdr>{_border('bottom', 8, ACCENT, 8)}</w:pBdr>"
                   '<w:spacing w:before="0" w:after="200" w:line="240" w:lineRule="auto"/>',
               rpr=_rpr(size=24, color=HEADING, bold=True)),
        _style("paragraph", "Subtitle", "Subtitle", priority=11,
               ppr='<w:spacing w:before="0" w:after="40"/>',
               rpr=_rpr(size=10, color=MUTED)),
    ]
    sizes = {1: 16, 2: 13, 3: 11.5}
    for level in range(1, 10):
        border = f"<w:pBdr>{_border('bottom', 4, RULE, 4)}</w:pBdr>" if level == 1 else ""
        before, after = {1: (440, 160), 2: (320, 100)}.get(level, (240, 80))
        out.append(_style(
            "paragraph", f"Heading{level}", f"heading {level}", next_="Normal", priority=9,
            ppr=f"<w:keepNext/><w:keepLines/>{border}"
                f'<w:spacing w:before="{before}" w:after="{after}" w:line="264"'
                f' w:lineRule="auto"/><w:outlineLvl w:val="{level - 1}"/>',
            rpr=_rpr(size=sizes.get(level, 10.5), color=HEADING if level < 3 else TEXT,
                     bold=True, italic=level > 4)))
    out += [
        _style("paragraph", "TOCHeading", "TOC Heading", based="Heading1", next_="Normal",
               priority=39, ppr='<w:spacing w:before="360"/><w:outlineLvl w:val="9"/>'),
        _style("paragraph", "TOC1", "toc 1", next_="Normal", priority=39,
               ppr='<w:spacing w:before="80" w:after="20"/>', rpr=_rpr(color=HEADING)),
        _style("paragraph", "TOC2", "toc 2", next_="Normal", priority=39,
               ppr='<w:spacing w:before="0" w:after="20"/><w:ind w:left="284"/>',
               rpr=_rpr(size=9.5, color=TEXT)),
        _style("paragraph", "TOC3", "toc 3", next_="Normal", priority=39,
               ppr='<w:spacing w:before="0" w:after="20"/><w:ind w:left="567"/>',
               rpr=_rpr(size=9.5, color=MUTED)),
    ]
    for kind, num_id in (("Bullet", 1), ("Number", 2)):
        for depth in range(1, 6):
            suffix = "" if depth == 1 else f" {depth}"
            out.append(_style(
                "paragraph", f"List{kind}{suffix.strip()}", f"List {kind}{suffix}",
                priority=99,
                ppr=f'<w:numPr><w:ilvl w:val="{depth - 1}"/><w:numId w:val="{num_id}"/>'
                    '</w:numPr><w:spacing w:before="0" w:after="80"/>'))
    out += [
        _style("paragraph", "Note", "Note", custom=True, priority=20,
               ppr="<w:keepLines/><w:pBdr>"
                   + _border("top", 4, RULE, 6) + _border("left", 24, ACCENT, 8)
                   + _border("bottom", 4, RULE, 6) + _border("right", 4, RULE, 8)
                   + '</w:pBdr><w:shd w:val="clear" w:color="auto" w:fill="' + SHADE + '"/>'
                   '<w:spacing w:before="200" w:after="240"/><w:ind w:left="227" w:right="170"/>'),
        _style("paragraph", "Contact", "Contact", custom=True, priority=20,
               ppr="<w:keepNext/><w:keepLines/><w:pBdr>" + _border("left", 12, ACCENT, 10)
                   + '</w:pBdr><w:spacing w:before="0" w:after="40"/><w:ind w:left="227"/>'),
        _style("paragraph", "CallToActionTitle", "Call To Action Title", custom=True,
               next_="CallToAction", priority=20,
               ppr="<w:keepNext/><w:keepLines/>" + _cta_box()
                   + '<w:spacing w:before="240" w:after="60"/><w:ind w:left="170" w:right="170"/>',
               rpr=_rpr(size=12, color=ACCENT, bold=True)),
        _style("paragraph", "CallToAction", "Call To Action", custom=True, priority=20,
               ppr="<w:keepLines/>" + _cta_box()
                   + '<w:spacing w:before="0" w:after="60"/><w:ind w:left="170" w:right="170"/>'),
        _style("paragraph", "Caption", "caption", next_="Normal", priority=35,
               ppr='<w:keepNext/><w:spacing w:before="160" w:after="80"/>',
               rpr=_rpr(size=9, color=MUTED, bold=True)),
        _style("paragraph", "Header", "header", priority=99,
               ppr=f"<w:pBdr>{_border('bottom', 4, RULE, 4)}</w:pBdr>"
                   '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
               rpr=_rpr(size=8, color=MUTED)),
        _style("paragraph", "Footer", "footer", priority=99,
               ppr='<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                   '<w:jc w:val="center"/>',
               rpr=_rpr(size=8, color=MUTED)),
        _style("character", "Hyperlink", "Hyperlink", based="DefaultParagraphFont",
               priority=99, rpr=_rpr(color=LINK, underline=True)),
        _style("table", "PolicyTable", "Policy Table", based="TableNormal", custom=True,
               priority=59,
               ppr='<w:spacing w:before="40" w:after="40" w:line="252" w:lineRule="auto"/>',
               rpr=_rpr(size=9.5),
               extra='<w:tblPr><w:tblBorders>' + _border("top", 8, HEADING, 0)
               + _border("bottom", 8, HEADING, 0) + _border("insideH", 4, RULE, 0)
               + '</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/>'
               '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/>'
               '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
               '<w:tblStylePr w:type="firstRow"><w:pPr><w:keepNext/></w:pPr>'
               + _rpr(color=HEADING, bold=True)
               + "<w:tblPr/><w:trPr><w:tblHeader/></w:trPr><w:tcPr><w:tcBorders>"
               + _border("bottom", 12, ACCENT, 0)
               + f'</w:tcBorders><w:shd w:val="clear" w:color="auto" w:fill="{SHADE}"/>'
               "</w:tcPr></w:tblStylePr>"),
    ]
    return out


def _cta_box() -> str:
    """Identical borders on the title and text paragraphs: Word draws them as one box."""
    sides = "".join(_border(s, 6, ACCENT, 8) for s in ("top", "left", "bottom", "right"))
    return f'<w:pBdr>{sides}</w:pBdr><w:shd w:val="clear" w:color="auto" w:fill="{CTA_SHADE}"/>'


def numbering() -> str:
    """One multi-level bullet and one multi-level number definition, each level linked to
    its List Bullet N / List Number N style (as Word links its heading numbering)."""
    abstracts = []
    for abstract_id, kind in ((0, "Bullet"), (1, "Number")):
        levels = []
        for k in range(9):
            link = f'<w:pStyle w:val="List{kind}{k + 1 if k else ""}"/>' if k < 5 else ""
            if kind == "Bullet":
                fmt = ('<w:numFmt w:val="bullet"/>' + link
                       + f'<w:lvlText w:val="{ooxml.BULLETS[k % 2]}"/>')
                rpr = _rpr(color=ACCENT, extra=f'<w:rFonts w:ascii="{SANS}" w:hAnsi="{SANS}"/>')
            else:
                fmt = f'<w:numFmt w:val="decimal"/>{link}<w:lvlText w:val="%{k + 1}."/>'
                rpr = ""
            levels.append(
                f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/>{fmt}<w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{360 * (k + 1)}" w:hanging="360"/></w:pPr>{rpr}'
                "</w:lvl>")
        abstracts.append(
            f'<w:abstractNum w:abstractNumId="{abstract_id}">'
            f'<w:nsid w:val="5A1B00{abstract_id:02X}"/><w:multiLevelType w:val="multilevel"/>'
            f'<w:tmpl w:val="5A1B01{abstract_id:02X}"/>{"".join(levels)}</w:abstractNum>')
    nums = '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>' \
           '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    return f"<w:numbering {W}>{''.join(abstracts)}{nums}</w:numbering>"


def doc_defaults() -> str:
    """Body text 10 pt; complex scripts at 10.5 pt because Naskh reads small beside Noto Sans."""
    return (
        f"<w:docDefaults {W}><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{SANS}" w:hAnsi="{SANS}" w:eastAsia="{CJK}" w:cs="{ARABIC}"/>'
        f'<w:color w:val="{TEXT}"/><w:sz w:val="20"/><w:szCs w:val="21"/>'
        '<w:lang w:val="en-US" w:eastAsia="ja-JP" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="140" w:line="288"'
        ' w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
    )


FONTS = (  # name, panose, charset, family: what Word substitutes when a font is missing
    (SANS, "020B0604020202020204", "00", "swiss"),  # Arial (Latin and Arabic)
    (CJK, "020B0400000000000000", "80", "swiss"),  # Yu Gothic
)


def build() -> bytes:
    document = docx.Document()
    part = document.part
    package = part.package
    # Parts a fresh document does not need: Word 2010's style copy, bibliography, preview.
    for rid, rel in list(part.rels.items()):
        if rel.reltype in (STYLES_WITH_EFFECTS, RT.CUSTOM_XML):
            part.drop_rel(rid)
    for rid, rel in list(package.rels.items()):
        if rel.reltype in (RT.THUMBNAIL, RT.EXTENDED_PROPERTIES):  # stale Mac Word statistics
            del package.rels[rid]

    root = document.styles.element
    latent = root.find(qn("w:latentStyles"))
    for el in list(root):
        root.remove(el)
    root.append(parse_xml(doc_defaults()))
    if latent is not None:
        root.append(latent)
    for xml in styles():
        root.append(parse_xml(xml))

    numbering_root = part.numbering_part.element
    for el in list(numbering_root):
        numbering_root.remove(el)
    for el in parse_xml(numbering()):
        numbering_root.append(el)

    body = document.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    section = document.sections[0]
    section.page_width, section.page_height = (docx.shared.Twips(v) for v in A4)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, docx.shared.Twips(MARGIN))
    section.header_distance = section.footer_distance = docx.shared.Twips(624)

    settings = document.settings.element
    for tag in ("savePreviewPicture", "proofState"):
        for el in settings.findall(qn(f"w:{tag}")):
            settings.remove(el)
    mode = settings.find(f"{qn('w:compat')}/{qn('w:compatSetting')}[@{qn('w:name')}="
                         "'compatibilityMode']")
    if mode is not None:
        mode.set(qn("w:val"), "15")

    _rewrite(part.part_related_by(RT.FONT_TABLE), _fonts)
    _rewrite(part.part_related_by(RT.THEME), _theme)

    core = document.core_properties
    for el in list(core._element):  # python-docx has no API to clear the template's values
        core._element.remove(el)
    core.title = "policyc reference document"
    core.author = core.last_modified_by = "policyc"
    core.created = core.modified = STAMP
    core.revision = 1
    ooxml.set_company(package, "")

    out = io.BytesIO()
    document.save(out)
    return ooxml.normalize_zip(out.getvalue(), STAMP.date())


def _fonts(table: etree._Element) -> None:
    for name, panose, charset, family in FONTS:
        for el in table.findall(qn("w:font")):
            if el.get(qn("w:name")) == name:
                table.remove(el)
        table.append(parse_xml(
            f'<w:font {W} w:name="{name}"><w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
            '<w:pitch w:val="variable"/></w:font>'))


def _rewrite(part: Part, edit: Callable[[etree._Element], None]) -> None:
    """Edit a part python-docx keeps as plain bytes (font table, theme)."""
    root = etree.fromstring(part.blob)
    edit(root)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _theme(theme: etree._Element) -> None:
    """Theme fonts and colours that match the styles, for Word's pickers and table styles."""
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    for font in ("majorFont", "minorFont"):
        latin = theme.find(f".//{a}{font}/{a}latin")
        if latin is not None:
            latin.set("typeface", SANS)
    for slot, color in (("dk2", HEADING), ("accent1", ACCENT), ("hlink", LINK)):
        srgb = theme.find(f".//{a}clrScheme/{a}{slot}/{a}srgbClr")
        if srgb is not None:
            srgb.set("val", color)


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
