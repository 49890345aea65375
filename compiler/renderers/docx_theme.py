"""The brand in a DOCX: heading and link colours and fonts in the styles, the logo in the header.

Kept beside the DOCX renderer, which calls `apply` once the body, header and footer exist;
colours and fonts go into styles.xml (so Word's style pane shows the brand, and a reader who
restyles keeps it), the logo into the header as a PNG picture with the organization as its
alternative text.
"""

from __future__ import annotations

import io

from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, RGBColor

from compiler.renderers.theme import Theme

HEADINGS = ("Title", *(f"Heading {n}" for n in range(1, 10)))
LOGO_HEIGHT = Cm(1.2)
THEME_ATTRIBUTES = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "cs": "cstheme",
                    "eastAsia": "eastAsiaTheme"}


def apply(document: WordDocument, theme: Theme, organization: str) -> None:
    styles = {s.name: s for s in document.styles}
    for name in HEADINGS:
        style = styles.get(name)
        if style is None:
            continue
        if theme.primary:
            style.font.color.rgb = RGBColor.from_string(theme.primary[1:])
        headings = theme.font("headings")
        if headings:
            style.font.name = headings
    link = styles.get("Hyperlink")
    if link is not None and theme.link:
        link.font.color.rgb = RGBColor.from_string(theme.link[1:])
    normal = styles.get("Normal")
    if normal is not None:
        _fonts(normal.element, theme)
    if theme.logo is not None:
        _logo(document, theme, organization)


def _fonts(style: BaseOxmlElement, theme: Theme) -> None:
    """Latin text (ascii, hAnsi), complex scripts (cs: Arabic, Hebrew) and east Asian text."""
    wanted = {"ascii": theme.font("latin"), "hAnsi": theme.font("latin"),
              "cs": theme.font("arabic") or theme.font("hebrew"), "eastAsia": theme.font("cjk")}
    if not any(wanted.values()):
        return
    rpr = style.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute, family in wanted.items():
        if family:
            fonts.set(qn(f"w:{attribute}"), family)
            fonts.attrib.pop(qn(f"w:{THEME_ATTRIBUTES[attribute]}"), None)  # theme fonts win


def _logo(document: WordDocument, theme: Theme, organization: str) -> None:
    png = theme.logo_png()
    assert png is not None
    header = document.sections[0].header
    paragraph = header.add_paragraph()
    paragraph.add_run().add_picture(io.BytesIO(png), height=LOGO_HEIGHT)
    for doc_pr in paragraph._p.iter(qn("wp:docPr")):
        doc_pr.set("descr", organization)
    container = header._element
    container.remove(paragraph._p)
    container.insert(0, paragraph._p)
