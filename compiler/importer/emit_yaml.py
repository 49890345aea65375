"""Document -> a readable policyc YAML source: plain scalars where YAML allows them, block
lists, one key per line, and a '# guessed: ...' comment above whatever the import guessed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import assert_never

import yaml

from compiler.legal import default_style
from compiler.model import (
    Address,
    Block,
    CallToAction,
    Change,
    Contact,
    Definitions,
    Document,
    Duration,
    ItemList,
    ListItem,
    Note,
    Paragraph,
    Rich,
    Section,
    Table,
    Variable,
    VarKind,
)
from compiler.readers.draft import Finding


def scalar(value: str) -> str:
    """The shortest YAML spelling of a string that reads back as the same string."""
    out = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=False)
    out = out.removesuffix("\n...\n").removesuffix("\n")
    if "\n" in out:  # folded by PyYAML: fall back to one double-quoted line
        out = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return out


class _Writer:
    def __init__(self, guesses: dict[str, list[str]]) -> None:
        self.lines: list[str] = []
        self.guesses = guesses

    def comment(self, indent: str, key: str) -> None:
        for text in self.guesses.pop(key, []):
            self.lines.append(f"{indent}# guessed: {text}")

    def kv(self, indent: str, key: str, value: str, mark: str | None = None) -> None:
        self.comment(indent, mark or key)
        self.lines.append(f"{indent}{key}: {value}")

    def document(self, doc: Document) -> None:
        m = doc.meta
        self.kv("", "id", scalar(m.id))  # 'null', 'yes' are ids too, if quoted
        self.kv("", "title", scalar(m.title.source))
        self.kv("", "version", scalar(m.version))
        self.kv("", "updated", m.updated.isoformat())
        self.kv("", "effective", m.effective.isoformat())
        self.kv("", "source_locale", scalar(m.source_locale))  # 'no' is Norwegian
        self.kv("", "locales", "[" + ", ".join(_flow(x) for x in m.locales) + "]",
                "source_locale")
        self.kv("", "organization", scalar(m.organization))
        if m.description:
            self.kv("", "description", scalar(m.description.source))
        if m.keywords:
            self.kv("", "keywords", "[" + ", ".join(_flow(k.source) for k in m.keywords) + "]")
        if m.numbering != "none":
            self.kv("", "numbering", m.numbering)
        if m.changes:
            self.lines.append("changes:")
            for c in m.changes:
                self.change(c)
        if doc.variables:
            self.lines.append("")
            self.lines.append("variables:")
            for v in doc.variables:
                self.variable(v)
        if doc.preamble:
            self.lines.append("")
            self.lines.append("blocks:")
            for b in doc.preamble:
                self.block(b, "  ")
        self.lines.append("")
        self.lines.append("sections:")
        numbered = m.numbering != "none"
        for s in doc.sections:
            self.section(s, "  ", numbered)

    def change(self, c: Change) -> None:
        self.lines.append(f"  - version: {scalar(c.version)}")
        self.lines.append(f"    date: {c.date.isoformat()}")
        self.lines.append(f"    summary: {scalar(c.summary.source)}")
        if c.material is not None:
            self.lines.append(f"    material: {'yes' if c.material else 'no'}")

    def variable(self, v: Variable) -> None:
        self.comment("  ", f"variable:{v.name}")
        value = v.value
        if v.kind is VarKind.TEXT:
            text = scalar(str(value))
        elif isinstance(value, Duration):
            text = f"{{duration: {value.amount} {value.unit}s}}"
        elif isinstance(value, dt.date):
            text = f"{{date: {value.isoformat()}}}"
        else:
            text = f"{{{v.kind.value}: {_flow(str(value))}}}"
        if v.comment:
            text = text[:-1] + f", comment: {_flow(v.comment)}}}" if text.startswith("{") else text
        self.lines.append(f"  {v.name}: {text}")

    def section(self, s: Section, indent: str, numbered: bool = False) -> None:
        """numbered: the document is numbered and so far this branch counts."""
        self.comment(indent, f"section:{s.id}")
        self.lines.append(f"{indent}- id: {scalar(s.id)}")
        inner = indent + "  "
        self.lines.append(f"{inner}title: {scalar(s.title.source)}")
        if numbered and not s.number:
            self.lines.append(f"{inner}numbered: false")
            numbered = False
        if s.blocks or not s.sections:
            self.lines.append(f"{inner}blocks:" + ("" if s.blocks else " []"))
            for b in s.blocks:
                self.block(b, inner + "  ")
        if s.sections:
            self.lines.append(f"{inner}sections:")
            for sub in s.sections:
                self.section(sub, inner + "  ", numbered)

    def block(self, b: Block, indent: str, numbered: int = 0) -> None:
        """numbered: how many numbered lists are around this block (the default style)."""
        inner = indent + "  "
        match b:
            case Paragraph(text=t):
                self.lines.append(f"{indent}- paragraph: {scalar(t.source)}")
            case ItemList(ordered=ordered, items=items):
                self.lines.append(f"{indent}- {'numbered' if ordered else 'bullets'}:")
                self.items(items, inner + "  ", numbered + 1 if ordered else numbered)
                if ordered and b.style is not None and b.style is not default_style(numbered + 1):
                    self.lines.append(f"{inner}style: {b.style.value}")
                if ordered and b.start != 1:
                    self.lines.append(f"{inner}start: {b.start}")
                if b.separator is not None:
                    self.lines.append(f"{inner}separator: {scalar(b.separator)}")
            case Note(kind=kind, text=t):
                self.lines.append(f"{indent}- note: {scalar(t.source)}")
                self.lines.append(f"{inner}kind: {kind.value}")
            case Contact(entries=entries):
                self.lines.append(f"{indent}- contact:")
                for e in entries:
                    self.lines.append(f"{inner}  - label: {scalar(e.label.source)}")
                    self.lines.append(f"{inner}    value: {scalar(e.value.source)}")
            case CallToAction(title=title, text=text, action=action, href=href):
                self.lines.append(f"{indent}- cta:")
                self.lines.append(f"{inner}  title: {scalar(title.source)}")
                self.lines.append(f"{inner}  text: {scalar(text.source)}")
                self.lines.append(f"{inner}  action: {scalar(action.source)}")
                self.lines.append(f"{inner}  href: {scalar(href)}")
            case Table(caption=caption, header=header, rows=rows):
                self.lines.append(f"{indent}- table:")
                if caption:
                    self.lines.append(f"{inner}  caption: {scalar(caption.source)}")
                if b.widths:
                    self.lines.append(f"{inner}  widths: [" + ", ".join(
                        f"{w:g}" for w in b.widths) + "]")
                self.lines.append(f"{inner}  header:")
                self.cells(header, inner + "    ")
                self.lines.append(f"{inner}  rows:")
                for row in rows:
                    first, *rest = row
                    self.lines.append(f"{inner}    - - {scalar(first.source)}")
                    self.cells(rest, inner + "      ")
            case Definitions(items=definitions):
                self.lines.append(f"{indent}- definitions:")
                for d in definitions:
                    self.lines.append(f"{inner}  - term: {scalar(d.term.source)}")
                    self.lines.append(f"{inner}    text: {scalar(d.text.source)}")
            case Address(lines=lines):
                self.lines.append(f"{indent}- address:")
                self.cells(lines, inner + "  ")
            case _:
                assert_never(b)

    def cells(self, cells: Iterable[Rich], indent: str) -> None:
        for c in cells:
            self.lines.append(f"{indent}- {scalar(c.source)}")

    def items(self, items: tuple[ListItem, ...], indent: str, numbered: int = 0) -> None:
        for original in items:
            item = _styled_sublist(original, numbered)
            if item.text and not item.term and not item.sublist:
                self.lines.append(f"{indent}- {scalar(item.text.source)}")
                continue
            lead = "- "
            if item.term:
                self.lines.append(f"{indent}{lead}term: {scalar(item.term.source)}")
                lead = "  "
            if item.text:
                self.lines.append(f"{indent}{lead}text: {scalar(item.text.source)}")
                lead = "  "
            if item.blocks:
                self.lines.append(f"{indent}{lead}blocks:")
                lead = "  "
                for block in item.blocks:
                    self.block(block, indent + "    ", numbered)
            if item.sublist:
                self.lines.append(f"{indent}{lead}items:")
                self.items(item.sublist.items, indent + "    ",
                           numbered + 1 if item.sublist.ordered else numbered)


def _styled_sublist(item: ListItem, numbered: int) -> ListItem:
    """'items:' counts in the default style from 1; a nested list that counts otherwise is
    written as a numbered block of the item (with its style and start)."""
    sub = item.sublist
    if (sub is None or not sub.ordered or sub.style is None
            or (sub.style is default_style(numbered + 1) and sub.start == 1)):
        return item
    first = (Paragraph(item.text, item.text.loc),) if item.text else ()
    return dataclasses.replace(item, text=None, sublist=None,
                               blocks=(*first, *item.blocks, sub))


def _flow(value: str) -> str:
    """A scalar safe inside a flow collection ([a, b] or {k: v})."""
    plain = scalar(value)
    if plain == value and not any(ch in value for ch in ",[]{}#"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(doc: Document, findings: Iterable[Finding], origin: str) -> str:
    """The YAML text of an imported document; origin names the input in the header."""
    guesses: dict[str, list[str]] = {}
    for f in findings:
        if f.kind == "guessed" and f.key:
            guesses.setdefault(f.key, []).append(f.message)
    w = _Writer(guesses)
    w.lines.append("# yaml-language-server: $schema=policy.schema.json")
    w.lines.append(f"# Imported by policyc from {origin}. Check every '# guessed:' line, then "
                   "delete its comment.")
    w.document(doc)
    leftover = [text for texts in w.guesses.values() for text in texts]
    if leftover:
        w.lines.append("# guessed elsewhere: " + "; ".join(leftover))
    return "\n".join(w.lines) + "\n"
