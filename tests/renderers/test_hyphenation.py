"""Hyphenation patterns kept parsed in the cache (compiler/renderers/hyphenation.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pyphen
import pytest

from compiler.renderers import hyphenation


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> dict[Path, object]:
    """An empty Pyphen cache for the test (the process's own is left as it was)."""
    cache: dict[Path, object] = {}
    monkeypatch.setattr(pyphen, "hdcache", cache)
    return cache


def _path(language: str) -> Path:
    return Path(pyphen.LANGUAGES[pyphen.language_fallback(language)])


def test_patterns_from_the_cache_are_pyphens_own(tmp_path: Path, fresh: dict[Path, object],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    words = ["Datenschutzerklärung", "Auftragsverarbeitung", "Verantwortlicher"]
    expected = [pyphen.Pyphen(lang="de").inserted(w) for w in words]  # Pyphen's own parse
    fresh.clear()
    hyphenation.preload("de", tmp_path)  # parsed by Pyphen, written to the cache
    written = next((tmp_path / "hyphenation").glob("*.json"))
    fresh.clear()
    parse = pyphen.HyphDict.__init__
    with monkeypatch.context() as patch:
        patch.setattr(pyphen.HyphDict, "__init__", lambda *_: pytest.fail("parsed again"))
        hyphenation.preload("de", tmp_path)  # read back from the cache
    assert pyphen.HyphDict.__init__ is parse
    assert vars(fresh[_path("de")]) == vars(pyphen.HyphDict(_path("de")))
    assert [pyphen.Pyphen(lang="de").inserted(w) for w in words] == expected
    assert written.stat().st_mode & 0o022 == 0


@pytest.mark.parametrize("spoil", ["shape", "key", "mode"])
def test_a_spoilt_or_foreign_cache_file_is_parsed_again(
        tmp_path: Path, fresh: dict[Path, object], spoil: str) -> None:
    hyphenation.preload("fr", tmp_path)
    written = next((tmp_path / "hyphenation").glob("*.json"))
    data = json.loads(written.read_text(encoding="utf-8"))
    if spoil == "shape":
        data["patterns"][next(iter(data["patterns"]))] = [0, ["1"]]
    elif spoil == "key":
        data["key"] = "another dictionary"
    written.write_text(json.dumps(data), encoding="utf-8")
    if spoil == "mode":
        written.chmod(0o666)  # others could have written it: not trusted
    fresh.clear()
    hyphenation.preload("fr", tmp_path)
    assert vars(fresh[_path("fr")]) == vars(pyphen.HyphDict(_path("fr")))


@pytest.mark.parametrize("spoil", ["link", "size"])
def test_a_linked_or_oversized_cache_file_is_never_read(
        tmp_path: Path, fresh: dict[Path, object], monkeypatch: pytest.MonkeyPatch,
        spoil: str) -> None:
    hyphenation.preload("fr", tmp_path)
    written = next((tmp_path / "hyphenation").glob("*.json"))
    if spoil == "link":  # a valid file, but through a link (it could point anywhere)
        elsewhere = tmp_path / "elsewhere.json"
        written.rename(elsewhere)
        written.symlink_to(elsewhere)
    else:
        monkeypatch.setattr(hyphenation, "_MAX_BYTES", written.stat().st_size - 1)
    fresh.clear()
    parsed: list[object] = []
    parse = pyphen.HyphDict.__init__
    monkeypatch.setattr(pyphen.HyphDict, "__init__",
                        lambda self, *a, **k: parsed.append(a) or parse(self, *a, **k))
    hyphenation.preload("fr", tmp_path)
    assert parsed == [(_path("fr"),)]


def test_a_language_without_patterns_is_left_alone(tmp_path: Path,
                                                   fresh: dict[Path, object]) -> None:
    hyphenation.preload("ja", tmp_path)
    assert fresh == {}
    assert not (tmp_path / "hyphenation").exists()


def test_a_cache_folder_that_cannot_be_written_only_costs_time(
        tmp_path: Path, fresh: dict[Path, object]) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    hyphenation.preload("de", blocked / "cache")  # mkdir fails: parsed, not cached
    assert vars(fresh[_path("de")]) == vars(pyphen.HyphDict(_path("de")))
