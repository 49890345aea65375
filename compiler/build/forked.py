"""A pool of render workers forked from one that has already imported the renderers.

Why not ProcessPoolExecutor (issue #18): each of its workers imports WeasyPrint and
python-docx itself (~0.37 s of CPU each, twice on 2 cores), and importing them in the
parent before forking puts the import on the critical path with a core idle. Here the
first worker is forked at once; it imports the renderers while the parent localizes on
the other core, freezes what it imported (its pages then stay shared: the collector never
walks them) and forks the other workers from itself, so they start with everything
imported, at the cost of one import instead of one per worker.

Tasks and results are pickled over one pair of pipes per worker, between processes of the
same build only (nothing else can reach the pipes). A task goes only to an idle worker;
the rest wait here, so whichever worker frees first takes the next (as with one shared
queue). A worker that dies fails its task and every waiting one; `shutdown` with
`cancel_futures` kills busy workers rather than waiting for renders nobody will use.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import os
import pickle
import selectors
import signal
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

_HEADER = struct.Struct("!Q")
_HELLO = "hello"


class WorkerDied(RuntimeError):
    """A worker process ended while it owed a result."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, kept as its cause."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class _Worker:
    def __init__(self) -> None:
        self.task_r, self.task_w = os.pipe()
        self.result_r, self.result_w = os.pipe()
        self.pid = 0  # known from its hello
        self.ready = False
        self.current: Future[Any] | None = None
        self.alive = True

    def close_tasks(self) -> None:
        """The end of its tasks: it exits once idle. Once only (the number could be reused)."""
        if self.task_w >= 0:
            with contextlib.suppress(OSError):
                os.close(self.task_w)
            self.task_w = -1


class ForkedPool(Executor):
    """`workers` processes, the first forked now; `prepare` runs once, in the first,
    before it forks the others (the imports they all share)."""

    def __init__(self, workers: int, prepare: Callable[[], None]) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self._workers = [_Worker() for _ in range(workers)]
        self._pending: list[tuple[float, int, Future[Any], bytes]] = []  # a heap
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._closed = False
        self._retiring = False  # retire_when_idle: no more tasks, idle workers end
        self._broken: BaseException | None = None
        for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice
            with contextlib.suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid == 0:  # the first worker: never returns
            _first_worker(self._workers, prepare)
        self._first_pid = pid
        for worker in self._workers:  # the parent keeps the task writer and result reader
            os.close(worker.task_r)
            os.close(worker.result_w)
        self._selector = selectors.DefaultSelector()
        for worker in self._workers:
            self._selector.register(worker.result_r, selectors.EVENT_READ, worker)
        self._reader = threading.Thread(target=self._read_results, name="policyc-pool",
                                        daemon=True)
        self._reader.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.submit_ranked(0.0, fn, *args, **kwargs)

    def submit_ranked(self, rank: float, fn: Callable[..., Any], /, *args: Any,
                      **kwargs: Any) -> Future[Any]:
        """As submit; of the tasks waiting for a worker, the lowest rank goes first (the
        build ranks its jobs longest first: a worker that frees takes the longest job known,
        not the first one handed over)."""
        future: Future[Any] = Future()
        task = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._closed or self._retiring:
                raise RuntimeError("cannot submit to a pool that was shut down")
            if self._broken is not None:
                raise WorkerDied(str(self._broken))
            heapq.heappush(self._pending, (rank, next(self._order), future, task))
            self._dispatch()
        return future

    def _dispatch(self) -> None:
        """Hand waiting tasks to idle workers (with the lock held)."""
        for worker in self._workers:
            if not self._pending:
                break
            if not (worker.ready and worker.alive and worker.current is None):
                continue
            while self._pending:
                *_, future, task = heapq.heappop(self._pending)
                if future.set_running_or_notify_cancel():
                    worker.current = future
                    try:
                        _write_frame(worker.task_w, task)
                    except OSError:  # it died: its reader sees the end of its pipe
                        worker.alive = False
                    break
        if self._retiring and not self._pending:
            self._retire_idle()

    def retire_when_idle(self) -> None:
        """No more tasks will come: each worker ends as soon as it has nothing to do, so
        one that finishes early is gone (its memory given back) while the others render
        their last, and `shutdown` then waits only for the last (issue #18: ~20 ms of a
        build's end). Waiting tasks still go out first."""
        with self._lock:
            self._retiring = True
            if not self._pending:
                self._retire_idle()

    def _retire_idle(self) -> None:
        """Close the task pipe of every worker with nothing to do (with the lock held)."""
        for worker in self._workers:
            if worker.current is None:
                worker.close_tasks()

    def _read_results(self) -> None:
        """The one thread that resolves futures: it must outlive anything a frame holds."""
        open_pipes = len(self._workers)
        try:
            while open_pipes:
                for key, _ in self._selector.select():
                    worker: _Worker = key.data
                    try:
                        frame = _read_frame(worker.result_r)
                    except OSError:
                        frame = None
                    if frame is None:
                        self._selector.unregister(worker.result_r)
                        os.close(worker.result_r)
                        open_pipes -= 1
                        self._lost(worker)
                        continue
                    self._received(worker, frame)
        except BaseException as err:  # a bug here: fail what is owed, never leave it waiting
            self._fail_all(WorkerDied(f"the render pool failed: {type(err).__name__}: {err}"))
            raise
        finally:
            self._selector.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._first_pid, 0)  # after the others: it waits for them

    def _received(self, worker: _Worker, frame: bytearray) -> None:
        try:
            kind, value = pickle.loads(frame)  # from this build's own worker
        except Exception as err:  # e.g. an exception whose __init__ takes other arguments
            kind, value = "error", (RuntimeError(
                f"a render's result could not be read back: {type(err).__name__}: {err}"), "")
        with self._lock:
            future, worker.current = worker.current, None
            if kind == _HELLO:
                worker.pid, worker.ready = value, True
            self._dispatch()
        if future is None:
            return
        if kind == "ok":
            future.set_result(value)
        else:
            error, remote = value
            if remote:
                error.__cause__ = RemoteTraceback(remote)
            future.set_exception(error)

    def _lost(self, worker: _Worker) -> None:
        with self._lock:
            worker.alive = False
            left = any(w.alive for w in self._workers)
            if (self._closed or self._retiring) and worker.current is None and (
                    left or not self._pending):
                return  # an ordinary end
        self._fail_all(WorkerDied(f"a render worker (process {worker.pid or self._first_pid}) "
                                  "ended unexpectedly"), worker)

    def _fail_all(self, why: BaseException, worker: _Worker | None = None) -> None:
        """`worker`'s task and every waiting one fail with `why`; no more are taken."""
        with self._lock:
            self._broken = why
            owed = []
            if worker is not None and worker.current is not None:
                owed.append(worker.current)
                worker.current = None
            owed += [f for *_, f, _ in self._pending if f.set_running_or_notify_cancel()]
            self._pending.clear()
        for future in owed:
            future.set_exception(why)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """As Executor.shutdown; without `wait`, tasks still waiting here are cancelled."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if cancel_futures or not wait:
                for *_, future, _ in self._pending:
                    future.cancel()
                self._pending.clear()
            if cancel_futures:  # renders of no use now: siblings first (the first reaps them)
                first, *others = self._workers
                doomed = [w.pid for w in others if w.current is not None and w.alive and w.pid]
                if first.alive and (first.current is not None or not first.ready):
                    doomed.append(self._first_pid)  # busy, or still importing
                for pid in doomed:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
            waiting = [f for *_, f, _ in self._pending]
        for future in waiting:  # they still go out as workers free
            with contextlib.suppress(BaseException):
                future.exception()
        with self._lock:
            for worker in self._workers:  # the end of tasks: each worker exits once idle
                worker.close_tasks()
        if wait:
            self._reader.join()


def _first_worker(workers: list[_Worker], prepare: Callable[[], None]) -> None:
    """Import, then fork the other workers from here, then serve as the first; at the end
    wait for the others (their CPU time then counts as the build's)."""
    code = 1
    try:
        # Ctrl-C and SIGTERM (to the process group, by `timeout` or a CI runner) are the
        # parent's to handle: it stops the workers as it unwinds (shutdown)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        gc.freeze()  # the parent's objects: never walked here (their pages stay shared)
        if not _on_its_own():
            return
        for worker in workers:
            os.close(worker.task_w)
            os.close(worker.result_r)
        prepare()
        gc.freeze()
        siblings = [_fork_sibling(worker, workers) for worker in workers[1:]]
        for worker in workers[1:]:
            os.close(worker.task_r)
            os.close(worker.result_w)
        _serve(workers[0])
        for pid in siblings:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        code = 0
    except BaseException as err:  # a worker must never return into the parent's code
        _report(err)
    finally:
        os._exit(code)


def _fork_sibling(worker: _Worker, workers: list[_Worker]) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if not _on_its_own():
                return pid
            for other in workers:
                if other is not worker:
                    os.close(other.task_r)
                    os.close(other.result_w)
            _serve(worker)
            code = 0
        except BaseException as err:
            _report(err)
        finally:
            os._exit(code)
    return pid


def _on_its_own() -> bool:
    """Right after a fork: die with the process that forked this one (Linux: a build killed
    by SIGTERM or SIGKILL leaves no worker rendering on, or holding the output folder's
    lock it inherited), and write to the real stderr, not through the build's progress
    display (rich's FileProxy: its refresh thread may have held its lock at fork time,
    and nothing here would ever release it). False: the forking process is gone already."""
    if sys.platform.startswith("linux"):
        import ctypes

        parent = os.getppid()
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # it died before the request: end here
            return False
    for name in ("stdout", "stderr"):
        real = getattr(getattr(sys, name), "rich_proxied_file", None)
        if real is not None:
            setattr(sys, name, real)
    if "logging" in sys.modules:
        import logging

        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for logger in loggers:
            for handler in getattr(logger, "handlers", ()):
                real = getattr(getattr(handler, "stream", None), "rich_proxied_file", None)
                if isinstance(handler, logging.StreamHandler) and real is not None:
                    handler.setStream(real)
    return True


def _report(err: BaseException) -> None:
    """A worker's own failure on its stderr; none when the build has gone (its pipe broke)."""
    if isinstance(err, BrokenPipeError):
        return
    with contextlib.suppress(BaseException):
        traceback.print_exception(err)


def _serve(worker: _Worker) -> None:
    """Say hello, then run tasks until the parent closes the task pipe."""
    _write_frame(worker.result_w, pickle.dumps((_HELLO, os.getpid())))
    while (frame := _read_frame(worker.task_r)) is not None:
        fn, args, kwargs = pickle.loads(frame)  # from this build's parent
        try:
            reply = pickle.dumps(("ok", fn(*args, **kwargs)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as err:  # sent back: the parent decides
            remote = "".join(traceback.format_exception(err))
            try:
                reply = pickle.dumps(("error", (err, remote)))
            except Exception:  # an exception that does not pickle
                reply = pickle.dumps(("error", (RuntimeError(f"{type(err).__name__}: {err}"),
                                                remote)))
        try:
            _write_frame(worker.result_w, reply)
        except BrokenPipeError:  # the build has gone
            return


def _write_frame(fd: int, data: bytes) -> None:
    os.write(fd, _HEADER.pack(len(data)))  # 8 bytes: a pipe takes them at once
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_frame(fd: int) -> bytearray | None:
    """One frame, or None at the end of the pipe."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    return _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    while view:
        got = os.readv(fd, [view])
        if not got:
            return None
        view = view[got:]
    return buffer
