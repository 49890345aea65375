"""The translator's workflow on a small project: extract, init, update, status, build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from compiler.build import BuildOptions, build
from compiler.cli import main
from compiler.errors import CompilerError
from compiler.i18n.catalogs import read_translations
from tests.helpers import FIXTURES, ROOT

PROJECT = FIXTURES / "project"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(PROJECT, dest)
    return dest


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


def test_pot_messages_have_context_references_comments_flags(project: Path) -> None:
    code, _ = run(["extract"], project)
    assert code == 0
    with (project / "locales" / "retention-schedule.pot").open("rb") as fh:
        pot = read_po(fh)
    msg = pot.get("This schedule says how long **{company}** keeps records, and *why*.", "scope")
    assert msg is not None
    assert msg.locations == [("source/retention-schedule.yaml", 26)]
    assert "python-brace-format" in msg.flags
    assert any("{company}: Example" in c for c in msg.auto_comments)
    heading = pot.get("Scope", "scope")
    assert heading is not None and "Heading of the first section." in heading.auto_comments
    assert pot.get("Requests", "schedule/requests") is not None  # section id path as msgctxt
    assert pot.get("Page {page} of {pages}", "ui") is not None
    assert pot.get("{invoices}", "schedule") is None  # nothing to translate


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
    with _po(project).open("rb") as fh:
        cat = read_po(fh)
    msg = cat.get("Delete it securely.", "schedule")
    assert msg is not None and msg.fuzzy and msg.string == "Löschen."
    assert "#| msgid \"Delete it.\"" in _po(project).read_text()
    code, out = run(["locale", "status"], project)
    assert code == 0, out
    [row] = [line.split() for line in out.splitlines() if line.split()[:1] == ["de"]]
    translated = sum(1 for m in cat if m.id and m.string and not m.fuzzy)
    assert row[:5] == ["de", str(translated), "1", "0", "0"], out  # fuzzy 1, untranslated 0


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
    with _po(project).open("rb") as fh:
        cat = read_po(fh)
    moved = cat.get("Requests", "requests")
    assert moved is not None and moved.string == "Anfragen" and not moved.fuzzy
    assert any(m.id == "Call {hotline}." for m in cat.obsolete.values())


def test_status_min_complete(project: Path) -> None:
    assert run(["locale", "status", "--min-complete", "100"], project)[0] == 0
    po = _po(project)
    with po.open("rb") as fh:
        cat = read_po(fh)
    cat.get("Scope", "scope").string = ""  # type: ignore[union-attr]
    with po.open("wb") as fh:
        write_po(fh, cat)
    code, out = run(["locale", "status", "--min-complete", "100"], project)
    assert code == 1 and "below --min-complete" in out


def test_po_syntax_error_names_line() -> None:
    with pytest.raises(CompilerError) as info:
        read_translations(FIXTURES / "po" / "broken-syntax.po", "de")
    assert str(info.value).startswith("tests/fixtures/po/broken-syntax.po:11: error: PO syntax")


def _set(project: Path, msgid: str, context: str, msgstr: str, fuzzy: bool = False) -> int:
    po = _po(project)
    with po.open("rb") as fh:
        cat = read_po(fh)
    msg = cat.get(msgid, context)
    assert msg is not None
    msg.string = msgstr
    if fuzzy:
        msg.flags.add("fuzzy")
    with po.open("wb") as fh:
        write_po(fh, cat)
    return read_translations(po, "de").get(context, msgid).loc.line  # type: ignore[union-attr]


def test_placeholder_mismatch_is_located_error(project: Path) -> None:
    line = _set(project, "Ask {records_email} when unsure.", "schedule",
                "Fragen Sie im Zweifel {record_email}.")
    with pytest.raises(CompilerError) as info:
        build([project / "source" / "retention-schedule.yaml"],
              BuildOptions(out=project / "dist", locales=("de",), formats=("html",)))
    messages = [str(d) for d in info.value.diagnostics]
    po = "locales/de/LC_MESSAGES/retention-schedule.po"
    assert any(m.endswith(f'{po}:{line}: error: placeholder {{records_email}} missing in '
                          'translation of "Ask {records_email} when unsure."') for m in messages)
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
    with pytest.raises(CompilerError, match="1 untranslated and 1 fuzzy"):
        build([src], BuildOptions(out=project / "dist2", locales=("de",), formats=("html",),
                                  strict=True))


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
                    "-o", "babel.pot", "."], cwd=project, check=True)

    def messages(path: Path) -> list[tuple[object, ...]]:
        with path.open("rb") as fh:
            cat = read_po(fh)
        return sorted((m.context or "", m.id, tuple(m.locations), tuple(m.auto_comments),
                       tuple(sorted(m.flags))) for m in cat if m.id)

    assert messages(project / "babel.pot") == messages(
        project / "locales" / "retention-schedule.pot")
