"""DOCX renderer: an editable Word document built on a style reference document."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Twips

from compiler.model import (
    LocalizedDocument,
)
from compiler.renderers import RenderOptions, ooxml
from compiler.renderers import docx_annex as annex
from compiler.renderers.docx_blocks import Writer
from compiler.renderers.docx_styles import (
    add_fallback_styles,
    open_reference,
    required_styles,
    resolve_styles,
)
from compiler.renderers.theme import NO_THEME

LETTER = (12240, 15840)  # twips
# East Asian fonts every Office has (Windows, and bundled with Office for Mac)
CJK_FONTS = {"ja": "Yu Gothic", "ko": "Malgun Gothic", "zh": "Microsoft YaHei"}


def reference_path(options: RenderOptions) -> Path:
    return options.reference_docx or options.templates.find("docx/reference.docx")


def number_headings(document: WordDocument, doc: LocalizedDocument,
                    styles: dict[str, str]) -> None:
    """Numbered documents: the Heading styles carry Word's multilevel clause numbering."""
    if doc.meta.numbering == "none":
        return
    root = ooxml.numbering_root(document.part.package, document.part)
    ooxml.heading_numbering(root, document.styles.element,
                            [styles[f"Heading {k}"] for k in range(1, 10)])


# --- header, footer, page ------------------------------------------------------------------


def page_setup(document: WordDocument, page_size: str) -> None:
    """The reference's page size, unless Letter is asked for: A4 is the default and so
    carries no intent, while a Letter request (or a Letter corporate template) does."""
    section = document.sections[0]
    if page_size == "Letter":
        section.page_width, section.page_height = Twips(LETTER[0]), Twips(LETTER[1])


def _empty(p: BaseOxmlElement) -> bool:
    return all(el.tag == qn("w:pPr") for el in p)


def _header_footer(writer: Writer, container: BaseOxmlElement, style: str) -> BaseOxmlElement:
    """Our paragraph in a reference's header or footer: its logo or rule stays, its empty
    placeholder paragraphs go."""
    for p in container.findall(qn("w:p")):
        if _empty(p):
            container.remove(p)
    return writer.paragraph(style, parent=container)


def header_footer(writer: Writer, brand_footer: str | None = None,
                  annex_label: str | None = None) -> list[BaseOxmlElement]:
    doc = writer.doc
    section = writer.document.sections[0]
    header = _header_footer(writer, section.header._element, "Header")
    version = f" \u00b7 {doc.labels.version} {doc.meta.version}"
    if writer.island(doc.meta.title):  # an English title standing in, in an Arabic header
        if annex_label:
            header.append(ooxml.run(f"{annex_label} {annex.DASH} "))
        header.extend([writer.plain_run(doc.title, doc.meta.title), ooxml.run(version)])
    else:
        title = annex.title_text(annex_label, doc) if annex_label else doc.title
        header.append(ooxml.run(title + version))
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
    core.keywords = doc.keywords
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
    writer = Writer(document, doc, styles)
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
