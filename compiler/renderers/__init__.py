"""The Renderer protocol and the one registry of output formats."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from compiler.renderers.templates import BUILTINS, Templates
from compiler.renderers.templates import TEMPLATES as TEMPLATES  # the built-ins, re-exported
from compiler.renderers.theme import NO_THEME, Theme

if TYPE_CHECKING:
    from compiler.model import Language, LocalizedDocument


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


class Renderer(Protocol):
    def __call__(self, doc: LocalizedDocument, options: RenderOptions) -> bytes: ...


# format -> module under compiler.renderers exposing render(doc, options) -> bytes.
# Imported on first use so that `policyc check` never loads WeasyPrint or python-docx.
RENDERERS: dict[str, str] = {
    "html": "compiler.renderers.html",
    "pdf": "compiler.renderers.pdf",
    "docx": "compiler.renderers.docx",
}

FORMATS: tuple[str, ...] = tuple(RENDERERS)


def embeds_inputs(fmt: str, pdf_variant: str | None) -> bool:
    """Whether an output carries its inputs inside (RenderOptions.attachments): a PDF/A-3
    attaches its source and catalogs, so their bytes are part of its own."""
    return fmt == "pdf" and bool(pdf_variant) and str(pdf_variant).startswith("pdf/a-3")


def get_renderer(fmt: str) -> Renderer:
    module = importlib.import_module(RENDERERS[fmt])
    render: Renderer = module.render
    return render
