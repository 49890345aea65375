"""Starting the project's warm worker: for a build that waits for it (spawn, under the spawn
lock: client.py) or after a build, waiting for nothing (start_later: later.py), its starter
then taking the lock itself and starting one only if none of this policyc answers.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import Any

from compiler.build.warm import folder as wf

MAX_LOG = 2**20  # the worker's log is started afresh above this size
# A session that starts builds (policyc serve) names itself here; the worker those builds
# start ends with that process, however it ends (killed, or its stop missing a worker
# still being started).
OWNER_ENV = "POLICYC_WARM_OWNER"


def spawn(fd: int, cache: Path, minutes: float, root: Path | None, wait: float,
          warm_ups: bytes | None = None) -> None:
    """Start a worker (its starter binds the socket, forks and exits within `wait` s; see
    server.main, which reads this command line); root: the project whose files it may read.

    warm_ups (start_later): the starter is not waited for; it takes the spawn lock
    itself, starts a worker only if none of this policyc answers, and reads these (a
    build's recipes for warm-ups) from its standard input."""
    import subprocess

    import compiler

    logfile = wf.open_file(fd, wf.LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        if os.fstat(logfile).st_size > MAX_LOG:
            os.ftruncate(logfile, 0)
        package_root = str(Path(compiler.__file__).resolve().parent.parent)
        env = {**wf.worker_env(os.environ), "PYTHONPATH": os.pathsep.join(
            [package_root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        # -P and cwd /: nothing of the project's folder on the worker's import path (so a
        # relative cache folder, POLICYC_CACHE_DIR=relcache, is named as this process finds it)
        owner = os.environ.get(OWNER_ENV, "")
        starter = subprocess.Popen(
            [sys.executable, "-P", "-m", "compiler.build.warm.server", str(cache.resolve()),
             str(minutes), str(root.resolve()) if root else "",
             owner if owner.isdigit() else "", *([LATER] if warm_ups is not None else [])],
            cwd="/", env=env, stdin=subprocess.DEVNULL if warm_ups is None else subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=logfile, start_new_session=True)
        if warm_ups is not None:
            _hand_over(starter, warm_ups)
            return
        code = starter.wait(timeout=wait)
    finally:
        os.close(logfile)
    if code != 0:
        raise wf.Refused(f"the warm worker did not start (exit {code}; see "
                         f"{cache / wf.FOLDER / wf.LOG})")


LATER = "later"  # the starter's last argument when no build waits for it (spawn's warm_ups)


MAX_WARM_UP_BYTES = 48 * 2**10  # bytes: within a pipe's buffer, so the build never waits to write


def _hand_over(starter: Any, warm_ups: bytes) -> None:
    """Give the starter its warm-ups and leave it: a thread reaps it (a long-lived caller,
    policyc serve or a test, keeps no zombie); a process that exits leaves it to init."""
    assert starter.stdin is not None
    with contextlib.suppress(OSError):  # gone already: its log says why
        starter.stdin.write(warm_ups if len(warm_ups) <= MAX_WARM_UP_BYTES else b"")
    with contextlib.suppress(OSError):
        starter.stdin.close()
    threading.Thread(target=starter.wait, daemon=True).start()


def start_later(cache: Path, minutes: float, root: Path, token: str,
                warm_ups: list[tuple[object, object]]) -> str | None:
    """Start a worker for the next build, without waiting for it (the build is done): it
    lays out a page of each of warm_ups ((recipe, render options)) first. None when it was
    started, else why not (for the log)."""
    if not wf.supported():
        return "needs Linux (Unix sockets with peer credentials)"
    try:
        fd = wf.open_folder(cache)
    except wf.Refused as err:
        return str(err)
    try:
        wf.check_files(fd)
        spawn(fd, cache, minutes, root, 0.0,
              wf.dumps((str(Path.cwd()), token, warm_ups)))
        return None
    except (OSError, wf.Refused) as err:
        return f"{cache / wf.FOLDER}: {err}"
    finally:
        os.close(fd)
