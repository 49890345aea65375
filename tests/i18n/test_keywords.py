"""Metadata keywords are translated like the title: one catalog message per keyword, read back
in a non-English locale from the PDF (pypdf: /Keywords and XMP), the HTML (lxml) and the DOCX
(python-docx) equal to the catalog's translation, read with Babel's own PO reader."""

from __future__ import annotations

from pathlib import Path

import docx
import lxml.html
import pypdf
import pytest
from babel.messages.pofile import read_po

from compiler.build import BuildOptions, build
from compiler.errors import CompilerError, Loc
from compiler.i18n.checks import Verdict, judge
from compiler.readers.yaml import load_text
from tests.helpers import FIXTURES, POLICY, ROOT, run_cli

SOURCE = "source/retention-schedule.yaml"


def _catalog_keywords(po: Path) -> list[str]:
    """The translated keywords in the catalog's order (the source's), read by Babel."""
    with po.open("rb") as f:
        catalog = read_po(f)
    return [m.string for m in catalog if m.context == "keyword" and m.id]


def test_each_keyword_is_one_message_with_a_note(project: Path) -> None:
    code, out = run_cli(project, "extract")
    assert code == 0, out
    with (project / "locales" / "retention-schedule.pot").open("rb") as f:
        pot = read_po(f)
    keywords = [m for m in pot if m.context == "keyword"]
    assert [m.id for m in keywords] == ["retention", "records"]
    for m in keywords:
        assert m.auto_comments[0].startswith("Keyword of the document")
        assert "no comma" in m.auto_comments[0]
        assert [path for path, _line in m.locations] == [SOURCE]


def test_translated_keywords_in_pdf_html_and_docx(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build([project / SOURCE], BuildOptions(out=out, locales=("de",)))
    want = _catalog_keywords(project / "locales/de/LC_MESSAGES/retention-schedule.po")
    assert want == ["Aufbewahrung", "Unterlagen"]
    joined = ", ".join(want)

    pdf = pypdf.PdfReader(out / "de" / "retention-schedule.pdf")
    assert pdf.metadata is not None and pdf.metadata["/Keywords"] == joined
    xmp = pdf.xmp_metadata
    assert xmp is not None and xmp.pdf_keywords == joined

    page = lxml.html.parse(str(out / "de" / "retention-schedule.html"))
    assert page.xpath("//meta[@name='keywords']/@content") == [joined]

    core = docx.Document(str(out / "de" / "retention-schedule.docx")).core_properties
    assert core.keywords == joined


def test_shipped_policy_keywords_in_japanese(tmp_path: Path) -> None:
    build([POLICY], BuildOptions(out=tmp_path, locales=("ja",), formats=("html",)))
    want = _catalog_keywords(ROOT / "locales/ja/LC_MESSAGES/privacy-policy.po")
    assert "データ保護" in want and "プライバシーポリシー" in want
    page = lxml.html.parse(str(tmp_path / "ja" / "privacy-policy.html"))
    assert page.xpath("//meta[@name='keywords']/@content") == [", ".join(want)]


def test_untranslated_keyword_falls_back_to_the_source(project: Path, tmp_path: Path) -> None:
    po = project / "locales/de/LC_MESSAGES/retention-schedule.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Unterlagen"\n', 'msgstr ""\n'),
                  encoding="utf-8")
    build([project / SOURCE], BuildOptions(out=tmp_path, locales=("de",), formats=("html",)))
    page = lxml.html.parse(str(tmp_path / "de" / "retention-schedule.html"))
    assert page.xpath("//meta[@name='keywords']/@content") == ["Aufbewahrung, records"]


def test_edited_keyword_becomes_fuzzy_and_stays_so_on_a_second_edit(project: Path) -> None:
    src = project / SOURCE
    po = project / "locales/de/LC_MESSAGES/retention-schedule.po"
    before = "keywords: [retention, records]"
    for edit in ("business records", "business records management"):
        after = f"keywords: [retention, {edit}]"
        src.write_text(src.read_text().replace(before, after))
        before = after
        code, out = run_cli(project, "locale", "update")
        assert code == 0, out
        with po.open("rb") as f:
            catalog = read_po(f)
        message = catalog.get(edit, context="keyword")
        assert message is not None and message.fuzzy and message.string == "Unterlagen"
        # the translation was made for the first text: the previous msgid stays "records"
        # (Babel's reader skips '#|' lines: read as text)
        assert f'#| msgid "records"\nmsgctxt "keyword"\nmsgid "{edit}"\n' in po.read_text()
    # locale status counts the edited keyword as fuzzy (it falls back to the source text)
    code, out = run_cli(project, "locale", "status")
    assert code == 0, out
    row = next(line.split() for line in out.splitlines()
               if line.split()[:2] == ["retention-schedule", "de"])
    assert row[2:4] == ["31", "1"], row


def test_a_keyword_holds_no_comma() -> None:
    verdict, problems = judge("keyword", "data protection", "Datenschutz, DSGVO",
                              Loc("de.po", 7))
    assert verdict is Verdict.BROKEN
    assert str(problems[0]).startswith("de.po:7: error: a keyword holds no ','")
    assert judge("keyword", "data protection", "Datenschutz", Loc("de.po", 7))[0] \
        is Verdict.TRANSLATED
    assert judge("document", "Data, and more", "Daten, und mehr", Loc("de.po", 7))[0] \
        is Verdict.TRANSLATED  # other messages may hold commas
    text = (FIXTURES / "project" / SOURCE).read_text().replace(
        "keywords: [retention, records]", "keywords: [retention, 'records, files']")
    with pytest.raises(CompilerError) as info:
        load_text(text, "p.yaml")
    assert "p.yaml:11:23: error: keywords[1]: 'records, files' holds a comma" in str(info.value)
