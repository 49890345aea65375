"""Fidelity: does the HTML built from an imported source hold every sentence of the input?

The input's text is read independently of the import (markdown-it's own HTML, python-docx's
paragraph text, lxml's text of the page); the built page's text is read with lxml. Each
input sentence is looked for in the output, in order; a miss is listed with its place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from compiler.i18n.catalogs import Translations
from compiler.model import Document

_SPLIT = re.compile(r"(?<=[.!?;。！？])\s+|(?<=[。！？])")
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad"))


def norm(text: str) -> str:
    """Text compared the way a reader reads it: NFC, one kind of space, no bidi marks,
    straight quotes."""
    text = unicodedata.normalize("NFKC", text).translate(_BIDI)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace(
        "\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def sentences(blocks: list[str]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        for part in _SPLIT.split(norm(block)):
            s = part.strip()
            if sum(ch.isalnum() for ch in s) >= 3:
                out.append(s)
    return out


@dataclass(frozen=True)
class Fidelity:
    total: int
    found: int
    misses: tuple[str, ...] = field(default=())

    @property
    def share(self) -> float:
        return 100.0 if not self.total else 100.0 * self.found / self.total


def _words(text: str) -> str:
    """Words only: punctuation a layout adds or drops (a contact label's colon drawn by CSS,
    typographic quotes) does not make a sentence missing."""
    return " ".join(re.findall(r"\w+", norm(text)))


def compare(input_sentences: list[str], output_text: str) -> Fidelity:
    """Each sentence found in the output after the previous one (in order); a sentence
    found only earlier counts as found but out of order, and is listed."""
    hay = " " + _words(output_text) + " "
    pos = 0
    found = 0
    misses: list[str] = []
    for sentence in input_sentences:
        s = " " + _words(sentence) + " "
        at = hay.find(s, pos)
        if at >= 0:
            found += 1
            pos = at + len(s) - 1
        elif s in hay:
            found += 1
            misses.append(f"out of order: {sentence[:80]!r}")
        else:
            misses.append(f"missing: {sentence[:80]!r}")
    return Fidelity(len(input_sentences), found, tuple(misses))


def html_blocks(data: bytes | str, *, body_only: bool = False) -> list[str]:
    """The text of an HTML page's block elements (script, style and templates excluded)."""
    from lxml import html as lhtml

    root = lhtml.document_fromstring(data, parser=safe_html_parser())
    for bad in root.xpath("//script|//style|//template|//noscript|//head|//nav|//footer|"
                              "//p[contains(@class,'downloads')]|//p[contains(@class,'redline-link')]"):
        bad.drop_tree()
    for br in root.iter("br"):  # a line break separates the words on either side
        br.tail = "\n" + (br.tail or "")
    if body_only:
        found = root.xpath("//div[contains(concat(' ', @class, ' '), ' body ')]")
        root = found[0] if found else root
    blocks = root.xpath(".//p|.//li[not(.//p) and not(.//li)]|.//h1|.//h2|.//h3|.//h4|.//h5|"
                        ".//h6|.//td|.//th|.//dt|.//dd|.//caption")
    return [b.text_content() for b in blocks]


def safe_html_parser() -> object:
    from lxml import html as lhtml

    return lhtml.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                            huge_tree=False)


def built_html(doc: Document, translations: Translations | None = None) -> bytes:
    """The HTML page of the imported source in its own language, built in memory; with
    translations (a catalog of the same language), the template's words come from it."""
    import dataclasses

    from compiler.i18n.localize import localize
    from compiler.renderers import RenderOptions
    from compiler.renderers.html import render

    code = doc.meta.source_locale
    if translations is not None:  # localize() looks words up only for a non-source locale
        meta = dataclasses.replace(doc.meta, source_locale="und", locales=("und", code))
        doc = dataclasses.replace(doc, meta=meta)
    localized, _ = localize(doc, code, translations)
    return render(localized, RenderOptions())


def input_blocks(path: Path, fmt: str, data: bytes) -> list[str]:
    """The input's text, read without the import's readers."""
    if fmt == "markdown":
        from markdown_it import MarkdownIt

        text = data.decode("utf-8").removeprefix("\ufeff")
        text = re.sub(r"\A---\s*\n.*?\n(---|\.\.\.)\s*\n", "", text, flags=re.DOTALL)
        # kramdown attribute lists ({: datetime="..." }) are site-generator markup, not text
        text = re.sub(r"(?m)^\s*\{:[^}\n]*\}\s*$", "", text)
        html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
        return html_blocks("<html><body>" + html + "</body></html>")
    if fmt == "docx":
        import io

        import docx

        d = docx.Document(io.BytesIO(data))
        out: list[str] = []
        for p in d.paragraphs:
            name = (p.style.name if p.style is not None else "").lower()
            if not name.startswith("toc"):
                out.append(p.text)
        for t in d.tables:
            for row in t.rows:
                out.extend(c.text for c in row.cells)
        return out
    return html_blocks(data.decode("utf-8", "replace"))


def verify(path: Path, fmt: str, data: bytes, doc: Document) -> Fidelity:
    return compare(sentences(input_blocks(path, fmt, data)),
                   " ".join(html_blocks(built_html(doc))))
