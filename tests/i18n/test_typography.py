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


@pytest.mark.parametrize(("lang", "source", "expected"), [
    ("de", "unter 16 Jahren", f"unter 16{NBSP}Jahren"),
    ("de", "1 Jahr, 12 Monate, 6 Monaten, 2 Wochen, 30 Tage, 30 Tagen, 24 Stunden",
     f"1{NBSP}Jahr, 12{NBSP}Monate, 6{NBSP}Monaten, 2{NBSP}Wochen, 30{NBSP}Tage, "
     f"30{NBSP}Tagen, 24{NBSP}Stunden"),
    ("fr", "2 ans, 6 mois, 30 jours, 48 heures, 3 semaines",
     f"2{NBSP}ans, 6{NBSP}mois, 30{NBSP}jours, 48{NBSP}heures, 3{NBSP}semaines"),
    ("es", "24 horas, 7 días, 2 años, 6 meses, 1 mes, 3 semanas",
     f"24{NBSP}horas, 7{NBSP}días, 2{NBSP}años, 6{NBSP}meses, 1{NBSP}mes, 3{NBSP}semanas"),
    ("pt_BR", "24 horas, 7 dias, 2 anos, 6 meses, 1 mês, 3 semanas",
     f"24{NBSP}horas, 7{NBSP}dias, 2{NBSP}anos, 6{NBSP}meses, 1{NBSP}mês, 3{NBSP}semanas"),
    ("en", "3 years, 12 months, 30 days, 1 day, 24 hours, 15 minutes, 2 weeks",
     f"3{NBSP}years, 12{NBSP}months, 30{NBSP}days, 1{NBSP}day, 24{NBSP}hours, "
     f"15{NBSP}minutes, 2{NBSP}weeks"),
    # a word merely starting like a unit, a number not followed by one: left alone
    ("en", "3 daysy, 2016 data", "3 daysy, 2016 data"),
    ("de", "2016 Tagesordnung", "2016 Tagesordnung"),
    ("es", "7 mesas", "7 mesas"),
])
def test_a_number_keeps_its_unit_of_time(lang: str, source: str, expected: str) -> None:
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
