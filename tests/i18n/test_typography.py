"""Locale typography: curly quotes, French spaces, Japanese counters, numbers kept with units."""

from __future__ import annotations

import pytest

from compiler.i18n.typography import typeset, typeset_text
from compiler.model import Link, Strong, Text

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(("lang", "source", "expected"), [
    ("en", "Children's Privacy", "Children\u2019s Privacy"),
    ("en", 'the "Last Updated" date', "the \u201cLast Updated\u201d date"),
    ("en", "'quoted' word", "\u2018quoted\u2019 word"),
    ("de", 'Das Datum "Zuletzt aktualisiert"', "Das Datum \u201eZuletzt aktualisiert\u201c"),
    ("fr", "Des questions ? Oui : non ; bien !",
     f"Des questions{NNBSP}? Oui{NNBSP}: non{NNBSP}; bien{NNBSP}!"),
    ("fr", "à 10:30", "à 10:30"),
    ("fr", "« Dernière mise à jour »", f"«{NNBSP}Dernière mise à jour{NNBSP}»"),
    ("fr", "«bonjour»", f"«{NNBSP}bonjour{NNBSP}»"),
    ("fr", "l'utilisateur", "l\u2019utilisateur"),
    ("ja", "90 日間、7 年間", "90日間、7年間"),
    ("ja", f"90{NBSP}日", "90日"),
    ("de", "AES-256 für", "AES-256 für"),
    ("en", "version 1.2 of", "version 1.2 of"),
    ("ar", 'نص "عربي"', 'نص "عربي"'),
])
def test_typeset_text(lang: str, source: str, expected: str) -> None:
    assert typeset_text(source, lang) == expected


def test_quotes_see_across_markup_and_links_stay_as_written() -> None:
    nodes = (Text('the "'), Strong((Text("Last Updated"),)), Text('" date: '),
             Link("mailto:o'brien@example.com", (Text("o'brien@example.com"),)),
             Text("'s inbox"))
    out = typeset(nodes, "en")
    assert out[0] == Text("the \u201c")
    assert out[2] == Text("\u201d date: ")
    assert out[3] == nodes[3]
    assert out[4] == Text("\u2019s inbox")
