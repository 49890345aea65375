"""SIGTERM asked of a command (`timeout`, `kill`, a CI cancellation, systemd's stop, `policyc
serve` ending a background build it no longer needs): raised as Terminated, and remembered.

The handler (compiler/cli/report.py) raises Terminated wherever the main thread is. A
library may swallow it: WeasyPrint drawing an SVG image catches even a BaseException, logs
"Failed to render SVG image" and lays out the rest of the page without the image. So the
request is remembered here, and the build asks again where it controls the flow (`check`:
after each render, before each write); and while the main thread is inside a render (a
function marked `may_swallow`), the signal is sent again every 0.1 s until the raise gets
out of it, as build/deadline.py's time limit does for its own signal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from types import CodeType, FrameType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import threading

F = TypeVar("F", bound=Callable[..., object])


class _Command:
    asked = False  # a SIGTERM came during this command


_command = _Command()
_swallowing: set[CodeType] = set()  # functions whose callees may swallow a raise (renders)
_repeaters: list[tuple[threading.Thread, threading.Event]] = []  # sending SIGTERM again


class Terminated(KeyboardInterrupt):
    """SIGTERM during a command: unwound as Ctrl-C is, by every `except KeyboardInterrupt`
    and `finally` on the way (the render workers stopped, temporaries removed, the output
    folder's lock released and its file removed), then reported as itself (exit 143)."""


def may_swallow(func: F) -> F:
    """Mark a function that calls a library which may swallow Terminated (a renderer)."""
    _swallowing.add(func.__code__)
    return func


def asked(frame: FrameType | None) -> bool:
    """The signal handler's decision, `frame` being where the main thread was: remember that
    termination was asked, and say whether to raise Terminated now. At the first signal; and
    at every one inside a render, where the first may have been swallowed (then the signal
    is sent again every 0.1 s until the raise gets out). Elsewhere a later one waits: the
    unwinding of the first is under way and must not be cut short (SIGKILL remains)."""
    first, _command.asked = not _command.asked, True
    if _inside(frame):
        _repeat()
        return True
    _stop_repeating(wait=False)
    return first


def check() -> None:
    """Raise Terminated if a SIGTERM came: where the build controls the flow, after a place
    where a library may have swallowed it (each render's return, each write)."""
    if _command.asked:
        raise Terminated


def forget() -> None:
    """A command's end: no more repeated signal, and the next command (a test's, an
    embedding program's) starts afresh."""
    _stop_repeating(wait=True)
    _command.asked = False


def _inside(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code in _swallowing:
            return True
        frame = frame.f_back
    return False


def _repeat() -> None:
    import threading

    if not _repeaters or _repeaters[-1][1].is_set():
        stopped = threading.Event()
        thread = threading.Thread(target=_send, args=(threading.main_thread().ident, stopped),
                                  name="policyc-terminate", daemon=True)
        _repeaters.append((thread, stopped))
        thread.start()


def _stop_repeating(wait: bool) -> None:
    """Stop the repeated signal; `wait` (not in the handler): until no thread sends it."""
    for _, stopped in _repeaters:
        stopped.set()
    while wait and _repeaters:
        _repeaters.pop()[0].join()


def _send(main: int | None, stopped: threading.Event) -> None:
    """SIGTERM to the main thread every 0.1 s until stopped (by the handler, once the main
    thread is out of the render, or at the command's end)."""
    import signal

    while main is not None and not stopped.wait(0.1):
        with contextlib.suppress(OSError, ValueError):
            signal.pthread_kill(main, signal.SIGTERM)
