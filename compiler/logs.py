"""The process's log set-up, applied when something first logs (or is about to).

Importing logging costs a build that has nothing to do ~3 ms of its ~80 (issue #18), and
such a build logs nothing. So the command line hands its verbosity here (`configure`,
`set_level`): applied at once if logging is loaded already, else kept until `logger()` is
first asked for a logger or `ready()` is called. `policyc build` calls `ready()` before it
renders or signs anything (renderers, workers, the libraries they call then log as usual);
every other command applies it at once. What is applied is what the command line did
before: logging.basicConfig(level, FORMAT), then the root level if -q/-v came after the
command.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

# logging's own numbers (logging.INFO, ...), so that reading a level imports nothing
INFO, WARNING, ERROR = 20, 30, 40
FORMAT = "%(levelname)s: %(message)s"

# what the command line asked for and is not applied yet: "basic" (basicConfig's level),
# "root" (the root logger's level, -q/-v after the command)
_pending: dict[str, int] = {}


def configure(level: int, *, now: bool = False) -> None:
    """logging.basicConfig(level=level, format=FORMAT), at once if `now` or if logging is
    loaded, else when first needed."""
    _pending["basic"] = level
    if now or "logging" in sys.modules:
        ready()


def set_level(level: int) -> None:
    """The root logger's level, at once if logging is loaded, else when first needed."""
    _pending["root"] = level
    if "logging" in sys.modules:
        ready()


def level() -> int:
    """The root logger's level, as it is or will be once applied (a set-up is pending only
    while logging is not loaded: no handler yet, so basicConfig will set its level)."""
    if _pending:
        return _pending.get("root", _pending.get("basic", WARNING))
    if "logging" not in sys.modules:
        return WARNING  # the root logger's default
    import logging

    return logging.getLogger().level


def ready() -> None:
    """Apply what the command line asked for, if not done yet."""
    if not _pending:
        return
    import logging

    basic, root = _pending.pop("basic", None), _pending.pop("root", None)
    if basic is not None:
        logging.basicConfig(level=basic, format=FORMAT)
        logging.getLogger().addHandler(_counter(logging.WARNING))
    if root is not None:
        logging.getLogger().setLevel(root)


def logger(name: str) -> logging.Logger:
    """logging.getLogger(name), the set-up applied first: for code a no-op build passes
    through (so it need not import logging unless it logs)."""
    import logging

    ready()
    return logging.getLogger(name)


_warned = [0]  # warnings (and worse) logged through the root logger


def warned() -> int:
    """How many warnings or errors this process logged so far (the up-to-date memo is not
    made by a build that logged one: compiler/uptodate/record.py)."""
    return _warned[0]


def _counter(level: int) -> logging.Handler:
    """A handler counting what reaches it (defined here: logging loads only when needed)."""
    import logging

    class Counter(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            _warned[0] += 1

    return Counter(level)
