"""File helpers under every stage: atomic writes, digests, reading inputs with located errors,
and the JSON files of policyc's cache folder."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compiler.errors import Category, CompilerError, Diagnostic, Loc, display_path

_TMP_SUFFIX = ".tmp"
_TMP_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
              | getattr(os, "O_NOFOLLOW", 0))


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename: readers never see half a file.

    A write the system refuses (read-only folder, disk full, a file where a folder should
    be) is a located error naming the path; the temporary file is removed and the target
    keeps its previous content.
    """
    import secrets  # here, not at the top: `policyc check` writes nothing

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            # named before it exists (not tempfile.mkstemp, which names it only once it is
            # made): a Ctrl-C the moment it is created still finds and removes it
            tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}{_TMP_SUFFIX}")
            try:
                fd = os.open(tmp, _TMP_FLAGS, 0o600)
                break
            except FileExistsError:
                tmp = None  # another's: left alone; try another name
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except OSError as err:
        _remove(tmp)
        raise CompilerError.at(Loc(display_path(path)), f"cannot write: {_reason(err)}",
                               Category.IO) from err
    except BaseException:
        _remove(tmp)
        raise


def about_one_file(err: CompilerError) -> bool:
    """Whether write_atomic's error concerns its own path only (no permission there, a
    file or folder in the way), not the whole file system (full, over quota, read-only,
    the size limit): a build then goes on with its other outputs."""
    import errno

    cause = err.__cause__
    return isinstance(cause, OSError) and cause.errno not in (
        errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)


def write_or_collect(path: Path, data: bytes, errors: list[Diagnostic]) -> bool:
    """write_atomic; an error about this path only (about_one_file) is added to errors and
    False returned instead of raised: a build goes on with its other outputs."""
    try:
        write_atomic(path, data)
    except CompilerError as err:
        if not about_one_file(err):
            raise
        errors.extend(err.diagnostics)
        return False
    return True


def write_if_changed(path: Path, data: bytes, what: str) -> bool:
    """Write data unless path holds exactly it already (a no-op build rewrites nothing);
    the old file is read as an input is (no FIFO, no link out, no more than data's size)."""
    with contextlib.suppress(CompilerError):
        if read_input(path, len(data), what) == data:
            return False
    write_atomic(path, data)
    return True


def read_cache_json(path: Path, max_bytes: int) -> dict[str, Any] | None:
    """A JSON object of policyc's cache folder (project/layout.cache_dir), if the file is
    ours: a regular file (not a link, to /dev/zero or a huge file), owned by this user,
    writable by no one else, at most max_bytes. A project can be unpacked from anywhere, so
    anything else reads as missing and the caller computes again; callers check the
    object's shape and key themselves."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o022 or (
                hasattr(os, "getuid") and info.st_uid != os.getuid()) or (
                info.st_size > max_bytes):
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_cache_json(path: Path, data: dict[str, Any], **dumps: Any) -> bool:
    """Write a cache file atomically; False when it cannot be written: a cache never fails
    a build (a read-only project only computes again next time)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, ensure_ascii=False, **dumps).encode())
    except (OSError, CompilerError):
        return False
    return True


def remove_temporaries(folder: Path, depth: int = 2) -> list[Path]:
    """write_atomic's temporary files (.<name>.<8 characters>.tmp) left in folder and its
    subfolders (depth levels) by a process killed mid-write (SIGKILL, a lost machine);
    the ones removed. Only for a folder whose lock (folder_lock) the caller holds: no one
    else is writing there."""
    import re

    pattern = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(_TMP_SUFFIX))
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if depth > 1:
                removed.extend(remove_temporaries(Path(entry.path), depth - 1))
        elif entry.is_file(follow_symlinks=False) and pattern.fullmatch(entry.name):
            with contextlib.suppress(OSError):
                Path(entry.path).unlink()
                removed.append(Path(entry.path))
    return removed


def _remove(tmp: str | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()


def _reason(err: OSError) -> str:
    """The system's words, plus what to do for the usual ones."""
    import errno

    hint = {errno.ENOSPC: " (the disk is full)", errno.EDQUOT: " (disk quota exceeded)",
            errno.EFBIG: " (the file size limit was reached)",
            errno.EROFS: " (the file system is read-only)",
            errno.EACCES: " (no permission to write there)",
            errno.ENOTDIR: " (a file stands where a folder is needed)",
            errno.EEXIST: " (a file stands where a folder is needed)"}.get(err.errno or 0, "")
    return f"{err.strerror or err}{hint}"


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

    def shown() -> Loc:  # for an error only: resolving the path cost every read (#18)
        return Loc(display_path(p))

    if root is not None and not is_inside(p, root):
        raise CompilerError.at(shown(), f"{what} lies outside the project folder "
                               f"{display_path(root)} (symlinks resolved); policyc reads only "
                               "files inside it", Category.IO)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as err:
        raise CompilerError.at(shown(), f"cannot read {what}: {err.strerror}",
                               Category.IO) from err
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise CompilerError.at(shown(), f"{what} is not a regular file (a folder, FIFO or "
                               "device)", Category.IO)
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as err:
            raise CompilerError.at(shown(), f"cannot read {what}: {err.strerror}",
                                   Category.IO) from err
    if info.st_size == 0 and data:
        raise CompilerError.at(shown(), f"{what} is not a regular file (a /proc or /sys file "
                               "whose size is not known)", Category.IO)
    if len(data) > limit:
        raise CompilerError.at(shown(), f"{what} is larger than {size(limit)} (the limit for a "
                               f"{what}; see README, Security model)", Category.IO)
    return data


def relative_inside(name: str) -> bool:
    """A path written in a source stays inside the project: relative, and not climbing
    above the folder that holds the source's folder (symlinks are checked when read)."""
    import posixpath

    if not name or name.startswith("/") or "\\" in name or ":" in name:
        return False
    return not posixpath.normpath(posixpath.join("source", name)).startswith("..")


def is_inside(path: Path, root: Path) -> bool:
    """True when path, with every symlink resolved, lies within root (also resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


LOCK_NAME = ".policyc.lock"
LOCK_WAIT = 600.0  # seconds a second build waits for the first before giving up


@contextlib.contextmanager
def folder_lock(folder: Path, wait: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on an output folder (flock on <folder>/.policyc.lock).

    A second build into the same folder waits (saying so, and for whom) until the first is
    done, then sees its outputs; after `wait` seconds it gives up with a located error. The
    lock is the kernel's: it ends with its process, so a killed build leaves no stale lock.
    The lock file is removed as the lock is released (qa6 N8: it is not published with the
    outputs); a waiter that then holds the lock of a removed file takes the path's anew.
    """
    import fcntl
    import time


    def shown() -> Loc:  # for an error or the wait's warning only (#18)
        return Loc(display_path(folder))

    if folder.exists() and not folder.is_dir():
        raise CompilerError.at(shown(), "the output folder is a file (expected a folder, or a "
                               "path that does not exist yet)", Category.IO)
    lock = folder / LOCK_NAME
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    told = False
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as err:
            raise CompilerError.at(shown(), f"cannot use the output folder: {_reason(err)}",
                                   Category.IO) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            if time.monotonic() >= deadline:
                raise CompilerError.at(shown(), f"another policyc build (pid {holder}) is "
                                       "writing this output folder; try again when it "
                                       "is done", Category.IO) from None
            if not told:
                from compiler import logs

                logs.logger(__name__).warning(
                    "%s: waiting for another policyc build (pid %s) to finish", shown(),
                    holder)
                told = True
            time.sleep(0.1)
            continue
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, lock):
            break
        os.close(fd)  # the holder before removed the file this one locked: again
    try:
        # its holder's pid, padded over a longer one a killed build left: never truncated,
        # which on ext4 made closing it flush the file (auto_da_alloc: ~4 ms of each build)
        os.pwrite(fd, str(os.getpid()).encode().ljust(20), 0)
        yield
    finally:
        with contextlib.suppress(OSError):  # removed while still held: a waiter that opened
            lock.unlink()  # it sees that it is gone once it holds it (_same_file)
        os.close(fd)  # releases the lock


def _same_file(fd: int, path: Path) -> bool:
    """Whether the open file fd is still the file at path."""
    try:
        named = path.lstat()
    except OSError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)
