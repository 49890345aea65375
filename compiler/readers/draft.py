"""What the import readers share: the flat stream they produce, and its assembly into a Document.

Markdown, DOCX and HTML are all a flat sequence of headings and blocks; each reader turns
its format into that sequence (model blocks plus Heading markers), and assemble() builds
the section tree, stable unique ids, message contexts and the metadata, recording what it
had to guess as findings the import report prints and the YAML emitter marks.

Kept whole: it is the one contract between the three import readers and assemble(), so a
reader imports one module; its inline helpers and ids (under 200 lines) are the cut
to make if it grows further.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from compiler.errors import Loc
from compiler.model import (
    KEYWORD_CONTEXT,
    KEYWORD_SEPARATORS,
    Address,
    Change,
    Code,
    Document,
    Emphasis,
    Inline,
    ItemList,
    Link,
    ListItem,
    Meta,
    Paragraph,
    Placeholder,
    Ref,
    Rich,
    Section,
    Strong,
    Table,
    Text,
    Variable,
    plain_text,
)
from compiler.model.walk import map_rich
from compiler.names import ascii_letters

BREAK = "\n"  # a line break inside a paragraph, kept in Text until assembly joins it


@dataclass(frozen=True)
class ReadOptions:
    locale: str | None = None  # the input's language when the caller knows it
    doc_id: str | None = None
    taken_ids: frozenset[str] = frozenset()  # the project's other sources': a made id avoids them


@dataclass(frozen=True)
class Finding:
    """One line of the import report: what was mapped, left out, or guessed, and where."""

    kind: str  # "mapped" | "unmapped" | "guessed"
    loc: Loc
    message: str
    key: str = ""  # for guesses: the YAML key or section id the YAML comment goes beside

    def __str__(self) -> str:
        return f"{self.loc}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class Reading:
    document: Document
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    inlines: tuple[Inline, ...]
    loc: Loc
    anchor: str | None = None  # an id the input gave the heading (HTML id, DOCX bookmark)
    number: str | None = None  # its clause number, when numbering (not text) shows it
    guess: str | None = None  # why a reader took it for a heading, when markup does not say


@dataclass
class Hints:
    """Metadata the input states (front matter, document properties, <meta>), as found."""

    title: tuple[Inline, ...] | None = None
    title_loc: Loc | None = None
    fallback_title: tuple[Inline, ...] | None = None  # a property, when no heading says it
    id: str | None = None
    version: str | None = None
    updated: dt.date | None = None
    effective: dt.date | None = None
    organization: str | None = None
    locale: str | None = None
    locales: tuple[str, ...] = ()
    description: tuple[Inline, ...] | None = None
    keywords: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    variables: tuple[Variable, ...] = ()


@dataclass
class Collector:
    """The findings of one reading, in input order."""

    shown: str
    findings: list[Finding] = field(default_factory=list)

    def mapped(self, loc: Loc, message: str) -> None:
        self.findings.append(Finding("mapped", loc, message))

    def unmapped(self, loc: Loc, message: str) -> None:
        self.findings.append(Finding("unmapped", loc, message))

    def guessed(self, loc: Loc, message: str, key: str) -> None:
        self.findings.append(Finding("guessed", loc, message, key))


# --- inline helpers the readers share ---------------------------------------------------


def normalize(nodes: Iterable[Inline], *, keep_breaks: bool = False) -> tuple[Inline, ...]:
    """Collapse white space, join line breaks (unless kept), move spaces out of bold and
    italic, drop empty markup, merge neighbours: what a reader sees, in canonical form."""
    out: list[Inline] = []
    for n in nodes:
        match n:
            case Text(text=t):
                t = t.replace("\u00ad", "")  # soft hyphens are layout, not text
                # ASCII white space only: no-break spaces (100\u00a0%, French \u202f:) are text
                t = re.sub(r"[ \t\r\f\v]+" if keep_breaks else r"[ \t\r\n\f\v]+", " ", t)
                if t:
                    _append(out, Text(t))
            case Strong(children=c) | Emphasis(children=c):
                inner = list(normalize(c, keep_breaks=keep_breaks))
                lead = trail = ""
                if inner and isinstance(inner[0], Text) and inner[0].text[:1].isspace():
                    lead = " "
                    inner[0] = Text(inner[0].text.lstrip())
                if inner and isinstance(inner[-1], Text) and inner[-1].text[-1:].isspace():
                    trail = " "
                    inner[-1] = Text(inner[-1].text.rstrip())
                inner = [x for x in inner if not (isinstance(x, Text) and not x.text)]
                if lead:
                    _append(out, Text(lead))
                if inner and plain_text(tuple(inner)).strip():
                    wrapped = Strong(tuple(inner)) if isinstance(n, Strong) else Emphasis(tuple(inner))
                    if out and type(out[-1]) is type(wrapped):
                        prev = out.pop()
                        assert isinstance(prev, Strong | Emphasis)
                        wrapped = type(wrapped)(normalize((*prev.children, *wrapped.children)))
                    out.append(wrapped)
                else:
                    for x in inner:
                        _append(out, x)
                if trail:
                    _append(out, Text(trail))
            case Link(href=href, children=c):
                label = normalize(c, keep_breaks=keep_breaks)
                if plain_text(label).strip():
                    out.append(Link(href, label))
            case Placeholder() | Code() | Ref():
                out.append(n)
    return _merge_spaces(out)


def _append(out: list[Inline], node: Inline) -> None:
    if isinstance(node, Text) and out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + node.text)
    else:
        out.append(node)


def _merge_spaces(out: list[Inline]) -> tuple[Inline, ...]:
    merged: list[Inline] = []
    for n in out:
        if isinstance(n, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + n.text)
        else:
            merged.append(n)
    fixed: list[Inline] = []
    for n in merged:
        if isinstance(n, Text):
            t = re.sub(r" {2,}", " ", n.text)
            t = re.sub(r" ?\n ?", "\n", t)
            if t:
                fixed.append(Text(t))
        else:
            fixed.append(n)
    return tuple(fixed)


def strip(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Without leading and trailing white space (inside the first and last text)."""
    out = list(nodes)
    while out and isinstance(out[0], Text) and not out[0].text.strip():
        out.pop(0)
    while out and isinstance(out[-1], Text) and not out[-1].text.strip():
        out.pop()
    if out and isinstance(out[0], Text):
        out[0] = Text(out[0].text.lstrip())
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text.rstrip())
    return tuple(out)


def clean(nodes: Iterable[Inline]) -> tuple[Inline, ...]:
    """normalize + strip, line breaks joined by a space."""
    return strip(normalize(nodes))


def has_break(nodes: tuple[Inline, ...]) -> bool:
    return any(BREAK in t for t in _texts(nodes))


def _texts(nodes: tuple[Inline, ...]) -> Iterable[str]:
    for n in nodes:
        match n:
            case Text(text=t):
                yield t
            case Strong(children=c) | Emphasis(children=c) | Link(children=c):
                yield from _texts(c)
            case Placeholder():
                pass


def rich(inlines: tuple[Inline, ...], loc: Loc, context: str = "") -> Rich:
    """A translatable string from imported inlines; its source is the policyc markup."""
    from compiler.readers.markup import to_markup

    return Rich(to_markup(inlines), inlines, loc, context)


TERM_SEPARATORS = (":", "\u202f:", "\u00a0:", " :", "：")


def split_term(nodes: tuple[Inline, ...]) -> tuple[tuple[Inline, ...] | None, tuple[Inline, ...]]:
    """'**Term**: text' -> (term, text), the form policyc's own lists render as; else
    (None, nodes). The colon may sit inside the bold run or just after it."""
    if len(nodes) < 1 or not isinstance(nodes[0], Strong):
        return None, nodes
    term = list(nodes[0].children)
    rest = list(nodes[1:])
    if not plain_text(strip(tuple(rest))).strip(" :：\u202f\u00a0"):
        return None, nodes
    if term and isinstance(term[-1], Text):
        t = term[-1].text.rstrip()
        for sep in TERM_SEPARATORS:
            if t.endswith(sep.strip()):
                stripped = t[: -len(sep.strip())].rstrip("\u202f\u00a0 ")
                term[-1] = Text(stripped)
                if not stripped:
                    term.pop()
                return (strip(tuple(term)) or None), strip(tuple(rest))
    if rest and isinstance(rest[0], Text):
        t = rest[0].text
        for sep in TERM_SEPARATORS:
            if t.startswith(sep) or t.startswith(sep.strip()):
                body = t[len(sep) if t.startswith(sep) else len(sep.strip()):]
                rest[0] = Text(body)
                return strip(tuple(term)), strip(tuple(rest))
    return None, nodes


# --- ids ------------------------------------------------------------------------------


def slug(text: str, limit: int = 48) -> str:
    """kebab-case ASCII from a title: 'Your Rights (GDPR)' -> 'your-rights-gdpr'."""
    text = re.sub(r"^\s*(?:(?:article|section|art\.|§)\s*)?[\dIVXivx]+(?:\.\d+)*[.):]?\s+", "",
                  text, flags=re.IGNORECASE) or text
    ascii_text = ascii_letters(text)
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for w in words:
        cand = f"{out}-{w}" if out else w
        if len(cand) > limit and out:
            break
        out = cand
    if out and not out[0].isalpha():
        out = "s-" + out
    return out[:limit].strip("-")


class Ids:
    """Unique kebab-case ids in document order; the first keeps the plain slug."""

    RESERVED = frozenset({"version-history", "toc-title", "main"})

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.anchors: dict[str, str] = {}  # a heading's anchor in the input -> its section id

    def take(self, wanted: str, fallback: str) -> str:
        base = wanted if re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", wanted or "") else fallback
        name, n = base, 2
        while name in self.used or name in self.RESERVED:
            name = f"{base}-{n}"
            n += 1
        self.used.add(name)
        return name


# --- assembly --------------------------------------------------------------------------

Item = Heading | Any  # a model Block (Paragraph, ItemList, Note, Contact, CallToAction, Table)


def assemble(items: list[Item], hints: Hints, col: Collector, options: ReadOptions,
             stem: str) -> Reading:
    """Sections from headings, ids from titles, contexts from id paths, metadata from hints
    or guesses; whatever is guessed becomes a finding with the key to mark."""
    shown = col.shown
    first = Loc(shown, 1)
    stream = []
    for x in items:
        if isinstance(x, Heading) and not plain_text(clean(x.inlines)).strip():
            col.unmapped(x.loc, "empty heading left out")
            continue
        stream.append(x)
    title, title_loc = _title(stream, hints, col, stem)
    ids = Ids()
    tree, preamble, numbering = _sections(stream, ids, col)
    if not tree:
        from compiler.errors import Category, CompilerError

        raise CompilerError.at(Loc(shown, 1, 1), "no text found besides the title (expected "
                               "paragraphs, lists or tables)", Category.IO)
    sections = _bounded(tree, col)
    from compiler.readers import schema

    given = options.doc_id or hints.id
    if given and not re.fullmatch(schema.ID_PATTERN, given):
        col.unmapped(first, f"id {given[:60]!r} is not a kebab-case id; one is made instead")
        given = None
    doc_id = given or slug(plain_text(title)) or slug(stem) or "policy"
    if doc_id in options.taken_ids:  # outputs and catalogs are named by the id
        base, n = doc_id, 2
        while (doc_id := f"{base}-{n}") in options.taken_ids:
            n += 1
        col.guessed(first, f"id '{doc_id}' ('{base}' is the id of another source of the "
                    "project)", "id")
    elif not given:
        col.guessed(first, f"id '{doc_id}' from the title", "id")
    meta = dataclasses.replace(_meta(hints, title, title_loc, doc_id, (*preamble, *sections),
                                     col, options), numbering=numbering)
    doc = Document(meta, hints.variables, sections, shown, preamble=preamble)
    doc = _resolve_anchors(_contexts(doc), ids.anchors, col)
    return Reading(doc, tuple(col.findings))


def _title(stream: list[Item], hints: Hints, col: Collector,
           stem: str) -> tuple[tuple[Inline, ...], Loc]:
    """The document title: the front matter's or the document's property, else the only
    top-level heading (taken out of stream, as is one that repeats the front matter's
    title), else the file name."""
    first = Loc(col.shown, 1)
    title = hints.title if hints.title and plain_text(clean(hints.title)).strip() else None
    title_loc = hints.title_loc or first
    headings = [x for x in stream if isinstance(x, Heading)]
    if headings:
        top = min(h.level for h in headings)
        tops = [h for h in headings if h.level == top]
        if len(tops) == 1 and (len(headings) == 1 or headings[0] is tops[0]):
            if title is None:
                title, title_loc = tops[0].inlines, tops[0].loc
                stream.remove(tops[0])
                if tops[0].guess:  # plain text: a line, not markup, said it was a heading
                    col.guessed(title_loc, f"title '{plain_text(clean(title))}': "
                                f"{tops[0].guess}", "title")
                else:
                    col.mapped(title_loc, "the only top-level heading became the document "
                               "title")
            elif _same_words(tops[0].inlines, title):  # front matter's title, and the H1 again
                stream.remove(tops[0])
                col.mapped(tops[0].loc, "the only top-level heading repeats the title (front "
                           "matter): it is the document title, not a section")
    if title is None and hints.fallback_title:
        title = hints.fallback_title
        col.mapped(first, "the document's title property became the title")
    if title is None:
        words = re.sub(r"[-_]+", " ", stem).strip() or "Imported policy"
        title = (Text(words[:1].upper() + words[1:]),)
        col.guessed(first, f"title '{plain_text(title)}' from the file name", "title")
    return title, title_loc


def _same_words(a: tuple[Inline, ...], b: tuple[Inline, ...]) -> bool:
    """Two titles that read the same (case, spacing and markup aside)."""
    def words(x: tuple[Inline, ...]) -> str:
        return " ".join(plain_text(clean(x)).casefold().split())

    return words(a) == words(b)


_NUMBER = re.compile(r"(\d+(?:\.\d+)*)\.?\s+(?=\S)")


def _number_of(h: Heading) -> tuple[str | None, tuple[Inline, ...]]:
    """A heading's clause number ('7.2') and its title without it: from Word numbering or
    policyc's own markup (h.number), else written at the start of the title text."""
    inlines = clean(h.inlines)
    if h.number is not None:
        return (h.number.rstrip(".") or None), inlines
    if inlines and isinstance(inlines[0], Text):
        m = _NUMBER.match(inlines[0].text)
        if m:
            rest = inlines[0].text[m.end():]
            return m.group(1), clean((Text(rest), *inlines[1:]))
    return None, inlines


def _sections(stream: list[Item], ids: Ids,
              col: Collector) -> tuple[tuple[Section, ...], tuple[Any, ...], str]:
    """The section tree, the preamble (blocks before the first heading) and the numbering:
    'decimal' when the headings' numbers are exactly the 1, 1.1, 2 ... policyc would give
    them (their numbers then leave the titles), else 'none' (numbers stay in the text)."""

    @dataclass
    class Open:
        level: int
        heading: Heading
        id: str
        blocks: list[Any]
        subs: list[Section]

    root: list[Section] = []
    preamble: list[Any] = []
    stack: list[Open] = []
    levels = sorted({x.level for x in stream if isinstance(x, Heading)})
    rank = {lvl: i + 1 for i, lvl in enumerate(levels)}
    numbers: dict[str, str] = {}  # section id -> number found in the input
    bare: dict[str, tuple[Inline, ...]] = {}  # section id -> title without its number

    def close() -> None:
        o = stack.pop()
        title = rich(clean(o.heading.inlines), o.heading.loc)
        s = Section(o.id, title, len(stack) + 1, tuple(o.blocks), tuple(o.subs), o.heading.loc)
        (stack[-1].subs if stack else root).append(s)

    for x in stream:
        if isinstance(x, Heading):
            lvl = rank[x.level]
            while stack and stack[-1].level >= lvl:
                close()
            number, without = _number_of(x)
            text = plain_text(without)
            sid = ids.take(x.anchor or slug(text), slug(text) or "section")
            if number:
                numbers[sid] = number
                bare[sid] = without
            for anchor in (x.anchor, github_anchor(plain_text(clean(x.inlines))),
                           github_anchor(text), sid):
                if anchor:
                    ids.anchors.setdefault(anchor, sid)
            if x.guess:
                col.guessed(x.loc, f"{x.guess}: {text!r}", f"section:{sid}")
            stack.append(Open(lvl, x, sid, [], []))
        elif stack:
            stack[-1].blocks.append(x)
        else:
            preamble.append(x)
    while stack:
        close()
    if preamble and root:
        col.mapped(preamble[0].loc, "text before the first heading became the preamble")
    if preamble and not root:  # a source needs a section: the text becomes one
        loc = preamble[0].loc
        sid = ids.take("introduction", "introduction")
        col.guessed(loc, "no headings: the text went into a section titled 'Introduction'",
                    f"section:{sid}")
        root.append(Section(sid, rich((Text("Introduction"),), loc), 1, tuple(preamble), (),
                            loc))
        preamble = []
    sections, numbering = _numbering(_relevel(tuple(root), 1), numbers, bare, col)
    return sections, tuple(preamble), numbering


def _numbering(sections: tuple[Section, ...], numbers: dict[str, str],
               bare: dict[str, tuple[Inline, ...]],
               col: Collector) -> tuple[tuple[Section, ...], str]:
    from compiler import legal

    if len(numbers) < 2:
        return sections, "none"
    unnumbered = {s.id for s in legal.walk(sections) if s.id not in numbers}
    expected = {s.id: s.number for s in legal.walk(legal.number_sections(sections, unnumbered))}
    if any(expected.get(sid) != number for sid, number in numbers.items()):
        col.mapped(sections[0].loc, "heading numbers kept in the titles (they do not follow "
                   "1, 1.1, 2 ... as policyc's numbering: decimal would)")
        return sections, "none"
    col.mapped(sections[0].loc, f"{len(numbers)} numbered headings became 'numbering: "
               "decimal' (numbers left the titles)")

    def strip(s: Section) -> Section:
        title = s.title
        if s.id in bare:
            title = rich(bare[s.id], s.title.loc)
        return dataclasses.replace(s, title=title, number=expected.get(s.id, ""),
                                   sections=tuple(strip(x) for x in s.sections))

    return tuple(strip(s) for s in sections), "decimal"


def _bounded(sections: tuple[Section, ...], col: Collector) -> tuple[Section, ...]:
    """Within the source format's limits (compiler.limits): lists nested deeper than
    MAX_LIST_DEPTH are flattened into their deepest allowed level; more than MAX_BLOCKS
    blocks is an error, as it would be in a source."""
    from compiler.errors import Category, CompilerError
    from compiler.limits import MAX_BLOCKS, MAX_LIST_DEPTH

    count = 0

    def flat(items: tuple[ListItem, ...]) -> list[ListItem]:
        out: list[ListItem] = []
        for item in items:
            out.append(dataclasses.replace(item, sublist=None))
            if item.sublist:
                out.extend(flat(item.sublist.items))
        return out

    def lst(lst_: ItemList, depth: int) -> ItemList | None:
        """The list within the limits, without empty items; None when nothing is left."""
        nonlocal count
        items: list[ListItem] = []
        for given in lst_.items:
            count += 1
            sub = given.sublist
            item = dataclasses.replace(given, blocks=blocks_of(given.blocks, depth + 1))
            if sub is not None and depth >= MAX_LIST_DEPTH:
                col.unmapped(item.loc, f"list nested more than {MAX_LIST_DEPTH} levels deep: "
                             "the deeper items joined this level")
                items.append(dataclasses.replace(item, sublist=None))
                items.extend(flat(sub.items))
                count += len(flat(sub.items))
                continue
            kept = dataclasses.replace(item, sublist=lst(sub, depth + 1) if sub else None)
            if kept.term or kept.text or kept.blocks or kept.sublist:
                items.append(kept)
        return dataclasses.replace(lst_, items=tuple(items)) if items else None

    def blocks_of(blocks: tuple[Any, ...], depth: int = 1) -> tuple[Any, ...]:
        nonlocal count
        out: list[Any] = []
        for b in blocks:
            count += 1 + (len(b.rows) if isinstance(b, Table) else 0)
            kept = lst(b, depth) if isinstance(b, ItemList) else b
            if kept is not None:
                out.append(kept)
        return tuple(out)

    def section(s: Section) -> Section:
        return dataclasses.replace(s, blocks=blocks_of(s.blocks),
                                   sections=tuple(section(x) for x in s.sections))

    out = tuple(section(s) for s in sections)
    if count > MAX_BLOCKS:
        raise CompilerError.at(Loc(col.shown), f"the input has {count} blocks, list items and "
                               f"table rows (a policy source holds at most {MAX_BLOCKS}); split "
                               "it into several documents", Category.IO)
    return out


def _relevel(sections: tuple[Section, ...], level: int) -> tuple[Section, ...]:
    return tuple(dataclasses.replace(s, level=level, sections=_relevel(s.sections, level + 1))
                 for s in sections)


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december")
_DATE = re.compile(
    rf"(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})|(?P<mdy>(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}})"
    rf"|(?P<dmy>\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}),? \d{{4}})", re.IGNORECASE)
_DATE_LEAD = re.compile(r"(last (?:updated|modified|revised)|updated|effective(?: date)?|"
                        r"revised|date)\b[^.\n]{0,20}?$", re.IGNORECASE)


def parse_english_date(text: str) -> dt.date | None:
    m = _DATE.fullmatch(text.strip())
    if not m:
        return None
    try:
        if m.group("iso"):
            return dt.date.fromisoformat(m.group("iso"))
        words = re.sub(r"(\d)(st|nd|rd|th)", r"\1", m.group(0)).replace(",", "").replace(".", "")
        for fmt in ("%B %d %Y", "%d %B %Y"):
            try:
                return dt.datetime.strptime(words, fmt).date()
            except ValueError:
                continue
    except ValueError:
        return None
    return None


def _stated_dates(sections: tuple[Any, ...]) -> dict[str, tuple[dt.date, Loc]]:
    """'Last updated: March 3, 2024' / 'Effective date: ...' stated in the text."""
    from compiler.model.walk import rich_fields

    found: dict[str, tuple[dt.date, Loc]] = {}
    for r in rich_fields(sections):
        text = r.plain()
        for m in _DATE.finditer(text):
            lead = _DATE_LEAD.search(text[: m.start()])
            if not lead:
                continue
            when = parse_english_date(m.group(0))
            if when is None:
                continue
            key = "effective" if "effective" in lead.group(1).lower() else "updated"
            found.setdefault(key, (when, r.loc))
    return found


def _meta(hints: Hints, title: tuple[Inline, ...], title_loc: Loc, doc_id: str,
          content: tuple[Any, ...], col: Collector, options: ReadOptions) -> Meta:
    """content: the preamble's blocks and the sections, searched for stated dates."""
    first = Loc(col.shown, 1)
    stated = _stated_dates(content)
    updated = hints.updated
    if updated is None and "updated" in stated:
        updated, where = stated["updated"]
        col.guessed(where, f"updated {updated.isoformat()} from the text", "updated")
    effective = hints.effective
    if effective is None and "effective" in stated:
        effective, where = stated["effective"]
        col.guessed(where, f"effective {effective.isoformat()} from the text", "effective")
    if updated is None:
        updated = effective or max((c.date for c in hints.changes), default=None) or dt.date.today()
        col.guessed(first, f"updated {updated.isoformat()} (no date found in the input)",
                    "updated")
    if effective is None:
        effective = updated
        col.guessed(first, f"effective {effective.isoformat()} (taken from 'updated')",
                    "effective")
    from compiler.readers import schema

    version = hints.version
    if version is not None and not re.fullmatch(schema.VERSION_PATTERN, version):
        col.unmapped(first, f"version {version[:40]!r} is not a semantic version")
        version = None
    if version is None:
        last = hints.changes[-1].version if hints.changes else ""
        version = last if re.fullmatch(schema.VERSION_PATTERN, last) else "1.0.0"
        col.guessed(first, f"version {version}", "version")
    locale = _known_locale(options.locale or hints.locale, col)
    if not locale:
        locale = "en"
        col.guessed(first, "source_locale 'en' (the input does not state a language policyc "
                    "knows)", "source_locale")
    organization = hints.organization
    if not organization:
        guess = _guess_organization(content)
        organization = guess[0] if guess else "Your Organization"
        why = f" ({guess[1]})" if guess else " (the text names none: replace it)"
        col.guessed(first, f"organization '{organization}'{why}", "organization")
    locales = tuple(dict.fromkeys((locale, *(x for x in hints.locales
                                             if _known_locale(x, None) == x))))
    description = rich(clean(hints.description), first, "document") if hints.description else None
    keywords = tuple(rich((Text(k),), first, KEYWORD_CONTEXT) for k in _keywords(hints.keywords))
    return Meta(doc_id, rich(clean(title), title_loc, "document"), version, updated, effective,
                locale, locales, organization, description, keywords, "A4", None, None,
                hints.changes)


def _keywords(found: tuple[str, ...]) -> list[str]:
    """The input's keywords, one per item (a '; '-separated list split too), no repeats."""
    split = re.compile("|".join(map(re.escape, KEYWORD_SEPARATORS)))
    return list(dict.fromkeys(p.strip() for k in found for p in split.split(k) if p.strip()))


def _known_locale(code: str | None, col: Collector | None) -> str | None:
    """A locale code CLDR knows ('en-US' -> 'en_US'), its language alone, or None."""
    from babel import localedata

    from compiler.readers import schema

    if not code:
        return None
    code = code.strip().replace("-", "_")
    for candidate in (code, code.split("_", 1)[0].lower()):
        if re.fullmatch(schema.LOCALE_PATTERN, candidate) and localedata.exists(candidate):
            if candidate != code and col is not None:
                col.mapped(Loc(col.shown, 1), f"language '{code[:20]}' read as '{candidate}'")
            return candidate
    if col is not None:
        col.unmapped(Loc(col.shown, 1), f"language {code[:20]!r} is not a locale policyc knows")
    return None


_SUFFIXES = ("inc", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "bv", "nv", "plc",
             "corp", "corporation", "company", "co", "foundation", "association", "society",
             "gbr", "kg", "ug", "srl", "spa", "oy", "ab", "as", "pty", "lp", "llp", "pbc")
# 'OpenGov', 'AT&T', '37signals': a whole word (it starts where no word character is before
# it) of at most 40 characters, so each word is tried once and a long token (a pasted blob in
# a 20 MB import) costs linear time, not quadratic (review7 F8)
_NAME_WORD = r"(?<![\w&'’.-])(?:[A-Z]|\d{1,6}[a-z])[\w&'’.-]{0,40}"
# 'GitHub, Inc.', '37signals LLC', 'Mozilla Corporation': a legal entity's name
_LEGAL = re.compile(rf"((?:{_NAME_WORD} ){{0,3}}{_NAME_WORD}),? (Inc|LLC|L\.L\.C|Ltd|Limited|"
                    r"GmbH|AG|S\.A|SAS|B\.V|BV|N\.V|PLC|plc|Corp|Corporation|LLP|PBC)\b\.?")
# 'The OpenGov Foundation (OpenGov)', 'Mozilla Corporation (“Mozilla”)', 'Basecamp, LLC
# ("Basecamp", "we")': a capitalized name, then its short name defined in parentheses
_DEFINED = re.compile(
    rf"((?:{_NAME_WORD}(?:,? (?:of |and |for |& )?)){{0,6}}{_NAME_WORD})\s*"
    r"\(\s*(?:hereinafter\s+)?[\"“”'‘’]*([A-Z][\w&.-]{0,40}(?: [A-Z][\w&.-]{0,40}){0,2})"
    r"[\"“”'‘’]*"
    r"([^)]{0,60})\)")
_WE = re.compile(rf"\b[Ww]e,\s+({_NAME_WORD}(?:,? {_NAME_WORD}){{0,4}}),")
_SHORT = re.compile(r",? (?:" + "|".join(_SUFFIXES) + r")\.?\Z", re.IGNORECASE)


def short_name(organization: str) -> str:
    """The name an organization's text calls it by: 'The OpenGov Foundation' -> 'OpenGov',
    'GitHub, Inc.' -> 'GitHub', '37signals LLC' -> '37signals'."""
    name = re.sub(r"\A[Tt]he ", "", organization.strip())
    return _SHORT.sub("", name).strip() or organization


_DOMAIN = re.compile(r"(?:@|https?://(?:www\.)?|\bwww\.)([A-Za-z0-9-]+)\.[A-Za-z.]{2,}")


def _guess_organization(sections: tuple[Section, ...]) -> tuple[str, str] | None:
    """The organization's name as the text itself defines and uses it, and why it was chosen:
    a name whose short form is defined in parentheses ('The OpenGov Foundation (OpenGov)')
    or which says 'we, X,' and that looks like an organization (a company suffix, a short
    form naming a web or e-mail domain of the text, 'we' in the parentheses), the one whose
    short form the text uses most; else the capitalized name the text spells most often for
    a domain of its links or e-mail addresses ('github.com' -> 'GitHub'); else the name of
    the most frequent e-mail domain. A guess, marked as such for a human to correct; never a
    link's domain label made into a name (a link to eff.org does not make 'Eff')."""
    from collections import Counter

    from compiler.model.walk import rich_fields

    texts = [r.source for r in rich_fields(sections)]
    plain = "\n".join(r.plain() for r in rich_fields(sections))
    domains: Counter[str] = Counter()
    mail: Counter[str] = Counter()
    for t in texts:
        for m in _DOMAIN.finditer(t):
            domains[m.group(1).lower()] += 1
            if m.group(0).startswith("@"):
                mail[m.group(1).lower()] += 1

    def uses(name: str) -> int:
        return len(re.findall(rf"(?<![\w-]){re.escape(name)}(?![\w-])", plain))

    def domain_of(name: str) -> bool:
        key = re.sub(r"[^a-z0-9]", "", name.lower())
        return bool(key) and any(key == d or (len(key) >= 4 and d.startswith(key))
                                 for d in domains)

    # (score, is a definition, name, why): the short form the text uses most wins; a
    # definition beats the bare spelling of a domain at equal use (it gives the full name)
    found: list[tuple[int, bool, str, str]] = []
    for m in _DEFINED.finditer(plain):
        name = re.sub(r"(?:['’]s)$", "", m.group(1).strip(" ,"))
        short, rest = m.group(2), m.group(3)
        words = [w.strip(",.").lower() for w in name.split()]
        company = any(w in _SUFFIXES for w in words[1:])
        we = re.search(r"\b(we|us|our)\b", rest, re.IGNORECASE) is not None
        if company or we or domain_of(short) or domain_of(name):
            found.append((uses(short) + (10_000 if we else 0), True, name,
                          f"defined in the text: '{m.group(0)[:80]}'"))
    for m in _WE.finditer(plain):
        found.append((10_000 + uses(m.group(1)), True, m.group(1),
                      f"the text says '{m.group(0)[:60]}'"))
    for m in _LEGAL.finditer(plain):
        base = re.sub(r"\A(?:The|This|By|Of) ", "", m.group(1))
        name = m.group(0)[m.group(0).index(base):]
        if m.group(2) not in ("Inc", "Corp", "Ltd"):  # 'LLC.' ends a sentence
            name = name.rstrip(".")
        found.append((uses(base), True, name, f"a company's name in the text, '{base}' used "
                      f"{uses(base)} time{'' if uses(base) == 1 else 's'}"))
    for label, _ in domains.most_common():
        spelled: Counter[str] = Counter()
        for m in re.finditer(rf"{_NAME_WORD}(?: {_NAME_WORD}){{0,2}}", plain):
            run = m.group(0).split()
            for i in range(len(run)):
                for j in range(i + 1, len(run) + 1):
                    name = " ".join(run[i:j]).strip(".,'’")
                    if re.sub(r"[^a-z0-9]", "", name.lower()) == label:
                        spelled[name] += 1
        if spelled:
            name, count = spelled.most_common(1)[0]
            found.append((count, False, name, f"the text's spelling of the domain '{label}', "
                          f"used {count} time{'' if count == 1 else 's'}"))
    if found:
        _, _, name, why = max(found, key=lambda f: (f[0], f[1]))
        return name, why
    if mail:
        label = mail.most_common(1)[0][0]
        return label[:1].upper() + label[1:], f"the most frequent e-mail domain '{label}'"
    return None


def github_anchor(title: str) -> str:
    """The anchor GitHub and markdown-it-anchor give a heading: 'Your Rights' -> 'your-rights'."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _resolve_anchors(doc: Document, anchors: dict[str, str], col: Collector) -> Document:
    """'#anchor' links point to the section ids the import gave their headings; a link
    to an anchor no heading has keeps its text only. A link that reads as policyc's
    cross-reference would ("Section 7.2" to a section numbered 7.2, or the section's title
    in an unnumbered document) becomes {ref:id}, which follows renumbering."""
    sections = {s.id: s for s in doc.walk_sections()}

    def as_ref(target: str, label: tuple[Inline, ...]) -> bool:
        s = sections.get(target)
        text = plain_text(label).strip()
        if s is None or not text:
            return False
        if s.number:
            return re.fullmatch(rf"\D{{0,20}}\s{re.escape(s.number)}\.?", text) is not None
        return doc.meta.numbering == "none" and text == s.title.plain().strip()

    def fix_nodes(nodes: tuple[Inline, ...], loc: Loc) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for n in nodes:
            match n:
                case Link(href=href, children=c) if href.startswith("#"):
                    target = anchors.get(href[1:]) or anchors.get(href[1:].lower())
                    if target and as_ref(target, c):
                        out.append(Ref(target, c))
                    elif target:
                        out.append(Link("#" + target, fix_nodes(c, loc)))
                    else:
                        col.unmapped(loc, f"link to '{href}' (no heading has that anchor) "
                                     "left out; its text kept")
                        out.extend(fix_nodes(c, loc))
                case Strong(children=c):
                    out.append(Strong(fix_nodes(c, loc)))
                case Emphasis(children=c):
                    out.append(Emphasis(fix_nodes(c, loc)))
                case Link(href=href, children=c):
                    out.append(Link(href, fix_nodes(c, loc)))
                case _:
                    out.append(n)
        return tuple(out)

    def fix(r: Rich) -> Rich:
        if "](#" not in r.source:
            return r
        nodes = normalize(fix_nodes(r.inlines, r.loc))
        return dataclasses.replace(rich(nodes, r.loc, r.context), comment=r.comment)

    return map_rich(doc, fix)


def _contexts(doc: Document) -> Document:
    """Message contexts from section id paths, as the YAML loader gives them."""

    def section(s: Section, parents: tuple[str, ...]) -> Section:
        path = "/".join((*parents, s.id))
        fix = lambda r: dataclasses.replace(r, context=path)  # noqa: E731
        return dataclasses.replace(
            s, title=fix(s.title), blocks=map_rich(s.blocks, fix),
            sections=tuple(section(x, (*parents, s.id)) for x in s.sections))

    fix = lambda r: dataclasses.replace(r, context="preamble")  # noqa: E731
    return dataclasses.replace(doc, sections=tuple(section(s, ()) for s in doc.sections),
                               preamble=map_rich(doc.preamble, fix))


def list_item(inlines: tuple[Inline, ...], loc: Loc, sub: Any = None,
              split: bool = True) -> ListItem:
    """A list item; a bold lead followed by a colon becomes its term."""
    term, text = split_term(inlines) if split else (None, inlines)
    return ListItem(rich(term, loc) if term else None, rich(text, loc) if text else None, sub,
                    loc)


_BARE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def keep_link(href: str, children: tuple[Inline, ...], loc: Loc,
              col: Collector) -> tuple[Inline, ...]:
    """The link when the one link policy (compiler.links) allows its target; otherwise its
    text alone, reported. '#anchor' targets are resolved to section ids after assembly."""
    from compiler import links

    if href.startswith("#"):
        return (Link(href, children),)
    if _BARE_EMAIL.fullmatch(href):  # '[x@y.org](x@y.org)': an address meant as mailto:
        col.mapped(loc, f"link to the bare e-mail address {href[:80]!r} became "
                   f"'mailto:{href[:80]}'")
        return (Link("mailto:" + href, children),)
    why = links.problem(href)
    if why is None:
        return (Link(href, children),)
    col.unmapped(loc, f"link to {href[:80]!r} left out, its text kept ({why})")
    return children


def demoted(block: Any, col: Collector) -> Any:
    """A heading where only blocks may stand (inside a list item) becomes a bold paragraph."""
    if isinstance(block, Heading):
        col.mapped(block.loc, "heading inside a list item became a bold paragraph")
        nodes = clean(block.inlines)
        return Paragraph(rich((Strong(nodes),) if nodes else (), block.loc), block.loc)
    return block


def paragraph(inlines: tuple[Inline, ...], loc: Loc,
              col: Collector | None = None) -> Paragraph | Address:
    """A paragraph; one whose short lines are broken by hand (a postal address, a signature
    block) stays lines, as an address block. Other line breaks are joined by a space."""
    nodes = strip(normalize(inlines, keep_breaks=True))
    if col is not None and has_break(nodes):
        lines = split_lines(nodes)
        if lines is not None and _address_like(lines):
            col.mapped(loc, f"{len(lines)} short lines kept as lines (an address block)")
            return Address(tuple(rich(line, loc) for line in lines), loc)
    return Paragraph(rich(clean(nodes), loc), loc)


def split_lines(nodes: tuple[Inline, ...]) -> list[tuple[Inline, ...]] | None:
    """The inlines split at line breaks, or None when a break sits inside markup."""
    lines: list[list[Inline]] = [[]]
    for n in nodes:
        if isinstance(n, Text):
            parts = n.text.split(BREAK)
            for k, part in enumerate(parts):
                if k:
                    lines.append([])
                if part:
                    lines[-1].append(Text(part))
        elif has_break((n,)):
            return None
        else:
            lines[-1].append(n)
    out = [clean(line) for line in lines]
    return [line for line in out if line]


def _address_like(lines: list[tuple[Inline, ...]]) -> bool:
    texts = [plain_text(line).strip() for line in lines]
    ends = sum(1 for t in texts if t[-1:] in ".!?;")
    continued = any(t[:1].islower() for t in texts[1:])  # a sentence running on
    return (2 <= len(texts) <= 12 and all(len(t) <= 60 for t in texts) and ends <= 1
            and not continued)
