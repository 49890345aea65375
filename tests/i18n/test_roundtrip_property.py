"""The property STYLE.md promises: extract -> a catalog translating every message to itself
-> localize gives back the same document, for any document the format allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.i18n.catalogs import parse_translations
from compiler.i18n.extract import template_catalog, ui_catalog, write_catalog
from compiler.i18n.localize import localize
from compiler.model import LocalizedDocument
from compiler.model.walk import rich_fields
from compiler.readers.yaml import load_text

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüéßçñ", min_size=1, max_size=10)
PIECE = st.one_of(
    WORD, WORD.map(lambda w: f"**{w}**"), WORD.map(lambda w: f"*{w}*"),
    st.just("{company}"), st.just("{support}"), st.just("{period}"),
    WORD.map(lambda w: f"[{w}](https://example.com/{w})"), st.sampled_from([",", ".", "?", "–"]),
)
SENTENCE = st.lists(PIECE, min_size=1, max_size=8).map(" ".join).map(lambda s: s[0].upper() + s[1:]
                                                                     if s[0].isalpha() else s)
ITEM = st.one_of(SENTENCE, st.builds(lambda t, x: {"term": t, "text": x}, WORD, SENTENCE))
BLOCK = st.one_of(
    SENTENCE.map(lambda s: {"paragraph": s}),
    st.lists(ITEM, min_size=1, max_size=3).map(lambda items: {"bullets": items}),
    st.lists(SENTENCE, min_size=1, max_size=3).map(lambda items: {"numbered": items}),
    st.builds(lambda s, k: {"note": s, "kind": k}, SENTENCE,
              st.sampled_from(["important", "info", "warning"])),
    st.builds(lambda c, h, r: {"table": {"caption": c, "header": h, "rows": [r]}},
              SENTENCE, st.lists(WORD, min_size=2, max_size=2),
              st.lists(SENTENCE, min_size=2, max_size=2)),
    st.lists(st.builds(lambda t, x: {"term": t, "text": x}, WORD, SENTENCE), min_size=1,
             max_size=2).map(lambda items: {"definitions": items}),
    st.lists(st.builds(lambda label, value: {"label": label, "value": value}, WORD,
                       st.sampled_from(["{support}", "{company}, Main Street 1"])),
             min_size=1, max_size=2).map(lambda entries: {"contact": entries}),
    st.builds(lambda t, x, a: {"cta": {"title": t, "text": x, "action": a,
                                       "href": "mailto:{support}"}}, SENTENCE, SENTENCE, WORD),
    st.lists(SENTENCE, min_size=1, max_size=3).map(lambda lines: {"address": lines}),
)


@st.composite
def sources(draw: st.DrawFn) -> str:
    sections: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 4))):
        section: dict[str, Any] = {"id": f"s{i}", "title": draw(SENTENCE),
                                   "blocks": draw(st.lists(BLOCK, min_size=1, max_size=4))}
        if draw(st.booleans()):
            section["sections"] = [{"id": f"s{i}-sub", "title": draw(SENTENCE),
                                    "blocks": draw(st.lists(BLOCK, min_size=1, max_size=2))}]
        sections.append(section)
    data = {"id": "prop", "title": draw(SENTENCE), "version": "1.0.0",
            "updated": dt.date(2025, 1, 15), "effective": dt.date(2025, 2, 1),
            "source_locale": "en", "locales": ["en", "de"], "organization": "Example",
            "description": draw(SENTENCE),
            "variables": {"company": "Example", "support": {"email": "help@example.com"},
                          "period": {"duration": "30 days"}},
            "changes": [{"version": "1.0.0", "date": dt.date(2025, 1, 15),
                         "summary": draw(SENTENCE), "material": False}],
            "sections": sections}
    if draw(st.booleans()):
        data["blocks"] = draw(st.lists(BLOCK, min_size=1, max_size=2))  # the preamble
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _content(ldoc: LocalizedDocument) -> list[tuple[str, str, object]]:
    """Every string of the document's own (not the locale's labels and dates in the version
    history): its context, markup and parsed inlines."""
    doc = ldoc.document
    return [(r.context, r.source, r.inlines) for r in rich_fields(doc) if r.context != "ui"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sources())
def test_identity_catalog_gives_the_same_document(text: str) -> None:
    doc = load_text(text, "prop.yaml")
    catalog, ui = template_catalog(doc), ui_catalog(doc.meta.updated)
    for message in [*catalog.messages, *ui.messages]:
        message.msgstr = message.msgid
    translations = parse_translations(write_catalog(catalog), "prop.de.po", "de",
                                      parse_translations(write_catalog(ui), "policyc.po", "de"))
    same, diag = localize(doc, "de", translations)
    assert diag.items == []
    reference, _ = localize(doc, "de", None)  # the source's own words, German formatting
    assert _content(same) == _content(reference)
    assert [type(b) for b in same.document.preamble] == [
        type(b) for b in reference.document.preamble]
    assert [s.id for s in same.document.walk_sections()] == [
        s.id for s in reference.document.walk_sections()]
    c = same.completeness
    assert (c.translated, c.fuzzy, c.untranslated) == (c.total, 0, 0)
