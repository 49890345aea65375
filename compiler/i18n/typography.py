"""Locale typography applied to localized text: the source and catalogs stay plain ASCII.

English gets curly quotes and apostrophes (Children’s, “Last Updated”); French narrow
no-break spaces before ; : ! ? and inside « »; Japanese no space between a number and its
counter (90日間). A number and the unit of time after it never part at a line end: the
space between them becomes a no-break space ("16\u00a0Jahren", "24\u00a0horas"), as in the
durations variables fill in (formatting.duration). Text inside links (addresses, URLs) is
never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compiler.model import Code, Emphasis, Inline, Link, Placeholder, Ref, Strong, Text

NNBSP, NBSP = "\u202f", "\u00a0"

# straight double quotes become these (opening, closing), by language
DOUBLE_QUOTES = {
    "en": ("\u201c", "\u201d"), "pt": ("\u201c", "\u201d"), "de": ("\u201e", "\u201c"),
    "fr": ("\u00ab" + NNBSP, NNBSP + "\u00bb"), "es": ("\u00ab", "\u00bb"),
    "ja": ("\u300c", "\u300d"), "zh": ("\u201c", "\u201d"),
}
LATIN = ("en", "de", "fr", "es", "pt", "it", "nl")
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f"

# units of time, per language, that a number before them keeps on its line
TIME_UNITS = {
    "en": "years? months? weeks? days? hours? minutes? seconds?",
    "de": "Jahre[ns]? Jahr Monate[ns]? Monat Wochen? Tage[ns]? Tag Werktage[ns]? Werktag "
          "Stunden? Minuten? Sekunden?",
    "fr": "ans? années? mois semaines? jours? heures? minutes? secondes?",
    "es": "años? mes(?:es)? semanas? días? horas? minutos? segundos?",
    "pt": "anos? mês meses semanas? dias? horas? minutos? segundos?",
}
_UNIT_SPACE = {
    lang: re.compile(rf"(?<=\d) (?=(?:{'|'.join(units.split())})\b)", re.IGNORECASE)
    for lang, units in TIME_UNITS.items()}


@dataclass
class _State:
    prev: str = " "  # the last character emitted, across inline boundaries


def typeset(inlines: tuple[Inline, ...], language: str) -> tuple[Inline, ...]:
    """The inlines with this language's typography; links are left as written."""
    return _walk(inlines, re.split(r"[_-]", language, maxsplit=1)[0], _State())


def typeset_text(text: str, language: str) -> str:
    """One plain string (a UI label, a title)."""
    out = typeset((Text(text),), language)
    return out[0].text if out and isinstance(out[0], Text) else text


def _walk(nodes: tuple[Inline, ...], lang: str, state: _State) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in nodes:
        match node:
            case Text(text=t):
                new = _text(t, lang, state.prev)
                out.append(Text(new))
                state.prev = new[-1:] or state.prev
            case Strong(children=c):
                out.append(Strong(_walk(c, lang, state)))
            case Emphasis(children=c):
                out.append(Emphasis(_walk(c, lang, state)))
            case Link() | Code() | Ref():  # addresses, code and references stay as written
                out.append(node)
                state.prev = "x"  # they end in a letter or digit as far as quotes care
            case Placeholder():
                out.append(node)
    return tuple(out)


def _text(text: str, lang: str, prev: str) -> str:
    if lang in LATIN or lang in ("ja", "zh"):
        text = _quotes(text, lang, prev)
    if lang in _UNIT_SPACE:
        text = _UNIT_SPACE[lang].sub(NBSP, text)
    if lang == "fr":
        text = _french_spaces(text)
    if lang in ("ja", "zh"):
        # no space between a number and the counter or unit after it: 90日間, 7年間
        text = re.sub(rf"(\d)[ {NBSP}{NNBSP}]+(?=[{CJK}])", r"\1", text)
    return text


def _quotes(text: str, lang: str, prev: str) -> str:
    if "'" not in text and '"' not in text:  # most texts: no walk over every character
        return text
    opening, closing = DOUBLE_QUOTES.get(lang, ("\u201c", "\u201d"))
    out: list[str] = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else prev
        after = text[i + 1] if i + 1 < len(text) else " "
        if ch == "'" and lang in LATIN:
            # an apostrophe or closing quote after a letter (Children’s, ’90s); else opening
            out.append("\u2019" if before.isalnum() or not after.isalnum() else "\u2018")
        elif ch == '"':
            out.append(opening if before.isspace() or before in "([{\u2014\u2013-/" else closing)
        else:
            out.append(ch)
    return "".join(out)


def _french_spaces(text: str) -> str:
    # a narrow no-break space before ; : ! ? (replacing any space there), not in 10:30
    text = re.sub(rf"(?<=[^\s;:!?])[ {NBSP}{NNBSP}]*([;!?])", NNBSP + r"\1", text)
    text = re.sub(rf"(?<=[^\s;:!?\d])[ {NBSP}{NNBSP}]*:(?!\d|//)", NNBSP + ":", text)
    text = re.sub(rf"\u00ab[ {NBSP}{NNBSP}]*", "\u00ab" + NNBSP, text)
    return re.sub(rf"[ {NBSP}{NNBSP}]*\u00bb", NNBSP + "\u00bb", text)
