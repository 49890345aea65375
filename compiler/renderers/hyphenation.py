"""Hyphenation patterns for the PDF, parsed once and kept in policyc's cache.

WeasyPrint hyphenates with Pyphen, which parses a language's patterns the first time a
process uses them: German's take ~0.5 s, as long as laying out the whole German policy,
and every build pays it again in a fresh worker (issue #18). `preload` keeps the parsed
patterns as JSON in the cache folder and puts them where Pyphen looks for them
(`pyphen.hdcache`, keyed by the dictionary's path), so later processes load them in
~0.15 s. Same patterns, same breaks: the PDF's bytes do not change.

Loading German's 66,000 patterns is still most of a fresh worker's extra cost, while a
document asks Pyphen about a few thousand words. So `remember` keeps, beside the patterns,
the break points Pyphen found for each word the process asked about; the next process
starts from those answers and loads the patterns only at the first word not among them
(a catalog edit's new words). The answers are Pyphen's own, computed from the same
dictionary file and version (the key), so the breaks, and the bytes, are the same.

The files are only data: used only if they are ours (owner, not writable by others),
name this exact dictionary file and Pyphen version, and have the shape Pyphen's own parse
gives (patterns) or Pyphen's answers can have (words: sorted integer offsets within the
word); anything else is parsed again from the dictionary. Pyphen's dictionary object is
rebuilt with the three attributes its parser sets; if a Pyphen version sets others, or
uses non-numeric patterns, nothing is cached and Pyphen parses as before.
"""

from __future__ import annotations

import itertools
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyphen

from compiler.fs import read_cache_json, write_cache_json

_FIELDS = {"patterns", "cache", "maxlen"}  # what pyphen.HyphDict.__init__ sets
_MAX_BYTES = 16 * 2**20  # the largest shipped dictionary (German) is 1.9 MB as JSON
_MAX_WORDS = 50_000  # answers kept per language (a document has a few thousand words)


class _Remembered(pyphen.HyphDict):  # type: ignore[misc]  # (Pyphen has no type hints)
    """Pyphen's dictionary starting from the answers a previous process found
    (`cache`, which HyphDict.positions consults first); the patterns are loaded on the
    first word not among them."""

    def __init__(self, words: dict[str, list[int]],
                 load: Callable[[], pyphen.HyphDict]) -> None:
        self.cache = {word: [pyphen.DataInt(p) for p in points]
                      for word, points in words.items()}
        self.known = len(self.cache)
        self._load = load
        self._full: pyphen.HyphDict | None = None

    def _dictionary(self) -> pyphen.HyphDict:
        if self._full is None:
            self._full = self._load()
        return self._full

    @property
    def patterns(self) -> dict[str, tuple[int, tuple[int, ...]]]:
        return self._dictionary().patterns  # type: ignore[no-any-return]

    @property
    def maxlen(self) -> int:
        return self._dictionary().maxlen  # type: ignore[no-any-return]


def preload(language: str, cache: Path) -> None:
    """Make Pyphen's patterns for `language` (an HTML lang) ready in this process."""
    name = pyphen.language_fallback(language)
    if name is None:
        return
    path = pyphen.LANGUAGES[name]
    if path in pyphen.hdcache:
        return
    key = _key(path, pyphen)
    folder = cache / "hyphenation"
    if not _ours(folder):
        return  # Pyphen parses the patterns itself, as without a cache
    words = _read_words(folder / f"{path.stem}.words.json", key)
    if words:
        pyphen.hdcache[path] = _Remembered(words, lambda: _patterns(path, key, folder))
    else:
        pyphen.hdcache[path] = _patterns(path, key, folder)


def remember(language: str, cache: Path) -> None:
    """Keep the answers Pyphen gave in this process for `language` (after a render), when
    it found any new ones; a cache folder that cannot be written only costs the next
    process the patterns' load."""
    name = pyphen.language_fallback(language)
    hd = pyphen.hdcache.get(pyphen.LANGUAGES[name]) if name is not None else None
    if hd is None or not isinstance(getattr(hd, "cache", None), dict) or not hd.cache:
        return
    if len(hd.cache) == getattr(hd, "known", -1):
        return  # nothing asked that the file does not hold
    answers = list(hd.cache.items())[-_MAX_WORDS:]
    if any(getattr(p, "data", None) is not None for _, points in answers for p in points):
        return  # nonstandard breaks (ff=f): more than offsets, not kept
    path = pyphen.LANGUAGES[name]
    target = cache / "hyphenation" / f"{path.stem}.words.json"
    if not _ours(target.parent):
        return
    key = _key(path, pyphen)
    # another process (a worker rendering another document) may have kept others meanwhile
    words = {**(_read_words(target, key) or {}),
             **{w: [int(p) for p in points] for w, points in answers}}
    words = dict(list(words.items())[-_MAX_WORDS:])
    if not _valid_words(words):
        return
    if write_cache_json(target, {"key": key, "words": words}, separators=(",", ":")) and isinstance(
            hd, _Remembered):
        hd.known = len(hd.cache)


def _patterns(path: Path, key: str, folder: Path) -> pyphen.HyphDict:
    """The dictionary's patterns: from the cache, else parsed by Pyphen (and cached)."""
    target = folder / f"{path.stem}.json"
    patterns = _read(target, key)
    if patterns is not None:
        hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
        hd.patterns, hd.cache, hd.maxlen = patterns, {}, max(map(len, patterns))
        return hd
    hd = pyphen.HyphDict(path)
    if set(vars(hd)) == _FIELDS and _valid(hd.patterns):
        write_cache_json(target, {"key": key, "patterns": hd.patterns}, separators=(",", ":"))
    return hd


def _ours(folder: Path) -> bool:
    """The cache's hyphenation folder is a real folder of ours, or not there yet: a link
    (an unpacked project can bring one) would have the files read and written elsewhere."""
    try:
        info = folder.lstat()
    except OSError:  # not there yet (or no folder above it: writing it fails, and is caught)
        return True
    return stat.S_ISDIR(info.st_mode) and not (
        hasattr(os, "getuid") and info.st_uid != os.getuid())


def _key(path: Path, pyphen: Any) -> str:
    info = path.stat()
    return f"{path.resolve()}:{info.st_size}:{info.st_mtime_ns}:pyphen {pyphen.__version__}"


def _load(target: Path, key: str) -> dict[str, Any] | None:
    """A cache file's JSON object, if the file is ours and names this dictionary."""
    data = read_cache_json(target, _MAX_BYTES)
    return data if data is not None and data.get("key") == key else None


def _read(target: Path, key: str) -> dict[str, tuple[int, tuple[int, ...]]] | None:
    data = _load(target, key)
    raw = data.get("patterns") if data else None
    if not isinstance(raw, dict) or not raw:
        return None
    patterns = {k: (v[0], tuple(v[1])) for k, v in raw.items()
                if isinstance(v, list) and len(v) == 2 and isinstance(v[1], list)}
    return patterns if len(patterns) == len(raw) and _valid(patterns) else None


def _read_words(target: Path, key: str) -> dict[str, list[int]] | None:
    data = _load(target, key)
    words = data.get("words") if data else None
    return words if isinstance(words, dict) and words and _valid_words(words) else None


def _valid_words(words: dict[Any, Any]) -> bool:
    """Pyphen's answers' shape: a word -> its break offsets, increasing, each within the
    word as Pyphen marks it ('.word.': -1 to len + 1)."""
    return len(words) <= _MAX_WORDS and all(
        isinstance(w, str) and w and isinstance(points, list)
        and all(type(p) is int and -1 <= p <= len(w) + 1 for p in points)
        and all(a < b for a, b in itertools.pairwise(points))
        for w, points in words.items())


def _valid(patterns: Any) -> bool:
    """Pyphen's shape: text -> (start offset, tuple of hyphenation levels), all integers."""
    return isinstance(patterns, dict) and bool(patterns) and all(
        isinstance(k, str) and k and isinstance(v, tuple) and len(v) == 2
        and type(v[0]) is int and isinstance(v[1], tuple)
        and all(type(n) is int for n in v[1])
        for k, v in patterns.items())
