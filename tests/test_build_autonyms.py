"""Locale names kept per Babel release (build/autonyms.py): the names are Babel's own, the
file is used only when it is ours, names this Babel release and has the right shape."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale

from compiler.build import BuildOptions, autonyms, build
from compiler.build.plan import babel_key
from compiler.i18n import formatting
from tests.helpers import FIXTURES

CODES = ("en", "de", "fr", "es", "pt_BR", "ja", "ar", "zh_Hant_TW", "sr_Latn")


@pytest.fixture(autouse=True)
def forget() -> Iterator[None]:
    saved = dict(formatting.AUTONYMS)
    formatting.AUTONYMS.clear()
    yield
    formatting.AUTONYMS.clear()
    formatting.AUTONYMS.update(saved)


def _babel(code: str) -> str:
    loc = Locale.parse(code)
    return loc.get_display_name(loc) or code


def _file(cache: Path, names: dict[str, str], key: str | None = None) -> Path:
    target = cache / autonyms.FILE
    target.write_text(json.dumps({"key": key or f"babel {babel_key()}", "names": names}),
                      encoding="utf-8")
    return target


def test_names_are_babels_own_asked_once_then_read_from_the_cache(tmp_path: Path) -> None:
    autonyms.prime(CODES, tmp_path)
    assert {c: formatting.AUTONYMS[c] for c in CODES} == {c: _babel(c) for c in CODES}
    kept = json.loads((tmp_path / autonyms.FILE).read_text(encoding="utf-8"))
    assert kept == {"key": f"babel {babel_key()}", "names": {c: _babel(c) for c in CODES}}
    formatting.AUTONYMS.clear()
    _file(tmp_path, {**kept["names"], "de": "Deutsch (aus dem Cache)"})
    autonyms.prime(["de", "fr"], tmp_path)
    assert formatting.language("de").native_name == "Deutsch (aus dem Cache)"
    assert formatting.language("fr").native_name == "Français"
    assert [lang.native_name for lang in map(formatting.language, ("en", "ja"))] == [
        "English", "日本語"]  # not primed: asked of Babel


@pytest.mark.parametrize("spoil", ["other release", "link", "group-writable", "shape", "json",
                                   "long"])
def test_a_file_not_ours_or_of_another_release_is_not_used(tmp_path: Path, spoil: str) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    names = {"de": "Falsch"}
    if spoil == "other release":
        _file(cache, names, key="babel 0000")
    elif spoil == "link":
        _file(tmp_path, names).rename(tmp_path / "elsewhere.json")
        (cache / autonyms.FILE).symlink_to(tmp_path / "elsewhere.json")
    elif spoil == "group-writable":
        _file(cache, names).chmod(0o664)
    elif spoil == "shape":
        _file(cache, {"de": ["Falsch"]})  # type: ignore[dict-item]
    elif spoil == "json":
        (cache / autonyms.FILE).write_bytes(b'{"key": ')
    elif spoil == "long":
        _file(cache, {"de": "F" * 1000})
    autonyms.prime(["de"], cache)
    assert formatting.AUTONYMS["de"] == "Deutsch"
    if spoil == "link":  # nothing written through the link
        assert json.loads((tmp_path / "elsewhere.json").read_text())["names"] == names


def test_no_cache_folder_or_one_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    autonyms.prime(["de"], None)
    assert "de" not in formatting.AUTONYMS  # asked of Babel when localizing
    (tmp_path / autonyms.FILE).mkdir()  # a folder at the file's name: cannot be written
    autonyms.prime(["de", "ja"], tmp_path)
    assert formatting.AUTONYMS == {"de": "Deutsch", "ja": "日本語"}
    formatting.AUTONYMS.clear()
    cache = tmp_path / "cache"
    autonyms.prime(["xx", "de"], cache)  # a locale Babel does not know: left to localization
    assert formatting.AUTONYMS == {"de": "Deutsch"}
    assert json.loads((cache / autonyms.FILE).read_text())["names"] == {"de": "Deutsch"}


def test_the_build_keeps_the_names_and_the_switcher_shows_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    cache = tmp_path / "cache"
    monkeypatch.setenv("POLICYC_CACHE_DIR", str(cache))
    source = project / "source" / "retention-schedule.yaml"
    first = project / "dist1"
    build([source], BuildOptions(out=first, formats=("html",)))
    kept = json.loads((cache / autonyms.FILE).read_text(encoding="utf-8"))
    assert kept["names"] == {"en": "English", "de": "Deutsch"}
    html = (first / "en" / "retention-schedule.html").read_text(encoding="utf-8")
    assert ">Deutsch<" in html
    formatting.AUTONYMS.clear()  # as a new process: the names come from the file
    _file(cache, {"en": "English", "de": "Deutsch (kept)"})
    second = project / "dist2"
    build([source], BuildOptions(out=second, formats=("html",)))
    html = (second / "en" / "retention-schedule.html").read_text(encoding="utf-8")
    assert ">Deutsch (kept)<" in html
