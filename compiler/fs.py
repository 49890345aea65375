"""File helpers under every stage: atomic writes, digests and reading inputs with located errors."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from compiler.errors import Category, CompilerError, Loc, display_path


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_source(path: str | Path) -> bytes:
    """A source's bytes; an unreadable file is a located error, not a traceback."""
    p = Path(path)
    try:
        return p.read_bytes()
    except OSError as err:
        raise CompilerError.at(Loc(display_path(p)), f"cannot read source: {err.strerror}",
                               Category.IO) from err
