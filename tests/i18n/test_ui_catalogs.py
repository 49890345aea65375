"""policyc's own labels ship translated: the UI catalogs in the package, used by `locale init`."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

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
        p.parent.parent.name for p in (ROOT / "locales").glob("*/LC_MESSAGES/privacy-policy.po"))
    for po in shipped:
        regenerated = make.ui_catalog(  # type: ignore[attr-defined]
            ROOT / "locales" / po.stem / "LC_MESSAGES" / "privacy-policy.po", po.stem)
        assert regenerated == po.read_bytes(), f"{po.name}: run scripts/make_ui_catalogs.py"
        with po.open("rb") as fh:
            catalog = read_po(fh)
        assert {m.id for m in catalog if m.id and m.string and m.context == UI_CONTEXT} == {
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
    (po,) = (tmp_path / "locales" / "fr" / "LC_MESSAGES").glob("*.po")
    with po.open("rb") as fh:
        catalog = read_po(fh)
    assert catalog.get("Contents", UI_CONTEXT).string == "Sommaire"
    content = [m for m in catalog if m.id and m.context != UI_CONTEXT]
    assert content and not any(m.string for m in content)  # the document's own text is left
