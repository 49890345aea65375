"""What a memo holds and where it lives, for record.py and replay.py.

Imports only `os` and `sys` (loaded with the interpreter): the replay runs before anything
else of policyc's.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing's import costs more than the whole replay
if TYPE_CHECKING:
    from collections.abc import Mapping

VERSION = 1
MAX_BYTES = 4 * 1024 * 1024  # a memo is a few KB; a bigger file is not one of ours
LOCK_NAME = ".policyc.lock"  # compiler.fs.LOCK_NAME (a test checks they agree)
# The environment a build reads (besides POLICYC_*, all of which are kept): where caches
# are, the warm worker's CI rule, and what decides which Python code runs.
ENV_READ = ("CI", "HOME", "XDG_CACHE_HOME", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH",
            "PYTHONNOUSERSITE", "PYTHONUSERBASE")
# Never written into a memo: signing secrets (a build the memo answers signs nothing) and
# what may carry one (a TSA URL with credentials); the warm worker's rule (build/warm/folder.py)
SECRET_WORDS = ("PASSPHRASE", "PIN", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "KEY",
                "TSA_URL")
# Files changed this close to the memo's making may change again with the same stamp
# (timestamps come from a clock that ticks every 1-10 ms); a file system keeping whole
# seconds (FAT: 2 s) gets a wider margin.
RACY_NS = 50_000_000
RACY_WHOLE_SECONDS_NS = 2_000_000_000

Command = tuple[bool, tuple[str, ...], "str | None"]  # (quiet, sources, --out)
Stamp = list[int]


def command(args: list[str]) -> Command | None:
    """`[-q] build [SOURCE...] [--out DIR]`, as compiler/cli/quick.py reads it; None for
    any other command line (any other option: the build itself reads it)."""
    quiet = False
    while args and args[0] in ("-q", "--quiet"):
        quiet, args = True, args[1:]
    if args[:1] != ["build"]:
        return None
    sources: list[str] = []
    out: str | None = None
    rest = args[1:]
    while rest:
        arg, rest = rest[0], rest[1:]
        if arg == "--out" and out is None and rest and rest[0] and not rest[0].startswith("-"):
            out, rest = rest[0], rest[1:]
        elif arg.startswith("--out=") and out is None and len(arg) > len("--out="):
            out = arg[len("--out="):]
        elif arg.startswith("-") or not arg:
            return None
        else:
            sources.append(arg)
    return quiet, tuple(sources), out


def key(cmd: Command, cwd: str, environ: Mapping[str, str]) -> str:
    """What must be the same for a memo to answer: the command line (but -q: the memo
    holds what both print), the working directory, the environment a build reads, the
    interpreter and its import path."""
    import json

    env = sorted((k, v) for k, v in environ.items()
                 if (k.startswith("POLICYC_") or k in ENV_READ)
                 and not any(word in k.upper() for word in SECRET_WORDS))
    return json.dumps([VERSION, cwd, list(cmd[1]), cmd[2], env, sys.executable, sys.version,
                       sys.path])


def path(environ: Mapping[str, str], memo_key: str) -> str:
    """The memo of a command: in the user's cache folder ($POLICYC_CACHE_DIR when set, as
    every cache of policyc's), named by a hash of its key (which it holds, to be compared)."""
    base = environ.get("POLICYC_CACHE_DIR")
    if not base:
        home = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(home, "policyc")
    digest = 0xcbf29ce484222325  # FNV-1a, 64 bits: hashlib's import costs more than the rest
    for byte in memo_key.encode():
        digest = ((digest ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return os.path.join(base, "uptodate", f"{digest:016x}.json")


def stamp(name: str) -> Stamp | None:
    """A file's or folder's stamp, following links; [0] for a dangling link; None when
    nothing is there."""
    try:
        st = os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        try:
            os.lstat(name)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return [0]
    return stamp_of(st)


def stamp_of(st: os.stat_result) -> Stamp:
    return [st.st_dev, st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def names(folder: str) -> list[str] | None:
    """A folder's entries but a build's lock file, sorted; None when it is not a folder."""
    try:
        return sorted(n for n in os.listdir(folder) if n != LOCK_NAME)
    except (FileNotFoundError, NotADirectoryError):
        return None


def racy(found: Stamp, since: int) -> bool:
    """Whether a file's stamp may come again with other bytes: changed within the clock's
    last ticks before `since` (time.time_ns()), or later."""
    if len(found) < 6:
        return False
    newest = max(found[4], found[5])
    margin = RACY_WHOLE_SECONDS_NS if newest % 1_000_000_000 == 0 else RACY_NS
    return newest >= since - margin


def digest(name: str, size: int) -> str:
    """sha256 of a file's bytes (at most `size`, its stamp's)."""
    import hashlib

    with open(name, "rb") as f:
        return hashlib.sha256(f.read(size + 1)).hexdigest()


def write(name: str, data: object) -> bool:
    """A memo written whole (a temporary, then renamed) in a folder of the user's alone;
    False when it cannot be (a cache: no memo, no harm)."""
    import contextlib
    import json

    temporary = f"{name}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(name), mode=0o700, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(data, separators=(",", ":")).encode())
        os.replace(temporary, name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True
