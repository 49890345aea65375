"""The translation checkers, one case each: what passes, what is broken, what falls back."""

from __future__ import annotations

import pytest

from compiler.errors import Loc
from compiler.i18n.checks import CHECKERS, Verdict, changed_links, judge, unit

LOC = Loc("de.po", 12)


@pytest.mark.parametrize(("context", "msgid", "msgstr", "problem"), [
    ("s", "Ask {email}.", "Fragen Sie {mail}.", "placeholder {email} missing; placeholder "
     "{mail} not in the source"),
    ("s", "**Always** ask.", "Immer fragen.", "inline markup differs (source has: bold; "
     "translation has: none)"),
    ("s", "See [the rules](https://a.example/r).", "Siehe [Regeln](mailto:x@a.example).",
     "link target mailto:x@a.example is not of the same kind as the source's "
     "https://a.example/r (expected a https target)"),
    ("s", "[Write us](mailto:{email}).", "[Schreiben](mailto:info@a.example).",
     "link target mailto:{email} comes from a variable and cannot be changed"),
    ("s", "See {doc:terms}.", "Siehe {doc:agb}.", "{doc:terms} links another document"),
    ("s", "See {ref:fees}.", "Siehe Gebühren.", "cross-reference {ref:fees} missing"),
    ("s", "Set `lang`.", "Setzen Sie `sprache`.", "code `lang` missing or changed"),
    ("s", "Delete it.", "L\x1b[2Jöschen.", "character U+001B (a control character)"),
    ("ui", "Page {page} of {pages}", "Seite {page:>9} von {pages}",
     "a brace that is not a {name} placeholder (placeholders are page, pages)"),
    ("s", "Delete it.", "Löschen *.", "unclosed italic markup"),
])
def test_a_broken_translation_is_one_located_error(context: str, msgid: str, msgstr: str,
                                                   problem: str) -> None:
    verdict, problems = judge(context, msgid, msgstr, LOC)
    assert verdict is Verdict.BROKEN
    [d] = problems
    assert str(d).startswith(f"de.po:12: error: {problem}"), str(d)
    assert str(d).endswith(f' in translation of "{msgid}"')


def test_blank_is_untranslated_and_a_localized_target_is_allowed_and_listed() -> None:
    verdict, problems = judge("s", "Scope", "  ", LOC)
    assert verdict is Verdict.UNTRANSLATED and problems[0].severity.value == "warning"
    assert judge("s", "Scope", "", LOC) == (Verdict.UNTRANSLATED, [])
    msgid = "See [the rules](https://a.example/r) and [us](mailto:{email})."
    msgstr = "Siehe [Regeln](https://a.example/de/r) und [uns](mailto:{email})."
    assert judge("s", msgid, msgstr, LOC) == (Verdict.TRANSLATED, [])
    assert changed_links(unit("s", msgid, msgstr)) == [("https://a.example/r",
                                                       "https://a.example/de/r")]


def test_every_checker_is_a_small_function_in_one_list() -> None:
    names = [c.__name__ for c in CHECKERS]
    assert names[0] == "check_blank" and len(set(names)) == len(names)
    assert {"check_placeholders", "check_markup", "check_links", "check_refs",
            "check_code"} <= set(names)
