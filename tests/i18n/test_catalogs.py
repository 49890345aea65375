"""The translator's workflow on a small project: extract, init, update, status, build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.build import BuildOptions, build
from compiler.cli import main
from compiler.errors import CompilerError
from compiler.i18n import pofile
from compiler.i18n.catalogs import read_translations
from tests.helpers import FIXTURES, ROOT, msgstr_line, set_translation

PROJECT = FIXTURES / "project"


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    import os

    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def _po(project: Path) -> Path:
    return project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"


def read_po(path: Path) -> pofile.PoFile:
    return pofile.parse(path.read_bytes(), str(path))


def test_pot_messages_have_context_references_comments_flags(project: Path) -> None:
    code, _ = run(["extract"], project)
    assert code == 0
    pot = read_po(project / "locales" / "retention-schedule.pot")
    msg = pot.get("scope", "This schedule says how long **{company}** keeps records, and *why*.")
    assert msg is not None
    assert msg.references == ["source/retention-schedule.yaml"]  # no line: no churn
    assert msg.flags == ["python-brace-format"]
    assert msg.extracted_comments[0] == "Paragraph."
    assert any(c.startswith("**...** makes the words") for c in msg.extracted_comments)
    assert any(c.startswith("*...* makes the words") for c in msg.extracted_comments)
    assert any("{company}: Example" in c for c in msg.extracted_comments)
    heading = pot.get("scope", "Scope")
    assert heading is not None
    assert heading.extracted_comments == ["Heading (level 1).", "Heading of the first section."]
    assert pot.get("schedule/requests", "Requests") is not None  # section id path as msgctxt
    assert pot.get("ui", "Page {page} of {pages}") is None  # in policyc.pot, once per project
    ui = read_po(project / "locales" / "policyc.pot")
    page = ui.get("ui", "Page {page} of {pages}")
    assert page is not None and page.extracted_comments[0].startswith("User interface: ")
    assert pot.get("schedule", "{invoices}") is None  # nothing to translate


def test_each_entry_says_what_it_is(project: Path) -> None:
    code, _ = run(["extract"], project)
    assert code == 0
    pot = read_po(project / "locales" / "retention-schedule.pot")
    kinds = {m.msgid: m.extracted_comments[0] for m in pot.messages}
    assert kinds["Data Retention Schedule"].startswith("Title of the document")
    assert kinds["Requests"] == "Heading (level 2)."
    assert kinds["Retention periods"] == "Table caption."
    assert kinds["Record"] == "Table column header."
    assert kinds["Tax law"] == "Table cell."
    assert kinds["Identify the record."] == "Numbered list item."
    assert kinds["Check"] == "Numbered list item: the term in bold before its text."
    assert kinds["Records under legal hold are kept until the hold ends."] == "Callout (important)."
    assert kinds["Email"] == "Contact details: a label."
    assert kinds["Write to us"] == "Call to action: the label of its button."
    link = next(m for m in pot.messages if m.msgid.startswith("Security, see [Scope]"))
    assert any(c.startswith("[text](target) is a link: translate the text in square brackets")
               for c in link.extracted_comments)


def test_shipped_fixture_catalog_is_current_and_msgfmt_clean(project: Path) -> None:
    before = _po(project).read_bytes()
    code, out = run(["locale", "update"], project)
    assert code == 0, out
    assert _po(project).read_bytes() == before, "extract -> update must change nothing"
    subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(_po(project))],
                   check=True)


def test_edited_sentence_becomes_fuzzy_with_previous_msgid(project: Path) -> None:
    src = project / "source" / "retention-schedule.yaml"
    src.write_text(src.read_text().replace("Delete it.", "Delete it securely."))
    code, out = run(["locale", "update"], project)
    assert code == 0, out
    msg = read_po(_po(project)).get("schedule", "Delete it securely.")
    assert msg is not None and msg.fuzzy and msg.msgstr == "Löschen."
    assert "#| msgid \"Delete it.\"" in _po(project).read_text()
    code, out = run(["locale", "status"], project)
    row = next(line.split() for line in out.splitlines()
               if line.split()[:2] == ["retention-schedule", "de"])
    assert row[2:7] == ["31", "1", "0", "0", "0"], row  # translated fuzzy untransl. broken obsolete


def test_removed_sentence_becomes_obsolete_and_moved_section_keeps_translation(
        project: Path) -> None:
    src = project / "source" / "retention-schedule.yaml"
    text = src.read_text()
    text = text.replace("              - Call {hotline}.\n", "")
    # move the 'requests' subsection to the top level
    block = ("    sections:\n      - id: requests\n        title: Requests\n        blocks:\n"
             "          - bullets:\n              - We handle up to {max_requests} requests a month.\n")
    assert block in text
    text = text.replace(block, "")
    text += ("  - id: requests\n    title: Requests\n    blocks:\n      - bullets:\n"
             "          - We handle up to {max_requests} requests a month.\n")
    src.write_text(text)
    code, out = run(["locale", "update"], project)
    assert code == 0, out
    cat = read_po(_po(project))
    moved = cat.get("requests", "Requests")
    assert moved is not None and moved.msgstr == "Anfragen" and not moved.fuzzy
    assert [m.msgid for m in cat.obsolete] == ["Call {hotline}."]


def test_status_min_complete(project: Path) -> None:
    assert run(["locale", "status", "--min-complete", "100"], project)[0] == 0
    set_translation(_po(project), "scope", "Scope", "")
    code, out = run(["locale", "status", "--min-complete", "100"], project)
    assert code == 1 and "retention-schedule/de: 96.9% < 100%" in out


def test_po_syntax_error_names_line() -> None:
    with pytest.raises(CompilerError) as info:
        read_translations(FIXTURES / "po" / "broken-syntax.po", "de")
    assert str(info.value).startswith("tests/fixtures/po/broken-syntax.po:11: error: PO syntax")


def _set(project: Path, msgid: str, context: str, msgstr: str, fuzzy: bool = False) -> int:
    return set_translation(_po(project), context, msgid, msgstr, fuzzy)


def test_placeholder_mismatch_is_located_error(project: Path) -> None:
    _set(project, "Ask {records_email} when unsure.", "schedule",
         "Fragen Sie im Zweifel {record_email}.")
    # at the msgstr line the translator edits, not the msgid line above it (qa6 N2)
    line = msgstr_line(_po(project), "schedule", "Ask {records_email} when unsure.")
    assert _po(project).read_text().splitlines()[line - 1].startswith("msgstr")
    with pytest.raises(CompilerError) as info:
        build([project / "source" / "retention-schedule.yaml"],
              BuildOptions(out=project / "dist", locales=("de",), formats=("html",)))
    messages = [str(d).replace(f"{project}/", "") for d in info.value.diagnostics]
    po = "locales/de/LC_MESSAGES/retention-schedule.po"
    assert messages == [
        f'{po}:{line}: error: placeholder {{records_email}} missing; placeholder '
        '{record_email} not in the source in translation of "Ask {records_email} when unsure."']
    # the summary names the locale without repeating the problem, and is no second error
    assert info.value.failures == ["failed locales, nothing of them published: "
                                   "retention-schedule/de (1 error); built: nothing"]
    assert not (project / "dist" / "de").exists()


def test_markup_mismatch_is_located_error(project: Path) -> None:
    _set(project, "This schedule says how long **{company}** keeps records, and *why*.",
         "scope", "Dieser Plan legt fest, wie lange {company} Unterlagen aufbewahrt.")
    with pytest.raises(CompilerError, match="inline markup differs"):
        build([project / "source" / "retention-schedule.yaml"],
              BuildOptions(out=project / "dist", locales=("de",), formats=("html",)))


def test_injected_markup_in_translation_is_escaped(project: Path) -> None:
    _set(project, "Delete it.", "schedule", "<script>alert(1)</script> Löschen.")
    build([project / "source" / "retention-schedule.yaml"],
          BuildOptions(out=project / "dist", locales=("de",), formats=("html",)))
    html = (project / "dist" / "de" / "retention-schedule.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Löschen." in html


def test_fuzzy_and_untranslated_fall_back_with_warning_or_fail_strict(project: Path) -> None:
    _set(project, "Delete it.", "schedule", "Weg damit.", fuzzy=True)
    _set(project, "Scope", "scope", "")
    src = project / "source" / "retention-schedule.yaml"
    result = build([src], BuildOptions(out=project / "dist", locales=("de",), formats=("html",)))
    html = (project / "dist" / "de" / "retention-schedule.html").read_text()
    assert "Delete it." in html and "Weg damit." not in html and ">Scope<" in html
    warning = " ".join(str(w) for w in result.warnings)
    assert "1 untranslated and 1 fuzzy" in warning
    assert result.completeness["retention-schedule"]["de"]["fuzzy"] == 1
    with pytest.raises(CompilerError) as info:  # strict: each message, at its line (N10)
        build([src], BuildOptions(out=project / "dist2", locales=("de",), formats=("html",),
                                  strict=True))
    assert [d.message for d in info.value.diagnostics] == [
        'de: untranslated: "Scope"', 'de: fuzzy: "Delete it."']


def test_babel_extractor_matches_policyc_extract(project: Path) -> None:
    code, _ = run(["extract"], project)
    assert code == 0
    (project / "babel.cfg").write_text(
        (ROOT / "babel.cfg").read_text().replace("source/privacy-policy.yaml",
                                                 "source/retention-schedule.yaml"))
    (project / "compiler" / "i18n").mkdir(parents=True)
    shutil.copy(ROOT / "compiler" / "i18n" / "ui.py", project / "compiler" / "i18n" / "ui.py")
    pybabel = Path(__import__("sys").executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "--no-wrap",
                    "--add-location=file", "-o", "babel.pot", "."], cwd=project, check=True)

    def messages(*paths: Path) -> list[tuple[object, ...]]:
        return sorted((m.context or "", m.msgid, tuple(m.references),
                       " ".join(m.extracted_comments), tuple(sorted(m.flags)))
                      for path in paths for m in read_po(path).messages if m.msgid)

    assert messages(project / "babel.pot") == messages(
        project / "locales" / "retention-schedule.pot", project / "locales" / "policyc.pot")


def test_layout_word_recased_in_english_keeps_its_translation(project: Path) -> None:
    """policyc's English labels went to title case ("Version history" -> "Version History"):
    a project's policyc.po written before keeps each translation as is, not fuzzy (every
    language cases its own labels); a document's text recased still becomes fuzzy."""
    ui_po = project / "locales" / "de" / "LC_MESSAGES" / "policyc.po"
    ui_po.write_text(ui_po.read_text(encoding="utf-8").replace(
        'msgid "Version History"', 'msgid "Version history"'), encoding="utf-8")
    src = project / "source" / "retention-schedule.yaml"
    src.write_text(src.read_text().replace("Delete it.", "Delete It."))
    code, out = run(["locale", "update"], project)
    assert code == 0, out
    label = read_po(ui_po).get("ui", "Version History")
    assert label is not None and label.msgstr == "Versionsverlauf" and not label.fuzzy
    assert read_po(ui_po).get("ui", "Version history") is None
    assert "#| " not in ui_po.read_text(encoding="utf-8")
    text = read_po(_po(project)).get("schedule", "Delete It.")
    assert text is not None and text.fuzzy and text.msgstr == "Löschen."


def test_translations_before_the_last_update() -> None:
    """An older copy of a source is read with what the catalog held for its text: a fuzzy
    entry's msgstr under its previous msgid (#|), an obsolete (#~) entry; current entries
    win where both have a key."""
    from compiler.i18n.catalogs import translations_before

    po = pofile.parse(b'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#, fuzzy
#| msgid "Old words."
msgctxt "intro"
msgid "New words."
msgstr "Alte Worte."

msgctxt "intro"
msgid "Same."
msgstr "Gleich."

#~ msgctxt "gone"
#~ msgid "Removed."
#~ msgstr "Entfernt."
''', "de.po")
    before = translations_before(po, "de.po", "de")
    old = before.get("intro", "Old words.")
    assert old is not None and old.msgstr == "Alte Worte." and not old.fuzzy
    new = before.get("intro", "New words.")
    assert new is not None and new.fuzzy  # the new text's entry stays what it is
    assert before.get("gone", "Removed.").msgstr == "Entfernt."  # type: ignore[union-attr]
    assert before.get("intro", "Same.").msgstr == "Gleich."  # type: ignore[union-attr]
