"""Hyphenation patterns for the PDF, parsed once and kept in policyc's cache.

WeasyPrint hyphenates with Pyphen, which parses a language's patterns the first time a
process uses them: German's take ~0.5 s, as long as laying out the whole German policy,
and every build pays it again in a fresh worker (issue #18). `preload` keeps the parsed
patterns as JSON in the cache folder and puts them where Pyphen looks for them
(`pyphen.hdcache`, keyed by the dictionary's path), so later processes load them in
~0.09 s. Same patterns, same breaks: the PDF's bytes do not change.

The file is only data: it is used only if it is ours (owner, not writable by others),
names this exact dictionary file and Pyphen version, and has the shape Pyphen's own parse
gives; anything else is parsed again from the dictionary. Pyphen's dictionary object is
rebuilt with the three attributes its parser sets; if a Pyphen version sets others, or
uses non-numeric patterns, nothing is cached and Pyphen parses as before.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from compiler.fs import write_atomic

log = logging.getLogger(__name__)

_FIELDS = {"patterns", "cache", "maxlen"}  # what pyphen.HyphDict.__init__ sets
_MAX_BYTES = 16 * 2**20  # the largest shipped dictionary (German) is 1.9 MB as JSON


def preload(language: str, cache: Path) -> None:
    """Make Pyphen's patterns for `language` (an HTML lang) ready in this process."""
    import pyphen

    name = pyphen.language_fallback(language)
    if name is None:
        return
    path = pyphen.LANGUAGES[name]
    if path in pyphen.hdcache:
        return
    key = _key(path, pyphen)
    target = cache / "hyphenation" / f"{path.stem}.json"
    patterns = _read(target, key)
    if patterns is not None:
        hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
        hd.patterns, hd.cache, hd.maxlen = patterns, {}, max(map(len, patterns))
    else:
        hd = pyphen.HyphDict(path)
        if set(vars(hd)) == _FIELDS and _valid(hd.patterns):
            data = {"key": key, "patterns": hd.patterns}
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, json.dumps(data, ensure_ascii=False,
                                                separators=(",", ":")).encode())
            except OSError as err:  # a read-only checkout: parsed again next time
                log.debug("hyphenation patterns not cached in %s: %s", target, err)
    pyphen.hdcache[path] = hd


def _key(path: Path, pyphen: Any) -> str:
    info = path.stat()
    return f"{path.resolve()}:{info.st_size}:{info.st_mtime_ns}:pyphen {pyphen.__version__}"


def _read(target: Path, key: str) -> dict[str, tuple[int, tuple[int, ...]]] | None:
    try:
        info = target.lstat()  # a link (to /dev/zero, a huge file) is not ours
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o022 or (
                hasattr(os, "getuid") and info.st_uid != os.getuid()) or (
                info.st_size > _MAX_BYTES):
            return None
        data = json.loads(target.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    raw = data.get("patterns")
    if not isinstance(raw, dict) or not raw:
        return None
    patterns = {k: (v[0], tuple(v[1])) for k, v in raw.items()
                if isinstance(v, list) and len(v) == 2 and isinstance(v[1], list)}
    return patterns if len(patterns) == len(raw) and _valid(patterns) else None


def _valid(patterns: Any) -> bool:
    """Pyphen's shape: text -> (start offset, tuple of hyphenation levels), all integers."""
    return isinstance(patterns, dict) and bool(patterns) and all(
        isinstance(k, str) and k and isinstance(v, tuple) and len(v) == 2
        and type(v[0]) is int and isinstance(v[1], tuple)
        and all(type(n) is int for n in v[1])
        for k, v in patterns.items())
