"""PDF preview latency of `policyc serve`: from saving one catalog to the new PDF written.

Starts two preview servers on two copies of this project's policy (7 locales): one as
serve runs by default (its background build renders PDFs in the project's warm worker), one
with --no-warm (the background build, a fresh process, renders them itself). Then saves an
edit of one German msgstr in each in turn (interleaved), waits for that locale's PDF preview
to be replaced, and prints the medians of the wall time and of the CPU the edit cost (serve,
its background build and the warm worker together; read from /proc).

Usage: .venv/bin/python benchmarks/serve_pdf.py [--runs 7] [--locale de]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--locale", default="de", help="the catalog edited (default: de)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setups = {name: _Setup(Path(tmp) / name, flags, args.locale)
                  for name, flags in (("warm", []), ("no-warm", ["--no-warm"]))}
        try:
            for setup in setups.values():
                setup.ready()
            for i in range(args.runs + 1):  # the first edit of each: not counted
                for setup in setups.values():
                    time.sleep(1.0)  # a person reads before saving again
                    setup.edit(i, counted=i > 0)
            for name, setup in setups.items():
                wall, cpu = setup.wall, setup.cpu
                print(f"{name:<8} save -> PDF preview: median {statistics.median(wall):.3f} s "
                      f"(min {min(wall):.3f}, max {max(wall):.3f}); CPU median "
                      f"{statistics.median(cpu):.3f} s ({len(wall)} edits)")
        finally:
            for setup in setups.values():
                setup.stop()


class _Setup:
    def __init__(self, project: Path, flags: list[str], locale: str) -> None:
        shutil.copytree(ROOT / "source", project / "source")
        shutil.copytree(ROOT / "locales", project / "locales")
        self.project = project
        self.catalog = project / "locales" / locale / "LC_MESSAGES" / "privacy-policy.po"
        self.pdf = project / "dist" / locale / "privacy-policy.pdf"
        self.original = self.catalog.read_text(encoding="utf-8")
        assert 'msgstr "Einleitung"' in self.original
        env = {k: v for k, v in os.environ.items() if k != "POLICYC_CACHE_DIR"}
        self.server = subprocess.Popen(
            [sys.executable, "-m", "compiler", "serve", "--port", "0", *flags],
            cwd=project, stderr=subprocess.PIPE, text=True,
            env={**env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def ready(self) -> None:
        """Served, and the first background build's PDFs written."""
        assert self.server.stderr is not None
        deadline = time.monotonic() + 120
        while not re.search(r"at http://", self.server.stderr.readline()):
            assert time.monotonic() < deadline, "server did not start"
        while not self.pdf.exists():
            assert time.monotonic() < deadline, "no first PDF preview"
            time.sleep(0.1)
        time.sleep(15)  # the other locales' PDFs of the first build

    def edit(self, i: int, counted: bool) -> None:
        before = _identity(self.pdf)
        cpu = self._cpu()
        started = time.perf_counter()
        self.catalog.write_text(self.original.replace(
            'msgstr "Einleitung"', f'msgstr "Einleitung {i}"', 1), encoding="utf-8")
        deadline = started + 120
        while _identity(self.pdf) == before:
            assert time.perf_counter() < deadline, "the PDF preview was not replaced"
            time.sleep(0.005)
        wall = time.perf_counter() - started
        time.sleep(0.5)  # the background build exits (its CPU is its parent's once reaped)
        if counted:
            self.wall.append(wall)
            self.cpu.append(self._cpu() - cpu)

    def _cpu(self) -> float:
        """CPU seconds of serve and its reaped children, and of this project's warm worker."""
        total = _proc_cpu(self.server.pid, children=True)
        for pid in _workers(self.project / ".policyc-cache"):
            total += _proc_cpu(pid, children=False)
        return total

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def _proc_cpu(pid: int, children: bool) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / TICK


def _workers(cache: Path) -> list[int]:
    wanted = str(cache.resolve()).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"compiler.build.warm.server" in argv and wanted in argv:
                found.append(int(entry.name))
    return found


if __name__ == "__main__":
    main()
