"""The console script's first step: an up-to-date build's answer from its memo (see
__init__.py), or False to run the build.

Imports only `os`, `sys`, `json` and `time`. Everything in a memo is checked before a word
of it is printed; a memo of the wrong shape, or any error reading it, is no memo.
"""

from __future__ import annotations

import os
import sys
import time

from compiler.uptodate import memo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PIPE_CLOSED = 141  # compiler.cli.report.PIPE_CLOSED


def answer(args: list[str]) -> None:
    """If nothing the last build of this command line read has changed since, say what the
    next build would say and end the process (0); else return, having printed nothing."""
    started = time.perf_counter()
    cmd = memo.command(args)
    if cmd is None:
        return
    quiet = cmd[0]
    if not quiet and sys.stderr is not None and sys.stderr.isatty():
        return  # a terminal's summary is a table (rich): the build prints it
    try:
        said = _answer(cmd)
    except Exception:  # a cache: whatever goes wrong, the build answers
        return
    if said is None:
        return
    warnings, unlisted, outputs = said
    lines = list(warnings)
    if not quiet:
        from compiler.summary import summary_line, unlisted_line

        if unlisted:
            lines.append(unlisted_line(unlisted))
        lines.append(summary_line(outputs, 0, len(warnings), 0,
                                  time.perf_counter() - started))
    try:
        if lines:
            sys.stderr.write("".join(line + "\n" for line in lines))
            sys.stderr.flush()
    except BrokenPipeError:  # the reader left (`policyc build 2>&1 | head -1`)
        os._exit(PIPE_CLOSED)
    os._exit(0)  # nothing to tear down: no file open, no thread, no exit handler of ours


def _answer(cmd: memo.Command) -> tuple[list[str], list[str], int] | None:
    """(warnings, unlisted, outputs) the memo holds, if every stamp and name in it holds."""
    import json

    memo_key = memo.key(cmd, os.getcwd(), os.environ)
    name = memo.path(os.environ, memo_key)
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if info.st_uid != os.getuid() or info.st_size > memo.MAX_BYTES or \
                info.st_mode & 0o170000 != 0o100000:  # ours, a regular file
            return None
        chunks = []
        while chunk := os.read(fd, memo.MAX_BYTES + 1):
            chunks.append(chunk)
        data = json.loads(b"".join(chunks))
    finally:
        os.close(fd)
    if not (isinstance(data, dict) and data.get("v") == memo.VERSION
            and data.get("key") == memo_key and data["stamps"] and data["lock"]):
        return None
    for path, stamp in data["stamps"]:
        if memo.stamp(path) != stamp:
            return None
    for folder, names in data["folders"]:
        if memo.names(folder) != names:
            return None
    if memo.stamp(data["lock"]) is not None:  # a build is running there, or was killed
        return None
    if not os.access(os.path.dirname(data["lock"]), os.W_OK):  # a build could not lock it
        return None
    if data["racy"] and not _verified(name, data):
        return None
    said = data["said"]
    warnings, unlisted, outputs = said["warnings"], said["unlisted"], said["outputs"]
    if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)
            and isinstance(unlisted, list) and all(isinstance(u, str) for u in unlisted)
            and type(outputs) is int):
        return None
    return warnings, unlisted, outputs


def _verified(name: str, data: dict[str, Any]) -> bool:
    """Files changed just before the memo was made (the outputs of the build that made it)
    have the bytes they had then: their stamps could have come again. Once the clock is
    past them, a change would show in the stamps: the memo is written again without them."""
    stamps = {path: stamp for path, stamp in data["stamps"] if path in data["racy"]}
    for path, digest in data["racy"].items():
        if memo.digest(path, stamps[path][3]) != digest:
            return False
    if not any(memo.racy(stamp, time.time_ns()) for stamp in stamps.values()):
        memo.write(name, {**data, "racy": {}})
    return True
