"""The locales' names in themselves (the language switcher's), kept per Babel release.

Babel names a locale by loading and merging its whole CLDR data (~5 ms a locale): a
document in seven locales paid ~40 ms of a catalog edit's rebuild for six names it never
formats anything else with (issue #18). `prime` reads the names Babel gave for this Babel
release (plan.babel_key: a Babel update asks Babel again) from `<cache>/autonyms.json` and
hands them to compiler.i18n.formatting; names not there are asked of Babel and kept.

The file is only data: used only if it is ours (a regular file, owner, not writable by
others, small), names this Babel release, and maps locale codes to short strings;
anything else is asked of Babel again. A cache that cannot be written costs only the time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from compiler.build.plan import babel_key
from compiler.fs import read_cache_json, write_cache_json
from compiler.i18n import formatting

FILE = "autonyms.json"
_MAX_BYTES = 256 * 1024  # Babel has ~1,000 locales; names are a few dozen bytes
_MAX_NAME = 200


def prime(codes: Iterable[str], cache: Path | None) -> None:
    """Put the names of `codes` into formatting.AUTONYMS: from the cache, else from Babel
    (and kept in the cache for the next build)."""
    wanted = [c for c in dict.fromkeys(codes) if c not in formatting.AUTONYMS]
    if not wanted or cache is None:
        return
    target = cache / FILE
    key = f"babel {babel_key()}"
    known = _read(target, key)
    formatting.AUTONYMS.update({c: known[c] for c in wanted if c in known})
    missing = [c for c in wanted if c not in known]
    if not missing:
        return
    from babel.core import UnknownLocaleError

    names = {}
    for code in missing:
        try:
            names[code] = formatting.autonym(code)
        except (UnknownLocaleError, ValueError):  # localization reports it, as before
            continue
    write_cache_json(target, {"key": key, "names": {**known, **names}}, sort_keys=True)


def _read(target: Path, key: str) -> dict[str, str]:
    """The names the file holds for this Babel release; {} if it is not ours or spoilt."""
    data = read_cache_json(target, _MAX_BYTES)
    if data is None or data.get("key") != key:
        return {}
    names = data.get("names")
    if not isinstance(names, dict) or not all(
            isinstance(c, str) and isinstance(n, str) and 0 < len(n) <= _MAX_NAME
            and c and len(c) <= 64 for c, n in names.items()):
        return {}
    return names
