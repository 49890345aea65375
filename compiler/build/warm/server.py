"""The warm render worker: a detached process that renders requests from builds of this user.

Started by spawn() (for a build, client.py) as `python -m compiler.build.warm.server FOLDER
MINUTES ROOT`: it binds the socket in the checked folder, forks (the starter exits at once,
so no build waits on it and nothing is left for it to reap), imports the renderers in the
background and serves one request per connection: a hello (its identity, pid, memory), a
render (bytes, with a heartbeat every half second while it works, so a client tells slow
from hung), a stop or a status. A render request carries a localized document, or a recipe
(recipe.py) that the worker localizes itself, reading only the files it names, inside ROOT
(the project of the build that started it; empty: no recipes). It exits when idle for
MINUTES, when told to stop, and after a render that took it over its memory bound (the
next build starts a fresh one).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import resource
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from compiler.build.warm import folder as wf
from compiler.build.warm.recipe import Kitchen, Recipe, Refused
from compiler.build.warm.start import LATER, MAX_WARM_UP_BYTES

log = logging.getLogger("policyc.warm")

HEARTBEAT = 0.5  # seconds between "busy" messages while rendering
REQUEST_WAIT = 10.0  # seconds a connected client may take to send its request
POLL = 0.5  # seconds between looks at the stop flag while no connection comes
LOCK_WAIT = 20.0  # seconds to get the spawn lock on the way out (else the socket file stays)
MAX_MB_ENV = "POLICYC_WARM_MAX_MB"  # the memory bound (tests lower it)
MAX_MB = 400  # peak resident memory after which the worker recycles itself


class Worker:
    def __init__(self, listener: socket.socket, fd: int, minutes: float,
                 kitchen: Kitchen | None = None, owner: int | None = None,
                 warm_ups: bytes = b"") -> None:
        self.listener = listener
        self.warm_ups = warm_ups  # a build's (cwd, [(recipe, options)]) to lay out first
        self.owner = owner  # a process whose end ends this worker (OWNER_ENV)
        self.fd = fd
        self.kitchen = kitchen
        self.idle = minutes * 60
        self.identity = wf.identity()
        self.started = time.time()
        self.renders = 0
        self.recipes = 0  # renders localized here from a recipe (a build's head start)
        self.warmed = 0  # warm-ups laid out (one per locale of the build that started it)
        self.warming = bool(warm_ups)
        self.token: str | None = None
        self.max_mb = float(os.environ.get(MAX_MB_ENV, MAX_MB))
        self.imported = threading.Event()
        self.stopping = threading.Event()
        self.rendering = threading.Lock()  # held by the connection whose render runs
        self.lock = threading.Lock()  # guards active
        self.active = 0  # connections being served (the idle clock waits for them)
        threading.Thread(target=self._import, daemon=True).start()

    def _import(self) -> None:
        """WeasyPrint and python-docx, while the first build still localizes (and what a
        recipe needs: the reader, the catalogs, localization)."""
        try:
            from compiler.build import localizing  # noqa: F401
            from compiler.i18n import localize  # noqa: F401
            from compiler.readers import yaml  # noqa: F401
            from compiler.renderers import docx, html, pdf  # noqa: F401

            pdf.collect_less()
            if not self.warming:
                _settle()
        finally:
            self.imported.set()
        if self.warming:
            self._warm_up()

    def _warm_up(self) -> None:
        """Lay out a page of each locale the starting build rendered (a worker started after a
        build, start.start_later), then the whole PDF of the first: the next build's PDFs
        then find fonts, hyphenation and the layout code ready, as after a real render (the
        pages alone left a first German PDF ~0.06-0.09 s slower than its second; with the
        whole PDF it is not). Each takes its turn with requests."""
        from compiler.renderers import pdf

        try:
            if self.kitchen is None:
                raise Refused("this worker follows no recipes")
            cwd, token, items = wf.loads(self.warm_ups)
            self.token = token if isinstance(token, str) else None  # its templates: kept
            first = None
            for recipe, planned in items:
                with self.rendering:
                    os.chdir(cwd)  # the build's (its recipes' relative paths)
                    ldoc, ropts = self.kitchen.follow(recipe, planned)
                    pdf.warm_up(ldoc, ropts)
                    self.warmed += 1
                    first = first or (ldoc, ropts)
            if first is not None:
                with self.rendering:
                    pdf.render(*first)  # bytes not kept: the build renders what it needs
        except Exception as err:  # a file changed since, a template error: not needed
            log.info("warm-up stopped: %s: %s", type(err).__name__, err)
        finally:
            with self.rendering:  # (not while a render runs: its objects would stay frozen)
                _settle()
            self.warming = False

    def serve(self) -> None:
        """Accept connections until idle for the timeout, told to stop or over memory. Each
        connection has a thread: a status or stop is answered at once, even while a render
        runs (so a client that gets no answer knows the worker is stuck, not busy); renders
        take turns (a build's hello waits for the one running)."""
        last = time.monotonic()
        while not self.stopping.is_set():
            with self.lock:
                if self.active:
                    last = time.monotonic()
            if time.monotonic() - last >= self.idle:
                log.info("idle for %.0f s: exiting", self.idle)
                return
            if self.owner is not None and not _alive(self.owner):
                log.info("the session that started it (process %d) ended: exiting", self.owner)
                return
            self.listener.settimeout(min(POLL, max(0.0, last + self.idle - time.monotonic())))
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            last = time.monotonic()
            with self.lock:
                self.active += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                wf.check_peer(conn)
                if self._answer(conn) or self._over_memory():
                    self.stopping.set()
            except (OSError, ValueError, wf.Refused) as err:
                log.warning("request dropped: %s", err)
            finally:
                with self.lock:
                    self.active -= 1

    def _answer(self, conn: socket.socket) -> bool:
        """One request on one connection; True when the worker should exit."""
        conn.settimeout(REQUEST_WAIT)
        header, payload = wf.receive(conn)
        op = header.get("op")
        if op == "status":
            wf.send(conn, self._status())
            return False
        if op == "stop":
            wf.send(conn, {"ok": True})
            log.info("stopped on request")
            return True
        if op != "hello":
            return False
        with self.rendering:  # one render at a time; the client's wait for the hello says busy
            wf.send(conn, self._status())
            if header.get("identity") != self.identity:
                return False
            minutes = header.get("minutes")
            if isinstance(minutes, int | float) and minutes > 0:
                self.idle = float(minutes) * 60  # the latest build's --keep-warm
            header, payload = wf.receive(conn)  # the request that follows the hello
            if header.get("op") == "render" and payload is not None and \
                    isinstance(header.get("cwd"), str):
                self._forget(header.get("token"))
                self._render(conn, payload, header["cwd"])
        return False

    def _status(self) -> dict[str, Any]:
        return {"ok": True, "identity": self.identity, "pid": os.getpid(),
                "root": str(self.kitchen.root) if self.kitchen else None,
                "started": self.started, "renders": self.renders, "recipes": self.recipes,
                "idle": self.idle, "warmed": self.warmed, "warming": self.warming,
                "rss_mb": _rss_mb(), "peak_mb": _peak_mb(), "max_mb": self.max_mb}

    def _forget(self, token: object) -> None:
        """Templates, CSS or the brand changed since the last request: read them again."""
        if token == self.token:
            return
        from compiler.renderers.templates import clear_caches
        from compiler.renderers.theme import clear_caches as clear_theme_caches

        clear_caches()
        clear_theme_caches()
        self.token = token if isinstance(token, str) else None

    def _render(self, conn: socket.socket, payload: bytes, cwd: str) -> None:
        lock = threading.Lock()
        done = threading.Event()

        def beat() -> None:
            while not done.wait(HEARTBEAT):
                with lock:
                    wf.send(conn, {"busy": True})

        beating = threading.Thread(target=beat, daemon=True)
        beating.start()
        try:
            self.imported.wait()
            fmt, ldoc, ropts = wf.loads(payload)
            os.chdir(cwd)  # the build's: relative paths in the options, paths in messages
            if isinstance(ldoc, Recipe):
                if self.kitchen is None:
                    raise Refused("this worker follows no recipes")
                ldoc, ropts = self.kitchen.follow(ldoc, ropts)
                self.recipes += 1
            from compiler.renderers import get_renderer

            data = get_renderer(fmt)(ldoc, ropts)
            self.renders += 1
            reply: tuple[dict[str, Any], bytes | None] = (
                {"ok": True, **wf.warnings_header(data)}, bytes(data))
        except Refused as err:  # the build renders it from its own localized document
            log.info("recipe refused: %s", err)
            reply = ({"ok": False, "error": f"recipe refused: {err}"}, None)
        except Exception as err:  # the client renders it again itself, where
            # the error is reported (or the traceback shown) exactly as without the worker
            log.warning("render failed: %s: %s", type(err).__name__, err)
            reply = ({"ok": False, "error": f"{type(err).__name__}: {err}"}, None)
        finally:
            done.set()
            beating.join()
        with lock:
            wf.send(conn, *reply)
        if self.renders == 1 and reply[1] is not None:  # what the first render set up stays
            _settle()

    def _over_memory(self) -> bool:
        if _peak_mb() <= self.max_mb:
            return False
        log.info("peak memory %.0f MB over %.0f MB: exiting (the next build starts a fresh "
                 "worker)", _peak_mb(), self.max_mb)
        return True

    def close(self) -> None:
        """Go away: no socket file left for a client to find (under the spawn lock, so a
        worker starting meanwhile keeps its own)."""
        try:
            with wf.locked(self.fd, LOCK_WAIT):
                self.listener.close()
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(wf.SOCKET, dir_fd=self.fd)
        except wf.Refused as err:  # the lock file was replaced: a stale socket file stays
            log.warning("%s", err)  # (clients take it for a worker gone)
            self.listener.close()


def _settle() -> None:
    """Take what the worker keeps for good (the libraries' modules, the fonts and patterns
    its first render loads: ~130,000 objects) out of the collector's full passes, which
    walked them all ~10 times a render (~35 ms of a 0.5 s PDF, issue #18). What later renders
    leave behind is collected as before. Done twice only: a frozen object that becomes
    garbage inside a cycle (the first templates' caches, after a template edit) is never
    freed, which the memory bound (MAX_MB) caps."""
    gc.collect()
    gc.freeze()


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process by now: not the owner any more
        return False
    try:  # ended but not reaped yet: ended
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True




def bind(fd: int) -> socket.socket:
    """The listening socket in the checked folder (a stale socket file replaced)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(wf.SOCKET, dir_fd=fd)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # the socket file itself 0600 too
    try:
        listener.bind(wf.socket_path(fd))
    finally:
        os.umask(old)
    listener.listen(8)
    return listener


def main(argv: list[str]) -> None:
    """Called by the spawning build with the spawn lock held: bind, fork, return at once
    (the starter; the build connects as soon as it has exited), serve in the child. With
    LATER (no build waits): read the warm-ups, take the lock, and start a worker only if
    none of this policyc answers (another build may have started one meanwhile)."""
    cache, minutes = Path(argv[0]), float(argv[1])
    root = Path(argv[2]) if len(argv) > 2 and argv[2] else None
    owner = int(argv[3]) if len(argv) > 3 and argv[3].isdigit() else None
    later = len(argv) > 4 and argv[4] == LATER
    warm_ups = sys.stdin.buffer.read(MAX_WARM_UP_BYTES + 1) if later else b""
    fd = wf.open_folder(cache, create=False)
    if later:
        from compiler.build.warm.talk import answering

        with wf.locked(fd, LOCK_WAIT):
            if answering(fd, wf.identity()) is not None:
                return
            listener = _fork(fd)
    else:
        listener = _fork(fd)
    if listener is None:
        return  # the starter
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(process)d %(message)s")
    log.setLevel(logging.INFO)
    worker = Worker(listener, fd, minutes, Kitchen(root, cache) if root else None, owner,
                    warm_ups if len(warm_ups) <= MAX_WARM_UP_BYTES else b"")
    log.info("warm worker started (idle timeout %.1f min%s)", minutes,
             ", warming up" if worker.warming else "")
    try:
        worker.serve()
    finally:
        worker.close()


def _fork(fd: int) -> socket.socket | None:
    """Bind and fork: None in the starter, once the worker listens; the listener in the
    worker (which leaves the starter's session and any lock the starter holds)."""
    listener = bind(fd)
    ready, told = os.pipe()
    if os.fork():
        os.close(told)
        os.read(ready, 1)  # until the worker listens as itself (or is gone)
        return None
    os.close(ready)
    os.setsid()
    # listen again, as this process: SO_PEERCRED then names the worker, not the starter that
    # has exited (a client kills a stuck worker by that pid)
    listener.listen(8)
    os.write(told, b"1")
    os.close(told)
    return listener


if __name__ == "__main__":
    main(sys.argv[1:])
