"""CLDR formatting through Babel: the one place that knows about locales' conventions.

Babel is imported on first use (~10 ms): a locale's name from the build's cache (AUTONYMS)
needs none, and the warm worker's head start (build/run.head_start) names the languages
before anything else of Babel is asked.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import TYPE_CHECKING

from compiler.model import Duration, Language

if TYPE_CHECKING:
    from babel import Locale


@cache
def babel_locale(code: str) -> Locale:
    from babel import Locale

    return Locale.parse(code)


AUTONYMS: dict[str, str] = {}
"""Babel's autonyms asked so far (code -> name); the build fills it from its cache, as Babel
gave them for this Babel release (compiler.build.autonyms): Babel loads a locale's whole
data to name it (~5 ms each, issue #18)."""


def autonym(code: str) -> str:
    """A locale's name in itself as Babel gives it (deutsch, français, 日本語)."""
    name = AUTONYMS.get(code)
    if name is None:
        loc = babel_locale(code)
        name = AUTONYMS[code] = loc.get_display_name(loc) or code
    return name


def language(code: str) -> Language:
    """A locale named in itself, as a language switcher shows it (Deutsch, Français, 日本語)."""
    name = autonym(code)
    return Language(code, code.replace("_", "-"), name[:1].upper() + name[1:])


def direction(code: str) -> str:
    return "rtl" if babel_locale(code).character_order == "right-to-left" else "ltr"


def tag_direction(tag: str) -> str:
    """ltr or rtl: the writing direction of a BCP 47 tag ("en", "en-US", "ar")."""
    return direction(tag.replace("-", "_"))


def long_date(value: dt.date, code: str) -> str:
    from babel.dates import format_date

    return format_date(value, format="long", locale=babel_locale(code))


def duration(value: Duration, code: str) -> str:
    """'90 days', '90 Tage', '90 日', '90 يومًا': CLDR unit patterns with plural rules."""
    from babel.units import format_unit

    text = format_unit(value.amount, f"duration-{value.unit}", length="long",
                       locale=babel_locale(code))
    # Number and unit never part at a line break.
    return re.sub(r"(\d) ", "\\1\u00a0", text, count=1)


def number(value: float, code: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(code))


def percent(value: float, code: str) -> str:
    """A share of 0-100 as the locale writes it ('98%', '98 %'), whole percents; a share short
    of whole never reads '100 %' (nor one above nothing '0 %'): a translator takes 100 for done."""
    from babel.numbers import format_percent

    shown = round(value)
    if 0 < value < 100:
        shown = min(max(shown, 1), 99)
    return format_percent(shown / 100, locale=babel_locale(code))


def file_size(size: int, code: str) -> str:
    """A file's size in the locale's numbers and unit symbols: kB below a megabyte (1,000,000
    bytes, as the unit says), else MB to one decimal ('458 kB', '1,5 Mo', '9 كيلوبايت'); the
    number never parts from its unit at a line break."""
    from babel.units import format_unit

    if size < 999_500:
        text = format_unit(max(round(size / 1000), 1 if size else 0), "digital-kilobyte",
                           length="short", format="#,##0", locale=babel_locale(code))
    else:
        text = format_unit(size / 1_000_000, "digital-megabyte", length="short",
                           format="#,##0.0", locale=babel_locale(code))
    return re.sub(r"(\d) ", "\\1\u00a0", text, count=1)


def url_display(url: str) -> str:
    return re.sub(r"^https?://", "", url).rstrip("/")


def term_separator(code: str) -> str:
    """Punctuation after a bold lead term, by the language's typographic convention."""
    lang = babel_locale(code).language
    if lang in ("ja", "zh"):
        return "："
    if lang == "fr":
        return "\u202f: "
    return ": "
