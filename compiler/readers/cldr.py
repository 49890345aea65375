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


# Country codes (and retired language codes) written for a language: `jp` is Japan, `ja`
# Japanese. Only suggested when the code written is not a CLDR locale itself.
_MEANT = {"jp": "ja", "cn": "zh", "kr": "ko", "gr": "el", "dk": "da", "se": "sv",
          "cz": "cs", "ua": "uk", "vn": "vi", "il": "he", "iw": "he", "in": "id", "ji": "yi",
          "us": "en_US", "en_UK": "en_GB", "gb": "en_GB", "at": "de_AT", "rs": "sr",
          "si": "sl", "ee": "et", "dk_DK": "da_DK", "jp_JP": "ja_JP",
          "cn_CN": "zh_CN", "kr_KR": "ko_KR", "gr_GR": "el_GR", "se_SE": "sv_SE",
          "cz_CZ": "cs_CZ", "ua_UA": "uk_UA"}


def suggestion(code: str) -> str | None:
    """The CLDR locale a code that is not one probably means: its CLDR spelling (pt-BR ->
    pt_BR), a language for a country code (jp -> ja), or a close spelling; None if none."""
    from compiler.names import cldr_code

    spelled = cldr_code(code)
    if spelled != code and known_locale(spelled):
        return spelled
    meant = _MEANT.get(spelled)
    if meant is not None and meant != spelled and known_locale(meant):
        return meant
    folder = _cldr_dir()
    if folder is None or not folder.is_dir() or not spelled.isascii():
        return None
    import difflib

    names = [p.stem for p in folder.glob("*.dat") if p.stem != "root"]
    close = difflib.get_close_matches(spelled, names, n=1, cutoff=0.8)
    return close[0] if close else None


def did_you_mean(code: str) -> str:
    """'; did you mean 'ja'?' for a code that is not a CLDR locale, or ''."""
    meant = suggestion(code)
    return f"; did you mean '{meant}'?" if meant else ""


def known_locale(locale: str) -> bool:
    """Whether CLDR (Babel's data) has this locale."""
    folder = _cldr_dir()
    if folder is None or not folder.is_dir():
        from babel import localedata

        return bool(localedata.exists(locale))
    return (folder / f"{locale}.dat").is_file()
