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


WORDS = ["Datenschutzerklärung", "Auftragsverarbeitung", "Verantwortlicher"]


def _remembered(tmp_path: Path, fresh: dict[Path, object]) -> list[str]:
    """Pyphen's own answers for WORDS; the cache then holds the patterns and those answers."""
    expected = [pyphen.Pyphen(lang="de").inserted(w) for w in WORDS]  # Pyphen's own parse
    fresh.clear()
    hyphenation.preload("de", tmp_path)
    assert [pyphen.Pyphen(lang="de").inserted(w) for w in WORDS] == expected
    hyphenation.remember("de", tmp_path)
    fresh.clear()
    return expected


def test_remembered_answers_spare_the_patterns_until_a_new_word(
        tmp_path: Path, fresh: dict[Path, object], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _remembered(tmp_path, fresh)
    words = tmp_path / "hyphenation" / f"{_path('de').stem}.words.json"
    assert set(json.loads(words.read_text(encoding="utf-8"))["words"]) == {
        w.lower() for w in WORDS}
    assert words.stat().st_mode & 0o022 == 0
    loads: list[object] = []
    patterns = hyphenation._patterns
    new = "Einwilligungserklärung"
    with monkeypatch.context() as patch:
        patch.setattr(hyphenation, "_patterns", lambda *a: loads.append(a) or patterns(*a))
        hyphenation.preload("de", tmp_path)
        assert [pyphen.Pyphen(lang="de").inserted(w) for w in WORDS] == expected
        assert loads == []  # answered from the remembered words alone
        answer = pyphen.Pyphen(lang="de").inserted(new)  # not remembered: the patterns load
        assert len(loads) == 1
    fresh.clear()
    pyphen.hdcache[_path("de")] = pyphen.HyphDict(_path("de"))  # Pyphen's own parse
    assert answer == pyphen.Pyphen(lang="de").inserted(new)
    fresh.clear()
    hyphenation.preload("de", tmp_path)
    pyphen.Pyphen(lang="de").inserted(new)
    hyphenation.remember("de", tmp_path)  # the new word joins the others
    assert set(json.loads(words.read_text(encoding="utf-8"))["words"]) == {
        w.lower() for w in [*WORDS, new]}


@pytest.mark.parametrize("spoil", ["offsets", "order", "type", "key", "mode", "link", "size"])
def test_spoilt_or_foreign_remembered_answers_are_not_used(
        tmp_path: Path, fresh: dict[Path, object], monkeypatch: pytest.MonkeyPatch,
        spoil: str) -> None:
    expected = _remembered(tmp_path, fresh)
    words = tmp_path / "hyphenation" / f"{_path('de').stem}.words.json"
    data = json.loads(words.read_text(encoding="utf-8"))
    first = WORDS[0].lower()
    if spoil == "offsets":  # a break outside the word
        data["words"][first] = [2, 400]
    elif spoil == "order":
        data["words"][first] = sorted(data["words"][first], reverse=True)
    elif spoil == "type":
        data["words"][first] = ["5"]
    elif spoil == "key":
        data["key"] = "another dictionary"
    words.write_text(json.dumps(data), encoding="utf-8")
    if spoil == "mode":
        words.chmod(0o666)
    elif spoil == "link":
        elsewhere = tmp_path / "elsewhere.json"
        words.rename(elsewhere)
        words.symlink_to(elsewhere)
    elif spoil == "size":
        monkeypatch.setattr(hyphenation, "_MAX_BYTES", words.stat().st_size - 1)
    hyphenation.preload("de", tmp_path)
    assert type(fresh[_path("de")]) is pyphen.HyphDict  # the patterns, no answers
    assert [pyphen.Pyphen(lang="de").inserted(w) for w in WORDS] == expected


def test_nonstandard_breaks_are_not_remembered(tmp_path: Path,
                                                fresh: dict[Path, object]) -> None:
    """Answers with a replacement (Hungarian's 'ssz=sz' kind) are more than offsets."""
    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hd.patterns, hd.maxlen = {}, 1
    hd.cache = {"schiffahrt": [pyphen.DataInt(5, data=("ff=f", 1, 1))]}
    fresh[_path("de")] = hd
    hyphenation.remember("de", tmp_path)
    assert not (tmp_path / "hyphenation").exists()


def test_a_pdf_from_remembered_answers_has_the_same_bytes(
        tmp_path: Path, fresh: dict[Path, object]) -> None:
    """A German PDF laid out with Pyphen parsing its patterns, with them from the cache,
    and from the remembered answers alone (no pattern loaded): the same bytes."""
    import dataclasses

    from compiler.build import BuildOptions, load_translations, locales_dir_for, render_options
    from compiler.i18n.localize import localize
    from compiler.project.sources import Facts
    from compiler.readers import read_file
    from compiler.renderers import pdf
    from tests.helpers import POLICY

    doc = read_file(POLICY)
    ldoc, _ = localize(doc, "de", load_translations(doc, "de", locales_dir_for(
        POLICY, BuildOptions())))
    ropts = render_options(Facts.of(doc), POLICY, "de", locales_dir_for(POLICY, BuildOptions()),
                           BuildOptions())
    parsed = pdf.render(ldoc, dataclasses.replace(ropts, cache=None))
    fresh.clear()
    assert pdf.render(ldoc, dataclasses.replace(ropts, cache=tmp_path)) == parsed
    fresh.clear()
    assert pdf.render(ldoc, dataclasses.replace(ropts, cache=tmp_path)) == parsed
    hd = fresh[_path("de")]
    assert isinstance(hd, hyphenation._Remembered) and hd._full is None


def test_a_cache_entry_that_cannot_be_written_never_fails_the_pdf(
        tmp_path: Path, fresh: dict[Path, object], monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder where the patterns' and the answers' files go (a hostile project can ship
    one; as a read-only or root-owned cache folder it refuses every write, even to root):
    the build succeeds, with the bytes of a build whose cache works."""
    from compiler.build import BuildOptions, build
    from tests.helpers import POLICY

    def pdf(cache: Path) -> bytes:
        fresh.clear()  # a fresh worker: Pyphen's patterns not loaded yet
        monkeypatch.setenv("POLICYC_CACHE_DIR", str(cache))
        out = tmp_path / cache.name / "dist"
        build([POLICY], BuildOptions(out=out, locales=("de",), formats=("pdf",)))
        return (out / "de" / "privacy-policy.pdf").read_bytes()

    expected = pdf(tmp_path / "working")
    written = sorted((tmp_path / "working" / "hyphenation").iterdir())
    assert [p.name for p in written] == [f"{_path('de').stem}.json",
                                        f"{_path('de').stem}.words.json"]
    blocked = tmp_path / "blocked" / "hyphenation"
    for path in written:
        (blocked / path.name).mkdir(parents=True)
    assert pdf(tmp_path / "blocked") == expected
    assert all((blocked / path.name).is_dir() for path in written)


def test_a_linked_hyphenation_folder_is_neither_read_nor_written(
        tmp_path: Path, fresh: dict[Path, object]) -> None:
    """A cache whose hyphenation/ links elsewhere (an unpacked project can bring one):
    Pyphen parses as without a cache, and nothing is read or written there."""
    expected = _remembered(tmp_path / "elsewhere", fresh)  # valid files, out there
    out_there = sorted(p.name for p in (tmp_path / "elsewhere" / "hyphenation").iterdir())
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "hyphenation").symlink_to(tmp_path / "elsewhere" / "hyphenation")
    hyphenation.preload("de", cache)
    assert fresh == {}  # neither the patterns nor the answers read through the link
    new = "Einwilligungserklärung"
    assert [pyphen.Pyphen(lang="de").inserted(w) for w in WORDS] == expected
    pyphen.Pyphen(lang="de").inserted(new)
    hyphenation.remember("de", cache)
    assert sorted(p.name for p in (tmp_path / "elsewhere" / "hyphenation").iterdir()) == out_there
    words = tmp_path / "elsewhere" / "hyphenation" / f"{_path('de').stem}.words.json"
    assert new.lower() not in json.loads(words.read_text(encoding="utf-8"))["words"]
