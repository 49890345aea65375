"""Fidelity: does the HTML built from an imported source hold every sentence of the input?

The input's text is read independently of the import (markdown-it's own HTML, python-docx's
paragraph text, lxml's text of the page); the built page's text is read with lxml. Each
input sentence is looked for in the output, in order; a miss is listed with its place.
"""

from __future__ import annotations

import dataclasses
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
    # plain text: lines that stand alone in the input (a list item, a line between blank
    # lines) and stand alone in the built page too (one heading, item or paragraph)
    lines_total: int = 0
    lines_found: int = 0

    @property
    def share(self) -> float:
        return 100.0 if not self.total else 100.0 * self.found / self.total


def _words(text: str) -> str:
    """Words only: punctuation a layout adds or drops (a contact label's colon drawn by CSS,
    typographic quotes) does not make a sentence missing."""
    return " ".join(re.findall(r"\w+", norm(text)))


_LABEL = re.compile(r"[^\W\d_][\w ]{0,30}?\s*[:：]\s+(?=\S)")


def compare(input_sentences: list[str], output_text: str,
            notes: tuple[str, ...] = ()) -> Fidelity:
    """Each sentence found in the output after the previous one (in order); a sentence
    found only earlier counts as found but out of order, and is listed. A sentence opening
    with a label ('Note: ...', '**Important:** ...') whose rest is the text of one of the
    page's notes counts as found: the readers make such a paragraph a note and drop its
    label, which the page draws in its own words (or not at all, for an info note)."""
    hay = " " + _words(output_text) + " "
    in_notes = " ".join(" " + _words(n) + " " for n in notes)
    pos = 0
    found = 0
    misses: list[str] = []
    for sentence in input_sentences:
        label = _LABEL.match(sentence)
        rest = sentence[label.end():] if label else sentence
        s = " " + _words(rest if " " + _words(rest) + " " in in_notes else sentence) + " "
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
    blocks = root.xpath(".//p|.//li[not(.//p)]|.//h1|.//h2|.//h3|.//h4|.//h5|"
                        ".//h6|.//td|.//th|.//dt|.//dd|.//caption")
    return [_own_text(b) if b.tag == "li" else b.text_content() for b in blocks]


def _own_text(li: object) -> str:
    """A list item's text without the lists nested in it (their items are blocks of their own)."""
    parts: list[str] = li.xpath("text()|*[not(self::ul or self::ol)]//text()"  # type: ignore[attr-defined]
                                "|*[not(self::ul or self::ol)]/text()")
    return "".join(parts)


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


_MARKER = re.compile(r"\s*(?:[•\-*–◦▪·‣●○]|\d{1,3}[.)])\s+(?=\S)")
_RULE = re.compile(r"\s*(=+|-+)\s*")


def text_lines(data: bytes) -> tuple[list[str], list[str]]:
    """A plain-text input's lines (their list markers and rules dropped) and those that
    stand alone: a list item (with the indented lines that continue it), or a line between
    blank lines or rules. A paragraph's opening 'Note:' (the reader's rule: it became a note whose
    label the page draws, or none for an info note) is dropped too."""
    from compiler.readers.plaintext import NOTE

    text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    out: list[str] = []
    alone: list[str] = []
    item_indent = -1  # the marker's indentation of the list item being read, else -1
    for k, line in enumerate(lines):
        if not line.strip() or _RULE.fullmatch(line):
            item_indent = -1
            continue
        m = _MARKER.match(line)
        body = line[m.end():] if m else line
        indent = len(line) - len(line.lstrip())
        if not m and 0 <= item_indent < indent:
            out.append(body)
            alone[-1] += " " + body.strip()
            continue
        item_indent = indent if m else -1
        blank_before = k == 0 or _apart(lines[k - 1])
        note = None if m or not blank_before else NOTE.match(body.strip())
        body = body.strip()[note.end():] if note else body
        out.append(body)
        blank_after = k + 1 == len(lines) or _apart(lines[k + 1])
        if m or (blank_before and blank_after):
            alone.append(body)
    return out, alone


def _apart(line: str) -> bool:
    """A line that sets its neighbours apart: a blank line, or a rule ('-----', '=====')
    of three or more, which the reader leaves out or reads as the line above's underline."""
    return not line.strip() or (bool(_RULE.fullmatch(line)) and len(line.strip()) >= 3)


def _unit(text: str) -> str:
    """A block's words without a leading clause or item number ('1. Scope' = 'Scope')."""
    return re.sub(r"\A(?:\d+ )+", "", _words(text))


def html_units(data: bytes) -> set[str]:
    """The words of each block of a built page that a reader sees as one: the title, a
    heading, a paragraph, a list item (without its nested list), a note (with and without
    the label the page draws), a table cell."""
    from lxml import html as lhtml

    page = lhtml.document_fromstring(data, parser=safe_html_parser())
    found = page.xpath("//div[contains(concat(' ', @class, ' '), ' body ')]")
    root = found[0] if found else page
    units = {_unit(h.text_content()) for h in page.xpath("//h1")}
    for el in root.xpath(".//p|.//li|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6|.//td|.//th|.//aside"):
        units.add(_unit(_own_text(el) if el.tag == "li" else el.text_content()))
    units.update(_unit(text) for text in note_texts(data))
    return units


def note_texts(data: bytes) -> tuple[str, ...]:
    """The text of each note of a built page, without the label the page draws."""
    from lxml import html as lhtml

    page = lhtml.document_fromstring(data, parser=safe_html_parser())
    for label in page.xpath("//aside//strong[contains(@class, 'note-label')]"):
        label.drop_tree()  # keeps the text after it
    return tuple(a.text_content() for a in page.xpath("//aside[contains(@class, 'note')]"))


def input_blocks(path: Path, fmt: str, data: bytes) -> list[str]:
    """The input's text, read without the import's readers."""
    if fmt == "text":
        return text_lines(data)[0]
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
    page = built_html(doc)
    fidelity = compare(sentences(input_blocks(path, fmt, data)), " ".join(html_blocks(page)),
                       note_texts(page))
    if fmt != "text":
        return fidelity
    # Plain text has no markup: besides its sentences, a line that stands alone (a bullet,
    # a heading-like line) must stand alone in the page, not be merged into a paragraph.
    units = html_units(page)
    alone = text_lines(data)[1]
    merged = [f"not on its own in the page: {norm(line)[:80]!r}" for line in alone
              if _unit(line) and _unit(line) not in units]
    return dataclasses.replace(fidelity, misses=fidelity.misses + tuple(merged),
                               lines_total=len(alone), lines_found=len(alone) - len(merged))
