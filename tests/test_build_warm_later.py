"""The terminal's default (compiler/build/warm/later.py): a build at a terminal outside CI
renders without a worker when none runs, starts one once it is done (warmed up for its
locales), and the next build's PDF is rendered there; a pipe, CI, --no-keep-warm and
POLICYC_KEEP_WARM=0 leave no process; the starter's warm-ups are untrusted data."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.build.warm import by_default, client, start
from compiler.build.warm import folder as wf
from tests.helpers import ROOT, pdftotext, run_cli
from tests.test_build_warm import _alive, warm_project

pytestmark = pytest.mark.skipif(not wf.supported(), reason="the warm worker needs Linux")

STARTED = "a render worker stays warm"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("POLICYC_KEEP_WARM", raising=False)
    yield from warm_project(tmp_path, monkeypatch)


def _cache() -> Path:
    return Path(os.environ["POLICYC_CACHE_DIR"])


def _at_terminal(root: Path, *args: str, env: dict[str, str] | None = None,
                 stdout: int = subprocess.DEVNULL) -> str:
    """`policyc ARGS` in root with its stderr on a pseudo-terminal: what it wrote there.
    With stdout=subprocess.PIPE (`policyc build | tee log`), the pipe must end with policyc."""
    main_end, other_end = os.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-m", "compiler", *args], cwd=root,
                                 stdin=subprocess.DEVNULL, stdout=stdout,
                                 stderr=other_end, env={**os.environ, **(env or {}),
                                                        "PYTHONPATH": str(ROOT)})
        os.close(other_end)
        out = bytearray()
        while True:
            try:
                chunk = os.read(main_end, 65536)
            except OSError:  # EIO: the child and every process holding the terminal ended
                break
            if not chunk:
                break
            out += chunk
        child.communicate(timeout=60)  # a worker holding the pipe would hang `| tee` here
        assert child.returncode == 0, out.decode(errors="replace")
    finally:
        os.close(main_end)
    return out.decode(errors="replace")


def _warmed(wait: float = 60.0) -> dict[str, Any]:
    """The worker's status once its warm-ups are done."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        status = client.status(_cache())
        if status is not None and not status.get("warming", True):
            return status
        time.sleep(0.1)
    raise AssertionError(f"no warmed-up worker within {wait} s: {client.status(_cache())}")


def _edit_de(root: Path, old: str, new: str) -> None:
    po = root / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    text = po.read_text(encoding="utf-8")
    assert old in text
    po.write_text(text.replace(old, new), encoding="utf-8")


def test_by_default_only_at_a_terminal_outside_ci(tmp_path: Path) -> None:
    main_end, other_end = os.openpty()
    with os.fdopen(other_end, "w") as terminal:
        assert by_default({}, terminal)
        assert by_default({"CI": "0"}, terminal)
        assert not by_default({"CI": "true"}, terminal)
    os.close(main_end)
    assert not by_default({}, terminal)  # closed
    assert not by_default({}, io.StringIO())
    with (tmp_path / "log").open("w") as file:
        assert not by_default({}, file)


@pytest.mark.parametrize("command", [["build"], ["build", "--jobs", "2"]],
                         ids=["quick", "click"])
def test_a_build_at_a_terminal_starts_a_worker_the_next_build_uses(
        project: Path, command: list[str]) -> None:
    first = _at_terminal(project, *command)
    assert STARTED in first
    status = _warmed()
    assert status["renders"] == 0  # the first build rendered without it
    assert status["warmed"] == 2  # en and de laid out while the user reads
    assert status["root"] == str(project.resolve())
    code, shown = run_cli(project, "warm", "status")
    assert code == 0 and "warmed up for 2 locales, 0 renders" in shown

    _edit_de(project, "Unterlagen aufbewahrt", "Aufzeichnungen aufbewahrt")
    second = _at_terminal(project, *command)
    assert STARTED not in second  # said once, when started
    status = client.status(_cache())
    assert status is not None and status["pid"] == _warmed()["pid"]
    assert (status["renders"], status["recipes"]) == (1, 1)  # de's PDF, from its recipe
    text = pdftotext(project / "dist" / "de" / "retention-schedule.pdf")
    assert "Aufzeichnungen aufbewahrt" in " ".join(text.split())

    _edit_de(project, "Aufzeichnungen aufbewahrt", "Akten aufbewahrt")
    _at_terminal(project, *command, "--no-keep-warm")
    assert client.status(_cache())["renders"] == 1  # type: ignore[index]
    assert "Akten aufbewahrt" in " ".join(
        pdftotext(project / "dist" / "de" / "retention-schedule.pdf").split())


def test_a_piped_stdout_at_a_terminal_still_starts_one(project: Path) -> None:
    """`policyc build | tee log` at a terminal: stderr (where policyc says that a worker stays,
    and how to stop it) decides, not stdout; the worker holds no end of the pipe, so tee
    ends with the build."""
    assert STARTED in _at_terminal(project, "build", stdout=subprocess.PIPE)
    assert _warmed()["root"] == str(project.resolve())


@pytest.mark.parametrize("how", ["pipe", "ci", "no-keep-warm", "env-zero", "quiet-pipe"])
def test_no_worker_without_a_terminal_or_when_told(project: Path, how: str) -> None:
    if how in ("pipe", "quiet-pipe"):
        args = [sys.executable, "-m", "compiler", *(["-q"] if how == "quiet-pipe" else []),
                "build"]
        subprocess.run(args, cwd=project, check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    elif how == "ci":
        assert STARTED not in _at_terminal(project, "build", env={"CI": "true"})
    elif how == "no-keep-warm":
        assert STARTED not in _at_terminal(project, "build", "--no-keep-warm")
    else:
        assert STARTED not in _at_terminal(project, "build", env={"POLICYC_KEEP_WARM": "0"})
    time.sleep(0.5)  # a starter would have bound its socket by now
    assert client.status(_cache()) is None
    assert (project / "dist" / "de" / "retention-schedule.pdf").is_file()


def _starter(project: Path, payload: bytes) -> subprocess.CompletedProcess[bytes]:
    """The worker's starter as a build's start_later runs it, given `payload`."""
    fd = wf.open_folder(_cache())
    os.close(fd)
    with (_cache() / wf.FOLDER / wf.LOG).open("ab") as log:  # (a pipe would stay open)
        return subprocess.run(
            [sys.executable, "-P", "-m", "compiler.build.warm.server", str(_cache()), "0.5",
             str(project.resolve()), "", start.LATER], check=False, input=payload,
            stdout=subprocess.DEVNULL, stderr=log, cwd="/",
            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("touch planted",))


def test_the_warm_ups_are_data_a_hostile_or_huge_one_is_dropped(project: Path) -> None:
    hostile = pickle.dumps((str(project), None, [(_Boom(), None)]))
    assert _starter(project, hostile).returncode == 0
    status = _warmed()
    assert status["warmed"] == 0
    assert not (project / "planted").exists()
    log = (_cache() / wf.FOLDER / wf.LOG).read_text(encoding="utf-8")
    assert "warm-up stopped" in log and "is not allowed" in log
    client.stop(_cache())

    assert _starter(project, b"x" * (start.MAX_WARM_UP_BYTES + 1)).returncode == 0
    assert _warmed()["warmed"] == 0  # started without warm-ups


def test_two_starters_at_once_leave_one_worker(project: Path) -> None:
    fd = wf.open_folder(_cache())
    os.close(fd)
    args = [sys.executable, "-P", "-m", "compiler.build.warm.server", str(_cache()), "0.5",
            str(project.resolve()), "", start.LATER]
    starters = [subprocess.Popen(args, stdin=subprocess.PIPE, cwd="/",
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
                for _ in range(2)]
    for starter in starters:
        starter.communicate(b"", timeout=60)
        assert starter.returncode == 0
    workers = [pid for pid in (int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit())
               if _is_worker_of(pid, _cache())]
    assert len(workers) == 1, workers
    assert client.status(_cache())["pid"] == workers[0]  # type: ignore[index]
    client.stop(_cache())
    assert not _alive(workers[0])


def _is_worker_of(pid: int, cache: Path) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"compiler.build.warm.server" in command and str(cache).encode() in command and (
        _alive(pid))
