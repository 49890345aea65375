"""Which locales CLDR knows, looked up in Babel's locale data: the one file system lookup the
YAML reader makes, and it is policyc's installed data, never the project's files."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


@cache
def _cldr_dir() -> Path | None:
    """Babel's CLDR data folder, found without importing Babel (policyc check stays quick)."""
    spec = importlib.util.find_spec("babel")
    locations = spec.submodule_search_locations if spec else None
    return Path(next(iter(locations))) / "locale-data" if locations else None


def known_locale(locale: str) -> bool:
    """Whether CLDR (Babel's data) has this locale."""
    folder = _cldr_dir()
    if folder is None or not folder.is_dir():
        from babel import localedata

        return bool(localedata.exists(locale))
    return (folder / f"{locale}.dat").is_file()
