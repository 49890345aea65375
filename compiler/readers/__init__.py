"""The Reader protocol and the one registry of source formats (readers beside the renderers).

A reader turns a file's bytes into a Document, purely: it reads no other file and knows
nothing of caches or projects (compiler/project/sources.py keeps those above it).
The YAML source is the one source reader; importers (DOCX, Markdown, HTML, plain text) sit in IMPORTERS
below: they read into the same model and also report what they mapped and guessed.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from compiler.errors import CompilerError, Loc, display_path
from compiler.readers.draft import Reading, ReadOptions

if TYPE_CHECKING:
    from compiler.model import Document, Variable


class Reader(Protocol):
    def __call__(self, data: bytes, shown: str, shared: tuple[Variable, ...] = ()) -> Document:
        """shared: the project's variables, which the source's own override by name."""


# file suffix -> module under compiler.readers exposing read(data, shown) -> Document.
# Imported on first use, like the renderers.
READERS: dict[str, str] = {
    ".yaml": "compiler.readers.yaml",
    ".yml": "compiler.readers.yaml",
}


def get_reader(path: str | Path) -> Reader:
    """The reader for a file, by its suffix; an unknown suffix is a located error."""
    suffix = Path(path).suffix.lower()
    if suffix not in READERS:
        raise CompilerError.at(Loc(display_path(path)), f"unknown source format '{suffix}' "
                               f"(expected one of: {', '.join(READERS)})")
    module = importlib.import_module(READERS[suffix])
    read: Reader = module.read
    return read


def read_bytes(data: bytes, path: str | Path, shared: tuple[Variable, ...] = ()) -> Document:
    """A Document from bytes already read (a git revision, a cache miss)."""
    return get_reader(path)(data, display_path(path), shared)


def read_file(path: str | Path, shared: tuple[Variable, ...] = ()) -> Document:
    """Read and validate one source file (shared: the project's variables)."""
    from compiler.fs import read_source

    return read_bytes(read_source(path), path, shared)


# --- importers: existing policies (Markdown, DOCX, HTML, text) into the same model ---------
# An importer also says what it mapped, left out and guessed (a Reading), and takes options
# (the input's language, the wanted id). They are not source readers: `policyc build` and
# `check` read only YAML sources; `policyc import` turns these formats into one.

IMPORTERS: dict[str, str] = {
    "markdown": "compiler.readers.markdown",
    "docx": "compiler.readers.docx",
    "html": "compiler.readers.html",
    "text": "compiler.readers.plaintext",
}

IMPORT_SUFFIXES: dict[str, str] = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".txt": "text",
    ".docx": "docx",
    ".html": "html", ".htm": "html", ".xhtml": "html",
}


class Importer(Protocol):
    def __call__(self, data: bytes, shown: str, options: ReadOptions) -> Reading: ...


def importer_for(path: Path) -> str | None:
    """The import format a file name announces, or None."""
    return IMPORT_SUFFIXES.get(path.suffix.lower())


def get_importer(fmt: str) -> Importer:
    module = importlib.import_module(IMPORTERS[fmt])
    read: Importer = module.read
    return read
