"""The Renderer protocol and the one registry of output formats (RenderOptions: options.py)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

from compiler.renderers.templates import TEMPLATES as TEMPLATES  # the built-ins, re-exported

if TYPE_CHECKING:
    from compiler.errors import Diagnostic
    from compiler.model import LocalizedDocument
    from compiler.renderers.options import Alternate as Alternate
    from compiler.renderers.options import Download as Download
    from compiler.renderers.options import RenderOptions as RenderOptions

_OPTIONS = ("Alternate", "Download", "RenderOptions")


def __getattr__(name: str) -> Any:
    """RenderOptions and its parts (renderers/options.py), imported when first asked for."""
    if name in _OPTIONS:
        from compiler.renderers import options

        return getattr(options, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Rendered(bytes):
    """A renderer's bytes with the warnings it found about the project's templates on the
    way (a print.css WeasyPrint cannot fully use: renderers/pdf_css.py). Still bytes, so
    everything that writes or hashes an output takes it as it is; the warnings travel back
    from a pool worker with it (pickled with the bytes) and from the warm worker in its
    reply's header (build/warm/)."""

    warnings: tuple[Diagnostic, ...] = ()

    @classmethod
    def of(cls, data: bytes, warnings: tuple[Diagnostic, ...]) -> bytes:
        """data itself when there is nothing to add."""
        if not warnings:
            return data
        rendered = cls(data)
        rendered.warnings = warnings
        return rendered


def warnings_of(data: bytes) -> tuple[Diagnostic, ...]:
    """What a renderer found on the way (see Rendered); () for plain bytes."""
    return data.warnings if isinstance(data, Rendered) else ()


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
