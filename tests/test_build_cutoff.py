"""Early cutoff (build/cutoff.py): a catalog edit that changes no translation re-renders nothing,
and every edit that changes what an output shows still rebuilds it, edit after edit."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from compiler.build import BuildOptions, build
from compiler.renderers.templates import TEMPLATES, Templates

PO = Path("locales/de/LC_MESSAGES/retention-schedule.po")
UI = Path("locales/de/LC_MESSAGES/policyc.po")
TEXT = ("html", "docx")
TITLE = 'msgctxt "document"\nmsgid "Data Retention Schedule"'


def _build(project: Path, **options: Any) -> list[tuple[str, str]]:
    """Build the fixture; the outputs rendered, as (locale, format)."""
    opts = BuildOptions(out=project / "dist", **{"formats": TEXT, **options})
    result = build([project / "source" / "retention-schedule.yaml"], opts)
    return sorted((o.locale, o.format) for o in result.outputs if o.built)


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.parent != out}


def _translator_rewrite(po: Path) -> None:
    """What Poedit or Weblate do on save: new header values and comments, entries reordered."""
    text = po.read_text(encoding="utf-8")
    text = text.replace("PO-Revision-Date: 2025-03-01 00:00+0000",
                        "PO-Revision-Date: 2026-11-30 15:00+0000")
    text = text.replace("Last-Translator: Automatically generated",
                        "Last-Translator: Erika Mustermann <erika@example.com>")
    text = text.replace('"Plural-Forms:', '"X-Generator: Poedit 3.4\\n"\n"Plural-Forms:')
    head, *entries = text.split("\n\n")
    entries = [f"# translator's note {i}\n{e}" for i, e in enumerate(reversed(entries))]
    po.write_text("\n\n".join([f"# Reviewed.\n{head}", *entries]) + "\n", encoding="utf-8")


def _edit(po: Path, old: str, new: str) -> None:
    text = po.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    po.write_text(text.replace(old, new), encoding="utf-8")


def test_a_rewritten_catalog_header_comments_and_order_rerender_nothing(project: Path) -> None:
    options = {"formats": ("html", "pdf", "docx"), "pdf_variant": "pdf/a-2b"}
    assert len(_build(project, **options)) == 6
    before = _files(project / "dist")
    _translator_rewrite(project / PO)
    _translator_rewrite(project / UI)
    assert _build(project, **options) == []  # reported up to date, nothing written
    assert _files(project / "dist") == before
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    recorded = {k: v for k, v in manifest["inputs"]["catalogs"].items()
                if k.endswith("de/LC_MESSAGES/retention-schedule.po")}
    assert list(recorded.values()) == [hashlib.sha256((project / PO).read_bytes()).hexdigest()]
    assert _build(project, **options) == []  # the new keys are recorded: a plain no-op
    forced = project / "forced"
    build([project / "source" / "retention-schedule.yaml"],
          BuildOptions(out=forced, force=True, **options))
    assert _files(forced) == before  # what a full build makes of the edited catalogs


def test_a_pdf_that_carries_its_catalogs_is_rebuilt_with_the_new_bytes(project: Path) -> None:
    """A PDF/A-3 attaches the catalogs (the default variant): their bytes are in its own."""
    from pypdf import PdfReader

    assert len(_build(project, formats=("html", "pdf"))) == 4
    _translator_rewrite(project / PO)
    assert _build(project, formats=("html", "pdf")) == [("de", "pdf")]
    attached = PdfReader(project / "dist" / "de" / "retention-schedule.pdf").attachments
    assert attached["locales/de/LC_MESSAGES/retention-schedule.po"] == [(project / PO).read_bytes()]


def test_every_edit_that_changes_a_translation_rebuilds_edit_after_edit(project: Path) -> None:
    de = [("de", "docx"), ("de", "html")]
    assert len(_build(project)) == 4
    _edit(project / PO, 'msgstr "Grund"', 'msgstr "Begründung"')  # a real msgstr change
    assert _build(project) == de
    assert "Begründung" in (project / "dist" / "de" / "retention-schedule.html").read_text()
    _translator_rewrite(project / PO)  # second edit: no translation changed
    assert _build(project) == []
    _edit(project / PO, 'msgstr "Begründung"', 'msgstr "Grund"')  # third edit: changed back
    assert _build(project) == de
    html = (project / "dist" / "de" / "retention-schedule.html").read_text()
    assert "Grund" in html and "Begründung" not in html
    _edit(project / PO, '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n"X-Note: again\\n"')
    assert _build(project) == []


def test_a_fuzzy_flag_that_changes_what_is_used_rebuilds(project: Path) -> None:
    assert len(_build(project)) == 4
    _edit(project / PO, TITLE, f"#, fuzzy\n{TITLE}")
    assert _build(project) == [("de", "docx"), ("de", "html")]  # the English title is used
    assert "Data Retention Schedule" in (project / "dist" / "de" /
                                         "retention-schedule.html").read_text()
    _edit(project / PO, f"#, fuzzy\n{TITLE}", TITLE)
    assert _build(project) == [("de", "docx"), ("de", "html")]
    assert "Aufbewahrungsplan für Daten" in (project / "dist" / "de" /
                                             "retention-schedule.html").read_text()


def test_ui_catalog_and_template_edits_rebuild(project: Path) -> None:
    assert len(_build(project)) == 4
    _edit(project / UI, 'msgstr "Inhalt"', 'msgstr "Inhaltsverzeichnis"')
    assert _build(project) == [("de", "docx"), ("de", "html")]
    assert "Inhaltsverzeichnis" in (project / "dist" / "de" / "retention-schedule.html").read_text()
    _translator_rewrite(project / UI)
    assert _build(project) == []
    css = project / "templates" / "css" / "web.css"
    css.parent.mkdir(parents=True)
    shutil.copy(TEMPLATES / "css" / "web.css", css)
    own = Templates.for_project(project / "templates")
    _build(project, templates=own)
    css.write_text(css.read_text() + "\n/* edited */\n")
    _translator_rewrite(project / PO)  # a template edit with a catalog rewrite: rebuilt
    assert _build(project, templates=own) == [("de", "html"), ("en", "html")]


def test_kept_outputs_are_localized_again_for_their_warnings(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kept locale is localized (not rendered) again: its warnings and errors are this
    catalog's, not the last build's."""
    from compiler.build import pipeline

    _edit(project / PO, TITLE, f"#, fuzzy\n{TITLE}")
    assert len(_build(project)) == 4
    calls: list[str] = []
    original = pipeline.localize_checked

    def counted(doc: Any, locale: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(locale)
        return original(doc, locale, *args, **kwargs)

    monkeypatch.setattr(pipeline, "localize_checked", counted)
    po = project / PO
    po.write_text("# a comment\n# another\n" + po.read_text(encoding="utf-8"), encoding="utf-8")
    opts = BuildOptions(out=project / "dist", formats=TEXT)
    again = build([project / "source" / "retention-schedule.yaml"], opts)
    assert again.built == 0 and calls == ["de"]
    assert [w.message for w in again.warnings] == [
        "de: 0 untranslated and 1 fuzzy of 58 messages fall back to the source text"]


def test_a_changed_or_missing_output_and_force_still_rebuild(project: Path) -> None:
    assert len(_build(project)) == 4
    _translator_rewrite(project / PO)
    (project / "dist" / "de" / "retention-schedule.html").write_text("tampered")
    assert _build(project) == [("de", "html")]
    _edit(project / PO, "# translator's note 0\n", "")
    (project / "dist" / "de" / "retention-schedule.docx").unlink()
    assert _build(project) == [("de", "docx")]
    _edit(project / PO, "# translator's note 1\n", "")
    assert _build(project, force=True) == [("de", "docx"), ("de", "html"),
                                           ("en", "docx"), ("en", "html")]


def test_a_broken_catalog_fails_its_locale_and_keeps_nothing_new(project: Path) -> None:
    from compiler.errors import CompilerError

    assert len(_build(project)) == 4
    state = project / "dist" / ".policyc-state.json"
    _edit(project / PO, 'msgstr "Grund"', 'msgstr "Grund')  # an unterminated string
    with pytest.raises(CompilerError, match=r"retention-schedule\.po"):
        _build(project)
    _edit(project / PO, 'msgstr "Grund', 'msgstr "Grund"')
    keys = json.loads(state.read_text())["outputs"]
    assert all(entry["content"] for entry in keys.values())
    assert _build(project) == []  # the same translations as the last good build


def test_a_state_without_content_keys_rebuilds_as_before(project: Path) -> None:
    """A state written before content keys (or hand-edited) never keeps a stale job."""
    assert len(_build(project)) == 4
    state = project / "dist" / ".policyc-state.json"
    data = json.loads(state.read_text())
    for entry in data["outputs"].values():
        del entry["content"]
    state.write_text(json.dumps(data))
    _translator_rewrite(project / PO)
    assert _build(project) == [("de", "docx"), ("de", "html")]
    assert _build(project, **{"formats": TEXT}) == []


def test_catalogs_are_read_up_front_only_when_only_they_changed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source edit goes to the workers at once: no catalog is parsed before the pool
    starts (they are read once each, as each locale is localized)."""
    from compiler.build import cutoff

    assert len(_build(project)) == 4
    read: list[str] = []
    catalogs = cutoff.Cutoff._catalogs
    monkeypatch.setattr(cutoff.Cutoff, "_catalogs",
                        lambda self, job: read.append(job.locale) or catalogs(self, job))
    source = project / "source" / "retention-schedule.yaml"
    source.write_text(source.read_text().replace("version: 2.0.1", "version: 2.0.2"))
    assert len(_build(project)) == 4
    assert sorted(read) == ["de", "en"]  # once per locale, when it is localized
    read.clear()
    _translator_rewrite(project / PO)
    assert _build(project) == []
    assert sorted(read) == ["de", "de", "de"]  # de's two jobs up front, then its localization
