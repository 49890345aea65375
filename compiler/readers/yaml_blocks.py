"""The YAML reader's blocks: paragraphs, lists, notes, contacts, calls to action, tables,
definitions and addresses, counted towards MAX_BLOCKS."""

from __future__ import annotations

import difflib
import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from compiler import legal, links
from compiler.errors import Category, Loc
from compiler.inline import parse_inline
from compiler.limits import (
    MAX_BLOCKS,
    MAX_LIST_DEPTH,
)
from compiler.model import (
    Address,
    Block,
    CallToAction,
    Contact,
    ContactEntry,
    Definition,
    Definitions,
    ItemList,
    ListItem,
    ListStyle,
    Note,
    NoteKind,
    Paragraph,
    Rich,
    Table,
)
from compiler.readers import schema
from compiler.readers.yaml_meta import _MetaReader
from compiler.readers.yaml_nodes import _STR, _kind


class _BlockReader(_MetaReader):
    def block_seq(self, node: Node | None, where: str, context: str,
                  numbered: int = 0) -> tuple[Block, ...]:
        """A list of blocks; numbered counts the numbered lists around them."""
        return tuple(
            b for i, bnode in enumerate(self.sequence(node, where, "blocks"))
            if (b := self.block(bnode, f"{where}[{i}]", context, numbered))
        )

    # --- blocks ----------------------------------------------------------------------

    def count_block(self, node: Node, count: int = 1) -> None:
        """Sections, blocks, list items, table cells and contact entries count towards
        MAX_BLOCKS (reported once, where the limit is crossed)."""
        before = self.blocks
        self.blocks += count
        if before <= MAX_BLOCKS < self.blocks:
            self.diag.error(self.loc(node), f"more than {MAX_BLOCKS} blocks (sections, "
                            "paragraphs, list items, table cells...) in one document (the "
                            "limit; see README, Security model); split it into several "
                            "documents")

    def block(self, node: Node, where: str, context: str, numbered: int = 0) -> Block | None:
        loc = self.loc(node)
        self.count_block(node)
        if isinstance(node, ScalarNode):
            text = self.rich(node, where, context)
            return Paragraph(text, loc) if text else None
        kinds = list(schema.BLOCK_KINDS)
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a block (a string, or a mapping led by one of: "
                       f"{', '.join(kinds)}), found {_kind(node)}")
            return None
        present = list(dict.fromkeys(str(k.value) for k, _ in node.value if str(k.value) in kinds))
        if len(present) != 1:
            found = ", ".join(str(k.value) for k, _ in node.value)
            hint = ""
            if not present:
                keys = [str(k.value) for k, _ in node.value]
                close = [m for k in keys for m in difflib.get_close_matches(k, kinds, n=1)]
                hint = f"; did you mean '{close[0]}'?" if close else ""
                if any(" " in k.strip() for k in keys):
                    hint += (" (if this is text containing ': ', put the whole text in quotes: "
                             "YAML read it as a key)")
            self.error(node, where, f"a block needs exactly one of: {', '.join(kinds)} "
                       f"(found: {found or 'nothing'}){hint}")
            return None
        kind = present[0]
        block_keys = (schema.Key(kind, {}, "", True), *schema.BLOCK_EXTRA.get(kind, ()),
                      schema.COMMENT)
        f = self.mapping(node, where, block_keys)
        if f is None:
            return None
        comment = self.comment(f, where)
        body = f[kind]
        match kind:
            case "paragraph":
                text = self.rich(body, f"{where}.paragraph", context, comment)
                return Paragraph(text, loc) if text else None
            case "bullets" | "numbered":
                return self.item_list(body, f"{where}.{kind}", context, kind == "numbered",
                                      comment, numbered=numbered, options=f)
            case "note":
                kind_value = self.scalar(f.get("kind"), f"{where}.kind") or "info"
                try:
                    note_kind = NoteKind(kind_value)
                except ValueError:
                    self.error(f["kind"], f"{where}.kind", f"unknown note kind '{kind_value}' "
                               f"(expected one of: {', '.join(k.value for k in NoteKind)})")
                    return None
                text = self.rich(body, f"{where}.note", context, comment)
                return Note(note_kind, text, loc) if text else None
            case "contact":
                return self.contact(body, f"{where}.contact", context, comment)
            case "cta":
                return self.cta(body, f"{where}.cta", context, comment)
            case "table":
                return self.table(body, f"{where}.table", context, comment)
            case "definitions":
                return self.definitions(body, f"{where}.definitions", context, comment)
            case "address" | "lines":
                return self.address(body, f"{where}.{kind}", context, comment)
        raise AssertionError(kind)

    def list_options(self, f: dict[str, Node], where: str, ordered: bool, numbered: int
                     ) -> tuple[ListStyle | None, int, str | None]:
        """style, start and separator of a list (the block's keys beside the items)."""
        style = legal.default_style(numbered + 1) if ordered else None
        if "style" in f:
            value = self.scalar(f["style"], f"{where}.style") or ""
            try:
                style = ListStyle(value)
            except ValueError:
                self.error(f["style"], f"{where}.style", f"unknown list style '{value}' "
                           f"(expected one of: {', '.join(schema.LIST_STYLES)})")
        start = 1
        if "start" in f:
            value = self.scalar(f["start"], f"{where}.start", "a number") or ""
            if re.fullmatch(r"\d{1,6}", value):
                start = int(value)
            else:
                self.error(f["start"], f"{where}.start", f"invalid start '{value}' (expected "
                           "a whole number such as 1 or 4)")
        separator = self.scalar(f["separator"], f"{where}.separator") if "separator" in f \
            else None
        if "separator" in f and isinstance(f["separator"], ScalarNode) and \
                f["separator"].tag == "tag:yaml.org,2002:null":
            separator = ""
        return style, start, separator

    def definitions(self, node: Node, where: str, context: str,
                    comment: str) -> Definitions | None:
        items: list[Definition] = []
        for i, dnode in enumerate(self.sequence(node, where, "definitions")):
            dw = f"{where}[{i}]"
            f = self.mapping(dnode, dw, schema.DEFINITION)
            if f is None:
                continue
            c = self.comment(f, dw) or comment
            term = self.rich(f.get("term"), f"{dw}.term", context, c or "A defined term.")
            text = self.rich(f.get("text"), f"{dw}.text", context, c)
            if term and text:
                items.append(Definition(term, text, self.loc(dnode)))
        return Definitions(tuple(items), self.loc(node)) if items else None

    def address(self, node: Node, where: str, context: str, comment: str) -> Address | None:
        """A list of lines, or one '|' block scalar whose lines are the lines."""
        lines: list[Rich] = []
        if isinstance(node, ScalarNode) and node.tag == _STR:
            first = node.start_mark.line + (1 if node.style in ("|", ">") else 0)
            for k, line in enumerate(str(node.value).splitlines()):
                if not line.strip():
                    continue
                inlines, errors = parse_inline(line.strip())
                loc = Loc(self.path, first + k + 1, 1)
                for err in errors:
                    self.diag.error(loc, f"{where}: {err.message}", Category.SYNTAX)
                rich = Rich(line.strip(), inlines, loc, context, comment)
                self.rich_nodes.append(rich)
                lines.append(rich)
        else:
            lines = [r for i, n in enumerate(self.sequence(node, where, "lines"))
                     if (r := self.rich(n, f"{where}[{i}]", context, comment))]
        if not lines:
            self.error(node, where, "an address needs at least one line")
            return None
        return Address(tuple(lines), self.loc(node))

    def item_list(self, node: Node, where: str, context: str, ordered: bool,
                  comment: str, depth: int = 1, numbered: int = 0,
                  options: dict[str, Node] | None = None) -> ItemList | None:
        """Items of a list; depth is its nesting as a list, numbered the number of numbered
        lists around it (which picks the default style: 1. then (a) then (i))."""
        style, start, separator = self.list_options(options or {}, where, ordered, numbered)
        inner = numbered + 1 if ordered else numbered
        items: list[ListItem] = []
        if depth > MAX_LIST_DEPTH:
            self.error(node, where, f"list items nested more than {MAX_LIST_DEPTH} levels deep "
                       "(the limit; see README, Security model)")
            return None
        nodes = self.sequence(node, where, "list items")
        if isinstance(node, SequenceNode) and not nodes:
            self.error(node, where, "a list needs at least one item")
        for i, inode in enumerate(nodes):
            iw = f"{where}[{i}]"
            self.count_block(inode)
            if isinstance(inode, ScalarNode):
                text = self.rich(inode, iw, context, comment)
                if text:
                    items.append(ListItem(None, text, None, self.loc(inode)))
                continue
            f = self.mapping(inode, iw, schema.ITEM)
            if f is None:
                continue
            c = self.comment(f, iw) or comment
            term = self.rich(f.get("term"), f"{iw}.term", context, c)
            text = self.rich(f.get("text"), f"{iw}.text", context, c)
            if "text" in f and "blocks" in f:
                self.error(f["blocks"], iw, "a list item has either 'text' or 'blocks', not "
                           "both (make the text the first block)")
            blocks = self.block_seq(f.get("blocks"), f"{iw}.blocks", context, inner)
            sub = (self.item_list(f["items"], f"{iw}.items", context, ordered, c, depth + 1,
                                  inner)
                   if "items" in f else None)
            if term is None and text is None and sub is None and not blocks:
                self.error(inode, iw, "a list item needs 'text', 'term', 'blocks' or 'items'")
                continue
            items.append(ListItem(term, text, sub, self.loc(inode), blocks))
        if not items:
            return None
        return ItemList(ordered, tuple(items), self.loc(node), style, start, separator)

    def contact(self, node: Node, where: str, context: str, comment: str) -> Contact | None:
        entries: list[ContactEntry] = []
        for i, enode in enumerate(self.sequence(node, where, "label/value entries")):
            ew = f"{where}[{i}]"
            self.count_block(enode)
            f = self.mapping(enode, ew, schema.CONTACT_ENTRY)
            if f is None:
                continue
            c = self.comment(f, ew) or comment
            label = self.rich(f.get("label"), f"{ew}.label", context, c)
            value = self.rich(f.get("value"), f"{ew}.value", context, c)
            if label and value:
                entries.append(ContactEntry(label, value, self.loc(enode)))
        return Contact(tuple(entries), self.loc(node)) if entries else None

    def cta(self, node: Node, where: str, context: str, comment: str) -> CallToAction | None:
        f = self.mapping(node, where, schema.CTA)
        if f is None:
            return None
        title = self.rich(f.get("title"), f"{where}.title", context, comment)
        text = self.rich(f.get("text"), f"{where}.text", context, comment)
        action = self.rich(f.get("action"), f"{where}.action", context, comment)
        href = self.scalar(f.get("href"), f"{where}.href")
        if href is not None:
            self.hrefs.append((href, self.loc(f["href"])))
            why = links.template_problem(href)
            if why is not None:
                self.error(f["href"], f"{where}.href", f"link target '{href}' is not allowed: "
                           f"{why}")
        if not (title and text and action and href):
            return None
        return CallToAction(title, text, action, href, self.loc(node))

    def table(self, node: Node, where: str, context: str, comment: str) -> Table | None:
        f = self.mapping(node, where, schema.TABLE)
        if f is None:
            return None
        caption = self.rich(f.get("caption"), f"{where}.caption", context, comment)
        header = tuple(
            c for i, n in enumerate(self.sequence(f.get("header"), f"{where}.header", "cells"))
            if (c := self.rich(n, f"{where}.header[{i}]", context, comment))
        )
        widths = self.widths(f.get("widths"), f"{where}.widths", len(header))
        rows: list[tuple[Rich, ...]] = []
        for r, rnode in enumerate(self.sequence(f.get("rows"), f"{where}.rows", "rows")):
            self.count_block(rnode, len(rnode.value) if isinstance(rnode, SequenceNode) else 1)
            cells = tuple(
                c for i, n in enumerate(self.sequence(rnode, f"{where}.rows[{r}]", "cells"))
                if (c := self.rich(n, f"{where}.rows[{r}][{i}]", context, comment))
            )
            if header and len(cells) != len(header):
                self.error(rnode, f"{where}.rows[{r}]", f"row has {len(cells)} cells, "
                           f"expected {len(header)} (as many as the header)")
            rows.append(cells)
        if not header:
            return None
        return Table(caption, header, tuple(rows), self.loc(node), widths)

    def widths(self, node: Node | None, where: str, columns: int) -> tuple[float, ...]:
        out: list[float] = []
        for i, wnode in enumerate(self.sequence(node, where, "numbers")):
            value = self.scalar(wnode, f"{where}[{i}]", "a number") or ""
            try:
                width = float(value)
            except ValueError:
                width = -1.0
            if not 0 < width < float("inf"):
                self.error(wnode, f"{where}[{i}]", f"invalid width '{value}' (expected a "
                           "positive number: widths are relative, e.g. [1, 3, 2])")
                return ()
            out.append(width)
        if node is not None and out and columns and len(out) != columns:
            self.error(node, where, f"{len(out)} widths for {columns} columns (expected one "
                       "per header cell)")
            return ()
        return tuple(out)
