"""The one typed traversal of the document model: every translatable string in reading order.

Reading: extraction (i18n/extract.py), the {doc:id} link scan (project/documents.py), the
importers and redline comparison walk documents through `rich_fields`. Rebuilding:
localization (i18n/localize.py), the redline's marking of added and removed units and the
importers' string fixes rebuild trees through `rebuild_document` and `map_rich`, which visit
the same strings in the same order (tests/test_walk.py holds them to it). Each node type is
matched explicitly and each match ends in `assert_never`, so a new node type that this
module does not know fails the type check instead of being skipped silently, as a
reflection-based walker over dataclass fields would (its own exclusions hidden in field
names). Inlines have their own walk, `inlines`, for the searches of compiler/inline.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar, assert_never, cast

from compiler.errors import Loc
from compiler.model import (
    Address,
    Block,
    CallToAction,
    Change,
    Code,
    Contact,
    ContactEntry,
    Definition,
    Definitions,
    Document,
    Emphasis,
    Inline,
    ItemList,
    Link,
    ListItem,
    Meta,
    Note,
    Paragraph,
    Placeholder,
    Ref,
    Rich,
    Section,
    Strong,
    Table,
    Text,
)

Node = (Rich | Meta | Change | Section | Paragraph | ItemList | ListItem | Note | Contact
        | ContactEntry | CallToAction | Table | Definitions | Definition | Address | Document
        | None)
Tree = Node | Iterable["Tree"]


def rich_fields(tree: Tree) -> Iterator[Rich]:
    """Every Rich of a node, or of a sequence of nodes (nested freely), in reading order.

    A document's variables are not walked: their values are data, not translatable text.
    """
    if isinstance(tree, tuple | list):
        for item in tree:
            yield from rich_fields(item)
        return
    node: Node = tree  # type: ignore[assignment]
    match node:
        case None:
            return
        case Rich():
            yield node
        case Document():
            yield from rich_fields((node.meta, node.preamble, node.sections))
        case Meta():
            yield from rich_fields((node.title, node.description, node.keywords, node.changes))
        case Change():
            yield node.summary
        case Section():
            yield from rich_fields((node.title, node.blocks, node.sections))
        case Paragraph() | Note():
            yield node.text
        case ItemList():
            yield from rich_fields(node.items)
        case ListItem():
            yield from rich_fields((node.term, node.text, node.sublist, node.blocks))
        case Contact():
            yield from rich_fields(node.entries)
        case ContactEntry():
            yield from rich_fields((node.label, node.value))
        case CallToAction():
            yield from rich_fields((node.title, node.text, node.action))
        case Table():
            yield from rich_fields((node.caption, node.header, node.rows))
        case Definitions():
            yield from rich_fields(node.items)
        case Definition():
            yield from rich_fields((node.term, node.text))
        case Address():
            yield from rich_fields(node.lines)
        case _:
            assert_never(node)


# --- rebuilding ----------------------------------------------------------------------------


def _same_href(href: str, loc: Loc) -> str:
    return href


@dataclass(frozen=True)
class Rebuild:
    """What a rebuild changes: every string becomes rich(string); a call to action's link
    target (the one link that is not inside a string) becomes href(target, loc) (localization
    judges it by the link policy; other rebuilds keep it). Strings are visited in reading
    order, as rich_fields yields them, so rich may count and collect in order."""

    rich: Callable[[Rich], Rich]
    href: Callable[[str, Loc], str] = _same_href

    def optional(self, rich: Rich | None) -> Rich | None:
        return None if rich is None else self.rich(rich)

    def strings(self, riches: tuple[Rich, ...]) -> tuple[Rich, ...]:
        return tuple(self.rich(r) for r in riches)


def rebuild_document(doc: Document, m: Rebuild) -> Document:
    """The document with every string rebuilt (its variables are data: kept)."""
    meta = rebuild_meta(doc.meta, m)
    preamble = rebuild_blocks(doc.preamble, m)
    sections = tuple(rebuild_section(s, m) for s in doc.sections)
    return dataclasses.replace(doc, meta=meta, preamble=preamble, sections=sections)


def rebuild_meta(meta: Meta, m: Rebuild) -> Meta:
    title = m.rich(meta.title)
    description = m.optional(meta.description)
    keywords = m.strings(meta.keywords)
    changes = tuple(rebuild_change(c, m) for c in meta.changes)
    return dataclasses.replace(meta, title=title, description=description, keywords=keywords,
                               changes=changes)


def rebuild_change(change: Change, m: Rebuild) -> Change:
    return dataclasses.replace(change, summary=m.rich(change.summary))


def rebuild_section(section: Section, m: Rebuild) -> Section:
    title = m.rich(section.title)
    blocks = rebuild_blocks(section.blocks, m)
    sections = tuple(rebuild_section(s, m) for s in section.sections)
    return dataclasses.replace(section, title=title, blocks=blocks, sections=sections)


def rebuild_blocks(blocks: tuple[Block, ...], m: Rebuild) -> tuple[Block, ...]:
    return tuple(rebuild_block(b, m) for b in blocks)


def rebuild_block(block: Block, m: Rebuild) -> Block:
    match block:
        case Paragraph():
            return dataclasses.replace(block, text=m.rich(block.text))
        case Note():
            return dataclasses.replace(block, text=m.rich(block.text))
        case ItemList():
            return rebuild_list(block, m)
        case Contact():
            return dataclasses.replace(block, entries=tuple(rebuild_entry(e, m)
                                                            for e in block.entries))
        case CallToAction():
            title, text, action = m.rich(block.title), m.rich(block.text), m.rich(block.action)
            return dataclasses.replace(block, title=title, text=text, action=action,
                                       href=m.href(block.href, block.loc))
        case Table():
            caption = m.optional(block.caption)
            header = m.strings(block.header)
            rows = tuple(m.strings(row) for row in block.rows)
            return dataclasses.replace(block, caption=caption, header=header, rows=rows)
        case Definitions():
            return dataclasses.replace(block, items=tuple(rebuild_definition(d, m)
                                                          for d in block.items))
        case Address():
            return dataclasses.replace(block, lines=m.strings(block.lines))
        case _:
            assert_never(block)


def rebuild_list(lst: ItemList, m: Rebuild) -> ItemList:
    return dataclasses.replace(lst, items=tuple(rebuild_item(i, m) for i in lst.items))


def rebuild_item(item: ListItem, m: Rebuild) -> ListItem:
    term = m.optional(item.term)
    text = m.optional(item.text)
    sublist = None if item.sublist is None else rebuild_list(item.sublist, m)
    blocks = rebuild_blocks(item.blocks, m)
    return dataclasses.replace(item, term=term, text=text, sublist=sublist, blocks=blocks)


def rebuild_entry(entry: ContactEntry, m: Rebuild) -> ContactEntry:
    label = m.rich(entry.label)
    return dataclasses.replace(entry, label=label, value=m.rich(entry.value))


def rebuild_definition(definition: Definition, m: Rebuild) -> Definition:
    term = m.rich(definition.term)
    return dataclasses.replace(definition, term=term, text=m.rich(definition.text))


Part = Rich | Meta | Change | Section | Block | ListItem | ContactEntry | Definition | Document
_T = TypeVar("_T", bound=Part | tuple[object, ...])


def map_rich(tree: _T, fn: Callable[[Rich], Rich]) -> _T:
    """The same part of a document (a node, or a tuple of nodes nested freely: blocks, table
    rows) with every string replaced by fn(string), in reading order."""
    return cast(_T, _rebuild(tree, Rebuild(fn)))


def _rebuild(tree: Part | tuple[object, ...], m: Rebuild) -> object:
    if isinstance(tree, tuple):
        return tuple(_rebuild(cast(Part | tuple[object, ...], x), m) for x in tree)
    node: Part = tree
    match node:
        case Rich():
            return m.rich(node)
        case Document():
            return rebuild_document(node, m)
        case Meta():
            return rebuild_meta(node, m)
        case Change():
            return rebuild_change(node, m)
        case Section():
            return rebuild_section(node, m)
        case ListItem():
            return rebuild_item(node, m)
        case ContactEntry():
            return rebuild_entry(node, m)
        case Definition():
            return rebuild_definition(node, m)
        case (Paragraph() | ItemList() | Note() | Contact() | CallToAction() | Table()
              | Definitions() | Address()):
            return rebuild_block(node, m)
        case _:
            assert_never(node)


# --- inlines -------------------------------------------------------------------------------


def inlines(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every inline of a string, depth first in reading order (a node before its children).

    A cross-reference's label is not entered: localization writes it (the referenced
    section's number or title), it is not the string's own markup."""
    for node in nodes:
        yield node
        match node:
            case Strong(children=c) | Emphasis(children=c) | Link(children=c):
                yield from inlines(c)
            case Text() | Placeholder() | Code() | Ref():
                pass
            case _:
                assert_never(node)
