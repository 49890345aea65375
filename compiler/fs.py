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
    """A source's bytes; an unreadable, irregular or oversized file is a located error."""
    from compiler.limits import MAX_SOURCE_BYTES

    return read_input(path, MAX_SOURCE_BYTES, "source")


def read_input(path: str | Path, limit: int, what: str, root: Path | None = None) -> bytes:
    """The bytes of an input file, refusing what could hang, exhaust memory or leak.

    Only a regular file is read (a FIFO would block, /dev/zero never ends, /proc files lie
    about their size), at most `limit` bytes of it; with `root`, the file must lie inside
    root once symlinks are resolved. Opened non-blocking, so naming a FIFO cannot hang.
    Errors never quote the file's content.
    """
    import stat

    from compiler.limits import size

    p = Path(path)
    shown = Loc(display_path(p))
    if root is not None and not is_inside(p, root):
        raise CompilerError.at(shown, f"{what} lies outside the project folder "
                               f"{display_path(root)} (symlinks resolved); policyc reads only "
                               "files inside it", Category.IO)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise CompilerError.at(shown, f"cannot read {what}: {err.strerror}",
                               Category.IO) from err
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise CompilerError.at(shown, f"{what} is not a regular file (a folder, FIFO or "
                               "device)", Category.IO)
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as err:
            raise CompilerError.at(shown, f"cannot read {what}: {err.strerror}",
                                   Category.IO) from err
    if info.st_size == 0 and data:
        raise CompilerError.at(shown, f"{what} is not a regular file (a /proc or /sys file "
                               "whose size is not known)", Category.IO)
    if len(data) > limit:
        raise CompilerError.at(shown, f"{what} is larger than {size(limit)} (the limit for a "
                               f"{what}; see README, Security model)", Category.IO)
    return data


def is_inside(path: Path, root: Path) -> bool:
    """True when path, with every symlink resolved, lies within root (also resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True
