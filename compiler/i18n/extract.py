"""Extraction: the messages of a document and of the templates, as a POT and as a Babel extractor."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

from compiler import __version__
from compiler.i18n import pofile
from compiler.i18n.pofile import PoFile
from compiler.i18n.ui import UI_CONTEXT, UI_MESSAGES
from compiler.inline import code_spans, needs_translation, placeholders, refs
from compiler.links import DOC_SCHEME
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
    Rich,
    Section,
    Strong,
    Table,
    Variable,
)

UI_SOURCE = "compiler/i18n/ui.py"


@dataclass(frozen=True)
class Message:
    context: str
    msgid: str
    path: str
    line: int
    comments: tuple[str, ...]


def _describe(var: Variable) -> str:
    value = var.value
    shown = f"{value.amount} {value.unit}s" if isinstance(value, Duration) else str(value)
    note = f" — {var.comment}" if var.comment else ""
    return f"{{{var.name}}}: {shown} ({var.kind.value}; keep as is){note}"


def roles(doc: Document) -> Iterator[tuple[Rich, str]]:
    """Every translatable string in reading order with what it is, for the translator."""
    meta = doc.meta
    yield meta.title, "Title of the document (also of the web page, the PDF and the DOCX)."
    if meta.description is not None:
        yield meta.description, "Description of the document (search engines, file properties)."
    for keyword in meta.keywords:
        yield keyword, ("Keyword of the document (search engines, file properties): one "
                        "keyword or phrase as people would search for it in your language; "
                        "no comma (the keywords are listed separated by commas).")
    for change in meta.changes:
        yield change.summary, f"Version history: what changed in version {change.version}."
    for block in doc.preamble:
        yield from _block(block)
    for section in doc.sections:
        yield from _section(section)


def _section(section: Section) -> Iterator[tuple[Rich, str]]:
    yield section.title, f"Heading (level {section.level})."
    for block in section.blocks:
        yield from _block(block)
    for sub in section.sections:
        yield from _section(sub)


def _block(block: Block) -> Iterator[tuple[Rich, str]]:
    match block:
        case Paragraph(text=text):
            yield text, "Paragraph."
        case ItemList():
            yield from _items(block)
        case Note(kind=kind, text=text):
            yield text, f"Callout ({kind.value})."
        case Contact(entries=entries):
            for entry in entries:
                yield entry.label, "Contact details: a label."
                yield entry.value, "Contact details: a value."
        case CallToAction(title=title, text=text, action=action):
            yield title, "Call to action: its title."
            yield text, "Call to action: its text."
            yield action, "Call to action: the label of its button."
        case Definitions(items=items):
            for item in items:
                yield item.term, "Defined term (its definition follows)."
                yield item.text, "Definition of a term."
        case Address(lines=lines):
            for line in lines:
                yield line, "A line of an address or signature block."
        case Table(caption=caption, header=header, rows=rows):
            if caption is not None:
                yield caption, "Table caption."
            for cell in header:
                yield cell, "Table column header."
            for row in rows:
                for cell in row:
                    yield cell, "Table cell."
        case _:
            assert_never(block)


def _items(items: ItemList) -> Iterator[tuple[Rich, str]]:
    kind = "Numbered list item" if items.ordered else "List item"
    for item in items.items:
        if item.term is not None:
            yield item.term, f"{kind}: the term in bold before its text."
        if item.text is not None:
            yield item.text, f"{kind}."
        if item.sublist is not None:
            yield from _items(item.sublist)
        for block in item.blocks:
            yield from _block(block)


def _has(nodes: tuple[Inline, ...], kind: type) -> bool:
    for n in nodes:
        if isinstance(n, kind):
            return True
        if isinstance(n, Strong | Emphasis | Link) and _has(n.children, kind):
            return True
    return False


def _links(nodes: tuple[Inline, ...]) -> list[Link]:
    out: list[Link] = []
    for n in nodes:
        if isinstance(n, Link):
            out.append(n)
        if isinstance(n, Strong | Emphasis | Link):
            out.extend(_links(n.children))
    return out


def markup_notes(source: str, inlines: tuple[Inline, ...]) -> list[str]:
    """The markup of a message, explained in words a non-programmer understands."""
    notes: list[str] = []
    if _has(inlines, Strong):
        notes.append("**...** makes the words between the double asterisks bold: keep the "
                     "asterisks around the matching words of your translation.")
    if _has(inlines, Emphasis):
        notes.append("*...* makes the words between single asterisks italic: keep the "
                     "asterisks around the matching words.")
    links = [link for link in _links(inlines) if not link.href.startswith(DOC_SCHEME)]
    if len(links) < len(_links(inlines)):
        notes.append("{doc:name} becomes the title of another document of the project, "
                     "linked to it in your language: keep it exactly.")
    if any(f"]({link.href})" in source for link in links):
        variable = any("{" in link.href and f"]({link.href})" in source for link in links)
        notes.append("[text](target) is a link: translate the text in square brackets; keep "
                     "the target in parentheses"
                     + (" exactly as it is (it comes from a variable)." if variable else
                        " (or point it to the page in your language, with the same kind of "
                        "address: https to https, mailto to mailto)."))
    if any(f"]({link.href})" not in source for link in links):
        notes.append("The web or e-mail address in the text becomes a link: keep it (or "
                     "use the address of the page in your language).")
    if placeholders(inlines):
        notes.append("{name} in braces is filled in by policyc (see below): keep it exactly, "
                     "wherever it fits your sentence.")
    return notes


def document_messages(doc: Document) -> list[Message]:
    out: list[Message] = []
    titles = {s.id: s.title.plain() for s in doc.walk_sections()}
    for rich, what in roles(doc):
        if not needs_translation(rich.inlines):
            continue
        comments = [what]
        if rich.comment and rich.comment != what:
            comments.append(rich.comment)
        comments += markup_notes(rich.source, rich.inlines)
        for name in dict.fromkeys(placeholders(rich.inlines)):
            var = doc.variable(name)
            if var:
                comments.append(_describe(var))
        for target in dict.fromkeys(refs(rich.inlines)):
            comments.append(f"{{ref:{target}}}: cross-reference to the section \"{titles[target]}"
                            "\"; keep as is (it becomes its number or title)")
        for code in dict.fromkeys(code_spans(rich.inlines)):
            comments.append(f"`{code}`: code; keep it verbatim, backticks included")
        out.append(Message(rich.context, rich.source, rich.loc.path, rich.loc.line,
                           tuple(comments)))
    return out


def ui_messages() -> list[Message]:
    """The template words, referenced to their line in ui.py."""
    from compiler.i18n import ui

    lines, start = inspect.getsourcelines(ui)
    out: list[Message] = []
    for msgid, comment in UI_MESSAGES.values():
        line = next((start + i for i, text in enumerate(lines) if f'("{msgid}"' in text), 0)
        notes = [f"User interface: {comment}"]
        if "{" in msgid:
            notes.append("{name} in braces is filled in by policyc: keep it exactly, wherever "
                         "it fits your sentence.")
        out.append(Message(UI_CONTEXT, msgid, UI_SOURCE, line, tuple(notes)))
    return out


def _template(messages: list[Message], project: str, created: dt.date,
              comments: list[str]) -> PoFile:
    po = PoFile(header_comments=comments, header=[
        ("Project-Id-Version", project),
        ("POT-Creation-Date", f"{created.isoformat()} 00:00+0000"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ])
    seen: dict[tuple[str | None, str], pofile.Message] = {}
    for m in messages:
        # References name the file only (gettext's --add-location=file): a line number
        # would change every later entry of every catalog at each edit of the source.
        existing = seen.get((m.context, m.msgid))
        if existing is not None:
            if m.path not in existing.references:
                existing.references.append(m.path)
            existing.extracted_comments.extend(
                c for c in m.comments if c not in existing.extracted_comments)
            continue
        flags = ["python-brace-format"] if _brace_format(m.msgid) else []
        if "%" in m.msgid:
            # policyc text never uses %-formatting; say so, or gettext tools guess it
            flags.append("no-python-format")
        entry = pofile.Message(m.msgid, context=m.context, references=[m.path],
                               extracted_comments=list(m.comments), flags=flags)
        seen[entry.key] = entry
        po.messages.append(entry)
    return po


def _brace_format(msgid: str) -> bool:
    """Has {placeholders} and is a valid Python brace format (msgfmt --check-format)."""
    import string

    if "{" not in msgid:
        return False
    try:
        return any(field for _, field, _, _ in string.Formatter().parse(msgid))
    except ValueError:
        return False


def template_catalog(doc: Document) -> PoFile:
    """The POT of one document, its messages in reading order."""
    return _template(
        document_messages(doc), f"{doc.meta.id} {doc.meta.version}", doc.meta.updated,
        [f"Translation template: \"{doc.meta.title.plain()}\" ({doc.meta.id} "
         f"{doc.meta.version}).",
         f"Generated by policyc extract from {doc.path}: edit the YAML source, not this file."])


def ui_catalog(updated: dt.date) -> PoFile:
    """The POT of the template's own words, shared by every document of the project."""
    return _template(ui_messages(), f"policyc {__version__}", updated,
                     ["Translation template: the words of policyc's own layout (contents, "
                      "page numbers, labels).",
                      "Generated by policyc extract from compiler/i18n/ui.py; one catalog "
                      "per language serves every document."])


def write_catalog(po: PoFile, path: Path | None = None) -> bytes:
    data = pofile.write(po)
    if path is not None:
        from compiler.fs import write_atomic

        write_atomic(path, data)
    return data
