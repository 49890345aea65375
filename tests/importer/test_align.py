"""import --translation: human translations aligned to the source's messages, written as PO."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli.app import main
from compiler.i18n.catalogs import po_path, read_translations
from compiler.i18n.typography import typeset_text
from compiler.importer.run import import_file
from compiler.importer.translation import import_translation
from compiler.readers import ReadOptions
from compiler.readers import read_file as load
from tests.helpers import FIXTURES, ROOT
from tests.importer.conftest import SOURCES

IMPORT = FIXTURES / "import"
CASES = [(src, code, fmt) for src in SOURCES for code in load(src).meta.locales
         if code != load(src).meta.source_locale for fmt in ("html", "docx")]


@pytest.mark.parametrize(("source", "code", "fmt"), CASES,
                         ids=[f"{s.stem}-{c}-{f}" for s, c, f in CASES])
def test_shipped_translation_aligns_to_its_catalog(shipped: Path, tmp_path: Path, source: Path,
                                                   code: str, fmt: str) -> None:
    doc_id = load(source).meta.id
    result = import_translation(shipped / code / f"{doc_id}.{fmt}", source, code, tmp_path)
    aligned, _fuzzy, unaligned = result.alignment.counts
    assert unaligned == 0 and not result.alignment.leftover
    assert aligned >= result.messages - 2
    shipped_po = read_translations(po_path(ROOT / "locales", code, doc_id), code)
    for pair in result.alignment.pairs:
        entry = shipped_po.get(pair.source.context, pair.source.source)
        assert entry is not None
        if not pair.fuzzy:  # what is aligned is what the translators wrote, as printed
            # (the outputs carry locale typography: « » with narrow no-break spaces, and a
            # number kept with its unit: '{minimum_age} Jahren' was printed '16\u00a0Jahren')
            assert (typeset_text(pair.msgstr, code).replace("\u00a0", " ")
                    == typeset_text(entry.msgstr, code).replace("\u00a0", " ")), pair.source.source
        else:
            assert all("numbers differ" in n for n in pair.notes), pair.notes
    written = read_translations(result.path, code)
    assert sum(1 for e in written.entries.values() if e.msgstr and not e.fuzzy) >= aligned
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(result.path)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr


def _mozilla_source(tmp_path: Path, suffix: str = ".md") -> Path:
    result = import_file(IMPORT / f"mozilla-firefox-terms.en{suffix}", ReadOptions(),
                         variables=True)
    source = tmp_path / "source" / f"{result.document.meta.id}.yaml"
    source.parent.mkdir()
    source.write_text(result.yaml_text, encoding="utf-8")
    return source


@pytest.mark.parametrize("suffix", [".md", ".docx"])
def test_real_german_translation_aligns(tmp_path: Path, suffix: str) -> None:
    source = _mozilla_source(tmp_path, suffix)
    result = import_translation(IMPORT / f"mozilla-firefox-terms.de{suffix}", source, "de",
                                tmp_path / "locales")
    aligned, fuzzy, unaligned = result.alignment.counts
    assert (aligned, fuzzy, unaligned) == (result.messages - fuzzy, fuzzy, 0)
    assert fuzzy <= 2
    by_source = {p.source.plain(): p for p in result.alignment.pairs}
    heading = by_source["{company} Gives You Certain Rights and Permissions"]
    assert heading.msgstr == "{company} räumt Ihnen gewisse Rechte und Befugnisse ein"
    assert not heading.fuzzy
    # the link target, a variable in the source, is its placeholder in the translation
    linked = [p for p in result.alignment.pairs if "Firefox-Datenschutzhinweis" in p.msgstr]
    assert linked and "]({" in linked[0].msgstr and not linked[0].fuzzy
    po = result.path.read_text(encoding="utf-8")
    assert 'msgstr "{company} räumt Ihnen gewisse Rechte und Befugnisse ein"' in po


def test_missing_paragraph_and_placeholder_are_never_silently_wrong(tmp_path: Path) -> None:
    source = _mozilla_source(tmp_path)
    text = (IMPORT / "mozilla-firefox-terms.de.md").read_text(encoding="utf-8")
    dropped = "Firefox ist eine kostenlose Open-Source-Webbrowser-Software"
    lines = [line for line in text.splitlines() if not line.startswith(dropped)]
    broken = tmp_path / "broken.de.md"
    broken.write_text("\n".join(lines).replace("## Sie räumen Mozilla gewisse",
                                                "## Sie räumen uns gewisse"), encoding="utf-8")
    result = import_translation(broken, source, "de", tmp_path / "locales")
    _, _, unaligned = result.alignment.counts
    assert unaligned == 1
    assert [r.plain()[:30] for r in result.alignment.unaligned] == [
        "Firefox is free and open sourc"]
    by_source = {p.source.plain(): p for p in result.alignment.pairs}
    assert by_source["{company} Gives You Certain Rights and Permissions"].msgstr == (
        "{company} räumt Ihnen gewisse Rechte und Befugnisse ein")
    notes = [n for p in result.alignment.pairs for n in p.notes]
    assert any("{company} not found" in n and "broken.de.md:23" in n for n in notes)
    po = result.path.read_text(encoding="utf-8")
    assert "#, fuzzy" in po and "# policyc import: placeholders differ" in po
    assert "# policyc import: no matching text in" in po


def test_cli_translation_writes_the_catalog(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    source = _mozilla_source(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["import", "--translation", "de", str(IMPORT / "mozilla-firefox-terms.de.md"),
            "--source", str(source)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "aligned" in result.output and "0 unaligned" in result.output
    assert (tmp_path / "locales" / "de" / "LC_MESSAGES" / f"{source.stem}.po").is_file()
    # qa6 D12: the locale is registered (the build knows it), the report shows no guesses
    # about the translation's own metadata (nothing of it is written)
    assert f"policyc: registered 'de' in source/{source.name}" in result.output
    assert "locales: [en, de]" in source.read_text(encoding="utf-8")
    assert "guessed:" not in result.output and "0 guessed" in result.output
    built = runner.invoke(main, ["build", "--locale", "de", "--format", "html", "--jobs", "1"])
    assert built.exit_code == 0, built.output
    page = (tmp_path / "dist" / "de" / f"{source.stem}.html").read_text(encoding="utf-8")
    assert "Firefox-Nutzungsbedingungen" in page or "Nutzungsbedingungen" in page
    quiet = subprocess.run([sys.executable, "-m", "compiler", "-q", *args, "--force"],
                           cwd=tmp_path, capture_output=True, text=True, check=False,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr  # -q: only errors
    forced = runner.invoke(main, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "policyc: 'de' is already listed in" in forced.output
    assert source.read_text(encoding="utf-8").count("locales: [en, de]") == 1
    again = runner.invoke(main, args)
    assert again.exit_code == 1 and "catalog exists already" in again.output
    lonely = runner.invoke(main, ["import", "--translation", "de", str(source)])
    assert lonely.exit_code == 2
