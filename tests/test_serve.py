"""The preview server: serves dist/, rebuilds on save, tells open pages to reload."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers import FIXTURES


def test_serve_rebuilds_and_reloads(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    proc = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "serve", "--port", "0", "--locale", "en"],
        cwd=project, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = ""
        deadline = time.monotonic() + 60
        assert proc.stderr is not None
        while not url and time.monotonic() < deadline:
            line = proc.stderr.readline()
            m = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            url = m.group(1) if m else ""
        assert url, "server did not start"
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
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()


def _next_event(events: object) -> bytes:
    """The next server-sent event line, skipping ': keep-alive' comments a slow rebuild lets through."""
    while True:
        line: bytes = events.readline().strip()  # type: ignore[attr-defined]
        if line and not line.startswith(b":"):
            return line


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        data: bytes = response.read()
    return data
