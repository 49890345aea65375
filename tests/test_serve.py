"""The preview server: serves dist/, rebuilds on save, tells open pages to reload."""

from __future__ import annotations

import re
import shutil
import time
import urllib.request
from pathlib import Path

from tests.helpers import FIXTURES, start_server, stop_server


def test_serve_rebuilds_and_reloads(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    proc, url = start_server(project, "--locale", "en")
    try:
        page = _get(url + "en/retention-schedule.html")
        assert b"Data Retention Schedule" in page and b"/__policyc/events" in page
        assert b"/__policyc/events" not in (project / "dist" / "en" /
                                            "retention-schedule.html").read_bytes()
        with urllib.request.urlopen(url + "__policyc/events", timeout=30) as events:
            source = project / "source" / "retention-schedule.yaml"
            source.write_text(source.read_text().replace("title: Data Retention Schedule",
                                                         "title: Records Retention Schedule"))
            assert _next_event(events) == b"data: reload"
        assert b"Records Retention Schedule" in _get(url + "en/retention-schedule.html")
    finally:
        stop_server(proc)


def _next_event(events: object, within: float = 120.0) -> bytes:
    """The next server-sent event line, skipping ': keep-alive' comments a slow rebuild lets
    through; fails (instead of waiting forever) at end of stream or after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        raw: bytes = events.readline()  # type: ignore[attr-defined]
        assert raw, "the event stream ended before an event"
        line = raw.strip()
        if line and not line.startswith(b":"):
            return line
    raise AssertionError(f"no event within {within:.0f} s (only keep-alive comments)")


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        data: bytes = response.read()
    return data


def _request(url: str, path: str, host: str | None = None) -> tuple[int, bytes]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    headers = {"Host": host} if host is not None else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_serve_is_local_only_and_shows_errors_until_fixed(tmp_path: Path) -> None:
    """Host check, no listings or escapes, atomic saves seen, errors shown in the page."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=abc")
    proc, url = start_server(project, "--locale", "en")
    try:
        port = url.rstrip("/").rsplit(":", 1)[1]
        page = "/en/retention-schedule.html"
        assert _request(url, page, f"evil.example:{port}")[0] == 403  # DNS rebinding
        assert _request(url, "/__policyc/events", "evil.example")[0] == 403
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
            assert _request(url, page, host)[0] == 200, host
        (project / "dist" / "leak.txt").symlink_to(secret)
        (project / "dist" / "up").symlink_to(tmp_path)
        for path in ("/leak.txt", "/up/secret.txt", "/en/", "/../secret.txt",
                     "/.policyc-state.json", "/%2e%2e/secret.txt"):
            status, body = _request(url, path)
            assert status == 404 and b"TOKEN" not in body, path

        source = project / "source" / "retention-schedule.yaml"
        good = source.read_text()
        with urllib.request.urlopen(url + "__policyc/events", timeout=60) as events:
            _atomic_save(source, good.replace("title: Scope", "titel: Scope"))
            assert _next_event(events) == b"data: reload"
            status, body = _request(url, page)
            assert status == 200 and b'id="policyc-build-error"' in body
            assert re.search(rb"retention-schedule\.yaml:\d+:\d+: error: .*unknown key "
                             rb"&#x27;titel&#x27;", body)
            _atomic_save(source, good.replace("title: Data Retention Schedule",
                                              "title: Atomic Schedule"))
            assert _next_event(events) == b"data: reload"
        status, body = _request(url, page)
        assert b"Atomic Schedule" in body and b"policyc-build-error" not in body
    finally:
        stop_server(proc)


def _atomic_save(path: Path, text: str) -> None:
    """As editors save: a new file beside, renamed over the old one (a new inode)."""
    tmp = path.with_name(f".{path.name}.new")
    tmp.write_text(text)
    tmp.replace(path)


def test_a_save_while_the_watch_starts_is_not_lost(tmp_path: Path) -> None:
    """The URL goes out before the file watch is set up: a save in between still rebuilds."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    proc, url = start_server(project, "--locale", "en")
    try:
        source = project / "source" / "retention-schedule.yaml"
        source.write_text(source.read_text().replace("title: Data Retention Schedule",
                                                     "title: Records Retention Schedule"))
        deadline = time.monotonic() + 120
        while b"Records Retention Schedule" not in _get(url + "en/retention-schedule.html"):
            assert time.monotonic() < deadline, "the save made at start-up was never built"
            time.sleep(0.2)
    finally:
        stop_server(proc)
