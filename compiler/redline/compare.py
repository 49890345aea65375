"""The structural comparison of two localized documents: sections by id, then blocks, then words.

The result keeps the document model: merged blocks are ordinary blocks of ordinary strings,
so the renderers' own code lays them out; each string's pieces are a Revision kept beside
the tree in a side table (Revisions), keyed by the identity of the Rich it describes. Sections
are matched by their stable id, wherever they are, and come out as SectionDiffs: kept,
added, removed, or moved (with a stub where a moved section used to be).

Kept whole: strings, blocks and sections are the three levels of one comparison, each
calling the one below with the same Op vocabulary, and are read in that order.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, TypeVar, assert_never

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
    LocalizedDocument,
    Note,
    Paragraph,
    Rich,
    Section,
    Table,
)
from compiler.model.walk import Part, map_rich, rich_fields
from compiler.redline.words import Op, Piece, by_character, compare, similarity

PAIR_THRESHOLD = 0.5  # blocks, items and rows this similar are one edited thing, not two
HEAD_WEIGHT = 0.6  # share of a row's first cell (an item's term) in its similarity


@dataclass(frozen=True)
class Revision:
    """A string compared with its earlier self (kept beside the model, not in it). rich is
    the string placed in the merged tree: the text a reader takes as current (the new one;
    the old one when deleted). whole is INSERT or DELETE when the string's unit (block,
    list item, table row, contact entry, section) was added or removed as a whole; a DOCX
    writer then also marks the paragraph or row itself."""

    rich: Rich
    pieces: tuple[Piece, ...] = ()
    whole: Op = Op.EQUAL

    @property
    def changed(self) -> bool:
        return any(p.op is not Op.EQUAL for p in self.pieces)


T = TypeVar("T")
Unit = TypeVar("Unit", bound=Part | tuple[object, ...])  # what mark() marks whole


def riches(obj: Any) -> Iterator[Rich]:
    """Every string in a tree of blocks (or items, entries, rows), in reading order."""
    return rich_fields(obj)


class Revisions:
    """The side table of one comparison: each merged string's Revision, keyed by the
    identity of the Rich placed in the merged tree. Every Rich it hands out is a fresh copy
    it keeps alive, so no two strings share a key."""

    def __init__(self) -> None:
        self._by_id: dict[int, Revision] = {}

    def _add(self, rich: Rich, pieces: tuple[Piece, ...], whole: Op) -> Rich:
        placed = dataclasses.replace(rich)  # a fresh object: its id is this string's key
        self._by_id[id(placed)] = Revision(placed, pieces, whole)
        return placed

    def of(self, rich: Rich | None) -> Revision | None:
        """The Revision of a string of the merged tree (None for a string it did not make)."""
        if rich is None:
            return None
        found = self._by_id.get(id(rich))
        return found if found is not None and found.rich is rich else None

    def entire(self, rich: Rich, op: Op, whole: bool = True) -> Rich:
        """A string inserted or deleted in one piece; whole: its unit went with it."""
        return self._add(rich, (Piece(op, rich.inlines),), op if whole else Op.EQUAL)

    def revise(self, old: Rich, new: Rich, characters: bool) -> Rich:
        return self._add(new, compare(old.inlines, new.inlines, characters), Op.EQUAL)

    def revise_optional(self, old: Rich | None, new: Rich | None, characters: bool,
                        own_paragraph: bool = False) -> Rich | None:
        """An optional string; own_paragraph: one that renders as a paragraph of its own (a
        caption, a description), which comes and goes with it."""
        if old is None and new is None:
            return None
        if old is None:
            assert new is not None
            return self.entire(new, Op.INSERT, whole=own_paragraph)
        if new is None:
            return self.entire(old, Op.DELETE, whole=own_paragraph)
        return self.revise(old, new, characters)

    def mark(self, obj: Unit, op: Op) -> Unit:
        """A block, item, entry or row added or removed whole: every string marked so."""
        return map_rich(obj, lambda r: self.entire(r, op))

    def within(self, obj: Any) -> Iterator[Revision]:
        """Every Revision of a merged tree, in reading order."""
        return (r for r in map(self.of, riches(obj)) if r is not None)

    def whole_op(self, obj: Any) -> Op:
        """INSERT or DELETE when a merged unit was added or removed entirely, else EQUAL."""
        found = list(self.within(obj))
        if found and all(r.whole is found[0].whole for r in found):
            return found[0].whole
        return Op.EQUAL

    def is_changed(self, obj: Any) -> bool:
        return any(r.changed for r in self.within(obj))


# --- alignment ---------------------------------------------------------------------------


def align(old: Sequence[T], new: Sequence[T], key: Callable[[T], str],
          score: Callable[[T, T], float]) -> list[tuple[T | None, T | None]]:
    """Pairs in reading order: equal keys first (difflib), then, inside each edited
    stretch, the best order-keeping pairing of similar items; the rest stand alone,
    deletions before insertions."""
    out: list[tuple[T | None, T | None]] = []
    matcher = SequenceMatcher(None, [key(x) for x in old], [key(x) for x in new],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(zip(old[i1:i2], new[j1:j2], strict=True))
        else:
            pairs = _pair_similar(old[i1:i2], new[j1:j2], score)
            out.extend(pairs)
    return out


def _pair_similar(old: Sequence[T], new: Sequence[T],
                  score: Callable[[T, T], float]) -> list[tuple[T | None, T | None]]:
    m, n = len(old), len(new)
    sim = [[score(a, b) for b in new] for a in old]
    # best[i][j]: the best total similarity of old[i:] with new[j:] (pairs above threshold)
    best = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        for j in range(n - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= PAIR_THRESHOLD else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[tuple[T | None, T | None]] = []
    i = j = 0
    dels: list[tuple[T | None, T | None]] = []
    ins: list[tuple[T | None, T | None]] = []
    while i < m and j < n:
        if sim[i][j] >= PAIR_THRESHOLD and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            out.extend(dels + ins)
            dels, ins = [], []
            out.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            dels.append((old[i], None))
            i += 1
        else:
            ins.append((None, new[j]))
            j += 1
    dels.extend((old[k], None) for k in range(i, m))
    ins.extend((None, new[k]) for k in range(j, n))
    out.extend(dels + ins)
    return out


# --- blocks --------------------------------------------------------------------------------


def block_text(obj: Any) -> str:
    return " ".join(r.plain() for r in riches(obj))


def _kind(block: Block) -> tuple[str, ...]:
    match block:
        case ItemList(ordered=ordered):
            return ("list", str(ordered))
        case Note(kind=kind):
            return ("note", kind.value)
        case Table(header=header):
            return ("table", str(len(header)))
        case Paragraph() | Contact() | CallToAction() | Definitions() | Address():
            return (type(block).__name__,)
        case _:
            assert_never(block)


class _Blocks:
    """Merges blocks of one section, in one locale (word or character comparison)."""

    def __init__(self, characters: bool, table: Revisions) -> None:
        self.revisions = table
        self.characters = characters

    def score(self, a: Any, b: Any) -> float:
        """Blocks pair only with blocks of the same kind. A list item with a term, a contact
        entry and a table row are known first by their head (term, label, first cell)."""
        if isinstance(a, Block) and isinstance(b, Block):
            if _kind(a) != _kind(b):
                return 0.0
            text = similarity(block_text(a), block_text(b), self.characters)
            if isinstance(a, Table) and isinstance(b, Table) and (
                    block_text(a.header) == block_text(b.header)):
                return PAIR_THRESHOLD + (1 - PAIR_THRESHOLD) * text  # same columns: one table
            return text
        heads = [[r.plain() for r in riches(x)] for x in (a, b)]
        if min(len(h) for h in heads) < 2:
            return similarity(block_text(a), block_text(b), self.characters)
        (head_a, *rest_a), (head_b, *rest_b) = heads
        return (HEAD_WEIGHT * similarity(head_a, head_b, self.characters)
                + (1 - HEAD_WEIGHT) * similarity(" ".join(rest_a), " ".join(rest_b),
                                                 self.characters))

    def key(self, x: Any) -> str:
        return repr((_kind(x) if isinstance(x, Block) else (), block_text(x)))

    def merge(self, old: tuple[Block, ...], new: tuple[Block, ...]) -> tuple[Block, ...]:
        out: list[Block] = []
        for a, b in align(old, new, self.key, self.score):
            if a is None:
                assert b is not None
                out.append(self.revisions.mark(b, Op.INSERT))
            elif b is None:
                out.append(self.revisions.mark(a, Op.DELETE))
            else:
                out.append(self.block(a, b))
        return tuple(out)

    def text(self, old: Rich, new: Rich) -> Rich:
        return self.revisions.revise(old, new, self.characters)

    def block(self, old: Block, new: Block) -> Block:
        match old, new:
            case Paragraph(), Paragraph():
                return Paragraph(self.text(old.text, new.text), new.loc)
            case Note(), Note():
                return Note(new.kind, self.text(old.text, new.text), new.loc)
            case ItemList(), ItemList():
                return self.item_list(old, new)
            case Contact(), Contact():
                return Contact(self.entries(old.entries, new.entries), new.loc)
            case CallToAction(), CallToAction():
                return CallToAction(self.text(old.title, new.title), self.text(old.text, new.text),
                                    self.text(old.action, new.action), new.href, new.loc)
            case Table(), Table():
                return self.table(old, new)
            case Definitions(), Definitions():
                return Definitions(self.definitions(old.items, new.items), new.loc)
            case Address(), Address():
                return Address(self.lines(old.lines, new.lines), new.loc)
        raise AssertionError(f"paired blocks of different kinds: {old!r} {new!r}")

    def item_list(self, old: ItemList, new: ItemList) -> ItemList:
        items: list[ListItem] = []
        for a, b in align(old.items, new.items, self.key, self.score):
            if a is None:
                assert b is not None
                items.append(self.revisions.mark(b, Op.INSERT))
            elif b is None:
                items.append(self.revisions.mark(a, Op.DELETE))
            else:
                items.append(ListItem(
                    self.revisions.revise_optional(a.term, b.term, self.characters),
                    self.revisions.revise_optional(a.text, b.text, self.characters),
                    self.sublist(a.sublist, b.sublist), b.loc,
                    self.merge(a.blocks, b.blocks)))
        return dataclasses.replace(new, items=tuple(items))

    def lines(self, old: tuple[Rich, ...], new: tuple[Rich, ...]) -> tuple[Rich, ...]:
        out: list[Rich] = []
        for a, b in align(old, new, lambda r: r.plain(), lambda x, y: similarity(
                x.plain(), y.plain(), self.characters)):
            if a is None:
                assert b is not None
                out.append(self.revisions.entire(b, Op.INSERT, whole=False))
            elif b is None:
                out.append(self.revisions.entire(a, Op.DELETE, whole=False))
            else:
                out.append(self.text(a, b))
        return tuple(out)

    def sublist(self, old: ItemList | None, new: ItemList | None) -> ItemList | None:
        if old is None:
            return self.revisions.mark(new, Op.INSERT) if new else None
        if new is None:
            return self.revisions.mark(old, Op.DELETE)
        return self.item_list(old, new)

    def pairs(self, old: tuple[Unit, ...], new: tuple[Unit, ...],
              both: Callable[[Unit, Unit], Unit]) -> tuple[Unit, ...]:
        """Aligned units (contact entries, definitions): added and removed ones marked whole,
        paired ones merged by both(old, new)."""
        out: list[Unit] = []
        for a, b in align(old, new, self.key, self.score):
            if a is None:
                assert b is not None
                out.append(self.revisions.mark(b, Op.INSERT))
            elif b is None:
                out.append(self.revisions.mark(a, Op.DELETE))
            else:
                out.append(both(a, b))
        return tuple(out)

    def entries(self, old: tuple[ContactEntry, ...],
                new: tuple[ContactEntry, ...]) -> tuple[ContactEntry, ...]:
        return self.pairs(old, new, lambda a, b: ContactEntry(
            self.text(a.label, b.label), self.text(a.value, b.value), b.loc))

    def definitions(self, old: tuple[Definition, ...],
                    new: tuple[Definition, ...]) -> tuple[Definition, ...]:
        return self.pairs(old, new, lambda a, b: Definition(
            self.text(a.term, b.term), self.text(a.text, b.text), b.loc))

    def table(self, old: Table, new: Table) -> Table:
        caption = self.revisions.revise_optional(old.caption, new.caption, self.characters,
                                             own_paragraph=True)
        header = tuple(self.text(a, b) for a, b in zip(old.header, new.header, strict=True))
        rows: list[tuple[Rich, ...]] = []
        for a, b in align(old.rows, new.rows, self.key, self.score):
            if a is None:
                assert b is not None
                rows.append(self.revisions.mark(b, Op.INSERT))
            elif b is None:
                rows.append(self.revisions.mark(a, Op.DELETE))
            elif len(a) != len(b):
                rows.extend((self.revisions.mark(a, Op.DELETE), self.revisions.mark(b, Op.INSERT)))
            else:
                rows.append(tuple(self.text(x, y) for x, y in zip(a, b, strict=True)))
        return Table(caption, header, tuple(rows), new.loc, new.widths)


# --- sections ----------------------------------------------------------------------------


class Status(enum.Enum):
    KEPT = "kept"  # in both versions, at the same place (its text may have changed)
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"  # at its new place
    MOVED_AWAY = "moved-away"  # where a moved section used to be


@dataclass(frozen=True)
class SectionDiff:
    id: str
    status: Status
    depth: int  # 1 for top-level sections of the comparison
    old: Section | None  # as in the old version (None when added)
    new: Section | None  # as in the new version (None when removed)
    title: Rich  # merged: its Revision is in revisions
    blocks: tuple[Block, ...]  # merged: the old and new blocks, with their changes
    children: tuple[SectionDiff, ...]
    revisions: Revisions = dataclasses.field(repr=False, compare=False)

    @property
    def title_revision(self) -> Revision:
        found = self.revisions.of(self.title)
        assert found is not None
        return found

    @property
    def retitled(self) -> bool:
        return self.old is not None and self.new is not None and self.title_revision.changed

    @property
    def edited(self) -> bool:
        """Its own title or text changed (not counting subsections)."""
        return self.status in (Status.KEPT, Status.MOVED) and (
            self.title_revision.changed or self.revisions.is_changed(self.blocks))

    def walk(self) -> Iterator[SectionDiff]:
        yield self
        for child in self.children:
            yield from child.walk()


def _index(sections: tuple[Section, ...]) -> dict[str, tuple[Section, str | None]]:
    """Section id -> (section, parent id) for a whole tree."""
    out: dict[str, tuple[Section, str | None]] = {}
    stack: list[tuple[Section, str | None]] = [(s, None) for s in sections]
    while stack:
        s, parent = stack.pop()
        out[s.id] = (s, parent)
        stack.extend((c, s.id) for c in s.sections)
    return out


class _Sections:
    def __init__(self, old: tuple[Section, ...], new: tuple[Section, ...], characters: bool,
                 table: Revisions) -> None:
        self.revisions = table
        self.old = _index(old)
        self.new = _index(new)
        self.blocks = _Blocks(characters, table)
        self.characters = characters
        self.kept = self._kept(old, new)

    def _kept(self, old_roots: tuple[Section, ...], new_roots: tuple[Section, ...]) -> set[str]:
        """Ids under the same parent in both versions whose order among such siblings held
        (a longest common subsequence); the others moved."""
        kept: set[str] = set()
        parents: list[tuple[tuple[Section, ...], tuple[Section, ...], str | None]] = [
            (old_roots, new_roots, None)]
        parents += [(self.old[i][0].sections, self.new[i][0].sections, i)
                    for i in self.old if i in self.new]
        for old_children, new_children, parent in parents:
            a = [s.id for s in old_children if self.new.get(s.id, (None, "?"))[1] == parent]
            b = [s.id for s in new_children if self.old.get(s.id, (None, "?"))[1] == parent]
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            for block in matcher.get_matching_blocks():
                kept.update(a[block.a: block.a + block.size])
        return kept

    def merge(self, old: tuple[Section, ...], new: tuple[Section, ...],
              depth: int) -> tuple[SectionDiff, ...]:
        """The merged children of one place: kept ones in order, removed and moved-away
        ones where they were, added and moved-in ones where they are."""
        a = [s.id if s.id in self.kept else f"-{s.id}" for s in old]
        b = [s.id if s.id in self.kept else f"+{s.id}" for s in new]
        out: list[SectionDiff] = []
        matcher = SequenceMatcher(None, a, b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(self.both(o, n, Status.KEPT, depth)
                           for o, n in zip(old[i1:i2], new[j1:j2], strict=True))
                continue
            for o in old[i1:i2]:
                out.append(self.gone(o, depth))
            for n in new[j1:j2]:
                out.append(self.came(n, depth))
        return tuple(out)

    def both(self, old: Section, new: Section, status: Status, depth: int) -> SectionDiff:
        return SectionDiff(new.id, status, depth, old, new,
                           self.revisions.revise(old.title, new.title, self.characters),
                           self.blocks.merge(old.blocks, new.blocks),
                           self.merge(old.sections, new.sections, depth + 1), self.revisions)

    def gone(self, old: Section, depth: int) -> SectionDiff:
        if old.id in self.new:  # moved elsewhere: a stub here
            new = self.new[old.id][0]
            return SectionDiff(old.id, Status.MOVED_AWAY, depth, old, new,
                               self.revisions.entire(old.title, Op.EQUAL), (), (), self.revisions)
        return SectionDiff(old.id, Status.REMOVED, depth, old, None,
                           self.revisions.entire(old.title, Op.DELETE),
                           self.revisions.mark(old.blocks, Op.DELETE),
                           self.merge(old.sections, (), depth + 1), self.revisions)

    def came(self, new: Section, depth: int) -> SectionDiff:
        if new.id in self.old:
            return self.both(self.old[new.id][0], new, Status.MOVED, depth)
        return SectionDiff(new.id, Status.ADDED, depth, None, new,
                           self.revisions.entire(new.title, Op.INSERT),
                           self.revisions.mark(new.blocks, Op.INSERT),
                           self.merge((), new.sections, depth + 1), self.revisions)


# --- the whole comparison ------------------------------------------------------------------


@dataclass(frozen=True)
class Redline:
    """Two versions of a document in one locale, and what changed between them."""

    old: LocalizedDocument
    new: LocalizedDocument
    title: Rich  # merged, as every string below: its Revision is in revisions
    description: Rich | None
    sections: tuple[SectionDiff, ...]
    revisions: Revisions = dataclasses.field(repr=False, compare=False)

    @property
    def characters(self) -> bool:
        return by_character(self.new.language.code)

    def walk(self) -> Iterator[SectionDiff]:
        for s in self.sections:
            yield from s.walk()

    def changed(self) -> list[SectionDiff]:
        """The sections to tell readers about, in reading order: each added, removed,
        moved or edited one; the subsections of an added or removed one go with it."""
        out: list[SectionDiff] = []

        def visit(s: SectionDiff, inherited: Status | None) -> None:
            if s.status is Status.MOVED_AWAY:
                return
            if s.status is not inherited and (s.status is not Status.KEPT or s.edited):
                out.append(s)
            carried = s.status if s.status in (Status.ADDED, Status.REMOVED) else None
            for child in s.children:
                visit(child, carried)

        for s in self.sections:
            visit(s, None)
        return out


def compare_documents(old: LocalizedDocument, new: LocalizedDocument) -> Redline:
    """Compare two localized versions (placeholders resolved, so a changed variable shows
    as the changed words)."""
    characters = by_character(new.language.code)
    table = Revisions()
    sections = _Sections(old.sections, new.sections, characters, table)
    return Redline(
        old, new,
        table.revise(old.meta.title, new.meta.title, characters),
        table.revise_optional(old.meta.description, new.meta.description, characters,
                        own_paragraph=True),
        sections.merge(old.sections, new.sections, 1),
        table,
    )
