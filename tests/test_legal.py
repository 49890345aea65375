"""Legal structure in the model: clause numbers, list styles, item blocks, cross-references,
code spans, definitions, addresses, table widths and lenient change logs."""

from __future__ import annotations

import textwrap

import pytest

from compiler import legal
from compiler.errors import CompilerError
from compiler.i18n.catalogs import Translations
from compiler.i18n.extract import document_messages
from compiler.i18n.localize import localize
from compiler.inline import parse_inline
from compiler.model import (
    Address,
    Code,
    Definitions,
    Document,
    ItemList,
    ListStyle,
    Paragraph,
    Ref,
    Table,
    Text,
)
from compiler.readers import read_file as load
from compiler.readers.yaml import load_text
from tests.helpers import FIXTURES

CONSTRUCTS = FIXTURES / "legal" / "source" / "constructs.yaml"

HEAD = """\
id: t
title: T
version: 1.0.0
updated: 2025-01-01
effective: 2025-01-01
source_locale: en
locales: [en]
organization: Org
"""


def _load(body: str) -> Document:
    return load_text(HEAD + textwrap.dedent(body), "t.yaml")


def _errors(body: str) -> list[str]:
    with pytest.raises(CompilerError) as info:
        _load(body)
    return [str(d) for d in info.value.diagnostics]


def test_sections_numbered_in_reading_order_skipping_unnumbered() -> None:
    doc = load(CONSTRUCTS)
    numbers = {s.id: s.number for s in doc.walk_sections()}
    assert numbers == {"preamble": "", "definitions": "1", "fees": "1.1", "law": "2"}


def test_unnumbered_section_keeps_its_subsections_unnumbered() -> None:
    doc = _load("""\
        numbering: decimal
        sections:
          - {id: a, title: A, blocks: [x]}
          - id: annex
            title: Annex
            numbered: false
            sections: [{id: annex-one, title: One, blocks: [y]}]
          - {id: b, title: B, blocks: [z]}
        """)
    assert [(s.id, s.number) for s in doc.walk_sections()] == [
        ("a", "1"), ("annex", ""), ("annex-one", ""), ("b", "2")]


def test_no_numbers_by_default() -> None:
    doc = _load("sections: [{id: a, title: A, blocks: [x]}]\n")
    assert [s.number for s in doc.walk_sections()] == [""]


def test_markers() -> None:
    assert [legal.marker(ListStyle.LOWER_ALPHA, n) for n in (1, 2, 26, 27)] == [
        "(a)", "(b)", "(z)", "(aa)"]
    assert [legal.marker(ListStyle.LOWER_ROMAN, n) for n in (1, 4, 9, 14, 40)] == [
        "(i)", "(iv)", "(ix)", "(xiv)", "(xl)"]
    assert legal.marker(ListStyle.UPPER_ROMAN, 4) == "(IV)"
    assert legal.marker(ListStyle.UPPER_ALPHA, 3) == "(C)"
    assert legal.marker(ListStyle.DECIMAL, 12) == "12."
    assert legal.heading_number("7") == "7." and legal.heading_number("7.2") == "7.2"


def _lists(doc: Document) -> list[ItemList]:
    out: list[ItemList] = []

    def visit(blocks: tuple[object, ...]) -> None:
        for b in blocks:
            if isinstance(b, ItemList):
                out.append(b)
                for item in b.items:
                    visit(item.blocks)
                    if item.sublist:
                        visit((item.sublist,))

    for s in doc.walk_sections():
        visit(s.blocks)
    return out


def test_nested_numbered_lists_follow_the_legal_sequence_and_options() -> None:
    outer, inner, innermost, roman, clause = _lists(load(CONSTRUCTS))
    assert clause.style is ListStyle.CLAUSE
    assert (outer.style, inner.style, innermost.style) == (
        ListStyle.DECIMAL, ListStyle.LOWER_ALPHA, ListStyle.LOWER_ROMAN)
    assert outer.separator == ". " and inner.separator is None
    assert (roman.style, roman.start) == (ListStyle.UPPER_ROMAN, 4)


def test_item_holds_blocks() -> None:
    outer = _lists(load(CONSTRUCTS))[0]
    item = outer.items[1]
    assert item.text is None
    assert [type(b).__name__ for b in item.blocks] == ["Paragraph", "ItemList", "Paragraph"]


def test_item_with_text_and_blocks_is_an_error() -> None:
    errors = _errors("""\
        sections:
          - id: a
            title: A
            blocks:
              - numbered:
                  - text: x
                    blocks: [y]
        """)
    assert errors == ["t.yaml:15:21: error: sections[0].blocks[0].numbered[0]: a list item has "
                      "either 'text' or 'blocks', not both (make the text the first block)"]


def test_list_style_and_start_errors_are_located() -> None:
    errors = _errors("""\
        sections:
          - id: a
            title: A
            blocks:
              - numbered: [x]
                style: greek
                start: two
        """)
    assert errors == [
        "t.yaml:14:16: error: sections[0].blocks[0].numbered.style: unknown list style 'greek' "
        "(expected one of: decimal, lower-alpha, upper-alpha, lower-roman, upper-roman, clause)",
        "t.yaml:15:16: error: sections[0].blocks[0].numbered.start: invalid start 'two' "
        "(expected a whole number such as 1 or 4)"]


def test_definitions_address_and_widths() -> None:
    doc = load(CONSTRUCTS)
    defs = doc.sections[1].blocks[0]
    assert isinstance(defs, Definitions)
    assert [d.term.plain() for d in defs.items] == ["Services", "Cookie"]
    address = doc.sections[1].blocks[1]
    assert isinstance(address, Address)
    assert [x.plain() for x in address.lines] == ["Acme Ltd", "1 Harbour Street",
                                                  "Dublin D02 X285"]
    table = doc.sections[1].sections[0].blocks[2]
    assert isinstance(table, Table) and table.widths == (1.0, 3.0)
    assert table.rows[0][1].plain() == "Keeps you signed in.\nExpires after a day."


def test_address_as_a_block_scalar() -> None:
    doc = _load("""\
        sections:
          - id: a
            title: A
            blocks:
              - address: |
                  Org GmbH
                  Hauptstraße 1
        """)
    block = doc.sections[0].blocks[0]
    assert isinstance(block, Address)
    assert [x.plain() for x in block.lines] == ["Org GmbH", "Hauptstraße 1"]
    assert block.lines[1].loc.line == 15


def test_widths_must_match_columns() -> None:
    errors = _errors("""\
        sections:
          - id: a
            title: A
            blocks:
              - table:
                  widths: [1, 2, 3]
                  header: [x, y]
                  rows: [[a, b]]
        """)
    assert errors == ["t.yaml:14:19: error: sections[0].blocks[0].table.widths: 3 widths for 2 "
                      "columns (expected one per header cell)"]


def test_changes_accept_date_versions_without_material() -> None:
    doc = load(CONSTRUCTS)
    (change,) = doc.meta.changes
    assert change.version == "2024-02-01" and change.material is None


def test_unknown_cross_reference_is_a_located_error() -> None:
    errors = _errors("""\
        sections:
          - id: data-use
            title: A
            blocks: ["See {ref:data-uses}."]
        """)
    assert errors == ["t.yaml:12:19: error: cross-reference '{ref:data-uses}' names no section id; "
                      "did you mean '{ref:data-use}'?"]


def test_literal_braces_get_a_hint() -> None:
    errors = _errors("""\
        sections:
          - {id: a, title: A, blocks: ["The {HASH} of the file."]}
        """)
    assert any("placeholder '{HASH}' names no variable" in e and "\\{HASH}" in e
               for e in errors), errors


def test_text_with_spaces_read_as_a_key_gets_a_quoting_hint() -> None:
    errors = _errors("""\
        sections:
          - id: a
            title: A
            blocks:
              - bullets:
                  - term: x
                    Note that: this is text
        """)
    assert any("unknown key 'Note that'" in e and "put the whole text in quotes" in e
               for e in errors), errors


def test_text_cut_by_a_yaml_comment_warns() -> None:
    doc = load_text(HEAD + textwrap.dedent("""\
        sections:
          - id: a
            title: A
            blocks:
              - "Use channel #general for help"
              - Email us # at support
        """), "t.yaml")
    assert [w.message for w in doc.warnings if "YAML drops" in w.message]
    (warning,) = doc.warnings
    assert (warning.loc.line, warning.loc.column) == (14, 18)
    assert "put the whole text in quotes" in warning.message


def test_commonmark_emphasis_keeps_literal_stars() -> None:
    for text in ("cookie_*", "2 * 3", "*", "a ** b", "snake_case_name"):
        inlines, errors = parse_inline(text)
        assert (inlines, errors) == ((Text(text),), []), text
    inlines, errors = parse_inline("*really* **bold**")
    assert not errors and len(inlines) == 3


def test_code_spans_are_verbatim() -> None:
    inlines, errors = parse_inline("Set `wp_*` and ``a`b`` and ` padded `")
    assert not errors
    assert [n.text for n in inlines if isinstance(n, Code)] == ["wp_*", "a`b", "padded"]
    assert parse_inline("a ` lone") == ((Text("a ` lone"),), [])


def test_inline_parse_stays_linear_on_many_backticks() -> None:
    import time

    def seconds(n: int) -> float:
        text = "`" + " x `` y" * n + " `cookie_*` *" * n
        start = time.process_time()
        parse_inline(text)
        return time.process_time() - start

    # CPU time, the fastest of several runs: waiting for a core on a loaded machine does not
    # count (wall time failed at load 8 with 2 cores), other processes only slow runs down.
    small, large = min(seconds(2000) for _ in range(5)), min(seconds(8000) for _ in range(5))
    assert large < 10 * small + 0.1  # linear: about 4x; quadratic would be 16x


def test_refs_parse() -> None:
    inlines, errors = parse_inline("See {ref:fees}.")
    assert not errors and inlines[1] == Ref("fees")
    _, errors = parse_inline("See {ref:Fees!}.")
    assert errors and "invalid cross-reference" in errors[0].message


def test_localized_refs_read_section_number_or_title() -> None:
    doc, _ = localize(load(CONSTRUCTS), "en", None)
    law = next(s for s in doc.document.walk_sections() if s.id == "law")
    para = law.blocks[0]
    assert isinstance(para, Paragraph)
    refs = [n for n in para.text.inlines if isinstance(n, Ref)]
    assert [(r.target, r.label) for r in refs] == [
        ("fees", (Text("Section 1.1"),)), ("preamble", (Text("Background"),))]


def test_extract_notes_refs_and_code() -> None:
    messages = {m.msgid: m for m in document_messages(load(CONSTRUCTS))}
    law = messages["See {ref:fees} and {ref:preamble}; cookie_* names and 2 * 3 stay text."]
    assert any(c.startswith('{ref:fees}: cross-reference to the section "Fees"')
               for c in law.comments)
    cookie = messages["A small file such as `wordpress_logged_in_*`."]
    assert any("`wordpress_logged_in_*`: code; keep it verbatim" in c for c in cookie.comments)


def _translations(tmp_path: object, pairs: dict[str, str]) -> Translations:
    from pathlib import Path

    from compiler.i18n.catalogs import read_translations

    doc = load(CONSTRUCTS)
    lines = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for m in document_messages(doc):
        if m.msgid in pairs:
            lines += [f'msgctxt "{m.context}"', f'msgid "{m.msgid}"',
                      f'msgstr "{pairs[m.msgid]}"', ""]
    po = Path(str(tmp_path)) / "de.po"
    po.write_text("\n".join(lines), encoding="utf-8")
    return read_translations(po, "de")


def test_translation_must_keep_refs_and_code(tmp_path: object) -> None:
    law = "See {ref:fees} and {ref:preamble}; cookie_* names and 2 * 3 stay text."
    cookie = "A small file such as `wordpress_logged_in_*`."
    translations = _translations(tmp_path, {
        law: "Siehe {ref:fees}; Namen wie cookie_* bleiben Text.",
        cookie: "Eine kleine Datei wie `wordpress_angemeldet_*`.",
    })
    _, diag = localize(load(CONSTRUCTS), "de", translations)
    po = f"{tmp_path}/de.po"
    assert [str(d) for d in diag.errors] == [
        f"{po}:7: error: code `wordpress_logged_in_*` missing or changed (code is never "
        "translated); code `wordpress_angemeldet_*` not in the source in translation of "
        "\"A small file such as `wordpress_logged_in_*`.\"",
        f"{po}:11: error: cross-reference {{ref:preamble}} missing in translation of "
        "\"See {ref:fees} and {ref:preamble}; cookie_* names and 2 * 3\u2026\""]


def test_redline_renumbering_is_no_change_but_a_new_ref_target_is() -> None:
    from compiler.redline.compare import compare_documents

    text = CONSTRUCTS.read_text(encoding="utf-8")
    inserted = text.replace("  - id: definitions\n", "  - id: scope\n    title: Scope\n"
                            "    blocks: [These terms cover the services.]\n"
                            "  - id: definitions\n", 1)
    old, _ = localize(load_text(text, "old.yaml"), "en", None)
    new, _ = localize(load_text(inserted, "new.yaml"), "en", None)
    assert {s.id: s.number for s in new.document.walk_sections()}["fees"] == "2.1"
    redline = compare_documents(old, new)
    changed = {s.id for s in redline.changed()}
    assert changed == {"scope"}, changed  # 'law' cites fees, now 2.1: not a change of text
    law = next(s for s in redline.walk() if s.id == "law")
    first = law.blocks[0]
    assert isinstance(first, Paragraph)
    labels = [n.label for n in first.text.inlines if isinstance(n, Ref)]
    assert (Text("Section 2.1"),) in labels  # reads as the new document numbers it

    retargeted = text.replace("See {ref:fees} and", "See {ref:definitions} and")
    newer, _ = localize(load_text(retargeted, "newer.yaml"), "en", None)
    assert {s.id for s in compare_documents(old, newer).changed()} == {"law"}


def test_clause_markers_carry_the_section_number() -> None:
    assert legal.marker(ListStyle.CLAUSE, 3, "7") == "7.3"
    assert legal.marker(ListStyle.CLAUSE, 3, "7.2") == "7.2.3"
    assert legal.marker(ListStyle.CLAUSE, 3) == "3."


def test_separator_none_and_lines_alias() -> None:
    doc = _load("""\
        sections:
          - id: a
            title: A
            blocks:
              - bullets:
                  - {term: "Right to Know.", text: You may ask.}
                separator: ""
              - lines: [Jane Doe, General Counsel]
        """)
    bullets, lines = doc.sections[0].blocks
    assert isinstance(bullets, ItemList) and bullets.separator == ""
    assert isinstance(lines, Address) and [x.plain() for x in lines.lines] == [
        "Jane Doe", "General Counsel"]
    from compiler.renderers.html import BodyWriter

    localized, _ = localize(doc, "en", None)
    writer = BodyWriter(localized)
    markup = str(writer.block(localized.sections[0].blocks[0], 2))
    assert '<strong class="term">Right to Know.</strong>You may ask.' in markup
