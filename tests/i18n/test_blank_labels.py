"""One rule for a layout label a project's policyc.po leaves blank (review7 F9, F10, F12):
build --strict, locale check --strict and locale status agree on what is untranslated."""

from __future__ import annotations

from pathlib import Path

from compiler.i18n import pofile
from compiler.i18n.ui import UI_CONTEXT
from tests.helpers import run_cli


def _lines(out: str, needle: str) -> list[str]:
    return sorted(line for line in out.splitlines() if needle in line)


def _fill(po: Path, labels: dict[str, str] | None = None, documents: bool = False) -> None:
    """Translations into po: the given labels; with documents, every document message
    (its English as the translation, as msgen writes it)."""
    catalog = pofile.parse(po.read_bytes(), str(po))
    for m in catalog.messages:
        if labels and m.msgid in labels:
            m.msgstr = labels[m.msgid]
        elif documents and m.msgid and m.context != UI_CONTEXT:
            m.msgstr = m.msgid
    po.write_bytes(pofile.write(catalog))


def _msgstr_line(po: Path, msgid: str) -> int:
    lines = po.read_text(encoding="utf-8").splitlines()
    return lines.index(f'msgid "{msgid}"') + 2


def test_an_english_target_passes_check_strict_as_it_builds(tmp_path: Path) -> None:
    """review7 F10: the English policyc.po's blank labels are policyc's English for the
    build and status; locale check --strict does not call them untranslated. A fuzzy
    document message is the one line both commands list."""
    assert run_cli(tmp_path, "init", "site", "--source-locale", "de", "--locale", "en")[0] == 0
    project = tmp_path / "site"
    po = project / "locales" / "en" / "LC_MESSAGES" / "privacy-policy.po"
    _fill(po, documents=True)
    code, out = run_cli(project, "build", "--strict", "--format", "html")
    assert code == 0, out
    code, out = run_cli(project, "locale", "check", "--strict")
    assert code == 0 and "policyc.po" not in out, out
    code, out = run_cli(project, "locale", "status")
    assert [line.split()[2:5] for line in out.splitlines()
            if line.split()[:2] == ["policyc", "en"]] == [["26", "0", "0"]], out

    catalog = pofile.parse(po.read_bytes(), str(po))
    next(m for m in catalog.messages if m.msgid).set_fuzzy(True)
    po.write_bytes(pofile.write(catalog))
    code, built = run_cli(project, "build", "--strict", "--format", "html")
    assert code == 1, built
    code, checked = run_cli(project, "locale", "check", "--strict")
    assert code == 1, checked
    assert len(_lines(built, ": error: en: fuzzy:")) == 1, built
    assert _lines(built, ": error: en: fuzzy:") == _lines(checked, ": error: en: fuzzy:")
    assert "policyc.po" not in checked, checked


def test_an_unshipped_source_language_names_its_blank_labels(tmp_path: Path) -> None:
    """review7 F12: Italian (no shipped labels) with two labels of 26 filled: the build warns
    naming the 24 that show in English; --strict fails on each at its line, as locale check
    --strict does; all filled: no warning, both pass. F9: a broken label is at its msgstr
    line in both."""
    assert run_cli(tmp_path, "init", "it", "--source-locale", "it")[0] == 0
    project = tmp_path / "it"
    po = project / "locales" / "it" / "LC_MESSAGES" / "policyc.po"
    po.parent.mkdir(parents=True)
    po.write_bytes((project / "locales" / "policyc.pot").read_bytes())
    _fill(po, {"Contents": "Indice", "Version": "Versione"})
    code, out = run_cli(project, "build", "--format", "html")
    assert code == 0, out
    warning = _lines(out, "layout labels are blank or fuzzy")
    assert len(warning) == 1 and warning[0].startswith(
        "locales/it/LC_MESSAGES/policyc.po: warning: it: 24 of 26"), out
    assert '"Version History"' in warning[0] and '"Contents"' not in warning[0], out
    page = project / "dist" / "it" / "privacy-policy.html"
    assert "Indice" in page.read_text(encoding="utf-8")

    code, built = run_cli(project, "build", "--strict", "--force", "--format", "html")
    assert code == 1, built
    code, checked = run_cli(project, "locale", "check", "--strict")
    assert code == 1, checked
    gaps = _lines(built, ": error: it: untranslated:")
    assert len(gaps) == 24 and gaps == _lines(checked, ": error: it: untranslated:"), built

    catalog = pofile.parse(po.read_bytes(), str(po))
    _fill(po, {m.msgid: f"it {m.msgid}" for m in catalog.messages if m.msgid})
    code, out = run_cli(project, "build", "--strict", "--format", "html")
    assert code == 0 and "layout labels" not in out, out
    assert run_cli(project, "locale", "check", "--strict")[0] == 0

    _fill(po, {"Contents": "Indice {x}"})
    code, built = run_cli(project, "build", "--format", "html")
    assert code == 1, built
    code, checked = run_cli(project, "locale", "check")
    assert code == 1, checked
    where = f"locales/it/LC_MESSAGES/policyc.po:{_msgstr_line(po, 'Contents')}: error: "
    assert _lines(built, "{x}") == _lines(checked, "{x}") and where in built, built
