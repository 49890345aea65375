"""policyc's own HTML and DOCX outputs, for every shipped document and locale, import back to a
source that builds to the same text (read with lxml from both pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.build import load_translations
from compiler.importer.run import import_file
from compiler.importer.verify import built_html, html_blocks, norm
from compiler.readers import ReadOptions
from compiler.readers import read_file as load
from tests.helpers import ROOT
from tests.importer.conftest import SOURCES

CASES = [(src, code, fmt) for src in SOURCES for code in load(src).meta.locales
         for fmt in ("html", "docx")]


def _body(page: bytes) -> list[str]:
    return [t for t in (norm(b) for b in html_blocks(page, body_only=True)) if t]


@pytest.mark.parametrize(("source", "code", "fmt"), CASES,
                         ids=[f"{s.stem}-{c}-{f}" for s, c, f in CASES])
def test_output_imports_back_to_the_same_text(shipped: Path, source: Path, code: str,
                                              fmt: str) -> None:
    doc_id = load(source).meta.id
    result = import_file(shipped / code / f"{doc_id}.{fmt}", ReadOptions())
    doc = result.document
    assert doc.meta.id == doc_id
    assert doc.meta.source_locale == code
    assert not [f for f in result.findings if f.kind in ("unmapped", "guessed")]
    original = load(source)
    assert [s.id for s in doc.walk_sections()] == [s.id for s in original.walk_sections()]
    assert (doc.meta.version, doc.meta.updated, doc.meta.effective) == (
        original.meta.version, original.meta.updated, original.meta.effective)
    assert [(c.version, c.date, c.material) for c in doc.meta.changes] == [
        (c.version, c.date, c.material) for c in original.meta.changes]
    # The template's words (labels, "Version History") come from the locale's catalogs.
    translations = load_translations(original, code, ROOT / "locales")
    rebuilt = built_html(doc, translations)
    page = (shipped / code / f"{doc_id}.html").read_bytes()
    assert _body(rebuilt) == _body(page)
