"""The one Report: a command's diagnostics and failures, and the only place picking exit codes.

Black's report.py is the model: every command reports through a Report, and `return_code`
alone decides how the process ends (0: done; 1: errors or failures; 3: nothing found wrong
but not proven either, as an intact signature from an untrusted signer). Usage mistakes that
click catches itself (an unknown option, a bad value) keep click's exit code 2.
Imports nothing heavy (no click), so `policyc check`'s fast path uses it too.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from types import FrameType
from typing import Concatenate, NoReturn, ParamSpec, TypeVar

from compiler import termination
from compiler.errors import CompilerError, Diagnostic, Severity, escape
from compiler.summary import plural
from compiler.termination import Terminated

P = ParamSpec("P")
R = TypeVar("R")


class Report:
    """What a command found: diagnostics (errors, warnings) and failed checks."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.failures: list[str] = []
        self.unproven_checks: list[str] = []

    def add(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    def fail(self, message: str) -> None:
        """A check that failed without a location (e.g. a locale below --min-complete)."""
        self.failures.append(message)

    def unproven(self, message: str) -> None:
        """A check that found nothing wrong but could not prove enough: an intact signature
        whose signer is not shown to be trusted. Its own exit code (3), never success."""
        self.unproven_checks.append(message)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def return_code(self) -> int:
        return 1 if self.errors or self.failures else 3 if self.unproven_checks else 0

    def print(self) -> None:
        """Diagnostics and failures on stderr, then the count of errors."""
        for d in self.diagnostics:
            print(d, file=sys.stderr)
        for f in [*self.failures, *self.unproven_checks]:
            print(escape(f"policyc: {f}"), file=sys.stderr)
        if self.errors:
            print(f"policyc: {plural(self.errors, 'error')}", file=sys.stderr)

    def finish(self) -> None:
        """Print what was found and end the process with `return_code` when it is not 0."""
        self.print()
        if self.return_code:
            sys.exit(self.return_code)


def reported(func: Callable[Concatenate[Report, P], R]) -> Callable[P, R | None]:
    """Run a command with a fresh Report as its first argument.

    User mistakes (CompilerError) become located diagnostics in the report; anything else
    is a bug, reported by `internal_error` (exit 70, traceback saved to a file). The report
    then decides the exit code.
    """

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        report = Report()
        result: R | None
        try:
            with _terminated_as_interrupted():
                result = func(report, *args, **kwargs)
                termination.check()  # one a library swallowed (compiler/termination.py)
        except CompilerError as err:
            report.add(err.diagnostics)
            for failure in err.failures:
                report.fail(failure)
            result = None
        except BrokenPipeError as err:
            if not _reader_left():  # another pipe broke: a bug as any other
                report.print()
                internal_error(err)
            _reader_gone()  # `policyc locale status | head -1`
        except SystemExit:
            raise
        except KeyboardInterrupt as err:  # Ctrl-C or SIGTERM: every file written is whole
            report.print()  # (fs.write_atomic), the output folder's lock released
            if isinstance(err, Terminated):
                print("policyc: terminated", file=sys.stderr)
                sys.exit(TERMINATED)
            print("policyc: interrupted", file=sys.stderr)
            sys.exit(130)  # 128 + SIGINT, as shells report it (click's "Aborted!" gave 1)
        except OSError as err:
            if err.errno not in _FULL:
                report.print()
                internal_error(err)
            report.print()
            _full(err)
        except Exception as err:  # the guard: every bug is reported once, here
            click = sys.modules.get("click")  # not imported here: the fast check path
            if click is not None and isinstance(err, click.ClickException):
                raise  # a usage mistake, which click reports itself (exit 2)
            report.print()
            internal_error(err)
        sys.stderr.flush()
        report.finish()
        return result

    return wrapper


TERMINATED = 143  # 128 + SIGTERM, as shells report a process the signal ended


@contextlib.contextmanager
def _terminated_as_interrupted() -> Iterator[None]:
    """While a command runs, SIGTERM raises Terminated in the main thread, and is remembered
    (compiler/termination.py): one a library swallowed (WeasyPrint's SVG drawing) is raised
    again inside the render and at the next render's end or write, and the command ends
    with 143 whatever it returned. A second SIGTERM during the unwinding waits (SIGKILL
    remains for a clean-up that hangs); the render workers ignore it (compiler/build/
    forked.py), so a signal to the whole process group (`timeout`, a CI runner) is the
    build's alone to handle. Nothing is changed outside the main thread (Python handles
    signals there only) or where a caller set its own handler (a test harness, an
    embedding program)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or (
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return

    def terminate(_signum: int, frame: FrameType | None) -> None:
        if termination.asked(frame):
            raise Terminated

    termination.forget()
    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        termination.forget()  # (no thread sends it again)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


PIPE_CLOSED = 141  # 128 + SIGPIPE: what cat or git end with when their reader leaves


OUTPUT_ERROR = 74  # EX_IOERR (sysexits.h): the disk (or quota) is full, not policyc's fault
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _reader_left() -> bool:
    """Whether stdout's or stderr's reader has gone: the kernel reports an error on the
    writing end of a pipe (or socket) nobody reads any more."""
    import select

    poller = select.poll()
    for stream in (sys.stdout, sys.stderr):
        try:
            poller.register(stream.fileno(), select.POLLOUT)
        except (AttributeError, OSError, ValueError):  # None, closed, not a file
            continue
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _reader_gone() -> NoReturn:
    """stdout's (or stderr's) reader has gone: nothing more can be shown, and it is no bug
    of policyc."""
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):  # what is still buffered would fail again
        with contextlib.suppress(AttributeError, OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    sys.exit(PIPE_CLOSED)


def _full(err: OSError) -> NoReturn:
    """A write failed for want of space (`policyc schema > /dev/full`, a full quota): the
    environment, not a bug of policyc; one line (if stderr can take it), exit 74."""
    import contextlib

    with contextlib.suppress(AttributeError, OSError, ValueError):
        print(escape(f"policyc: error: cannot write {err.filename or 'the output'}: "
                     f"{err.strerror}"), file=sys.stderr)
        sys.stderr.flush()
    sys.exit(OUTPUT_ERROR)


def started() -> None:
    """Start-up is over: the command is chosen and its module imported. The console script
    turns the cyclic collector off for start-up (compiler/__main__.run), whose objects
    (modules, classes, functions) live to the end: its passes over them freed nothing and
    cost a no-op build ~7M instructions, 2 % (issue #18). They are frozen out of later
    passes and collection runs as usual from here on. Nothing to do where the collector
    was not turned off (tests calling the command line in their own process)."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def leave(code: object) -> NoReturn:
    """End the console command with `code` (a SystemExit's) without tearing the
    interpreter down.

    Teardown frees every object one by one: 0.2-0.4 s after a build that laid PDFs out in
    this process, 40-90 ms after a catalog edit's rebuild, ~9 ms after a no-op (issue #18;
    with the collector's last walk spared by compiler/__main__'s gc.freeze, 15-40 ms, ~15 ms
    and ~4 ms are left), and nothing of policyc's needs it: outputs are written atomically
    and closed, pools and the warm worker's connection are shut down by the build, the
    kernel drops the folder lock. So: output flushed, exit handlers run (logging,
    multiprocessing), then os._exit. With another thread still running, the ordinary exit
    (which waits for it).
    """
    import atexit
    import contextlib
    import os
    import threading

    if code is None:
        code = 0
    elif not isinstance(code, int):
        if sys.stderr is not None:  # as Python prints sys.exit("message")
            print(code, file=sys.stderr)
        code = 1
    if threading.active_count() > 1:
        sys.exit(code)
    try:
        if sys.stdout is not None:  # None: started with stdout closed (`policyc check >&-`)
            sys.stdout.flush()
    except BrokenPipeError:  # the reader left before the last of it (`policyc ... | head`)
        _reader_gone()  # (SystemExit: the ordinary exit)
    except OSError as err:
        if err.errno in _FULL:
            _full(err)
        code = code or 120  # what Python exits with when it cannot flush
    except ValueError:
        code = code or 120
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # not CPython: the ordinary exit
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):  # what the handlers printed too
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.flush()
    os._exit(code)


INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h): a bug in policyc, not in its input


def internal_error(err: BaseException) -> NoReturn:
    """An unexpected exception: one line on stderr, the traceback in a file, exit 70.

    No input should get here (the hostile-input corpus proves it for the known classes);
    when something does, the user sees that it is policyc's fault and where the details are,
    and CI logs get no traceback that could quote file contents or the environment.
    """
    import os
    import tempfile
    import traceback

    detail = "".join(traceback.format_exception(err))
    try:
        fd, name = tempfile.mkstemp(prefix="policyc-internal-error-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(detail)
        where = f"the traceback is saved in {name}"
    except OSError:
        where = "the traceback could not be saved"
    print(escape(f"policyc: internal error: {type(err).__name__}: {str(err)[:200]} (a bug in "
                 f"policyc, not in your input; {where}; please report it)"), file=sys.stderr)
    sys.exit(INTERNAL_ERROR)
