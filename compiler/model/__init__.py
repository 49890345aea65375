"""The frozen document model that sits between the loader and every renderer.

Kept whole: it is one closed set of node types (inlines, blocks, sections, the document)
that model/walk.py and every reader and renderer match on, read top to bottom as the
grammar of a policy; split, its parts would only import each other.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import assert_never

from compiler.errors import Diagnostic, Loc

# --- inlines -----------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """href is final after localization; before it may still hold {placeholders}."""

    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Placeholder:
    """A {name} reference to a variable; localization replaces it by formatted inlines."""

    name: str


@dataclass(frozen=True)
class Code:
    """An inline code span (`wordpress_logged_in_*`): monospace, never hyphenated, never
    translated (a translation must keep it verbatim, like a placeholder)."""

    text: str


@dataclass(frozen=True)
class Ref:
    """A cross-reference {ref:section-id} to a section of the same document.

    In a source document label is empty; localization fills it with what a reader sees
    ("Section 7.2" in the locale's words when the section is numbered, its title
    otherwise). Renderers turn it into an internal link to the section; the redline
    compares references by target, so a renumbered clause is not a change of text.
    """

    target: str
    label: tuple[Inline, ...] = ()


Inline = Text | Strong | Emphasis | Link | Placeholder | Code | Ref


@dataclass(frozen=True)
class Rich:
    """One translatable string: the markup as written (the msgid) and its parsed inlines."""

    source: str
    inlines: tuple[Inline, ...]
    loc: Loc
    context: str
    comment: str = ""
    lang: str | None = None  # BCP 47 tag when the text is not in the document's language
    # (a translation missing, so the source text stands in): renderers mark it

    def plain(self) -> str:
        return plain_text(self.inlines)


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """Text a reader sees, without markup (for titles, metadata and tests)."""
    out: list[str] = []
    for node in inlines:
        match node:
            case Text(text=t):
                out.append(t)
            case Strong(children=c) | Emphasis(children=c) | Link(children=c):
                out.append(plain_text(c))
            case Placeholder(name=n):
                out.append("{" + n + "}")
            case Code(text=t):
                out.append(t)
            case Ref(target=target, label=label):
                out.append(plain_text(label) if label else "{ref:" + target + "}")
            case _:
                assert_never(node)
    return "".join(out)


# --- variables -----------------------------------------------------------------


class VarKind(enum.Enum):
    TEXT = "text"
    EMAIL = "email"
    URL = "url"
    PHONE = "phone"
    DATE = "date"
    DURATION = "duration"
    NUMBER = "number"


DURATION_UNITS = ("hour", "day", "week", "month", "year")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # one of DURATION_UNITS


@dataclass(frozen=True)
class Variable:
    name: str
    kind: VarKind
    value: str | int | float | dt.date | Duration
    loc: Loc
    comment: str = ""


# --- blocks --------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: Rich
    loc: Loc


@dataclass(frozen=True)
class ListItem:
    """One item: an optional bold lead term, then either one text or several blocks
    (paragraphs, lists, notes, tables), then an optional nested list (source key items:)."""

    term: Rich | None
    text: Rich | None
    sublist: ItemList | None
    loc: Loc
    blocks: tuple[Block, ...] = ()


class ListStyle(enum.Enum):
    """How a numbered list counts; nested numbered lists default to 1. -> (a) -> (i)."""

    DECIMAL = "decimal"
    LOWER_ALPHA = "lower-alpha"
    UPPER_ALPHA = "upper-alpha"
    LOWER_ROMAN = "lower-roman"
    UPPER_ROMAN = "upper-roman"
    CLAUSE = "clause"  # untitled sub-clauses numbered from their section: 7.1, 7.2, ...


@dataclass(frozen=True)
class ItemList:
    """A bulleted (ordered=False) or numbered list.

    style is None for bullets and always set for numbered lists (the loader resolves the
    default by nesting depth); start is the first item's number. separator follows an
    item's bold term: None means the locale's own (": ", " : " in French), "" none.
    """

    ordered: bool
    items: tuple[ListItem, ...]
    loc: Loc
    style: ListStyle | None = None
    start: int = 1
    separator: str | None = None


@dataclass(frozen=True)
class Definition:
    """A defined term ("Services") and its definition, both translatable."""

    term: Rich
    text: Rich
    loc: Loc


@dataclass(frozen=True)
class Definitions:
    """A definition list of defined terms (HTML <dl>, DOCX Definition Term/Definition)."""

    items: tuple[Definition, ...]
    loc: Loc


@dataclass(frozen=True)
class Address:
    """Lines kept as lines: a postal address, a signature block. Each line translatable."""

    lines: tuple[Rich, ...]
    loc: Loc


class NoteKind(enum.Enum):
    IMPORTANT = "important"
    INFO = "info"
    WARNING = "warning"


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    text: Rich
    loc: Loc


@dataclass(frozen=True)
class ContactEntry:
    label: Rich
    value: Rich
    loc: Loc


@dataclass(frozen=True)
class Contact:
    entries: tuple[ContactEntry, ...]
    loc: Loc


@dataclass(frozen=True)
class CallToAction:
    title: Rich
    text: Rich
    action: Rich
    href: str
    loc: Loc


@dataclass(frozen=True)
class Table:
    """A table with a header row. A cell's text may hold line breaks (kept as lines);
    widths are relative column widths ((1, 3, 2): the second column three times the
    first), empty for automatic layout."""

    caption: Rich | None
    header: tuple[Rich, ...]
    rows: tuple[tuple[Rich, ...], ...]
    loc: Loc
    widths: tuple[float, ...] = ()


Block = (Paragraph | ItemList | Note | Contact | CallToAction | Table | Definitions
         | Address)


@dataclass(frozen=True)
class Section:
    """A section. number is its clause number ("7.2") when the document is numbered and
    the section counts (see compiler/legal.py), empty otherwise; it is not part of the
    title, so a renumbered clause compares as unchanged text."""

    id: str
    title: Rich
    level: int
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]
    loc: Loc
    number: str = ""


# --- document --------------------------------------------------------------------

HISTORY_ID = "version-history"  # the generated "Version history" section; reserved in sources
CHANGES_CONTEXT = "changes"  # msgctxt of the version history's summaries
KEYWORD_CONTEXT = "keyword"  # msgctxt of the metadata keywords (one message per keyword)
# Metadata joins keywords with commas (and readers split at commas or semicolons), so one
# keyword, written or translated, holds none of these.
KEYWORD_SEPARATORS = (",", ";", "\uff0c", "\uff1b", "\u3001")  # also fullwidth ，； and 、


@dataclass(frozen=True)
class Change:
    """One entry of the version history: which version, when, what changed, and whether
    the change is material (users must be told before it takes effect; None when the log
    does not say). version is any label: 1.2.0, or a date as many published logs use."""

    version: str
    date: dt.date
    summary: Rich
    material: bool | None
    loc: Loc


@dataclass(frozen=True)
class Meta:
    id: str
    title: Rich
    version: str
    updated: dt.date
    effective: dt.date
    source_locale: str
    locales: tuple[str, ...]
    organization: str
    description: Rich | None = None
    keywords: tuple[Rich, ...] = ()  # translated like the title, one message each
    page_size: str = "A4"
    base_url: str | None = None
    reference_docx: str | None = None  # relative to the source file's folder
    changes: tuple[Change, ...] = ()  # the version history, as written
    numbering: str = "none"  # section numbering: "none" or "decimal" (1, 1.1, 1.1.1)
    reference_docx_at: Loc | None = None  # where the source names it (a located "not found")
    names: tuple[str, ...] = ()  # product and brand names written in the text: never hyphenated
    id_at: Loc | None = None  # where the source names its id (a located "duplicate id")
    source_locale_at: Loc | None = None  # where it names its source locale


@dataclass(frozen=True)
class Document:
    meta: Meta
    variables: tuple[Variable, ...]
    sections: tuple[Section, ...]
    path: str
    digest: str = field(default="", compare=False)
    preamble: tuple[Block, ...] = ()  # document-level blocks before the first section
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)  # from the loader

    def variable(self, name: str) -> Variable | None:
        for v in self.variables:
            if v.name == name:
                return v
        return None

    def walk_sections(self) -> Iterator[Section]:
        """Every section, depth first, in reading order."""
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.sections))


# --- the localized document the renderers receive --------------------------------


@dataclass(frozen=True)
class Language:
    code: str  # locale identifier as in locales/ (pt_BR)
    tag: str  # BCP 47 tag for HTML/PDF/DOCX (pt-BR)
    native_name: str


@dataclass(frozen=True)
class Labels:
    """The template's own words, translated, with placeholders still named."""

    contents: str
    version: str
    last_updated: str
    effective: str
    page_of: str  # "Page {page} of {pages}"
    important: str
    warning: str
    info: str
    languages: str
    downloads: str
    permalink: str
    signed_by: str  # "Digitally signed by {signer} on {date}"
    history: str  # heading of the version history
    history_date: str  # its column headers (with version)
    history_summary: str
    material: str
    yes: str
    no: str
    updated_on: str  # "Updated on {date}: see what changed", linking the redline
    redline: str  # "Changes from version {old} to version {new}"
    inserted: str
    deleted: str
    moved: str
    changed: str
    change_end: str  # read by screen readers after an insertion or deletion
    section: str = "Section {number}"  # what a cross-reference to a numbered section reads


@dataclass(frozen=True)
class Completeness:
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    missing: tuple[str, ...] = ()  # '"msgid" (fuzzy|untranslated) at file:line' for gating

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else round(100.0 * self.translated / self.total, 1)


@dataclass(frozen=True)
class LocalizedDocument:
    """A document in one locale: translated text, resolved placeholders, formatted dates."""

    document: Document
    language: Language
    direction: str  # "ltr" or "rtl"
    labels: Labels
    updated_text: str
    effective_text: str
    languages: tuple[Language, ...]
    completeness: Completeness
    term_separator: str = ": "  # after a bold lead term: ": ", "\u202f: " (fr), "：" (ja)
    # strings kept whole in print (no hyphenation): the organization, the source's names
    # and every variable's value as this locale shows it
    names: tuple[str, ...] = ()

    @property
    def meta(self) -> Meta:
        return self.document.meta

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.document.sections

    @property
    def title(self) -> str:
        return self.document.meta.title.plain()

    @property
    def keywords(self) -> str:
        """The keywords in this locale as metadata carries them: one string, comma-separated
        (PDF /Keywords, XMP pdf:Keywords, <meta name="keywords">, DOCX cp:keywords)."""
        return ", ".join(k.plain() for k in self.document.meta.keywords)
