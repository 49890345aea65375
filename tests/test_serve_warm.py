"""`policyc serve` renders its PDF previews in the project's warm worker (issue #18): a
catalog edit's PDF comes from it, and serve stops on exit the worker it started, not one
that was running before it; --no-warm starts none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.build.warm import SESSION_MINUTES, client
from compiler.build.warm import folder as wf
from tests.helpers import FIXTURES, ROOT, set_translation, start_server, stop_server

pytestmark = pytest.mark.skipif(not wf.supported(), reason="the warm worker needs Linux")

PDF = Path("dist", "de", "retention-schedule.pdf")


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the fixture project and its cache folder (.policyc-cache: serve runs with
    no POLICYC_CACHE_DIR, see start_server)."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    return project, project / ".policyc-cache"


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=False).stdout if pdf.exists() else ""


def _wait_for(pdf: Path, word: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while word not in _text(pdf):
        assert time.monotonic() < deadline, f"{word!r} never reached {pdf}"
        time.sleep(0.2)


def _edit_de(project: Path, word: str) -> None:
    """One msgstr of the de catalog, saved as a translator's tool would."""
    set_translation(project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po",
                    "scope", "Scope", word)


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"  # exited, not reaped by its parent yet


def test_serve_renders_pdf_previews_in_the_warm_worker_and_stops_it(tmp_path: Path) -> None:
    project, cache = _project(tmp_path)
    server, _ = start_server(project)
    try:
        _wait_for(project / PDF, "Geltungsbereich")  # the first background build's preview
        first = client.status(cache)
        assert first is not None, "no warm worker after the first background build"
        assert first["idle"] == SESSION_MINUTES * 60  # the idle time serve's builds give it
        argv = Path(f"/proc/{first['pid']}/cmdline").read_bytes().split(b"\0")
        assert argv[-2:] == [str(server.pid).encode(), b""]  # it ends when serve ends
        _edit_de(project, "Anwendungsbereich")
        _wait_for(project / PDF, "Anwendungsbereich")
        after = client.status(cache)
        assert after is not None and after["pid"] == first["pid"], (first, after)
        assert after["renders"] > first["renders"]  # the worker rendered the new preview
    finally:
        stop_server(server)
        left = client.status(cache)
        client.stop(cache)  # none left behind, even by a failing test
    assert left is None and _gone(first["pid"]), "serve left its warm worker running"
    assert not (cache / wf.FOLDER / wf.SOCKET).exists()


def test_serve_leaves_a_worker_running_before_it_and_no_warm_starts_none(
        tmp_path: Path) -> None:
    project, cache = _project(tmp_path)
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]}
    subprocess.run([sys.executable, "-m", "compiler", "-q", "build", "--keep-warm-minutes",
                    "5", "--format", "pdf", "--locale", "en"], cwd=project, env=env, check=True)
    before = client.status(cache)
    assert before is not None
    try:
        server, _ = start_server(project)
        try:
            _wait_for(project / PDF, "Geltungsbereich")
            _edit_de(project, "Anwendungsbereich")
            _wait_for(project / PDF, "Anwendungsbereich")
        finally:
            stop_server(server)
        after = client.status(cache)
        assert after is not None and after["pid"] == before["pid"], (before, after)
        assert after["renders"] > before["renders"]  # serve used it, and left it running
    finally:
        client.stop(cache)
    assert _gone(before["pid"])
    server, _ = start_server(project, "--no-warm")
    try:
        _edit_de(project, "Wirkungsbereich")
        _wait_for(project / PDF, "Wirkungsbereich")  # rendered by the background build itself
        assert client.status(cache) is None
    finally:
        stop_server(server)
        client.stop(cache)


def test_serve_ended_while_its_worker_starts_leaves_none(tmp_path: Path) -> None:
    """serve stopped as soon as its background build begins starting the worker (the
    starter runs in a session of its own, so ending that build does not end it)."""
    from compiler.build.warm.session import _starting

    project, cache = _project(tmp_path)
    server, _ = start_server(project)
    try:
        deadline = time.monotonic() + 60
        while not _starting(cache):
            assert time.monotonic() < deadline, "no warm worker was started"
            time.sleep(0.01)
    finally:
        stop_server(server)
        left = _starting(cache)
        client.stop(cache)
    assert not left, "serve left a warm worker (or its starter) running"


def test_session_end_waits_for_a_worker_being_started(tmp_path: Path) -> None:
    """A worker whose starter runs as the session ends (its build was ended mid-spawn) is
    waited for and stopped; a worker found at the start is left alone."""
    from compiler.build.warm.session import Session

    cache = tmp_path / "cache"
    os.close(wf.open_folder(cache))
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]}
    command = [sys.executable, "-P", "-m", "compiler.build.warm.server", str(cache), "1", ""]
    from compiler.build.warm.session import _starting

    session = Session([cache])
    starter = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not _starting(cache):  # Popen may return before the exec shows in /proc
            assert time.monotonic() < deadline, "the starter never showed its command line"
            time.sleep(0.001)
        stopped = session.end()  # at once: the starter has not bound the socket yet
        assert starter.wait(timeout=10) == 0
        assert len(stopped) == 1 and _gone(stopped[0])
        subprocess.run(command, env=env, check=True)
        mine = client.status(cache)
        assert mine is not None
        assert Session([cache]).end() == []
        after = client.status(cache)
        assert after is not None and after["pid"] == mine["pid"]
    finally:
        client.stop(cache)


def test_a_worker_started_for_a_session_ends_with_it(tmp_path: Path) -> None:
    """The builds of a session (serve) name it (POLICYC_WARM_OWNER): the worker they start
    ends when that process ends, even one the session's stop missed (it was killed, or the
    worker was still being started)."""
    cache = tmp_path / "cache"
    os.close(wf.open_folder(cache))
    owner = subprocess.Popen(["sleep", "60"])
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]}
    try:
        subprocess.run([sys.executable, "-P", "-m", "compiler.build.warm.server", str(cache),
                        "1", "", str(owner.pid)], env=env, check=True)
        found = client.status(cache)
        assert found is not None
        time.sleep(1.0)  # a few of its polls: it stays while the session lives
        assert client.status(cache) is not None
    finally:
        owner.kill()
        owner.wait()
    try:
        deadline = time.monotonic() + 15
        while not _gone(found["pid"]):
            assert time.monotonic() < deadline, "the worker outlived its session"
            time.sleep(0.05)
        assert client.status(cache) is None
    finally:
        client.stop(cache)
