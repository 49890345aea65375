"""Preview server: serves dist/ on localhost, rebuilds on save, reloads open pages."""

from __future__ import annotations

import functools
import http.server
import logging
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

RELOAD_SCRIPT = (b"<script>(function(){var s=new EventSource('/__policyc/events');"
                 b"s.onmessage=function(){location.reload();};})();</script>")


class _Generation:
    """A counter bumped after each rebuild; event streams wait on it."""

    def __init__(self) -> None:
        self.value = 0
        self.cond = threading.Condition()

    def bump(self) -> None:
        with self.cond:
            self.value += 1
            self.cond.notify_all()

    def wait_past(self, seen: int, timeout: float) -> int:
        with self.cond:
            self.cond.wait_for(lambda: self.value != seen, timeout=timeout)
            return self.value


def make_handler(root: Path, generation: _Generation) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

        def do_GET(self) -> None:
            if self.path == "/__policyc/events":
                self._events()
                return
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                body = path.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = generation.value
            try:
                while True:
                    now = generation.wait_past(seen, timeout=15)
                    if now != seen:
                        seen = now
                        self.wfile.write(b"data: reload\n\n")
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return functools.partial(Handler, directory=str(root))  # type: ignore[return-value]


def serve(root: Path, watch: list[Path], rebuild: Callable[[], None], host: str = "127.0.0.1",
          port: int = 8000, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted; each saved change to a watched path triggers rebuild + reload."""
    from watchfiles import watch as watch_changes

    generation = _Generation()
    server = http.server.ThreadingHTTPServer((host, port), make_handler(root, generation))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]}/"
    if ready:
        ready(url)
    try:
        for changes in watch_changes(*[p for p in watch if p.exists()], debounce=300):
            log.info("changed: %s", ", ".join(sorted(str(c[1]) for c in changes)))
            rebuild()
            generation.bump()
    finally:
        server.shutdown()
