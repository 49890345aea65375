"""Aligning a human translation to its source: heading to heading, block to block, cell to
cell, by structure; variables' values become their {placeholders}; whatever cannot be
matched (structure, placeholders, links, numbers) is kept fuzzy with a note, never silently.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, assert_never

from compiler import links
from compiler.i18n import formatting, typography
from compiler.inline import markup_shape, needs_translation, placeholders
from compiler.model import (
    Address,
    Block,
    CallToAction,
    Contact,
    Definitions,
    Document,
    Duration,
    Emphasis,
    Inline,
    ItemList,
    Link,
    Note,
    Paragraph,
    Placeholder,
    Rich,
    Section,
    Strong,
    Table,
    Text,
    Variable,
    VarKind,
    plain_text,
)


@dataclass(frozen=True)
class Segment:
    """One translatable string and where it sits in the structure."""

    kind: str  # e.g. "h2", "p", "li1", "li1-term", "td3", "note"
    rich: Rich


@dataclass(frozen=True)
class Pair:
    source: Rich
    msgstr: str
    notes: tuple[str, ...]  # empty: aligned; otherwise why it is fuzzy

    @property
    def fuzzy(self) -> bool:
        return bool(self.notes)


@dataclass
class Alignment:
    pairs: list[Pair] = field(default_factory=list)
    unaligned: list[Rich] = field(default_factory=list)  # source strings with no translation
    leftover: list[Rich] = field(default_factory=list)  # translated strings matched to nothing

    @property
    def counts(self) -> tuple[int, int, int]:
        fuzzy = sum(1 for p in self.pairs if p.fuzzy)
        return len(self.pairs) - fuzzy, fuzzy, len(self.unaligned)


def segments(doc: Document) -> list[Segment]:
    """Every message of a document with its structural kind, in reading order."""
    out = [Segment("title", doc.meta.title)]
    if doc.meta.description:
        out.append(Segment("description", doc.meta.description))
    out.extend(Segment("keyword", k) for k in doc.meta.keywords)  # from the file's properties
    for b in doc.preamble:
        out.extend(_block(b))
    for s in doc.sections:
        out.extend(_section(s))
    out.extend(Segment("change", c.summary) for c in doc.meta.changes)
    return out


def _section(s: Section) -> Iterator[Segment]:
    yield Segment(f"h{s.level}", s.title)
    for b in s.blocks:
        yield from _block(b)
    for sub in s.sections:
        yield from _section(sub)


def _block(b: Block) -> Iterator[Segment]:
    match b:
        case Paragraph(text=t):
            yield Segment("p", t)
        case ItemList():
            yield from _items(b, 1)
        case Note(text=t):
            yield Segment("note", t)
        case Contact(entries=entries):
            for e in entries:
                yield Segment("contact-label", e.label)
                yield Segment("contact-value", e.value)
        case CallToAction(title=title, text=text, action=action):
            yield Segment("cta-title", title)
            yield Segment("cta-text", text)
            yield Segment("cta-action", action)
        case Table(caption=caption, header=header, rows=rows):
            if caption:
                yield Segment("caption", caption)
            for i, c in enumerate(header):
                yield Segment(f"th{i}", c)
            for row in rows:
                for i, c in enumerate(row):
                    yield Segment(f"td{i}", c)
        case Definitions(items=items):
            for d in items:
                yield Segment("dt", d.term)
                yield Segment("dd", d.text)
        case Address(lines=lines):
            for line in lines:
                yield Segment("line", line)
        case _:
            assert_never(b)


def _items(lst: ItemList, depth: int) -> Iterator[Segment]:
    for item in lst.items:
        if item.term:
            yield Segment(f"li{depth}-term", item.term)
        if item.text:
            yield Segment(f"li{depth}", item.text)
        for b in item.blocks:
            yield from _block(b)
        if item.sublist:
            yield from _items(item.sublist, depth + 1)


# --- variables back to placeholders --------------------------------------------------------


_MARKS = "\u200e\u200f\u2066\u2067\u2068\u2069"


def displays(var: Variable, code: str) -> list[str]:
    """How a variable's value can appear in a translated text (as policyc writes it in the
    locale, and as written in the source)."""
    value = var.value
    shown: list[str] = [str(value)]
    if var.kind is VarKind.URL:
        shown.append(formatting.url_display(str(value)))
    elif isinstance(value, Duration):
        text = formatting.duration(value, code)
        # as printed (locale typography: 90日 in Japanese), as formatted, as typed
        shown.extend([typography.typeset_text(text, code), text, text.replace("\u00a0", " ")])
    elif var.kind is VarKind.NUMBER and isinstance(value, int | float):
        shown.append(formatting.number(value, code))
    elif var.kind is VarKind.DATE:
        shown.append(formatting.long_date(value, code))  # type: ignore[arg-type]
    return [s for s in dict.fromkeys(shown) if s]


def with_placeholders(nodes: tuple[Inline, ...], wanted: list[Variable],
                      code: str) -> tuple[Inline, ...]:
    """The translated inlines with the values of the source message's variables (in the
    source's order) replaced by {placeholders}; a value used twice counts twice."""
    facts: dict[str, str] = {}
    for var in wanted:
        for shown in displays(var, code):
            facts.setdefault(shown, var.name)
    if not facts:
        return nodes
    pattern = re.compile("|".join(
        rf"(?<![A-Za-z0-9@]){re.escape(v)}(?![A-Za-z0-9@]|\.[A-Za-z0-9])"
        for v in sorted(facts, key=len, reverse=True)))
    hrefs = {str(v.value): v for v in wanted if v.kind in (VarKind.EMAIL, VarKind.URL,
                                                           VarKind.PHONE)}

    def walk(ns: tuple[Inline, ...]) -> list[Inline]:
        out: list[Inline] = []
        for n in ns:
            match n:
                case Text(text=t):
                    pos = 0
                    for m in pattern.finditer(t):
                        if m.start() > pos:
                            out.append(Text(t[pos:m.start()]))
                        out.append(Placeholder(facts[m.group(0)]))
                        pos = m.end()
                    if pos < len(t):
                        out.append(Text(t[pos:]))
                case Link(href=href, children=c):
                    target = re.sub(r"^(mailto:|tel:)", "", href)
                    label = plain_text(c).strip(_MARKS)  # RTL outputs wrap LTR links in marks
                    var = hrefs.get(target) or next(
                        (v for v in hrefs.values() if href.startswith("tel:")
                         and links.tel_href(str(v.value)) == href), None)
                    if var is not None and label in displays(var, code):
                        out.append(Placeholder(var.name))  # the variable renders as this link
                    elif var is not None:
                        scheme = href[: len(href) - len(target)]
                        out.append(Link(f"{scheme}{{{var.name}}}", tuple(walk(c))))
                    else:
                        out.append(Link(href, tuple(walk(c))))
                case Strong(children=c):
                    out.append(Strong(tuple(walk(c))))
                case Emphasis(children=c):
                    out.append(Emphasis(tuple(walk(c))))
                case _:
                    out.append(n)
        return out

    return tuple(walk(nodes))


# --- alignment ---------------------------------------------------------------------------------


def _numbers(nodes: tuple[Inline, ...]) -> Counter[str]:
    return Counter(re.findall(r"\d+(?:[.,]\d+)*", plain_text(nodes)))


def _pair(source: Rich, translated: Rich, doc: Document, code: str, note: str = "") -> Pair:
    from compiler.readers.markup import to_markup

    wanted = [v for name in dict.fromkeys(placeholders(source.inlines))
              if (v := doc.variable(name)) is not None]
    from compiler.readers.markup import canonical

    nodes = canonical(with_placeholders(translated.inlines, wanted, code))
    notes = [note] if note else []
    src_names, tr_names = Counter(placeholders(source.inlines)), Counter(placeholders(nodes))
    if src_names != tr_names:
        missing = sorted((src_names - tr_names).elements())
        extra = sorted((tr_names - src_names).elements())
        notes.append("placeholders differ: " + ", ".join(
            [f"{{{n}}} not found" for n in missing] + [f"{{{n}}} extra" for n in extra]))
    src_links = [s for s in markup_shape(source.inlines) if s.startswith("link ")]
    tr_links = [s for s in markup_shape(nodes) if s.startswith("link ")]
    if src_links != tr_links:
        notes.append(f"links differ ({len(src_links)} in the source, {len(tr_links)} here"
                     + ("" if len(src_links) != len(tr_links) else ", other targets") + ")")
    if _numbers(source.inlines) != _numbers(tuple(n for n in nodes if not isinstance(n, Placeholder))):
        notes.append("numbers differ from the source's")
    if not plain_text(nodes).strip():
        notes.append("empty translation")
    notes = [f"{n} ({translated.loc})" for n in notes]
    return Pair(source, to_markup(nodes), tuple(notes))


def _fingerprint(seg: Segment, ignore: frozenset[str],
                 linked: frozenset[str] = frozenset()) -> tuple[str, tuple[str, ...], int]:
    """What a translation keeps from its source whatever the language: the kind of block,
    the numbers written out, how many links. Aligning on it keeps paragraphs in step when
    one is missing. Numbers that variables' values show (ignore) are left out: the source
    has {placeholders} where the translated document shows them."""
    from compiler.readers.markup import canonical

    nodes = canonical(seg.rich.inlines)
    numbers = _numbers(tuple(n for n in nodes if not isinstance(n, Placeholder)))
    links = sum(1 for s in markup_shape(nodes) if s.startswith("link "))
    links += sum(1 for n in nodes if isinstance(n, Placeholder) and n.name in linked)
    return seg.kind, tuple(sorted(n for n in numbers.elements() if n not in ignore)), links


def align(source: Document, translation: Document, code: str) -> Alignment:
    """Pairs of source messages and translated strings, matched by structure: first by
    fingerprint (kind, numbers, links), then, where that leaves gaps, by kind alone."""
    src = segments(source)  # all, to keep the structures in step; untranslatable ones
    tr = segments(translation)  # (only a {placeholder}) are passed over when pairing
    result = Alignment()
    ignore = frozenset(n for v in source.variables for shown in displays(v, code)
                       for n in re.findall(r"\d+(?:[.,]\d+)*", shown))
    linked = frozenset(v.name for v in source.variables  # shown as links when filled in
                       if v.kind in (VarKind.EMAIL, VarKind.URL, VarKind.PHONE))
    _match(src, tr, [_fingerprint(s, ignore, linked) for s in src],
           [_fingerprint(t, ignore) for t in tr], source, code, result, refine=True)
    return result


def _match(src: list[Segment], tr: list[Segment], a: list[Any], b: list[Any], doc: Document,
           code: str, result: Alignment, *, refine: bool) -> None:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        same_length = i2 - i1 == j2 - j1
        if op == "equal" or (op == "replace" and same_length):
            for s, t in zip(src[i1:i2], tr[j1:j2], strict=True):
                if not needs_translation(s.rich.inlines):
                    continue
                note = "" if s.kind == t.kind else (f"structure differs here: a {s.kind} in "
                                                    f"the source, a {t.kind} in the translation")
                result.pairs.append(_pair(s.rich, t.rich, doc, code, note))
        elif op == "replace" and refine:
            _match(src[i1:i2], tr[j1:j2], [s.kind for s in src[i1:i2]],
                   [t.kind for t in tr[j1:j2]], doc, code, result, refine=False)
        else:
            result.unaligned.extend(s.rich for s in src[i1:i2]
                                    if needs_translation(s.rich.inlines))
            result.leftover.extend(t.rich for t in tr[j1:j2])
