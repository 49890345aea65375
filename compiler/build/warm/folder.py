"""What both ends of the warm worker's socket share: the folder, the framing, the identity.

The socket lives in `<cache>/warm/` (the project's .policyc-cache/, see
compiler/project/layout.cache_dir). A cloned project is untrusted, so the folder is used
only if it is a real folder (lstat: no symlink), owned by this user and closed to
everyone else (mode 0700); both ends then reach the socket through the folder's open file
descriptor (/proc/self/fd/N/worker.sock), so the folder checked is the folder used, and
the path stays short whatever the project's path. Each end checks the other's user with
SO_PEERCRED; requests are unpickled only with an explicit list of the request's classes;
every message is length-prefixed and bounded.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pickle
import socket
import stat
import struct
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

FOLDER = "warm"
SOCKET = "worker.sock"
SPAWN_LOCK = "spawn.lock"  # held while a worker is started or goes away
LOG = "worker.log"
MAX_MESSAGE = 512 * 2**20  # bytes: a PDF of a long document with its attachments fits
_HEADER = struct.Struct("!I")


class Refused(Exception):
    """The warm worker cannot be used here; the message says why (for the user)."""


def supported() -> bool:
    """Unix sockets with peer credentials and /proc/self/fd: Linux."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_PEERCRED")


def open_folder(cache: Path, create: bool = True) -> int:
    """An O_PATH-like descriptor of <cache>/warm/, checked; Refused if it is not ours.

    Created 0700 when missing (and create). Refused when it is a symlink or not a folder,
    owned by someone else, or open to group or others: a planted folder could hold a
    socket of someone else's worker.
    """
    folder = cache / FOLDER
    if create:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError as err:
            raise Refused(f"{folder}: cannot create the worker's folder: "
                          f"{err.strerror or err}") from err
    try:
        info = os.lstat(folder)
    except OSError as err:
        raise Refused(f"{folder}: {err.strerror or err}") from err
    problem = _problem(info)
    if problem:
        raise Refused(f"{folder}: {problem}")
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as err:
        raise Refused(f"{folder}: {err.strerror or err}") from err
    problem = _problem(os.fstat(fd))  # the folder opened is the folder checked
    if problem:
        os.close(fd)
        raise Refused(f"{folder}: {problem}")
    return fd


def _problem(info: os.stat_result) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link (expected a folder of your own; not used)"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a folder (not used)"
    if info.st_uid != os.getuid():
        return f"belongs to user id {info.st_uid}, not to you (not used)"
    if info.st_mode & 0o077:
        return (f"is open to other users (mode {stat.S_IMODE(info.st_mode):o}, expected 700; "
                "not used)")
    return None


def socket_path(fd: int) -> str:
    """The socket's address through the checked folder's descriptor."""
    return f"/proc/self/fd/{fd}/{SOCKET}"


def check_peer(sock: socket.socket) -> int:
    """The peer's process id; Refused unless it runs as this user."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _ = struct.unpack("3i", creds)
    if uid != os.getuid():
        raise Refused(f"the worker socket's peer runs as user id {uid}, not as you")
    return pid


def open_file(fd: int, name: str, flags: int) -> int:
    """A file of the checked folder, opened never blocking and never through a link; Refused
    unless it is a regular file of this user. A FIFO would block an open for writing until
    a reader came (a build hung for good); a link, a device or someone else's file is not
    ours to write. A project's archive can carry any of them in .policyc-cache/warm/."""
    try:
        opened = os.open(name, flags | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=fd)
    except OSError as err:  # ELOOP for a link, ENXIO for a FIFO nobody reads
        raise Refused(f"{name} in the worker's folder: {err.strerror or err} (not used)") from err
    info = os.fstat(opened)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file"
    elif info.st_uid != os.getuid():
        problem = f"belongs to user id {info.st_uid}, not to you"
    if problem:
        os.close(opened)
        raise Refused(f"{name} in the worker's folder {problem} (not used)")
    os.set_blocking(opened, True)  # a regular file: the worker's stderr, as any other
    return opened


def check_files(fd: int) -> None:
    """Refused when a file the worker's folder should hold as a regular file of this user
    (the spawn lock, the log) is something else: the build then goes on without a worker,
    with a warning, instead of meeting it in the middle (open_file guards that too)."""
    for name in (SPAWN_LOCK, LOG):
        try:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            kind = ("a symbolic link" if stat.S_ISLNK(info.st_mode) else
                    "not a regular file" if not stat.S_ISREG(info.st_mode) else
                    f"owned by user id {info.st_uid}, not by you")
            raise Refused(f"{name} is {kind}, expected a regular file of yours")


@contextlib.contextmanager
def locked(fd: int, wait: float) -> Iterator[None]:
    """Hold the folder's spawn lock (flock): one worker starts or stops at a time. Refused
    after `wait` seconds: a holder stopped (Ctrl-Z) or stuck must not hang every build."""
    import fcntl
    import time

    lock = open_file(fd, SPAWN_LOCK, os.O_RDWR | os.O_CREAT)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Refused(f"{SPAWN_LOCK} held by another process for {wait:.0f} s "
                                  "(a build stopped while starting a worker?)") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(lock)


# --- framing -----------------------------------------------------------------------------

def send(sock: socket.socket, header: dict[str, Any], payload: bytes | None = None) -> None:
    """One message: a JSON header, then (when the header says so) one binary payload."""
    if payload is not None:
        header = {**header, "payload": len(payload)}
    data = json.dumps(header).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)
    if payload is not None:
        sock.sendall(_HEADER.pack(len(payload)) + payload)


def receive(sock: socket.socket) -> tuple[dict[str, Any], bytes | None]:
    """One message (see send); ValueError when it is malformed or too large."""
    header = json.loads(_frame(sock))
    if not isinstance(header, dict):
        raise ValueError("message header is not an object")
    payload = _frame(sock) if "payload" in header else None
    if payload is not None and len(payload) != header["payload"]:
        raise ValueError("payload length does not match its header")
    return header, payload


def _frame(sock: socket.socket) -> bytes:
    (size,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes is over the {MAX_MESSAGE} byte bound")
    return _exactly(sock, size)


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 2**20))
        if not chunk:
            raise ConnectionError("the other end closed the connection")
        chunks += chunk
    return bytes(chunks)


# --- requests ----------------------------------------------------------------------------

# Every class a render request (format, LocalizedDocument or Recipe, RenderOptions) pickles:
# the model's closed unions and records, locations and diagnostics, a recipe's files and
# variables, the render options with their templates and theme, paths and dates
# (tests/test_build_warm.py derives the same set from the type annotations of
# LocalizedDocument, Recipe and RenderOptions). Tuples, lists, sets, dicts, strings,
# numbers and bytes have opcodes of their own and never reach find_class.
REQUEST_CLASSES = frozenset({
    ("compiler.build.warm.recipe", "Recipe"),
    ("compiler.errors", "Category"), ("compiler.errors", "Diagnostic"),
    ("compiler.errors", "Loc"), ("compiler.errors", "Severity"),
    *(("compiler.model", name) for name in (
        "Address", "CallToAction", "Change", "Code", "Completeness", "Contact",
        "ContactEntry", "Definition", "Definitions", "Document", "Duration", "Emphasis",
        "ItemList", "Labels", "Language", "Link", "ListItem", "ListStyle",
        "LocalizedDocument", "Meta", "Note", "NoteKind", "Paragraph", "Placeholder", "Ref",
        "Rich", "Section", "Strong", "Table", "Text", "VarKind", "Variable")),
    ("compiler.renderers.options", "Alternate"), ("compiler.renderers.options", "Download"),
    ("compiler.renderers.options", "RenderOptions"), ("compiler.renderers.templates", "Templates"),
    ("compiler.renderers.theme", "Theme"), ("datetime", "date"), ("pathlib", "PosixPath"),
})


class _Unpickler(pickle.Unpickler):
    """Only the classes listed in REQUEST_CLASSES, looked up by their plain top-level name.

    A dotted name would make pickle walk attributes from an allowed module to anything
    (`Document.__init__.__class__` is FunctionType, `enum.bltns.type` is builtins.type:
    with them a request builds and calls a function); a name starting with "_" is no
    request class either. Nothing else (a function, os.system) is ever looked up."""

    def find_class(self, module: str, name: str) -> Any:
        if "." in name or name.startswith("_") or (module, name) not in REQUEST_CLASSES:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a render request")
        return super().find_class(module, name)


def warnings_header(data: bytes) -> dict[str, Any]:
    """A render reply's header entry for the warnings its bytes carry (renderers.Rendered):
    the build counts them as if it had rendered the output itself."""
    from compiler.renderers import warnings_of

    found = [[w.loc.path, w.loc.line, w.loc.column, w.message, w.category.value]
             for w in warnings_of(data)]
    return {"warnings": found} if found else {}


def with_warnings(data: bytes, found: object) -> bytes:
    """The worker's bytes with the warnings its reply's header carries (warnings_header)."""
    if not isinstance(found, list) or not found:
        return data
    from compiler.errors import Category, Diagnostic, Loc, Severity
    from compiler.renderers import Rendered

    warnings = []
    for item in found:
        try:
            path, line, column, message, category = item
            warnings.append(Diagnostic(Loc(str(path), int(line), int(column)), str(message),
                                       Severity.WARNING, Category(category)))
        except (TypeError, ValueError):
            raise ValueError("malformed warnings in the worker's reply") from None
    return Rendered.of(data, tuple(warnings))


def dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


# --- environment -------------------------------------------------------------------------

# The worker outlives the build that started it, so it gets only what it needs to render
# (paths, locale, fonts' configuration, its own POLICYC_WARM_* settings), never a secret of
# that build: signing passphrases and PINs, tokens, a TSA URL that may carry credentials.
_WORKER_NAMES = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "PYTHONPATH",
                           "SOURCE_DATE_EPOCH"})
_WORKER_PREFIXES = ("LC_", "XDG_", "FONTCONFIG_", "POLICYC_")
_SECRET_WORDS = ("PASSPHRASE", "PIN", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "KEY",
                 "TSA_URL")
# What a render reads from the environment (through fontconfig, Pango and fontTools: none of
# policyc's own renderers reads one): part of the identity, so a build whose values differ
# never uses a worker started with others. SOURCE_DATE_EPOCH: fontTools' font timestamps.
_RENDER_NAMES = ("HOME", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "SOURCE_DATE_EPOCH",
                 "XDG_CACHE_HOME", "XDG_CONFIG_DIRS", "XDG_CONFIG_HOME", "XDG_DATA_DIRS",
                 "XDG_DATA_HOME")


def worker_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The part of a build's environment the worker starts with."""
    return {name: value for name, value in environ.items()
            if (name in _WORKER_NAMES or name.startswith(_WORKER_PREFIXES))
            and not any(word in name.upper() for word in _SECRET_WORDS)}


def render_env() -> list[tuple[str, str]]:
    """The environment values a render depends on (see _RENDER_NAMES)."""
    return sorted((name, value) for name, value in os.environ.items()
                  if name in _RENDER_NAMES or name.startswith("FONTCONFIG_"))


# --- identity ----------------------------------------------------------------------------

def identity() -> str:
    """What a worker's renders depend on besides its requests: policyc's version and code,
    the interpreter, the installed libraries (their folders' change times: an upgrade adds
    and removes files there), the fonts and the environment a render reads (render_env).
    A worker whose identity differs is replaced."""
    import site

    from compiler import __version__
    from compiler.build.plan import fonts_digest
    from compiler.project.sources import code_digest

    folders = sorted({*site.getsitepackages(), site.getusersitepackages()})
    libraries = [(f, Path(f).stat().st_mtime_ns) for f in folders if Path(f).is_dir()]
    interpreter = str(Path(sys.executable).resolve())  # python and python3 of one venv agree
    parts = [__version__, code_digest(), interpreter, repr(libraries), fonts_digest(),
             repr(render_env())]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
