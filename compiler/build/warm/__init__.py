"""A render worker kept warm between builds, as Gradle's and Bazel's daemons keep theirs:
per project, stopped by an idle timeout. `policyc build --keep-warm` starts and uses one;
a build at a terminal uses one that runs and otherwise starts one once it is done
(later.py); a CI job, a script or a pipe uses none unless asked.

A fresh build pays the interpreter, WeasyPrint's import (~0.4 s) and the first render's
set-up (fonts, hyphenation, ~0.4 s) before its first PDF: after a catalog edit that is
most of the rebuild (issue #18). The warm worker has paid them already. The build (the
parent) still plans, localizes, writes every output atomically and records state, and
hands the worker (format, localized document, render options) for bytes; it plugs into
build/run.Runner as an Executor. The first PDF goes out before the build has localized, as
a recipe the worker localizes itself (recipe.py: a head start).

- folder.py: the socket's folder (0700, the user's own, never through a link), the
  framing (length-prefixed, bounded), peer credentials and the worker's identity.
- server.py: the worker process (spawned detached; idle timeout; recycles above a
  memory bound; replaced when policyc or its libraries change).
- recipe.py: the head start: what the build sends (Recipe) and what the worker does with
  it (Kitchen: the files named, inside its project, as planned; parsed once per digest).
- client.py: WarmExecutor (connect or spawn, handshake, fall back to a normal worker when
  the warm one is gone, hung or refused) and stop/status for `policyc warm`.
- later.py: the terminal's default (a running worker used, else one started after the
  build that lays out a page of each of its locales first).
- session.py: `policyc serve`'s use of it (its background builds render their PDF previews
  there); on exit serve stops the worker it started, not one that was running before.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

# Idle minutes of a worker a session (policyc serve) starts: how long a pause between two
# saves may be before the next PDF preview starts cold again (long enough for a meeting
# or a careful read of a preview). The worker ends with the session anyway (session.py,
# server.OWNER_ENV). Here, not in session.py: serve's --help names it.
SESSION_MINUTES = 30.0
DEFAULT_MINUTES = 15.0  # idle minutes before the worker exits, when --keep-warm has no value


def by_default(environ: Mapping[str, str], stream: TextIO) -> bool:
    """Whether a build keeps a worker warm when its command line and POLICYC_KEEP_WARM say
    nothing: at a terminal, outside CI, on Linux -- someone editing and rebuilding, as
    Gradle's and Nx's daemons run by default locally (build/warm/later.py: started after
    the build, never slowing it). Only `stream` (the build passes its stderr, where it says
    that a worker stays and how to stop it) decides: `policyc build | tee log` at a terminal
    still starts one, since someone watches that terminal and is told (the worker holds no
    end of the pipe, so tee ends with the build); a CI job, or a script or hook whose stderr
    goes to a file or pipe (`2>&1 | ...`, `2>log`), leaves no process behind."""
    if environ.get("CI", "").lower() not in ("", "0", "false") or sys.platform != "linux":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or no stream at all
        return False
