"""Plain-text reader (.txt: a policy pasted from a web page or a word processor) into the model.

Plain text has no markup, so its structure is read from its layout, the way a person reads it:
- lines starting with a bullet ('•', '-', '*', '–', '◦', '▪', '·') or a number ('1.', '2)')
  are list items (deeper indentation: a nested list; an indented line without a marker
  continues the item above it);
- the first line, standing alone and naming a kind of document ('Privacy Policy'), is the
  title (a guess);
- a short line standing alone between blank lines, without the punctuation that ends a
  sentence or a 'Label: value' colon, is a heading; a line underlined with '===' or '---' is
  one too. Headings read this way are guesses, reported (and commented in the YAML);
- a heading whose text ends in a colon ('...the following:') followed by headings whose
  text opens with a list is read as their parent (the seed's 'Information We Collect' ->
  'Personal Information', 'Usage Data'), also a guess;
- 'Important:' / 'Note:' / 'Warning:' paragraphs are notes; 'Term: text' items get their term;
- other lines are paragraphs, hard-wrapped lines joined (short hand-broken lines stay an
  address block, as for the other readers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compiler.errors import Category, CompilerError, Loc
from compiler.limits import MAX_IMPORT_BYTES as MAX_BYTES
from compiler.model import ItemList, ListItem, ListStyle, Note, NoteKind, Paragraph, Text
from compiler.readers.draft import (
    BREAK,
    Collector,
    Heading,
    Hints,
    Reading,
    ReadOptions,
    assemble,
    paragraph,
    rich,
)
from compiler.readers.text import decode

_BULLET = re.compile(r"([ \t]*)([•\-*–◦▪·‣●○])[ \t]+(?=\S)")
_ORDERED = re.compile(r"([ \t]*)(\d{1,3})[.)][ \t]+(?=\S)")
_UNDERLINE = re.compile(r"[ \t]*(=+|-+)[ \t]*")
_NUMBERED_TITLE = re.compile(r"(\d+(?:\.\d+)*)\.?\s+\S")
# a paragraph opening with one of these words and a colon is a note; the word is dropped (the
# page draws its own label). importer/verify.py reads the input with this same rule.
NOTE = re.compile(r"(important|note|warning|caution)\s*:\s+", re.IGNORECASE)
_TERM = re.compile(r"([^\W_][^:.;!?]{0,48}?)\s*:\s+(?=\S)")
MAX_HEADING_CHARS = 90
MAX_HEADING_WORDS = 12
MAX_TERM_WORDS = 5


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based line in the file
    indent: int
    text: str  # without its indentation (and marker, for items)
    marker: str = ""  # '•', '1', ... for list lines; '' otherwise


def read(data: bytes, shown: str, options: ReadOptions) -> Reading:
    text = decode(data, shown, MAX_BYTES).replace("\r\n", "\n").replace("\r", "\n")
    col = Collector(shown)
    stream = _Reader(shown, col).run(text.split("\n"))
    if not stream:
        raise CompilerError.at(Loc(shown, 1, 1), "no text found (expected paragraphs, "
                               "headings or list items)", Category.SYNTAX)
    stem = shown.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return assemble(stream, Hints(), col, options, stem)


def heading_like(text: str) -> bool:
    """A short title-like line: few words, no sentence end, no 'Label: value', starts with a
    capital letter or a clause number."""
    words = text.split()
    if not words or len(text) > MAX_HEADING_CHARS or len(words) > MAX_HEADING_WORDS:
        return False
    if text[-1] in ".,;:!" or re.search(r":\s+\S", text):
        return False
    lead = _NUMBERED_TITLE.match(text)
    first = text[lead.end() - 1] if lead else text[0]
    return first.isupper()


def _blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines (with their 1-based numbers), split at blank lines."""
    out: list[list[tuple[int, str]]] = []
    run: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            run.append((n, line.rstrip()))
        elif run:
            out.extend(_split_underlined(run))
            run = []
    if run:
        out.extend(_split_underlined(run))
    return out


def _underline(line: str) -> bool:
    return bool(_UNDERLINE.fullmatch(line)) and len(line.strip()) >= 3


def _split_underlined(run: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """An underlined line with its text right under the rule (Markdown/RST habit:
    'Cookies / ------- / We use...') is a block of its own: the heading, then the rest."""
    if len(run) > 2 and _underline(run[1][1]) and not _underline(run[0][1]):
        return [run[:2], run[2:]]
    return [run]


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


class _Reader:
    def __init__(self, shown: str, col: Collector) -> None:
        self.shown = shown
        self.col = col

    def loc(self, line: int) -> Loc:
        return Loc(self.shown, line)

    def run(self, lines: list[str]) -> list[object]:
        blocks = _blocks(lines)
        out: list[object] = []
        for k, block in enumerate(blocks):
            last = k == len(blocks) - 1
            heading = self.heading(block, last)
            if heading is not None:
                out.append(heading)
                continue
            out.extend(self.body(block))
        return _titled(_nest(_merge_lists(out), self.col))

    def heading(self, block: list[tuple[int, str]], last: bool) -> Heading | None:
        n, first = block[0]
        if len(block) == 2 and _underline(block[1][1]):
            level = 1 if "=" in block[1][1] else 2
            return Heading(level, (Text(first.strip()),), self.loc(n),
                           guess="an underlined line read as a heading")
        if len(block) != 1 or last or _BULLET.match(first):
            return None
        text = first.strip()
        if _ORDERED.match(first) and not _NUMBERED_TITLE.match(text):
            return None
        if not heading_like(text):
            return None
        number = _NUMBERED_TITLE.match(text)
        level = number.group(1).count(".") + 1 if number else 1
        return Heading(level, (Text(text),), self.loc(n),
                       guess="a short line standing alone read as a heading")

    def body(self, block: list[tuple[int, str]]) -> list[object]:
        """A run of lines: list items (bullets or numbers) and paragraphs between them."""
        out: list[object] = []
        para: list[tuple[int, str]] = []
        items: list[_Line] = []

        def flush_para() -> None:
            if para:
                out.append(self.paragraph(para))
                para.clear()

        def flush_items() -> None:
            if items:
                out.append(self.item_list(items))
                items.clear()

        for n, line in block:
            if _underline(line):
                flush_para()
                flush_items()
                self.col.unmapped(self.loc(n), "a line of only '=' or '-' (a rule) left out")
                continue
            m = _BULLET.match(line) or _ORDERED.match(line)
            if m:
                flush_para()
                items.append(_Line(n, _indent(m.group(1)), line[m.end():].strip(), m.group(2)))
            elif items and _indent(line) > items[-1].indent:  # continues the item above
                prev = items[-1]
                items[-1] = _Line(prev.number, prev.indent, f"{prev.text} {line.strip()}",
                                  prev.marker)
            else:
                flush_items()
                para.append((n, line.strip()))
        flush_para()
        flush_items()
        return out

    def paragraph(self, lines: list[tuple[int, str]]) -> object:
        loc = self.loc(lines[0][0])
        text = lines[0][1]
        m = NOTE.match(text)
        if m:
            kind = {"important": NoteKind.IMPORTANT, "warning": NoteKind.WARNING,
                    "caution": NoteKind.WARNING}.get(m.group(1).lower(), NoteKind.INFO)
            body = " ".join([text[m.end():], *(t for _, t in lines[1:])])
            self.col.mapped(loc, f"paragraph opening with '{m.group(1)}:' became a note "
                            f"(kind: {kind.value})")
            return Note(kind, rich((Text(body),), loc), loc)
        nodes: list[Text] = []
        for k, (_, t) in enumerate(lines):
            if k:
                nodes.append(Text(BREAK))
            nodes.append(Text(t))
        return paragraph(tuple(nodes), loc, self.col)

    def item_list(self, lines: list[_Line]) -> ItemList:
        """Items by indentation: a deeper marker opens a list inside the item above."""
        loc = self.loc(lines[0].number)
        ordered = lines[0].marker.isdigit()
        base = lines[0].indent
        items: list[ListItem] = []
        k = 0
        while k < len(lines):
            line = lines[k]
            j = k + 1
            while j < len(lines) and lines[j].indent > base:
                j += 1
            sub = self.item_list(lines[k + 1:j]) if j > k + 1 else None
            items.append(self.item(line, sub))
            k = j
        start = int(lines[0].marker) if ordered else 1
        return ItemList(ordered, tuple(items), loc, ListStyle.DECIMAL if ordered else None, start)

    def item(self, line: _Line, sub: ItemList | None) -> ListItem:
        loc = self.loc(line.number)
        m = _TERM.match(line.text)
        lead = m.group(1) if m else ""
        if m and len(lead.split()) <= MAX_TERM_WORDS and (lead[0].isupper() or lead[0].isdigit()):
            term, text = m.group(1), line.text[m.end():]
            return ListItem(rich((Text(term),), loc), rich((Text(text),), loc), sub, loc)
        return ListItem(None, rich((Text(line.text),), loc), sub, loc)


def _merge_lists(stream: list[object]) -> list[object]:
    """Lists of one kind separated only by blank lines (items spaced out) are one list."""
    out: list[object] = []
    for x in stream:
        prev = out[-1] if out else None
        if (isinstance(x, ItemList) and isinstance(prev, ItemList)
                and x.ordered == prev.ordered):
            out[-1] = ItemList(prev.ordered, prev.items + x.items, prev.loc, prev.style,
                               prev.start)
        else:
            out.append(x)
    return out


def _nest(stream: list[object], col: Collector) -> list[object]:
    """Level-1 headings that follow a heading whose text ends in 'the following:' and open
    with a list (no text of their own first) become its subsections, until a heading opens
    with text again. Numbered headings keep the levels their numbers give."""
    if any(isinstance(x, Heading) and x.level > 1 for x in stream):
        return stream
    out = list(stream)
    parent: Heading | None = None
    open_group = False
    for k, x in enumerate(out):
        if not isinstance(x, Heading):
            continue
        nxt = out[k + 1] if k + 1 < len(out) else None
        prev = out[k - 1] if k else None
        if open_group and isinstance(nxt, ItemList):
            out[k] = Heading(2, x.inlines, x.loc, guess=_sub(parent))
            continue
        lead_in = (isinstance(prev, Paragraph) and prev.text.source.rstrip().endswith(":")
                   and isinstance(nxt, ItemList))
        if lead_in and parent is not None and not open_group:
            out[k] = Heading(2, x.inlines, x.loc, guess=_sub(parent))
            open_group = True
            continue
        parent, open_group = x, False
    return out


_TITLE_WORDS = re.compile(r"\b(polic(y|ies)|terms|notice|agreement|conditions|statement|"
                          r"datenschutz\w*|bedingungen|politique|política|politica|"
                          r"condiciones|termini|voorwaarden)\b", re.IGNORECASE)


def _titled(stream: list[object]) -> list[object]:
    """The file's first line, standing alone and naming a kind of document ('Privacy Policy',
    'Terms of Service'), is its title when other headings follow: it is made the one heading
    above them, which assembly takes as the title (a guess, reported there)."""
    first = stream[0] if stream else None
    if (not isinstance(first, Heading) or first.level != 1 or first.loc.line != 1
            or not _TITLE_WORDS.search(_plain(first))
            or not any(isinstance(x, Heading) for x in stream[1:])):
        return stream
    title = Heading(0, first.inlines, first.loc, guess="the first line, naming a kind of "
                    "document, read as the title")
    return [title, *stream[1:]]


def _plain(h: Heading) -> str:
    return "".join(t.text for t in h.inlines if isinstance(t, Text))


def _sub(parent: Heading | None) -> str:
    title = "".join(t.text for t in (parent.inlines if parent else ()) if isinstance(t, Text))
    return (f"a short line standing alone read as a subheading of {title!r} (its text ends "
            "with ':', the subheadings open with a list)")
