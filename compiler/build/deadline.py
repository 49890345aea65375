"""The time limit of one render, enforced in the process that renders it (a forked render
worker, or the build's own process): a source that sends the layout into minutes of work
fails its own output, not the whole build."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.errors import Category, Diagnostic, Loc, Severity, display_path

if TYPE_CHECKING:
    from pathlib import Path


class RenderTimedOut(Exception):
    """A render stopped at its time limit (seconds): the build fails that output alone, with
    a located error (build/run.Runner). Pickled back from a render worker whole."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return f"rendering took longer than {self.seconds:g} s"


class _Overrun(BaseException):
    """Raised by the timer's signal into the render: a BaseException, so that no library's
    `except Exception` (WeasyPrint's around images and fonts, which logs and goes on)
    takes it for a failure of its own."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise RenderTimedOut when the block runs longer than `seconds` of wall-clock time
    (SIGALRM's timer: the waiting on a lock a fork left held counts too, not only CPU).

    The signal is handled between Python instructions: a layout stuck inside one call into
    a C library ends when that call returns. Not outside the main thread (where Python
    handles no signal: the warm worker's connections) and not where SIGALRM is someone
    else's (a handler already set): there the render runs unbounded."""
    import signal
    import sys
    import threading

    if seconds <= 0 or not hasattr(signal, "setitimer") or (
            threading.current_thread() is not threading.main_thread()) or (
            signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, signal.SIG_IGN, None)):
        yield
        return

    armed = True
    fired = False

    def overrun(_signum: int, _frame: object) -> None:
        nonlocal fired
        if armed:
            fired = True
            raise _Overrun

    hook = sys.unraisablehook

    def unraisable(info: Any) -> None:  # raised in a finalizer or a gc callback: lost there
        if not isinstance(info.exc_value, _Overrun):  # ("Exception ignored in"), said again
            hook(info)

    old = signal.signal(signal.SIGALRM, overrun)
    sys.unraisablehook = unraisable
    # then again every 0.1 s: one signal may come while a finalizer or a gc callback runs
    # (its exception is lost), or WeasyPrint draws an SVG (it catches even a BaseException)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    except _Overrun:
        raise RenderTimedOut(seconds) from None
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        sys.unraisablehook = hook
    if fired:  # swallowed on the way (an SVG logo drawn last), and the render ended before
        raise RenderTimedOut(seconds)  # the next tick: it is not whole (review8 R8-11)


def overrun(source: Path, what: str, seconds: float) -> Diagnostic:
    """The located error of an output whose render was stopped: `what` is `<id> <locale>
    <format>`."""
    return Diagnostic(Loc(display_path(source)), (
        f"rendering {what} took longer than {seconds:g} s and was stopped (nothing written; "
        "look for a very long table, paragraph or unbreakable word; the limit is "
        "--render-time-limit SECONDS, or render-time-limit in policyc.toml's [build])"),
        Severity.ERROR, Category.IO)
