"""The frozen document model that sits between the loader and every renderer."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from compiler.errors import Loc

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


Inline = Text | Strong | Emphasis | Link | Placeholder


@dataclass(frozen=True)
class Rich:
    """One translatable string: the markup as written (the msgid) and its parsed inlines."""

    source: str
    inlines: tuple[Inline, ...]
    loc: Loc
    context: str
    comment: str = ""

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
    term: Rich | None
    text: Rich | None
    sublist: ItemList | None
    loc: Loc


@dataclass(frozen=True)
class ItemList:
    ordered: bool
    items: tuple[ListItem, ...]
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
    caption: Rich | None
    header: tuple[Rich, ...]
    rows: tuple[tuple[Rich, ...], ...]
    loc: Loc


Block = Paragraph | ItemList | Note | Contact | CallToAction | Table


@dataclass(frozen=True)
class Section:
    id: str
    title: Rich
    level: int
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]
    loc: Loc


# --- document --------------------------------------------------------------------

HISTORY_ID = "version-history"  # the generated "Version history" section; reserved in sources
CHANGES_CONTEXT = "changes"  # msgctxt of the version history's summaries


@dataclass(frozen=True)
class Change:
    """One entry of the version history: which version, when, what changed, and whether
    the change is material (users must be told before it takes effect)."""

    version: str
    date: dt.date
    summary: Rich
    material: bool
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
    keywords: tuple[str, ...] = ()
    page_size: str = "A4"
    base_url: str | None = None
    reference_docx: str | None = None  # relative to the source file's folder
    changes: tuple[Change, ...] = ()  # the version history, as written


@dataclass(frozen=True)
class Document:
    meta: Meta
    variables: tuple[Variable, ...]
    sections: tuple[Section, ...]
    path: str
    digest: str = field(default="", compare=False)

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

    @property
    def meta(self) -> Meta:
        return self.document.meta

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.document.sections

    @property
    def title(self) -> str:
        return self.document.meta.title.plain()
