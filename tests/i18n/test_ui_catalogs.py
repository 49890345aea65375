"""policyc's own labels ship translated: the UI catalogs in the package, used by `locale init`."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from compiler.i18n import pofile
from compiler.i18n.catalogs import UI_CATALOGS, builtin_ui_catalog
from compiler.i18n.ui import UI_CONTEXT, UI_MESSAGES
from tests.helpers import FIXTURES, ROOT


def _script() -> object:
    spec = importlib.util.spec_from_file_location("make_ui", ROOT / "scripts" / "make_ui_catalogs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_ui_catalogs_are_current_and_complete() -> None:
    make = _script()
    shipped = sorted(UI_CATALOGS.glob("*.po"))
    assert [p.stem for p in shipped] == sorted(
        p.parent.parent.name for p in (ROOT / "locales").glob("*/LC_MESSAGES/policyc.po"))
    for po in shipped:
        regenerated = make.ui_catalog(  # type: ignore[attr-defined]
            ROOT / "locales" / po.stem / "LC_MESSAGES" / "policyc.po", po.stem)
        assert regenerated == po.read_bytes(), f"{po.name}: run scripts/make_ui_catalogs.py"
        catalog = pofile.parse(po.read_bytes(), str(po))
        assert {m.msgid for m in catalog.messages if m.msgstr and m.context == UI_CONTEXT} == {
            msgid for msgid, _ in UI_MESSAGES.values()}, po.name
        subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)], check=True)


def test_locale_lookup_falls_back_to_language() -> None:
    assert builtin_ui_catalog("pt_BR") == UI_CATALOGS / "pt_BR.po"
    assert builtin_ui_catalog("de_AT") == UI_CATALOGS / "de.po"
    assert builtin_ui_catalog("tlh") is None


def test_locale_init_starts_with_translated_labels(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "project" / "source", tmp_path / "source")
    subprocess.run([sys.executable, "-m", "compiler.cli", "locale", "init", "fr"], cwd=tmp_path,
                   check=True, capture_output=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    folder = tmp_path / "locales" / "fr" / "LC_MESSAGES"
    ui = pofile.parse((folder / "policyc.po").read_bytes(), "policyc.po")
    contents = ui.get(UI_CONTEXT, "Contents")
    assert contents is not None and contents.msgstr == "Sommaire"
    doc = pofile.parse((folder / "retention-schedule.po").read_bytes(), "retention-schedule.po")
    assert doc.messages and not any(m.msgstr for m in doc.messages)  # the document's text is left
    assert not any(m.context == UI_CONTEXT for m in doc.messages)  # once per project, not per doc


# Labels that read as sentences (a footer, an accessible name, a link, a screen reader's
# words, a citation mid-sentence) keep sentence case; every other English label is a heading,
# a label or a column header, in title case.
SENTENCES = {"page_of", "permalink", "signed_by", "updated_on", "section", "change_end"}
MINOR = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the",
         "to"}


def test_english_headings_and_labels_are_title_case() -> None:
    import re

    for name, (msgid, _comment) in UI_MESSAGES.items():
        words = re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", "", msgid))
        if name in SENTENCES:  # sentence case: a capital first word, the rest lower case
            assert words[0][0].isupper() and all(w.islower() for w in words[1:]), msgid
            continue
        wrong = [w for i, w in enumerate(words)
                 if not (w[0].isupper() or (i and w in MINOR))]
        assert wrong == [], f"{name}: {msgid!r} is not title case ({wrong})"
