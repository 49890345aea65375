"""PDF renderer: the HTML body in a print template, laid out by WeasyPrint in a sandbox."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from compiler import legal
from compiler.model import LocalizedDocument
from compiler.renderers import (
    Rendered,
    RenderOptions,
    bidi,
    embeds_inputs,
    hyphenation,
    pdf_css,
    pdf_leaders,
    pdf_memory,
    pdf_targets,
    pdf_words,
)
from compiler.renderers.html import BodyWriter, context
from compiler.renderers.libraries import loader_cache_only
from compiler.renderers.pdf_declarations import preparsed
from compiler.renderers.pdf_finish import finish
from compiler.renderers.templates import project_print_css

# WeasyPrint's C libraries found without a gcc run per name, its C declarations pre-parsed
with loader_cache_only(), preparsed():
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

if TYPE_CHECKING:
    from compiler.errors import Diagnostic
    from compiler.renderers.templates import Templates

log = logging.getLogger(__name__)


class SandboxedFetcher(weasyprint.URLFetcher):
    """Serves files under the template folders only: no network, no other local file.

    Relative URLs resolve against the first folder (the project's templates/ when it has
    one); a name missing there is looked up in the next folders, as templates are.
    """

    def __init__(self, *roots: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=False)
        self.roots = tuple(r.resolve() for r in roots)

    def fetch(self, url: str, headers: object = None) -> weasyprint.urls.URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = self._resolve(Path(unquote(parts.path)).resolve())
            if path is not None:
                return weasyprint.urls.URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": _mime(path)})
        log.warning("refused to fetch %s: the PDF renderer only reads files under %s",
                    url, ", ".join(map(str, self.roots)))
        raise ValueError(f"policyc refuses {url!r} (only files under templates/ are served)")

    def _resolve(self, path: Path) -> Path | None:
        """path (symlinks resolved) when under a root; else the same name in the next roots."""
        for root in self.roots:
            if path.is_relative_to(root):
                name = path.relative_to(root)
                for other in (root, *self.roots):
                    candidate = (other / name).resolve()
                    if candidate.is_relative_to(other) and candidate.is_file():
                        return candidate
                return None
        return None


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
            ".jpg": "image/jpeg", ".ttf": "font/ttf", ".otf": "font/otf",
            ".woff2": "font/woff2"}.get(path.suffix, "application/octet-stream")


def css_string(text: str) -> str:
    """A CSS string literal that cannot break out of its quotes, whatever the translation."""
    out = []
    for ch in text:
        if (ch.isalnum() and ch.isascii()) or ch == " ":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def running_css(doc: LocalizedDocument, options: RenderOptions) -> Markup:
    """Page size and margin boxes: the current section's title (a running header), the
    document's title and version, and the localized "Page X of Y"."""
    pieces = re.split(r"(\{page\}|\{pages\})", doc.labels.page_of)
    content = " ".join(
        "counter(page)" if p == "{page}" else "counter(pages)" if p == "{pages}" else css_string(p)
        for p in pieces if p
    )
    start, end = ("right", "left") if doc.direction == "rtl" else ("left", "right")
    title = bidi.isolated_text(doc.meta.title, doc.direction, doc.title)
    version = css_string(f"{title} \u00b7 {doc.labels.version} {doc.meta.version}")
    size = "letter" if options.page_size == "Letter" else "A4"
    footer = options.theme.footer
    brand = (f"  @bottom-{start} {{ content: {css_string(footer)}; font-size: 7.5pt; "
             "color: #6b7785; vertical-align: top; padding-top: 4mm; }\n") if footer else ""
    return Markup(
        f"@page {{ size: {size};\n"
        f"  @top-{start} {{ content: string(section); }}\n"
        f"  @top-{end} {{ content: {version}; }}\n"
        f"{brand}"
        f"  @bottom-center {{ content: {content}; }} }}\n"
        "@page :first { @top-left { content: none; } @top-right { content: none; } }\n"
        f"{_isolated_strings(doc)}"
    )


def _isolated_strings(doc: LocalizedDocument) -> str:
    """The running header's section title (print.css: string-set content() of the h1 and of
    each chapter's h2) isolated where it stands in for a translation in a page of the other
    direction: content() keeps the text, not its span's dir, so an English "Questions?" in an
    Arabic header would read "?Questions". Nothing for other pages (their bytes unchanged)."""
    rules = []
    title = bidi.isolated_text(doc.meta.title, doc.direction, doc.title)
    if title != doc.title:
        rules.append(f"h1 {{ string-set: doctitle {css_string(title)}, "
                     f"section {css_string(title)}; }}\n")
    for s in doc.sections:
        text = bidi.isolated_text(s.title, doc.direction, s.title.plain())
        if text != s.title.plain():
            number = legal.heading_number(s.number) + " " if s.number else ""
            rules.append(f"section.level-1 > h2[id={css_string(s.id + '-title')}] "
                         f"{{ string-set: section {css_string(number + text)}; }}\n")
    return "".join(rules)


def print_html(doc: LocalizedDocument, options: RenderOptions) -> str:
    """The print page WeasyPrint lays out (also what the benchmark renders alone)."""
    writer = BodyWriter(doc)
    writer.link_format, writer.base_url = "pdf", options.base_url
    css = options.templates.read_text("css/print.css")
    template = options.templates.template("pdf/print.html.j2")
    # the brand's rules go with the page's own, in the template's next <style> element:
    # a block a project's print.css leaves open cannot swallow them (pdf_css)
    return template.render(**context(doc, options, writer), css=Markup(css),
                           running_css=Markup(options.theme.print_css()) +
                           running_css(doc, options))


def _attachments(doc: LocalizedDocument, options: RenderOptions) -> list[weasyprint.Attachment]:
    """The source and catalogs, dated from the source so the bytes stay reproducible."""
    if not embeds_inputs("pdf", options.pdf_variant):
        return []
    when = dt.datetime.combine(doc.meta.updated, dt.time(), tzinfo=dt.UTC)
    return [
        weasyprint.Attachment(string=path.read_bytes(), name=name, created=when, modified=when,
                              description=f"policyc input: {name}", relationship="Source",
                              url_fetcher=SandboxedFetcher(*options.templates.roots))
        for name, path in options.attachments
    ]


def _xmp_descriptions(doc: LocalizedDocument) -> bytes:
    """XMP beside WeasyPrint's own: the language (dc:language) and the version (xmpMM).

    Both are predefined XMP schemas, so PDF/A needs no extension schema for them.
    """
    from xml.sax.saxutils import escape

    return (
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:language><rdf:Bag><rdf:li>{escape(doc.language.tag)}</rdf:li></rdf:Bag>"
        "</dc:language></rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
        f"<xmpMM:VersionID>{escape(doc.meta.version)}</xmpMM:VersionID></rdf:Description>"
    ).encode()


def _extend_xmp(document: weasyprint.Document, extra: bytes) -> None:
    """Put our descriptions inside WeasyPrint's one rdf:RDF (PDF/A wants a single one)."""
    metadata = document.metadata
    original = metadata.generate_rdf_metadata

    def generate(*args: object, **kwargs: object) -> bytes:
        rdf: bytes = original(*args, **kwargs)
        head, sep, tail = rdf.rpartition(b"</rdf:RDF>")
        return head + extra + sep + tail if sep else rdf

    metadata.generate_rdf_metadata = generate


def sheet_warnings(templates: Templates) -> tuple[Diagnostic, ...] | None:
    """The warnings about a project's own print.css (pdf_css.check, cached by its text);
    None without one. The build asks it once for all its PDFs, built or up to date (review7
    F1, F2: build/plan.sheet_warnings), as every PDF render checks the sheet (render)."""
    found = project_print_css(templates)
    return None if found is None else pdf_css.check(*found, templates.roots, SandboxedFetcher)


def render(doc: LocalizedDocument, options: RenderOptions) -> bytes:
    """The PDF, with warnings about a project's own print.css (pdf_css) when it has some."""
    return located(options, lambda: write_pdf(doc, options, print_html(doc, options)))


def located(options: RenderOptions, write: Callable[[], bytes]) -> bytes:
    """write()'s PDF (a policy's or a redline's) with the warnings about a project's own
    print.css, located in the file (pdf_css.check); the same complaints kept off the log
    while it is laid out, instead of WeasyPrint's raw lines."""
    found = project_print_css(options.templates)
    if found is None:
        return write()
    warnings = pdf_css.check(*found, options.templates.roots, SandboxedFetcher)
    with pdf_css.laying_out(found[1]):
        return Rendered.of(write(), warnings)


def warm_up(doc: LocalizedDocument, options: RenderOptions) -> None:
    """Lay out one page of doc's first section titles with its print page's head (its CSS):
    a process that then renders doc's PDF finds the fonts, the hyphenation patterns and the
    layout and writing code ready (the first de PDF in a fresh warm worker: ~0.5 s after
    this, ~0.5 s after a whole PDF of another locale, ~1.1 s cold; issue #18)."""
    from markupsafe import escape

    page = print_html(doc, options)
    head = page[:page.index("<body")] if "<body" in page else page
    titles = " ".join(s.title.plain() for _, s in zip(range(8), doc.document.walk_sections(),
                                                       strict=False))
    write_pdf(doc, options, f"{head}<body><p>{escape(titles)}</p></body></html>")


# WeasyPrint 70's structure tree builder, as read (pdf_weasyprint.READ)
_BUILD_BOX_TREE = ["box", "parent", "pdf", "page_number", "nums", "annotations", "tags"]


def _tag_languages() -> bool:
    """WeasyPrint's tagged PDF gives only the catalog a /Lang; text in another language (a
    fallback to the source language: <span lang="en">) gets its own /Lang on its structure
    element, as PDF/UA asks, so screen readers switch voice. Wraps WeasyPrint's tree builder
    (weasyprint.pdf.tags._build_box_tree) once, only on a WeasyPrint read
    (pdf_weasyprint.READ) where it has this shape; whether it is wrapped (tested)."""
    import functools

    from compiler.renderers.pdf_weasyprint import wrappable

    try:
        import pydyf
        from weasyprint.pdf import tags
    except ImportError:
        return False
    original = wrappable(tags, "_build_box_tree", "policyc_lang", _BUILD_BOX_TREE)
    if isinstance(original, bool):
        return original

    @functools.wraps(original)
    def build(box, parent, pdf, *args):  # type: ignore[no-untyped-def]
        element = getattr(box, "element", None)
        lang = element.get("lang") if element is not None and hasattr(element, "get") else None
        for struct in original(box, parent, pdf, *args):
            if lang and element.tag != "html" and struct.get("P") == parent.reference:
                struct["Lang"] = pydyf.String(lang)
            yield struct

    build.policyc_lang = True  # type: ignore[attr-defined]
    tags._build_box_tree = build
    return True


_tag_languages()
pdf_words.install()  # a word hyphenated at a line end copies whole (/ActualText)
pdf_leaders.install()  # a TOC line's dots: one text box, not one per dot
pdf_targets.install()  # TOC page numbers: the TOC pages laid out once more, not twice
pdf_memory.install()  # superseded pages and painted pages' operators go at once


# Font configurations shared by the PDFs of a process, for every page that cannot add fonts
# of its own: Pango then keeps the fonts it loaded and measured from one PDF to the next,
# ~6 % of a PDF's time (issue #18); the bytes are the same as with a fresh configuration
# (checked by a test). Each render borrows one for its layout and writing and gives it back
# (Pango's font maps are not to be used by two threads at once), so a configuration outlives
# the thread that made it: the warm worker renders each request in the thread of its
# connection, and with one configuration per thread it set up Pango afresh for every PDF
# (its PDFs took ~15 % more CPU than the same PDF in a warm process). A page with
# @font-face, @import or a linked stylesheet gets a fresh one, so fonts that one page adds
# can never change how another is set.
_idle_fonts: list[FontConfiguration] = []  # as many as PDFs were rendered at once, at most
_idle_lock = threading.Lock()
_OWN_FONTS = re.compile(r"@font-face|@import|<link\b", re.IGNORECASE)


@contextlib.contextmanager
def _font_config(page: str) -> Iterator[FontConfiguration | None]:
    """A font configuration for one render of `page` (None: WeasyPrint makes a fresh one)."""
    if _OWN_FONTS.search(page):
        yield None
        return
    with _idle_lock:
        config = _idle_fonts.pop() if _idle_fonts else FontConfiguration()
    try:
        yield config
    finally:
        with _idle_lock:
            _idle_fonts.append(config)


# A long document's layout leaves objects in reference cycles (the layout context with
# its style maps, computed styles and their anonymous styles): they are collected, and the
# freed heap given back to the system, before the PDF objects are made; once every page
# is drawn, the page boxes go too, before the PDF is serialized (superseded pages go as
# soon as they are replaced: pdf_memory). The 149-page benchmark document peaks at 300 MB
# in one process, 335 MB without this (issue #18). Shorter documents skip it: for them
# the collections cost more time than the memory is worth.
_LONG = 40  # pages


# The youngest generation is collected every 20,000 net allocations instead of 700 in a
# process that lays PDFs out: a layout makes millions of short-lived objects, most freed by
# their reference counts, and each pass found little else. 7 PDFs in one process: 2.9 %
# less CPU (1.451 against 1.494 s for three, interleaved), peak memory 216 against 220 MB.
GC_THRESHOLD = 20_000


def collect_less() -> tuple[int, int, int]:
    """The collector's thresholds for a process that renders PDFs; the previous ones back."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, before[1], before[2])
    return before


def _release_layout_garbage() -> None:
    import ctypes
    import gc
    import sys

    gc.collect()
    if sys.platform.startswith("linux"):
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc, not musl
        if trim is not None:
            trim(0)


def write_pdf(doc: LocalizedDocument, options: RenderOptions, page: str,
              identifier: str = "") -> bytes:
    """Lay out a print page of doc (the policy's, or a redline's) into PDF bytes."""
    with _font_config(page) as fonts:  # until the PDF is written (its fonts are subset)
        return _write_pdf(doc, options, page, identifier, fonts)


def _write_pdf(doc: LocalizedDocument, options: RenderOptions, page: str, identifier: str,
               fonts: FontConfiguration | None) -> bytes:
    fetcher = SandboxedFetcher(*options.templates.roots)
    html = weasyprint.HTML(
        string=page,
        base_url=str(options.templates.roots[0]) + "/",
        url_fetcher=fetcher,
    )
    if options.cache is not None:
        hyphenation.preload(doc.language.tag, options.cache)
    document = html.render(pdf_variant=options.pdf_variant, font_config=fonts)
    if options.cache is not None:  # the words asked: the next process needs no patterns
        hyphenation.remember(doc.language.tag, options.cache)
    long = len(document.pages) >= _LONG
    if long:
        _release_layout_garbage()

    def finisher(document: weasyprint.Document, pdf: Any) -> None:
        finish(document, pdf)
        if long:  # every page is drawn: only the PDF objects are left to write
            document.pages.clear()
            _release_layout_garbage()

    _extend_xmp(document, _xmp_descriptions(doc))
    pdf = document.write_pdf(
        pdf_variant=options.pdf_variant,
        pdf_identifier=(identifier or
                        f"{doc.meta.id}-{doc.meta.version}-{doc.language.code}").encode(),
        uncompressed_pdf=False,
        attachments=_attachments(doc, options),
        finisher=finisher,
    )
    assert pdf is not None
    return pdf
