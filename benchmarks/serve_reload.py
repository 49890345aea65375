"""Reload latency of `policyc serve`: from saving a file to the open page's reload event.

Starts the preview server (one warm process: the libraries, templates and unchanged
documents stay loaded between rebuilds) on a copy of this project's policy (7 locales),
listens on the page's event stream as a browser does, then saves an edit to the source and
to one catalog, several times each, and prints the medians. The PDF preview is fetched at
its URL afterwards, to show it was rebuilt in the background.

Usage: .venv/bin/python benchmarks/serve_reload.py [--runs 7] [--locale de]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--locale", action="append", default=[],
                        help="serve only these locales (default: all seven)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "p"
        shutil.copytree(ROOT / "source", project / "source")
        shutil.copytree(ROOT / "locales", project / "locales")
        locales = [x for code in args.locale for x in ("--locale", code)]
        server = subprocess.Popen(
            [sys.executable, "-m", "compiler", "serve", "--port", "0", *locales],
            cwd=project, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
        try:
            url = _wait_for_url(server)
            source = project / "source" / "privacy-policy.yaml"
            catalog = project / "locales" / "de" / "LC_MESSAGES" / "privacy-policy.po"
            results = {
                "source edit, en page open": _latencies(
                    url, source, "Welcome to {company}.", args.runs, "en/privacy-policy.html"),
                "catalog edit, de page open": _latencies(
                    url, catalog, 'msgstr "Einleitung"', args.runs, "de/privacy-policy.html"),
            }
            for name, times in results.items():
                print(f"{name:<30} median {statistics.median(times) * 1000:6.0f} ms   "
                      f"min {min(times) * 1000:5.0f} ms   max {max(times) * 1000:5.0f} ms   "
                      f"({len(times)} runs)")
            pdf = _pdf_preview(url, server)
            print(f"PDF preview at {pdf[0]}: {pdf[1]} bytes, ready {pdf[2]:.1f} s after the "
                  "last save")
        finally:
            server.terminate()
            server.wait(timeout=10)


def _wait_for_url(server: subprocess.Popen[str]) -> str:
    assert server.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        m = re.search(r"at (http://127\.0\.0\.1:\d+/)", server.stderr.readline())
        if m:
            return m.group(1)
    raise SystemExit("server did not start")


def _latencies(url: str, path: Path, anchor: str, runs: int, page: str) -> list[float]:
    """Save path with a changing edit next to anchor; time until the reload event of the
    page's event stream (opened with the page as Referer, as a browser's EventSource is)."""
    original = path.read_text(encoding="utf-8")
    assert anchor in original, anchor
    times = []
    request = urllib.request.Request(url + "__policyc/events", headers={"Referer": url + page})
    with urllib.request.urlopen(request, timeout=60) as events:
        for i in range(runs + 1):
            edited = original.replace(anchor, anchor[:-1] + " " * (i % 2 + 1) + anchor[-1], 1)
            time.sleep(1.0)  # a person reads before saving again
            started = time.perf_counter()
            path.write_text(edited if i < runs else original, encoding="utf-8")
            while not events.readline().startswith(b"data: reload"):
                pass
            if i < runs:
                times.append(time.perf_counter() - started)
    return times


def _pdf_preview(url: str, server: subprocess.Popen[str]) -> tuple[str, int, float]:
    started = time.perf_counter()
    target = url + "en/privacy-policy.pdf"
    while time.perf_counter() - started < 120:
        try:
            with urllib.request.urlopen(target, timeout=10) as response:
                return target, len(response.read()), time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    return target, 0, time.perf_counter() - started


if __name__ == "__main__":
    main()
