"""The warm worker of a long-running session (`policyc serve`): its background builds render
their PDFs there, and the session stops on exit the worker it started, not one a user's own
`policyc build --keep-warm` was using before it began.

The rule is the simplest honest one: the worker running when the session starts (its pid)
is the user's and is left alone (it keeps its own idle timeout, which the session's builds
may have set to theirs); any other worker found at the end was started (or replaced) by the
session's builds and is stopped. A user's build that used the session's worker meanwhile
starts a new one next time. A worker still being started when the session ends (its build
was ended mid-spawn; the starter runs in a session of its own) is waited for, then stopped.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

SPAWN_WAIT = 10.0  # seconds to wait for a worker being started as the session ends


def _starting(cache: Path) -> bool:
    """Whether a process of a worker for `cache` exists (its starter, or the worker before
    it answers): its command line is `python -P -m compiler.build.warm.server CACHE ...`."""
    wanted = str(cache.resolve()).encode()
    with os.scandir("/proc") as entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"compiler.build.warm.server" in argv and argv[argv.index(
                    b"compiler.build.warm.server") + 1:][:1] == [wanted]:
                return True
    return False


class Session:
    """The workers of `caches` (each project's cache folder) as a session found them."""

    def __init__(self, caches: Iterable[Path]) -> None:
        from compiler.build.warm.client import status

        self.before: dict[Path, int | None] = {}
        for cache in dict.fromkeys(caches):
            found = status(cache)
            self.before[cache] = found.get("pid") if found else None

    def end(self) -> list[int]:
        """Stop each worker the session started (see the module's rule); their pids."""
        from compiler.build.warm.client import status, stop

        stopped = []
        for cache, pid in self.before.items():
            deadline = time.monotonic() + SPAWN_WAIT
            while (found := status(cache)) is None and _starting(cache) and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            if found is None or found.get("pid") == pid:
                continue
            done = stop(cache)
            if done is not None:
                log.info("stopped the warm worker %s this session started", done[0])
                stopped.append(done[0])
        return stopped
