"""What a renderer is given besides the document: RenderOptions, explicit and hashable.

Apart from the registry (renderers/__init__.py, which hands these out on first use): their
dataclasses cost a no-op build, which renders nothing, ~2 ms (issue #18).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.renderers.templates import BUILTINS, Templates
from compiler.renderers.theme import NO_THEME, Theme

if TYPE_CHECKING:
    from compiler.model import Language


@dataclass(frozen=True)
class Alternate:
    """The same document in another locale, for language switchers and hreflang."""

    language: Language
    href: str  # relative to the page being rendered


@dataclass(frozen=True)
class Download:
    format: str  # "pdf" or "docx"
    href: str


@dataclass(frozen=True)
class RenderOptions:
    """Everything a renderer may depend on besides the document: explicit, hashable."""

    templates: Templates = BUILTINS
    theme: Theme = NO_THEME  # the brand: logo, colours, fonts, footer
    page_size: str = "A4"  # "A4" or "Letter"
    pdf_variant: str | None = "pdf/a-3a"  # archivable and tagged; None for plain PDF
    reference_docx: Path | None = None
    docx_protect: bool = False  # read-only recommended, edits restricted to comments
    docx_annex: str | None = None  # "Annex B": the DOCX as a contract annex (docx_annex.py)
    alternates: tuple[Alternate, ...] = ()
    downloads: tuple[Download, ...] = ()
    base_url: str | None = None
    redline: str | None = None  # link to this version's redline, relative to the HTML page
    # (name inside the PDF, file): the source and catalogs a PDF/A-3 carries with it
    attachments: tuple[tuple[str, Path], ...] = field(default=())
    # where a renderer may keep what it parsed for the next process (hyphenation patterns);
    # never changes an output's bytes, so not part of any job key
    cache: Path | None = None
