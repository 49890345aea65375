"""The Reader protocol and the one registry of source formats (readers beside the renderers).

A reader turns a file's bytes into a Document, purely: it reads no other file and knows
nothing of caches or projects (compiler/project/sources.py keeps those above it).
The YAML source is the one reader today; importers (DOCX, Markdown, HTML) join the dict.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from compiler.errors import CompilerError, Loc, display_path

if TYPE_CHECKING:
    from compiler.model import Document


class Reader(Protocol):
    def __call__(self, data: bytes, shown: str) -> Document: ...


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


def read_bytes(data: bytes, path: str | Path) -> Document:
    """A Document from bytes already read (a git revision, a cache miss)."""
    return get_reader(path)(data, display_path(path))


def read_file(path: str | Path) -> Document:
    """Read and validate one source file."""
    from compiler.fs import read_source

    return read_bytes(read_source(path), path)
