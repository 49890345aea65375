"""pdf_memory: superseded pages freed at once, painted pages' operators joined, same bytes."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from weasyprint import HTML, layout
from weasyprint.document import Page

from compiler.renderers import pdf, pdf_memory, pdf_words

# Small pages of German text hyphenated at line ends (so some word is hyphenated across a
# page break: pdf_words marks it on two pages), a table of contents whose page numbers
# (target-counter) make WeasyPrint lay its pages out again, and "page X of Y".
_WORDS = ("Datenschutzgrundverordnung Verarbeitungstätigkeiten Auftragsverarbeitung "
          "Einwilligungserklärung Informationspflichten Beschwerdemöglichkeit ") * 4
PAGE = (
    '<html lang="de"><head><title>Test</title><style>'
    "@page { size: 80mm 60mm; margin: 8mm 6mm;"
    " @bottom-center { content: counter(page) ' / ' counter(pages); font-size: 6pt } }"
    "body { font-size: 8pt; hyphens: auto; text-align: justify }"
    "nav a { display: block } nav a::after { content: leader('.') target-counter(attr(href), page) }"
    "h1 { font-size: 9pt; break-before: page }"
    "</style></head><body><nav>"
    + "".join(f'<a href="#s{i}">Abschnitt {i}</a>' for i in range(20))
    + "</nav>"
    + "".join(f'<h1 id="s{i}">Abschnitt {i}</h1><p>{_WORDS}</p>' for i in range(20))
    + "</body></html>"
)


def _write(finisher: Any = None) -> bytes:
    data = HTML(string=PAGE).write_pdf(pdf_variant="pdf/a-3a", finisher=finisher)
    assert data is not None
    return data


def test_wraps_installed_by_the_pdf_renderer() -> None:
    assert pdf.pdf_memory is pdf_memory
    assert getattr(layout.make_all_pages, "policyc_memory", False)
    assert getattr(Page.paint, "policyc_memory", False)


def test_same_bytes_as_without_the_wraps(monkeypatch: pytest.MonkeyPatch) -> None:
    held = []
    holds = pdf_words.holds

    def spy(stream: Any) -> bool:
        held.append(holds(stream))
        return held[-1]

    monkeypatch.setattr(pdf_words, "holds", spy)
    wrapped = _write()
    assert any(held), "no word was hyphenated across a page break: the case is not tested"
    monkeypatch.setattr(layout, "make_all_pages", layout.make_all_pages.__wrapped__)
    monkeypatch.setattr(Page, "paint", Page.paint.__wrapped__)
    assert _write() == wrapped


def test_superseded_pages_are_freed_without_the_garbage_collector(
        monkeypatch: pytest.MonkeyPatch) -> None:
    dropped: list[weakref.ref[Any]] = []
    drop = pdf_memory.drop_page

    def spy(pages: list[Any], i: int) -> None:
        dropped.append(weakref.ref(pages[i]))
        drop(pages, i)

    monkeypatch.setattr(pdf_memory, "drop_page", spy)
    gc.collect()
    gc.disable()
    try:
        _write()
        assert dropped, "no page was laid out again: the case is not tested"
        assert [ref() for ref in dropped] == [None] * len(dropped)
    finally:
        gc.enable()


def test_painted_pages_operators_are_joined() -> None:
    sizes: list[int] = []

    def finisher(_document: Any, pdf_file: Any) -> None:
        for obj in pdf_file.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Page":
                contents = pdf_file.objects[int(obj["Contents"].split()[0])]
                sizes.append(len(contents.stream))

    _write(finisher)
    assert len(sizes) > 10
    assert sum(size > 1 for size in sizes) <= 1  # a last line still held by pdf_words
