"""The warm preview: open pages rebuild first, PDF previews follow in the background."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.helpers import FIXTURES, start_server, stop_server


def test_pdf_preview_rebuilt_in_the_background(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    server, url = start_server(project)
    try:
        page = url + "de/retention-schedule.html"
        request = urllib.request.Request(url + "__policyc/events", headers={"Referer": page})
        with urllib.request.urlopen(request, timeout=60) as events:
            time.sleep(1.0)  # the watcher starts just after the "serving" line
            source = project / "source" / "retention-schedule.yaml"
            source.write_text(source.read_text().replace("version: 2.0.1", "version: 2.0.2"))
            deadline = time.monotonic() + 60
            while not events.readline().startswith(b"data: reload"):
                assert time.monotonic() < deadline, "no reload after the save"
            with urllib.request.urlopen(page, timeout=10) as response:
                assert b"2.0.2" in response.read()  # the page in view, rebuilt first
        pdf = project / "dist" / "en" / "retention-schedule.pdf"
        deadline = time.monotonic() + 120
        text = ""
        while time.monotonic() < deadline and "2.0.2" not in text:
            time.sleep(0.5)
            if pdf.exists():
                text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                      text=True, check=False).stdout
        assert "2.0.2" in text  # the other locale's PDF preview followed in the background
        with urllib.request.urlopen(url + "en/retention-schedule.pdf", timeout=10) as response:
            assert response.read().startswith(b"%PDF-")
    finally:
        stop_server(server)
