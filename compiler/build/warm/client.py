"""The build's side of the warm worker: an Executor that renders through it.

connect() finds the project's worker, or starts one, and checks that it runs this very
policyc (identity: version, code, interpreter, libraries, fonts); a worker that does not
is stopped and replaced. Each render is one connection: hello (identity; a token of the
templates and brand, so the worker reads them again when they changed), then the request.
Whatever goes wrong -- the worker gone, busy with another build, hung (no heartbeat),
an error in its render -- the job is rendered by an ordinary worker instead (`fallback`),
so the build's outcome and bytes are those of a build without the warm worker (a failed
head start, recipe.py, is submitted again by the build with its own localized document).
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from compiler.build.deadline import RenderTimedOut
from compiler.build.warm import folder as wf
from compiler.build.warm import talk
from compiler.build.warm.talk import Stuck, answering, kill, open_socket, request, wait_gone

log = logging.getLogger(__name__)

BEAT_WAIT_ENV = "POLICYC_WARM_BEAT_WAIT"
BEAT_WAIT = 10.0  # seconds without a heartbeat after which a rendering worker is hung
RENDER_LIMIT = 600.0  # seconds for one render, whatever the heartbeats say
SPAWN_WAIT = 10.0  # seconds for a new worker's starter to bind its socket and fork
SEND_WAIT = 0.1  # seconds a build waits for its head start to be sent (see WarmExecutor.sent)
HELLO_SOON = 0.03  # seconds within which an idle worker answers a hello (later: it is busy)
LOCK_WAIT = SPAWN_WAIT + talk.CONNECT_WAIT  # for the spawn lock: its holder spawns, then asks
# A document of this many sections and blocks (~45 PDF pages; the shipped policy has 57 for
# 7 pages) is rendered in a fresh process, not the warm worker: a long layout after other
# renders in one process peaks ~50-150 MB higher (GC timing, issue #18), over the 400 MB aim.
LONG_UNITS = 400


class _Unusable(Exception):
    """This request cannot go to the warm worker (the reason is the message)."""


class _Busy(Exception):
    """The worker renders another build's job: this build goes on without it."""


class NoHeadStart(Exception):
    """A head start the worker did not render (the message says why)."""


def connect(cache: Path, minutes: float, token: str, fallback: Callable[[], Executor],
            root: Path | None = None, usable: Callable[[], None] = lambda: None
            ) -> tuple[WarmExecutor | None, str | None]:
    """The warm executor for a build, or (None, why not: for the user, e.g. an unsafe
    folder) to build without it; what it meets later (the worker busy, replaced, failing)
    is logged and its jobs go to the fallback. root: the project whose files a worker may
    read for recipes (None: none). usable(): once the folder is usable, before the thread."""
    if not wf.supported():
        return None, "--keep-warm needs Linux (Unix sockets with peer credentials)"
    try:
        fd = wf.open_folder(cache)
    except wf.Refused as err:
        return None, f"{err}; building without a warm worker"
    try:
        wf.check_files(fd)
    except wf.Refused as err:
        os.close(fd)
        return None, f"{cache / wf.FOLDER}/{err}; building without a warm worker"
    usable()  # a pool forked there is forked from a process with one thread
    return WarmExecutor(fd, cache, minutes, token, fallback, root), None


def _ready(fd: int, cache: Path, minutes: float, identity: str, root: Path | None,
           slow: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """The status of a worker of this identity, started if there is none (slow() is called
    first: the worker is replaced, started, or another build's start awaited)."""
    if (status := answering(fd, identity, slow)) is not None:
        return status
    slow()
    with wf.locked(fd, LOCK_WAIT):  # another build may be starting one: it is then used
        if (status := answering(fd, identity)) is not None:
            return status
        from compiler.build.warm.start import spawn

        spawn(fd, cache, minutes, root, SPAWN_WAIT)
    status = request(fd, {"op": "status"})
    if status.get("identity") != identity:
        request(fd, {"op": "stop"})
        raise wf.Refused("a new worker reports another identity")
    return status


PROBE_WAIT = 0.5  # seconds for running(): an idle or rendering worker answers in milliseconds


def running(cache: Path) -> bool:
    """Whether a worker answers in the project's folder (creates nothing, stops nothing: a
    build that finds none renders without one). Its identity is not computed here, on the
    build's critical path (~25 ms): the executor checks it in its own thread and replaces a
    worker of another policyc, as for --keep-warm."""
    if not wf.supported():
        return False
    try:
        fd = wf.open_folder(cache, create=False)
    except wf.Refused:
        return False
    try:
        return bool(request(fd, {"op": "status"}, PROBE_WAIT).get("ok"))
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)


def stop(cache: Path) -> tuple[int, bool] | None:
    """Stop the project's worker: (its process id, whether it answered; one that did not is
    killed), or None when none was running."""
    try:
        fd = wf.open_folder(cache, create=False)
    except wf.Refused:
        return None
    try:
        pid = request(fd, {"op": "status"}).get("pid")
        request(fd, {"op": "stop"})
        wait_gone(pid)
        return (pid, True) if isinstance(pid, int) else None
    except Stuck as err:
        kill(err.pid)
        wait_gone(err.pid)
        return err.pid, False
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def status(cache: Path) -> dict[str, Any] | None:
    """The project's worker as it reports itself, or None when none answers."""
    try:
        fd = wf.open_folder(cache, create=False)
    except wf.Refused:
        return None
    try:
        reply = request(fd, {"op": "status"})
        reply["current"] = reply.get("identity") == wf.identity()
        return reply
    except Stuck as err:
        return {"pid": err.pid, "stuck": True}
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


class WarmExecutor(Executor):
    """Renders submitted jobs in the warm worker, one at a time, from a thread of its own.

    That thread first finds the worker (or starts one) while the build localizes.
    submit(fn, fmt, ldoc, render_options) -> Future[bytes]; fn renders the same job in an
    ordinary worker when the warm one cannot (`fallback` makes that executor on demand).
    head_start(fmt, recipe, render_options) -> Future[bytes] fails with NoHeadStart when
    the worker cannot follow the recipe (no fallback: the build's Runner submits it again).
    """

    def __init__(self, fd: int, cache: Path, minutes: float, token: str,
                 fallback: Callable[[], Executor], root: Path | None = None) -> None:
        self.fd = fd
        self.cache = cache
        self.root = root  # the project whose recipes this build sends (None: sends none)
        self.no_recipes: str | None = None  # why the worker follows none of this build's
        self.identity = ""
        self.token = token
        self.minutes = minutes
        self.make_fallback = fallback
        self.fallback: Executor | None = None
        self.broken: str | None = None  # why the warm worker is no longer asked
        self.rendered = 0
        # a request has gone, or will not soon (the head start failed; the worker is being
        # started, or renders another build's job): head_start waits for no more
        self.sent = threading.Event()
        self.jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any] | None,
                                           tuple[Any, ...]] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.jobs.put((future, fn, args))
        return future

    def head_start(self, fmt: str, recipe: object, ropts: object,
                   seconds: float = 0.0) -> Future[bytes]:
        """Returns once the request is sent (or failed), or will not be soon (the worker
        being started, or busy), at most after SEND_WAIT: the build's own work would
        otherwise hold the interpreter while this thread sends it."""
        future: Future[bytes] = Future()
        self.jobs.put((future, None, (fmt, recipe, ropts, seconds)))
        self.sent.wait(SEND_WAIT)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures:
            self.broken = self.broken or "shut down"
        self.jobs.put(None)
        self.thread.join()
        if self.fallback is not None:
            self.fallback.shutdown(wait=wait, cancel_futures=cancel_futures)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _connect(self) -> None:
        import subprocess

        try:
            self.identity = wf.identity()
            status = _ready(self.fd, self.cache, self.minutes, self.identity, self.root,
                            self.sent.set)
            if self.root is None or status.get("root") != str(self.root.resolve()):
                self.no_recipes = f"the worker follows recipes of {status.get('root')}"
            log.info("warm worker %s (renders so far: %s)", status["pid"], status["renders"])
        except (OSError, ValueError, wf.Refused, subprocess.SubprocessError) as err:
            self.broken = f"{type(err).__name__}: {err}"
            log.info("warm worker not used: %s", self.broken)

    def _serve(self) -> None:
        self._connect()
        while (item := self.jobs.get()) is not None:
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            if fn is None:  # a head start: no fallback here (see head_start)
                why = self.broken or self.no_recipes
                try:
                    data, why = (None, why) if why else self._attempt(args)
                except RenderTimedOut as err:
                    self.sent.set()
                    future.set_exception(err)
                    continue
                self.sent.set()
                if data is None:
                    log.info("warm worker: no head start (%s)", why)
                    future.set_exception(NoHeadStart(why))
                else:
                    future.set_result(data)
                continue
            if self.broken is None and not _long(args):
                try:
                    data, _ = self._attempt(args)
                except RenderTimedOut as err:  # not again in an ordinary worker
                    future.set_exception(err)
                    continue
                if data is not None:
                    future.set_result(data)
                    continue
            if self.broken == "shut down":
                future.cancel()
                continue
            self._fall_back(future, fn, args)

    def _attempt(self, args: tuple[Any, ...]) -> tuple[bytes | None, str]:
        """The worker's bytes, or None and why not (`broken` set when this build should
        not ask it again)."""
        try:
            data = self._render(args)
            self.rendered += 1
            return data, ""
        except _Busy as err:  # the rest of this build goes without it (no
            self.broken = str(err)  # wait per job); the next build asks again
            log.info("warm worker %s: rendering without it", err)
        except _Unusable as err:
            log.info("warm worker: %s; rendering in an ordinary worker", err)
            return None, str(err)
        except (OSError, ValueError, wf.Refused) as err:
            self.broken = f"{type(err).__name__}: {err}"
            log.warning("warm worker unusable (%s): rendering without it", self.broken)
        return None, self.broken

    def _fall_back(self, future: Future[Any], fn: Callable[..., Any],
                   args: tuple[Any, ...]) -> None:
        if self.fallback is None:
            self.fallback = self.make_fallback()
        inner = self.fallback.submit(fn, *args)

        def copy(done: Future[Any]) -> None:
            error = done.exception()
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(done.result())

        inner.add_done_callback(copy)

    def _render(self, args: tuple[Any, ...]) -> bytes:
        """The worker's bytes for args (format, localized document or recipe, render
        options, the render time limit). Past the limit (build/deadline.py) the worker,
        which cannot stop a render in one of its threads, is killed (the next build starts
        a fresh one) and RenderTimedOut raised: the output fails as in any worker."""
        fmt, ldoc, ropts, seconds = args
        payload = wf.dumps((fmt, ldoc, ropts))
        sock, pid = open_socket(self.fd, talk.CONNECT_WAIT)
        with sock:
            wf.send(sock, {"op": "hello", "identity": self.identity, "minutes": self.minutes})
            if not _readable(sock, HELLO_SOON):
                self.sent.set()  # busy: the build goes on meanwhile
            try:
                hello, _ = wf.receive(sock)
            except TimeoutError as err:
                raise _Busy("busy (another build?)") from err
            if hello.get("identity") != self.identity:
                raise wf.Refused("the worker's identity changed")
            wf.send(sock, {"op": "render", "token": self.token, "cwd": str(Path.cwd())}, payload)
            self.sent.set()  # (the head start waits for its request to go)
            beat = float(os.environ.get(BEAT_WAIT_ENV, BEAT_WAIT))
            overrun = 0 < seconds <= RENDER_LIMIT
            deadline = time.monotonic() + (seconds if overrun else RENDER_LIMIT)
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(min(beat, left))
                try:
                    reply, data = wf.receive(sock)
                except TimeoutError:
                    if left >= beat:  # no heartbeat
                        overrun = False
                        break
                    continue
                if reply.get("busy"):
                    continue
                if reply.get("ok") and data is not None:
                    return wf.with_warnings(data, reply.get("warnings"))
                raise _Unusable(f"its render failed ({reply.get('error')})")
        kill(pid)  # the next build starts a fresh one
        if overrun:
            raise RenderTimedOut(seconds)
        raise wf.Refused(f"no heartbeat for {beat:.0f} s: worker {pid} stopped")


def _readable(sock: socket.socket, wait: float) -> bool:
    import select

    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(wait * 1000))


def _long(args: tuple[Any, ...]) -> bool:
    """A PDF of a long document (args: format, localized document, options; a recipe's
    worker checks it, see recipe.Recipe.max_units)."""
    fmt, ldoc, *_ = args
    return bool(fmt == "pdf" and sum(1 + len(s.blocks) for s in ldoc.document.walk_sections())
                >= LONG_UNITS)


