"""Markdown reader (CommonMark + GFM tables through markdown-it-py) into the document model."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from compiler.errors import Category, CompilerError, Loc
from compiler.limits import MAX_IMPORT_BYTES as MAX_BYTES
from compiler.model import (
    Address,
    Code,
    Emphasis,
    Inline,
    ItemList,
    ListItem,
    ListStyle,
    Note,
    NoteKind,
    Paragraph,
    Strong,
    Table,
    Text,
)
from compiler.readers.draft import (
    BREAK,
    Collector,
    Heading,
    Hints,
    Reading,
    ReadOptions,
    assemble,
    clean,
    demoted,
    keep_link,
    list_item,
    normalize,
    paragraph,
    parse_english_date,
    rich,
    split_term,
    strip,
)
from compiler.readers.text import decode


def read(data: bytes, shown: str, options: ReadOptions) -> Reading:
    from markdown_it import MarkdownIt

    text = decode(data, shown, MAX_BYTES)
    col = Collector(shown)
    hints, text = _front_matter(text, shown, col)
    text = _attribute_lists(text, shown, col)
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(text)
    stream = _Blocks(tokens, shown, col).run()
    if not stream:
        raise CompilerError.at(Loc(shown, 1, 1), "no text found (expected headings, paragraphs, "
                               "lists or tables)", Category.SYNTAX)
    stem = shown.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return assemble(stream, hints, col, options, stem)


def _item(blocks: list[Any], sub: ItemList | None, loc: Loc) -> ListItem:
    """One text when the item is one paragraph (tight or loose); otherwise its blocks."""
    if not blocks:
        return ListItem(None, None, sub, loc)
    if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
        return list_item(blocks[0].text.inlines, loc, sub)
    term = None
    if isinstance(blocks[0], Paragraph):
        found, rest = split_term(blocks[0].text.inlines)
        if found:
            term = rich(found, loc)
            blocks[0] = Paragraph(rich(rest, loc), blocks[0].loc)
    return ListItem(term, None, sub, loc, tuple(blocks))


def _attribute_lists(text: str, shown: str, col: Collector) -> str:
    """kramdown's attribute lists ('{: datetime="2025-06-10" }' on a line of its own) are
    markup for a site generator, not text: blanked (lines kept for the report's numbers)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if re.fullmatch(r"\s*\{:[^}]*\}\s*", line):
            col.unmapped(Loc(shown, i + 1), f"kramdown attribute list {line.strip()!r} left out")
            lines[i] = ""
    return "\n".join(lines)


def _front_matter(text: str, shown: str, col: Collector) -> tuple[Hints, str]:
    """YAML front matter (---) gives metadata: title, id, version, dates, organization, lang."""
    import yaml

    hints = Hints()
    m = re.match(r"---[ \t]*\r?\n(.*?\r?\n)(?:---|\.\.\.)[ \t]*(\r?\n|$)", text, re.DOTALL)
    if not m:
        return hints, text
    lines = text[: m.end()].count("\n")
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = Loc(shown, mark.line + 2, mark.column + 1) if mark else Loc(shown, 1)
        col.unmapped(where, f"front matter is not valid YAML ({getattr(err, 'problem', err)}); "
                     "ignored")
        return hints, "\n" * lines + text[m.end():]  # blank lines keep token lines = file lines
    if isinstance(data, dict):
        loc = Loc(shown, 2)
        for key, value in data.items():
            k = str(key).lower()
            if k == "title" and isinstance(value, str):
                hints.title, hints.title_loc = (Text(value),), loc
            elif k in ("id", "slug") and isinstance(value, str):
                hints.id = value
            elif k == "version":
                hints.version = str(value)
            elif k in ("updated", "date", "last_updated", "modified", "effective"):
                when = value if isinstance(value, dt.date) else parse_english_date(str(value))
                if isinstance(when, dt.datetime):
                    when = when.date()
                if when is not None:
                    setattr(hints, "effective" if k == "effective" else "updated", when)
            elif k in ("organization", "company", "author"):
                hints.organization = str(value)
            elif k in ("lang", "language", "locale"):
                hints.locale = str(value).replace("-", "_")
            elif k in ("description", "summary") and isinstance(value, str):
                hints.description = (Text(value),)
            elif k == "keywords" and isinstance(value, list):
                hints.keywords = tuple(str(v) for v in value)
            else:
                col.unmapped(loc, f"front matter key '{key}' has no place in a policy source")
                continue
            col.mapped(loc, f"front matter '{key}' became metadata")
    return hints, "\n" * lines + text[m.end():]  # blank lines keep token lines = file lines


class _Blocks:
    """Walks markdown-it's token stream once, producing headings and model blocks."""

    def __init__(self, tokens: list[Any], shown: str, col: Collector) -> None:
        self.t = tokens
        self.i = 0
        self.shown = shown
        self.col = col

    def loc(self, token: Any) -> Loc:
        return Loc(self.shown, token.map[0] + 1 if token.map else 0)

    def run(self) -> list[Any]:
        out: list[Any] = []
        while self.i < len(self.t):
            tok = self.t[self.i]
            item = self.block(tok)
            if item is not None:
                out.append(item)
        return out

    def skip_to_close(self) -> None:
        """Past the matching close token of the open token at self.i."""
        depth = 0
        while self.i < len(self.t):
            nesting = self.t[self.i].nesting
            depth += nesting
            self.i += 1
            if depth <= 0:
                return

    def block(self, tok: Any) -> Any:
        loc = self.loc(tok)
        match tok.type:
            case "heading_open":
                inline = self.t[self.i + 1]
                self.i += 3
                return Heading(int(tok.tag[1]), self.inlines(inline), loc)
            case "paragraph_open":
                inline = self.t[self.i + 1]
                self.i += 3
                nodes = self.inlines(inline)
                return paragraph(nodes, loc, self.col) if nodes else None
            case "bullet_list_open" | "ordered_list_open":
                return self.item_list()
            case "table_open":
                return self.table()
            case "blockquote_open":
                return self.quote()
            case "fence" | "code_block":
                self.i += 1
                self.col.mapped(loc, "code block became a paragraph (its line breaks joined)")
                return paragraph(clean((Text(tok.content),)), loc)
            case "hr":
                self.i += 1
                self.col.unmapped(loc, "horizontal rule (a layout device) left out")
                return None
            case "html_block":
                self.i += 1
                text = re.sub(r"<!--.*?-->", "", tok.content, flags=re.DOTALL).strip()
                what = "HTML comment" if not text else "raw HTML block"
                self.col.unmapped(loc, f"{what} left out: {tok.content.strip()[:60]!r}")
                return None
            case _:
                self.i += 1
                return None

    def item_list(self) -> ItemList | None:
        open_tok = self.t[self.i]
        ordered = open_tok.type == "ordered_list_open"
        start = int(open_tok.attrGet("start") or 1)
        loc = self.loc(open_tok)
        close = open_tok.type.replace("_open", "_close")
        self.i += 1
        items = []
        while self.i < len(self.t) and self.t[self.i].type != close:
            tok = self.t[self.i]
            if tok.type != "list_item_open":
                self.i += 1
                continue
            item_loc = self.loc(tok)
            self.i += 1
            blocks: list[Any] = []  # the item's paragraphs and other blocks, in order
            sub: ItemList | None = None
            while self.t[self.i].type != "list_item_close":
                inner = self.t[self.i]
                if inner.type == "paragraph_open":
                    nodes = self.inlines(self.t[self.i + 1])
                    blocks.append(paragraph(nodes, self.loc(inner), self.col))
                    self.i += 3
                elif inner.type in ("bullet_list_open", "ordered_list_open"):
                    nested = self.item_list()
                    if sub is None:
                        sub = nested
                    elif nested is not None:
                        blocks.append(nested)  # a second list in one item: one of its blocks
                else:
                    got = self.block(inner)
                    if got is not None:
                        blocks.append(demoted(got, self.col))
            self.i += 1
            items.append(_item(blocks, sub, item_loc))
        self.i += 1
        style = ListStyle.DECIMAL if ordered else None  # Markdown counts 1. 2. 3. at any depth
        return ItemList(ordered, tuple(items), loc, style, start) if items else None

    def table(self) -> Table | None:
        loc = self.loc(self.t[self.i])
        header: list[Any] = []
        rows: list[list[Any]] = []
        row: list[Any] | None = None
        in_head = False
        while self.t[self.i].type != "table_close":
            tok = self.t[self.i]
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type == "tr_open":
                row = []
            elif tok.type == "tr_close" and row is not None:
                (header.extend(row) if in_head else rows.append(row))
                row = None
            elif tok.type in ("th_open", "td_open") and row is not None:
                cell = self.t[self.i + 1]
                row.append(rich(clean(self.inlines(cell)), self.loc(tok) if tok.map else loc))
            self.i += 1
        self.i += 1
        if not header:
            return None
        width = len(header)
        fixed = []
        for r in rows:
            padded = [*r, *(rich((), loc) for _ in range(width - len(r)))]
            fixed.append(tuple(padded[:width]))
        empty = [c for r in fixed for c in r if not c.source]
        if empty or any(not c.source for c in header):
            self.col.unmapped(loc, "empty table cells are written as '-'")
            fixed = [tuple(c if c.source else rich((Text("-"),), c.loc) for c in r) for r in fixed]
            header = [c if c.source else rich((Text("-"),), c.loc) for c in header]
        return Table(None, tuple(header), tuple(fixed), loc)

    def quote(self) -> Note | None:
        """A block quote becomes a note; '> **Warning**' / '> [!WARNING]' pick its kind."""
        loc = self.loc(self.t[self.i])
        self.i += 1
        parts: list[Inline] = []
        while self.t[self.i].type != "blockquote_close":
            got = self.block(self.t[self.i])
            got = demoted(got, self.col) if got is not None else None
            texts = ([got.text] if isinstance(got, Paragraph | Note) else
                     list(got.lines) if isinstance(got, Address) else [])
            for t in texts:
                if parts:
                    parts.append(Text(" "))
                parts.extend(t.inlines)
            if got is not None and not texts:
                self.col.unmapped(got.loc, "list or table inside a block quote left out")
        self.i += 1
        nodes = clean(parts)
        kind = NoteKind.INFO
        lead = nodes[0] if nodes else None
        label = ""
        if isinstance(lead, Text):
            m = re.match(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*", lead.text, re.I)
            if m:
                label = m.group(1).lower()
                nodes = clean((Text(lead.text[m.end():]), *nodes[1:]))
        elif isinstance(lead, Strong):
            word = re.sub(r"[:\s]+$", "", "".join(
                c.text for c in lead.children if isinstance(c, Text))).lower()
            if word in ("important", "warning", "caution", "note"):
                label = word
                nodes = clean(nodes[1:])
                if nodes and isinstance(nodes[0], Text):
                    nodes = clean((Text(nodes[0].text.lstrip(": ")), *nodes[1:]))
        if label in ("important",):
            kind = NoteKind.IMPORTANT
        elif label in ("warning", "caution"):
            kind = NoteKind.WARNING
        if not nodes:
            return None
        self.col.mapped(loc, f"block quote became a note (kind: {kind.value})")
        return Note(kind, rich(nodes, loc), loc)

    def inlines(self, inline: Any) -> tuple[Inline, ...]:
        """markdown-it inline children -> model inlines."""
        stack: list[tuple[str, str, list[Inline]]] = [("root", "", [])]
        loc = self.loc(inline) if inline.map else Loc(self.shown)
        for c in inline.children or []:
            top = stack[-1][2]
            match c.type:
                case "text":
                    top.append(Text(c.content))
                case "softbreak":
                    top.append(Text(" "))
                case "hardbreak":
                    top.append(Text(BREAK))
                case "code_inline":
                    top.append(Code(c.content))
                case "strong_open" | "em_open":
                    stack.append((c.type[:-5], "", []))
                case "link_open":
                    stack.append(("link", str(c.attrGet("href") or ""), []))
                case "strong_close" | "em_close" | "link_close":
                    kind, href, children = stack.pop()
                    if kind == "strong":
                        stack[-1][2].append(Strong(tuple(children)))
                    elif kind == "em":
                        stack[-1][2].append(Emphasis(tuple(children)))
                    else:
                        stack[-1][2].extend(self.link(href, tuple(children), loc))
                case "image":
                    self.col.unmapped(loc, f"image {c.attrGet('src')!r} left out "
                                      f"(alt text: {c.content!r})")
                case "html_inline":
                    if not c.content.startswith("<!--"):
                        self.col.unmapped(loc, f"inline HTML {c.content!r} left out (its text kept)")
                case _:
                    top.append(Text(c.content))
        while len(stack) > 1:
            _, _, children = stack.pop()
            stack[-1][2].extend(children)
        return strip(normalize(stack[0][2], keep_breaks=True))  # breaks kept for addresses

    def link(self, href: str, children: tuple[Inline, ...], loc: Loc) -> tuple[Inline, ...]:
        return keep_link(href, children, loc, self.col)
