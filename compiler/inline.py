"""The one parser of inline markup: **bold**, *italic*, [label](href), {placeholder},
{ref:section-id}, `code`, auto-links.

Emphasis follows CommonMark's flanking rule: a '*' opens only before a non-space and
closes only after one, so `cookie_*`, `2 * 3` and a lone '*' stay text.

Used by the loader for source strings and by localization for translations, so both
sides of a translation are judged by the same grammar.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from compiler import links
from compiler.limits import MAX_INLINE_DEPTH
from compiler.model import Code, Emphasis, Inline, Link, Placeholder, Ref, Strong, Text, walk

ESCAPABLE = "\\*[]{}()_`"
MAX_DEPTH = MAX_INLINE_DEPTH  # deeper markup is an error, not a RecursionError
MAX_ERRORS = 20  # per string
_REF_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Both auto-link patterns run in linear time: the e-mail pattern only starts where a run of
# address characters starts (the look-behind) and never gives back what it consumed.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@"
                    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s<>\"'\]\)]+[^\s<>\"'\]\).,;:!?]")
_AUTOLINK = re.compile(f"(?P<url>{_URL.pattern})|(?P<email>{_EMAIL.pattern})")


@dataclass(frozen=True)
class InlineError:
    offset: int  # 0-based character offset into the string
    message: str


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.depth = 0
        self.errors: list[InlineError] = []
        self.no_closer: set[int] = set()  # backtick run lengths with no closer further on

    def parse(self, closer: str | None = None, opened_at: int = 0) -> tuple[Inline, ...]:
        out: list[Inline] = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                out.extend(_autolink("".join(buf)))
                buf.clear()

        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if closer and s.startswith(closer, self.i) and not (
                closer == "*" and s.startswith("**", self.i)
            ) and (closer == "]" or (self.i > 0 and not s[self.i - 1].isspace())):
                self.i += len(closer)
                flush()
                return tuple(out)
            if c == "\\" and self.i + 1 < len(s) and s[self.i + 1] in ESCAPABLE:
                buf.append(s[self.i + 1])
                self.i += 2
            elif c in "*[" and self.depth >= MAX_DEPTH:
                self.errors.append(InlineError(self.i, f"inline markup nested more than "
                                               f"{MAX_DEPTH} levels deep"))
                buf.append(s[self.i:])
                self.i = len(s)
            elif c == "`" or (c == "*" and not self._opens()):
                flush()
                out.append(self._verbatim())
            elif s.startswith("**", self.i):
                flush()
                start = self.i
                self.i += 2
                out.append(Strong(self._inner("**", start, "bold")))
            elif c == "*":
                flush()
                start = self.i
                self.i += 1
                out.append(Emphasis(self._inner("*", start, "italic")))
            elif c == "[":
                flush()
                out.extend(self._link())
            elif c == "{":
                flush()
                out.append(self._placeholder())
            elif c in "]}":
                self.errors.append(
                    InlineError(self.i, f"unmatched '{c}' (escape it as '\\{c}' if meant literally)")
                )
                buf.append(c)
                self.i += 1
            else:
                buf.append(c)
                self.i += 1
        flush()
        if closer:
            kind = {"**": "bold", "*": "italic", "]": "link label"}[closer]
            self.errors.append(
                InlineError(opened_at, f"unclosed {kind} markup '{self.s[opened_at]}"
                            f"{'*' if closer == '**' else ''}' (expected a closing '{closer}')")
            )
        return tuple(out)

    def _nested(self, closer: str, start: int) -> tuple[Inline, ...]:
        self.depth += 1
        try:
            return self.parse(closer, start)
        finally:
            self.depth -= 1

    def _opens(self) -> bool:
        """CommonMark's left-flanking test, simplified: '*' or '**' before a non-space."""
        after = self.i + (2 if self.s.startswith("**", self.i) else 1)
        return after < len(self.s) and not self.s[after].isspace()

    def _verbatim(self) -> Inline:
        """A '*' or '**' that opens nothing (text), or a code span: a run of n backticks up
        to the next run of exactly n, its content verbatim (no markup, no escapes). Without
        a closer the backticks are text."""
        s, start = self.s, self.i
        if s[start] == "*":
            self.i += 2 if s.startswith("**", start) else 1
            return Text(s[start:self.i])
        n = 1
        while start + n < len(s) and s[start + n] == "`":
            n += 1
        self.i = start + n
        if n not in self.no_closer:
            m = re.compile(f"(?<!`)`{{{n}}}(?!`)").search(s, self.i)
            if m is not None:
                content = s[self.i : m.start()]
                self.i = m.end()
                if content.strip() and content[0] == content[-1] == " " and len(content) > 2:
                    content = content[1:-1]  # CommonMark: one space each side is padding
                if not content.strip():
                    self.errors.append(InlineError(start, "empty code span"))
                return Code(content)
            self.no_closer.add(n)
        return Text("`" * n)

    def _inner(self, closer: str, start: int, kind: str) -> tuple[Inline, ...]:
        children = self._nested(closer, start)
        if not children:
            self.errors.append(InlineError(start, f"empty {kind} markup '{closer}{closer}'"))
        return children

    def _link(self) -> tuple[Inline, ...]:
        start = self.i
        self.i += 1
        label = self._nested("]", start)
        if not self.s.startswith("(", self.i):
            self.errors.append(
                InlineError(start, "link label '[...]' must be followed by '(target)'; "
                            "escape '[' as '\\[' if meant literally")
            )
            return (Text("["), *label, Text("]"))
        end = self.s.find(")", self.i)
        if end < 0:
            self.errors.append(InlineError(self.i, "unclosed link target '(' (expected ')')"))
            self.i = len(self.s)
            return label
        href = self.s[self.i + 1 : end].strip()
        self.i = end + 1
        why = links.template_problem(href)
        if why is not None:
            self.errors.append(InlineError(start, f"link target '{href}' is not allowed: {why}"))
        if not label:
            self.errors.append(InlineError(start, "empty link label '[]'"))
        return (Link(href, label),)

    def _placeholder(self) -> Inline:
        start = self.i
        end = self.s.find("}", self.i)
        if end < 0:
            self.errors.append(
                InlineError(start, "unclosed placeholder '{' (expected '}'; "
                            "escape '{' as '\\{' if meant literally)")
            )
            self.i = len(self.s)
            return Text(self.s[start:])
        name = self.s[start + 1 : end].strip()
        self.i = end + 1
        if name.startswith("doc:"):
            target = name[4:].strip()
            if not _REF_ID.fullmatch(target):
                self.errors.append(
                    InlineError(start, f"invalid document link '{{{name}}}' (expected "
                                "{doc:document-id} with another document's id)"))
            return Link(links.DOC_SCHEME + target, ())
        if name.startswith("ref:"):
            target = name[4:].strip()
            if not _REF_ID.fullmatch(target):
                self.errors.append(
                    InlineError(start, f"invalid cross-reference '{{{name}}}' (expected "
                                "{ref:section-id} with a section's kebab-case id)"))
            return Ref(target)
        if not _NAME.fullmatch(name):
            self.errors.append(
                InlineError(start, f"invalid placeholder '{{{name}}}' "
                            "(expected a variable name such as {company}; write "
                            f"'\\{{{name}\\}}' for literal braces)")
            )
        return Placeholder(name)


def _autolink(text: str) -> list[Inline]:
    """Plain e-mail addresses and http(s) URLs in text become links, as readers expect."""
    out: list[Inline] = []
    pos = 0
    for m in _AUTOLINK.finditer(text):
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        found = m.group(0)
        href = found if m.group("url") else "mailto:" + found
        out.append(Link(href, (Text(found),)) if links.problem(href) is None else Text(found))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out


def parse_inline(text: str) -> tuple[tuple[Inline, ...], list[InlineError]]:
    """Parse markup; errors carry offsets so callers can turn them into file:line:col.

    A string is parsed once per process: the loader, the translation checks (the msgid in
    every locale, the msgstr before and after its checks) and localization ask for the same
    strings again (issue #18). The result is immutable (frozen nodes in tuples), so sharing
    it is safe; long strings are parsed each time so the cache stays small.
    """
    if len(text) > _CACHED_LENGTH:
        nodes, errors = _parse(text)
        return nodes, list(errors)
    nodes, errors = _parse_cached(text)
    return nodes, list(errors)


# Bounds of the parse cache: 4,096 strings of at most 2,000 characters (a few MB at most).
_CACHED_LENGTH = 2000


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> tuple[tuple[Inline, ...], tuple[InlineError, ...]]:
    return _parse(text)


def _parse(text: str) -> tuple[tuple[Inline, ...], tuple[InlineError, ...]]:
    p = _Parser(text)
    nodes = p.parse()
    errors = p.errors
    too_deep = [e for e in errors if e.message.startswith("inline markup nested more than")]
    if too_deep:  # every level above it is unclosed too: say the one thing that matters
        errors = too_deep[:1]
    if len(errors) > MAX_ERRORS:  # one broken string must not flood the log
        errors = [*errors[:MAX_ERRORS], InlineError(
            errors[MAX_ERRORS].offset, f"{len(errors) - MAX_ERRORS} more markup errors "
            "in this text")]
    return _merge_text(nodes), tuple(errors)


def merge_text(nodes: Iterable[Inline]) -> tuple[Inline, ...]:
    """Adjacent Text nodes joined into one, in linear time (joining pairwise copies the
    growing text each time: quadratic on text like 'a* a* a* ...')."""
    out: list[Inline] = []
    run: list[str] = []
    for n in nodes:
        if isinstance(n, Text):
            run.append(n.text)
            continue
        if run:
            out.append(Text("".join(run)))
            run = []
        out.append(n)
    if run:
        out.append(Text("".join(run)))
    return tuple(out)


_merge_text = merge_text


def placeholders(nodes: tuple[Inline, ...]) -> list[str]:
    """Placeholder names in reading order, including those inside link targets."""
    names: list[str] = []
    for n in walk.inlines(nodes):
        if isinstance(n, Placeholder):
            names.append(n.name)
        elif isinstance(n, Link):
            names.extend(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", n.href))
    return names


def refs(nodes: tuple[Inline, ...]) -> list[str]:
    """Section ids of the cross-references, in reading order."""
    return [n.target for n in walk.inlines(nodes) if isinstance(n, Ref)]


def code_spans(nodes: tuple[Inline, ...]) -> list[str]:
    """The verbatim text of the code spans, in reading order."""
    return [n.text for n in walk.inlines(nodes) if isinstance(n, Code)]


def markup_shape(nodes: tuple[Inline, ...]) -> list[str]:
    """The kinds of markup used (bold, italic, link targets), order-free, for translation
    checks (placeholders, references and code spans are checked on their own)."""
    shape: list[str] = []
    for n in walk.inlines(nodes):
        if isinstance(n, Strong):
            shape.append("bold")
        elif isinstance(n, Emphasis):
            shape.append("italic")
        elif isinstance(n, Link):
            shape.append(f"link {n.href}")
    return sorted(shape)


def needs_translation(nodes: tuple[Inline, ...]) -> bool:
    """False for strings that are only placeholders and punctuation, such as '{dpo_email}'."""
    return any(isinstance(n, Text) and any(ch.isalpha() for ch in n.text)
               for n in walk.inlines(nodes))
