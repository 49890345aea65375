"""Translation checks: a list of small checkers, as Babel keeps its message checkers.

Each checker looks at one translation (the msgid and the msgstr, both parsed by the one
inline grammar) and raises a TranslationProblem saying what is wrong. `judge` runs them
all and locates each problem at the msgstr's PO line; `locale check`, `locale status` and
the build's localization all call it, so they can never disagree about a translation.
A new inline construct (a cross reference, a code span) that translators must keep adds
one checker to CHECKERS, or one case to `_shape`.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import assert_never

from compiler.chars import invalid_char, invalid_message
from compiler.errors import Category, Diagnostic, Loc, Severity
from compiler.i18n.ui import UI_CONTEXT
from compiler.inline import InlineError, code_spans, parse_inline, placeholders, refs
from compiler.links import DOC_SCHEME, PLACEHOLDER
from compiler.model import (
    KEYWORD_CONTEXT,
    KEYWORD_SEPARATORS,
    Code,
    Emphasis,
    Inline,
    Link,
    Placeholder,
    Ref,
    Strong,
    Text,
)


class TranslationProblem(Exception):
    """Raised by a checker; `untranslated` problems make the message fall back instead."""

    def __init__(self, message: str, *, untranslated: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.untranslated = untranslated


@dataclass(frozen=True)
class Unit:
    """One translation as the checkers see it."""

    context: str | None
    msgid: str
    msgstr: str
    source: tuple[Inline, ...]
    translated: tuple[Inline, ...]
    errors: tuple[InlineError, ...]  # syntax errors of the msgstr's markup


def check_blank(unit: Unit) -> None:
    if not unit.msgstr.strip():
        raise TranslationProblem("translation is blank (only spaces): counted as untranslated",
                                 untranslated=True)


def check_characters(unit: Unit) -> None:
    """Control characters and non-characters: XML, PDF and terminals cannot carry them."""
    bad = invalid_char(unit.msgstr)
    if bad is not None:
        raise TranslationProblem(invalid_message(bad[1]))


def check_label_fields(unit: Unit) -> None:
    """A layout word's braces are {name} placeholders only: '{signer.__class__}' or
    '{signer:>9999}' would be format-string injection, refused before anything formats it."""
    if unit.context != UI_CONTEXT:
        return
    rest = PLACEHOLDER.sub("", unit.msgstr)
    if "{" in rest or "}" in rest:
        names = ", ".join(PLACEHOLDER.findall(unit.msgid)) or "none"
        raise TranslationProblem(f"a brace that is not a {{name}} placeholder (placeholders "
                                 f"are {names})")


def check_keyword(unit: Unit) -> None:
    """A keyword stays one keyword: metadata lists them separated by commas, so a comma in
    a translation would make two (Word, WeasyPrint and search engines split there)."""
    if unit.context != KEYWORD_CONTEXT:
        return
    found = [sep for sep in KEYWORD_SEPARATORS if sep in unit.msgstr]
    if found:
        raise TranslationProblem(f"a keyword holds no '{found[0]}' (keywords are listed "
                                 "separated by commas; one keyword per message)")


def check_syntax(unit: Unit) -> None:
    if unit.errors:
        raise TranslationProblem("; ".join(e.message for e in unit.errors))


def check_placeholders(unit: Unit) -> None:
    src, tr = Counter(placeholders(unit.source)), Counter(placeholders(unit.translated))
    problems = [f"placeholder {{{n}}} missing" for n in sorted(set(src) - set(tr))]
    problems += [f"placeholder {{{n}}} not in the source" for n in sorted(set(tr) - set(src))]
    if problems:
        raise TranslationProblem("; ".join(problems))


def check_refs(unit: Unit) -> None:
    """{ref:section-id} cross-references become the section's number or title: kept as is."""
    src, tr = Counter(refs(unit.source)), Counter(refs(unit.translated))
    problems = [f"cross-reference {{ref:{n}}} missing" for n in sorted(set(src) - set(tr))]
    problems += [f"cross-reference {{ref:{n}}} not in the source"
                 for n in sorted(set(tr) - set(src))]
    if problems:
        raise TranslationProblem("; ".join(problems))


def check_code(unit: Unit) -> None:
    """`code` spans are never translated."""
    src, tr = Counter(code_spans(unit.source)), Counter(code_spans(unit.translated))
    problems = [f"code `{c}` missing or changed (code is never translated)"
                for c in sorted(set(src) - set(tr))]
    problems += [f"code `{c}` not in the source" for c in sorted(set(tr) - set(src))]
    if problems:
        raise TranslationProblem("; ".join(problems))


def _shape(nodes: tuple[Inline, ...]) -> list[str]:
    """The markup a translation must keep (bold, italic, links), order-free, targets aside."""
    out: list[str] = []
    for n in nodes:
        match n:
            case Strong(children=c):
                out += ["bold", *_shape(c)]
            case Emphasis(children=c):
                out += ["italic", *_shape(c)]
            case Link(children=c):
                out += ["link", *_shape(c)]
            case Text() | Placeholder() | Code() | Ref():
                pass  # checked on their own: placeholders, refs, code spans
            case _:
                assert_never(n)
    return sorted(out)


def check_markup(unit: Unit) -> None:
    want, got = _shape(unit.source), _shape(unit.translated)
    if want != got:
        raise TranslationProblem(f"inline markup differs (source has: {', '.join(want) or 'none'}"
                                 f"; translation has: {', '.join(got) or 'none'})")


def _links(nodes: tuple[Inline, ...]) -> list[str]:
    out: list[str] = []
    for n in nodes:
        match n:
            case Link(href=href, children=c):
                out += [href, *_links(c)]
            case Strong(children=c) | Emphasis(children=c):
                out += _links(c)
            case Text() | Placeholder() | Code() | Ref():
                pass
            case _:
                assert_never(n)
    return out


def scheme(href: str) -> str:
    if href.startswith("#"):
        return "#"
    head, sep, _ = href.partition(":")
    return head.lower() if sep else ""


def changed_links(unit: Unit) -> list[tuple[str, str]]:
    """(source target, translated target) for each link the translation points elsewhere."""
    return list(zip(_unmatched(_links(unit.source), _links(unit.translated)),
                    _unmatched(_links(unit.translated), _links(unit.source)), strict=False))


def _unmatched(these: list[str], others: list[str]) -> list[str]:
    left = Counter(others)
    out = []
    for href in these:
        if left[href]:
            left[href] -= 1
        else:
            out.append(href)
    return out


def check_links(unit: Unit) -> None:
    """A translation may point a link to a localized page of the same kind (https to https,
    mailto to mailto), never a link whose target comes from a variable."""
    for old, new in changed_links(unit):
        if "{" in old:
            raise TranslationProblem(f"link target {old} comes from a variable and cannot be "
                                     f"changed by a translation (found {new})")
        if old.startswith(DOC_SCHEME):
            raise TranslationProblem(f"{{doc:{old.removeprefix(DOC_SCHEME)}}} links another "
                                     "document of the project and cannot be changed by a "
                                     f"translation (found {new})")
        if scheme(old) != scheme(new):
            raise TranslationProblem(f"link target {new} is not of the same kind as the "
                                     f"source's {old} (expected a {scheme(old) or 'relative'} "
                                     "target)")


Checker = Callable[[Unit], None]
# Order matters: a blank translation is only untranslated; a broken one is reported by the
# first checker that refuses it (one clear cause per message, as a compiler reports).
CHECKERS: tuple[Checker, ...] = (check_blank, check_characters, check_label_fields,
                                 check_keyword, check_syntax, check_links, check_placeholders, check_refs,
                                 check_code, check_markup)


class Verdict(enum.Enum):
    TRANSLATED = "translated"
    UNTRANSLATED = "untranslated"  # empty or blank: the source text is used
    BROKEN = "broken"  # fails a check: an error


def unit(context: str | None, msgid: str, msgstr: str) -> Unit:
    source, _ = parse_inline(msgid)
    translated, errors = parse_inline(msgstr)
    return Unit(context, msgid, msgstr, source, translated, tuple(errors))


def judge(context: str | None, msgid: str, msgstr: str,
          loc: Loc) -> tuple[Verdict, list[Diagnostic]]:
    """Run every checker on one translation; problems come back located at loc."""
    verdict, problems = _judged(context, msgid, msgstr, loc)
    return verdict, list(problems)


@lru_cache(maxsize=4096)
def _judged(context: str | None, msgid: str, msgstr: str,
            loc: Loc) -> tuple[Verdict, tuple[Diagnostic, ...]]:
    """judge's answer, kept per process: a process that localizes again (the warm worker
    after a catalog edit, `policyc serve`) checks only the translations that changed, not
    all of them (~40 % of localizing the shipped policy in a warm process, issue #18)."""
    if not msgstr:
        return Verdict.UNTRANSLATED, ()
    u = unit(context, msgid, msgstr)
    for checker in CHECKERS:
        try:
            checker(u)
        except TranslationProblem as problem:
            text = f"{problem.message} in translation of {quote(msgid)}"
            if problem.untranslated:
                return Verdict.UNTRANSLATED, (Diagnostic(loc, text, Severity.WARNING,
                                                         Category.TRANSLATION),)
            return Verdict.BROKEN, (Diagnostic(loc, text, Severity.ERROR, Category.TRANSLATION),)
    return Verdict.TRANSLATED, ()


def gap(loc: Loc, code: str, msgid: str, how: str) -> Diagnostic:
    """A message the locale shows in the source language (`how`: untranslated, fuzzy,
    blank, not in the catalog), at its PO line: what `build --strict` and `locale check
    --strict` list, one line each (qa6 N10), as a refused signature does."""
    return Diagnostic(loc, f"{code}: {how}: {quote(msgid)}", Severity.WARNING,
                      Category.TRANSLATION)


def quote(text: str, limit: int = 60) -> str:
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'
