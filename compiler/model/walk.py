"""The one typed traversal of the document model: every translatable string in reading order.

Extraction (i18n/extract.py), the {doc:id} link scan (project/documents.py), the importers
and redline comparison walk documents through `rich_fields`. Each node type is matched
explicitly and the match ends in `assert_never`, so a new block type that this walker does
not know fails the type check instead of being skipped silently, as a reflection-based
walker over dataclass fields would (its own exclusions hidden in field names).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import assert_never

from compiler.model import (
    Address,
    CallToAction,
    Change,
    Contact,
    ContactEntry,
    Definition,
    Definitions,
    Document,
    ItemList,
    ListItem,
    Meta,
    Note,
    Paragraph,
    Rich,
    Section,
    Table,
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
