"""Preview server: serves dist/ on localhost, rebuilds on save, reloads open pages.

Only for the author's own browser: it answers only requests addressed to localhost (a
web page elsewhere cannot reach it through DNS rebinding), serves only regular files inside
the output folder (no listings, no symlinks out, no dotfiles), and shows the last build's
errors in every page until a save fixes them. It watches folders, not files, so an editor's
atomic save (write a new file, rename it over the old) is seen like any other.
"""

from __future__ import annotations

import functools
import html
import http.server
import io
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

RELOAD_SCRIPT = (b"<script>(function(){var s=new EventSource('/__policyc/events');"
                 b"s.onmessage=function(){location.reload();};})();</script>")
_ALLOWED_HOST = re.compile(r"(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?", re.IGNORECASE)
ERROR_ID = "policyc-build-error"


class _State:
    """A counter bumped after each rebuild (event streams wait on it) and the last build's
    errors, shown in pages until a rebuild succeeds."""

    def __init__(self) -> None:
        self.value = 0
        self.errors: tuple[str, ...] = ()
        self.cond = threading.Condition()
        self.open_pages: dict[int, str] = {}  # event stream -> the page it reloads

    def viewed(self) -> list[str]:
        """The pages open in a browser now (their paths), so those rebuild first."""
        with self.cond:
            return sorted(set(self.open_pages.values()))

    def bump(self, errors: Sequence[str] = ()) -> None:
        with self.cond:
            self.errors = tuple(errors)
            self.value += 1
            self.cond.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        with self.cond:
            self.cond.wait_for(lambda: self.value != seen, timeout=timeout)
            return self.value


def error_banner(errors: Sequence[str]) -> bytes:
    """The build's errors as an overlay (escaped: diagnostics quote the user's text)."""
    if not errors:
        return b""
    lines = "\n".join(html.escape(e) for e in errors)
    return (f'<div id="{ERROR_ID}" role="alert" style="position:fixed;inset:auto 0 0 0;'
            'max-height:50vh;overflow:auto;z-index:2147483647;margin:0;padding:1em;'
            'background:#fff0f0;color:#600;border-top:3px solid #c00;font:14px/1.4 monospace">'
            '<strong>policyc: the last build failed; this page is from the build before. '
            'Fix and save to rebuild.</strong><pre style="white-space:pre-wrap;margin:.5em 0 0">'
            f"{lines}</pre></div>").encode()


def make_handler(root: Path, state: _State) -> type[http.server.SimpleHTTPRequestHandler]:
    real_root = root.resolve()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

        def _host_ok(self) -> bool:
            host = self.headers.get("Host", "")
            if _ALLOWED_HOST.fullmatch(host):
                return True
            self.send_error(403, "Forbidden: this preview answers only localhost")
            return False

        def do_GET(self) -> None:
            if not self._host_ok():
                return
            if self.path == "/__policyc/events":
                self._events()
                return
            super().do_GET()

        def do_HEAD(self) -> None:
            if self._host_ok():
                super().do_HEAD()

        def send_head(self) -> io.BytesIO | BinaryIO | None:
            """Only regular files inside the output folder; a folder means its index.html."""
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            try:
                real = path.resolve(strict=True)
                inside = real.is_relative_to(real_root) and real.is_file()
            except (OSError, RuntimeError):
                inside = False
            hidden = any(part.startswith(".") for part in real.relative_to(real_root).parts) \
                if inside else True
            if not inside or hidden:
                if path.suffix in (".html", "") and state.errors:
                    return self._page(b"<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                                      b"<title>policyc: build failed</title></head><body>"
                                      b"</body></html>", 200)
                self.send_error(404, "Not found")
                return None
            if real.suffix == ".html":
                return self._page(real.read_bytes(), 200)
            self.path = "/" + real.relative_to(real_root).as_posix()
            return super().send_head()

        def _page(self, body: bytes, status: int) -> io.BytesIO:
            extra = error_banner(state.errors) + RELOAD_SCRIPT
            body = body.replace(b"</body>", extra + b"</body>", 1) if b"</body>" in body \
                else body + extra
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return io.BytesIO(body)

        def list_directory(self, path: str | os.PathLike[str]) -> None:
            self.send_error(404, "Not found")  # never a listing

        def _events(self) -> None:
            # Read the counter before the headers go out: once the page has them it may save
            # and a quick rebuild may bump the counter before this thread runs again.
            seen = state.value
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            page = urlsplit(self.headers.get("Referer") or "").path
            with state.cond:
                state.open_pages[id(self)] = page
            try:
                while True:
                    now = state.wait_past(seen, timeout=15)
                    if now != seen:
                        seen = now
                        self.wfile.write(b"data: reload\n\n")
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            finally:
                with state.cond:
                    state.open_pages.pop(id(self), None)

    return functools.partial(Handler, directory=str(root))  # type: ignore[return-value]


def watched_folders(paths: Sequence[Path]) -> tuple[list[Path], Callable[[Path], bool]]:
    """Folders to watch for the given files and folders, and a filter for their changes.

    A file is watched through its folder: an atomic save replaces the file (a new inode),
    which a watch on the file itself would lose after the first save.
    """
    files = {p.resolve() for p in paths if not p.is_dir()}
    folders = {p.resolve() for p in paths if p.is_dir()}
    roots = sorted({f.parent for f in files if f.parent.exists()} | folders)

    def relevant(changed: Path) -> bool:
        changed = Path(changed).resolve()
        if changed.name.startswith(".") or changed.name.endswith(("~", ".swp", ".tmp")):
            return False
        return changed in files or any(changed.is_relative_to(f) for f in folders)

    return roots, relevant


def snapshot(folders: Sequence[Path], relevant: Callable[[Path], bool]
             ) -> dict[str, tuple[int, int, int]]:
    """Each watched file's inode, size and modification time, to see a change made before the
    watch began."""
    seen: dict[str, tuple[int, int, int]] = {}
    for folder in folders:
        for parent, _dirs, names in os.walk(folder):
            for name in names:
                path = Path(parent, name)
                if relevant(path):
                    try:
                        st = path.stat()
                    except OSError:
                        continue
                    seen[str(path)] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return seen


class _Background:
    """The rest of a rebuild (other locales, PDF previews) in a thread, given up at its next
    output when another save arrives: the pages in view never wait for it."""

    def __init__(self, work: Callable[[Callable[[], bool]], Sequence[str]],
                 report: Callable[[Sequence[str]], None]) -> None:
        self.work = work
        self.report = report
        self.cancelled = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.cancelled = threading.Event()
        cancelled = self.cancelled

        def run() -> None:
            errors = self.work(cancelled.is_set)
            if errors and not cancelled.is_set():
                self.report(errors)

        self.thread = threading.Thread(target=run, daemon=True, name="policyc-background")
        self.thread.start()

    def stop(self) -> None:
        self.cancelled.set()
        if self.thread is not None:
            self.thread.join()


def serve(root: Path, watch: list[Path], rebuild: Callable[[Sequence[str]], Sequence[str]],
          host: str = "127.0.0.1", port: int = 8000, ready: Callable[[str], None] | None = None,
          errors: Sequence[str] = (),
          background: Callable[[Callable[[], bool]], Sequence[str]] | None = None) -> None:
    """Serve until interrupted; each saved change to a watched path triggers rebuild + reload.

    rebuild gets the paths of the pages open in a browser (to build those first) and returns
    the build's errors as printed (empty when it succeeded); errors are those of the first
    build, made before serving. background, when given, then builds the rest in a thread; it
    gets a function telling it to give up (a newer save arrived) and returns its errors.
    """
    from watchfiles import watch as watch_changes

    from compiler.errors import Category, CompilerError, Loc, display_path

    state = _State()
    state.errors = tuple(errors)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CompilerError.at(Loc(display_path(root)), f"cannot serve this folder: "
                               f"{err.strerror}", Category.IO) from err
    server = http.server.ThreadingHTTPServer((host, port), make_handler(root, state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]}/"
    folders, relevant = watched_folders(watch)
    before: dict[str, tuple[int, int, int]] | None = snapshot(folders, relevant)
    if ready:
        ready(url)
    def report(errors: Sequence[str]) -> None:
        """Errors only the background build found (another locale's catalog): show them."""
        if tuple(errors) != state.errors:
            state.bump(errors)

    rest = _Background(background, report) if background else None
    try:
        if rest and not state.errors:
            rest.start()
        # The watch starts with the generator, after the URL went out: the first yield (a
        # change, or a timeout's empty set) compares with the snapshot, so a save made while
        # the watch was being set up is not lost.
        for changes in watch_changes(*folders, debounce=300, step=20, rust_timeout=500,
                                     yield_on_timeout=True):
            hits = sorted(str(path) for _, path in changes if relevant(Path(path)))
            if before is not None:
                if not hits and snapshot(folders, relevant) != before:
                    hits = ["(saved while the watch started)"]
                before = None
            if not hits:
                continue
            log.info("changed: %s", ", ".join(hits))
            if rest:
                rest.stop()
            state.bump(rebuild(state.viewed()))
            if rest and not state.errors:  # a broken source fails everywhere: wait for a fix
                rest.start()
    finally:
        if rest:
            rest.stop()
        server.shutdown()
