"""The forked worker pool (compiler/build/forked.py): one import shared by every worker,
results and errors carried back whole, a dead worker failing what it owed, no process
left behind."""

from __future__ import annotations

import os
import time
from concurrent.futures import CancelledError
from pathlib import Path

import pytest

from compiler.build import BuildOptions, build
from compiler.build.forked import ForkedPool, RemoteTraceback, WorkerDied
from compiler.errors import CompilerError, Loc

ROOT = Path(__file__).resolve().parents[1]


def _pid(delay: float = 0.0) -> int:
    time.sleep(delay)
    return os.getpid()


def _imported(name: str, delay: float) -> tuple[int, bool]:
    import sys

    time.sleep(delay)  # both workers busy at once: each answers one
    return os.getpid(), name in sys.modules


def _fail_located() -> None:
    raise CompilerError.at(Loc(Path("templates/print.css"), 3, 7), "a font the page needs is missing")


class _Unpicklable(Exception):
    def __init__(self, lock: object) -> None:
        super().__init__("held a lock")
        self.lock = lock


def _fail_unpicklable() -> None:
    import threading

    raise _Unpicklable(threading.Lock())


def _die() -> None:
    os._exit(3)


def _children() -> set[int]:
    """This process's child processes (every thread's)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with (task / "children").open() as f:
            pids.update(int(p) for p in f.read().split())
    return pids


def test_every_worker_shares_one_import(tmp_path: Path) -> None:
    log = tmp_path / "prepared"

    def prepare() -> None:  # runs in the first worker only (it is not pickled)
        import colorsys  # noqa: F401  # a module nothing here has imported
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")

    before = _children()
    pool = ForkedPool(2, prepare)
    try:
        # one slow task holds a worker: the next two go to the other, or to it once free
        futures = [pool.submit(_pid, 0.3), pool.submit(_pid), pool.submit(_pid)]
        pids = {f.result(timeout=30) for f in futures}
        assert len(pids) == 2 and os.getpid() not in pids
        answers = [pool.submit(_imported, "colorsys", 0.3) for _ in range(2)]
        assert {f.result(timeout=30) for f in answers} == {(pid, True) for pid in pids}
    finally:
        pool.shutdown()
    prepared = [int(p) for p in log.read_text().split()]
    assert len(prepared) == 1 and prepared[0] in pids  # once, in the first worker
    assert _children() <= before  # every worker ended and was waited for


def test_the_next_task_goes_to_the_worker_that_frees_first() -> None:
    pool = ForkedPool(2, lambda: None)
    try:
        slow = pool.submit(_pid, 1.0)
        quick = pool.submit(_pid)
        after = pool.submit(_pid)  # waits here, not behind the slow task
        assert after.result(timeout=30) == quick.result(timeout=30) != slow.result(timeout=30)
    finally:
        pool.shutdown()


def test_errors_come_back_whole() -> None:
    pool = ForkedPool(1, lambda: None)
    try:
        with pytest.raises(CompilerError) as located:
            pool.submit(_fail_located).result(timeout=30)
        assert [str(d) for d in located.value.diagnostics] == [
            "templates/print.css:3:7: error: a font the page needs is missing"]
        assert isinstance(located.value.__cause__, RemoteTraceback)
        assert "_fail_located" in str(located.value.__cause__)
        with pytest.raises(RuntimeError, match="_Unpicklable: held a lock"):
            pool.submit(_fail_unpicklable).result(timeout=30)
        assert pool.submit(_pid).result(timeout=30) != os.getpid()  # still serving
    finally:
        pool.shutdown()


def test_a_dead_worker_fails_what_it_owed_and_nothing_hangs() -> None:
    before = _children()
    pool = ForkedPool(1, lambda: None)
    try:
        dying = pool.submit(_die)
        queued = pool.submit(_pid)
        with pytest.raises(WorkerDied, match="ended unexpectedly"):
            dying.result(timeout=30)
        with pytest.raises(WorkerDied):
            queued.result(timeout=30)
        with pytest.raises(WorkerDied):
            pool.submit(_pid)
    finally:
        pool.shutdown()
    assert _children() <= before


def test_a_failing_import_fails_the_tasks() -> None:
    def prepare() -> None:
        raise ImportError("no module named 'weasyprint'")

    pool = ForkedPool(2, prepare)
    try:
        with pytest.raises(WorkerDied):
            pool.submit(_pid).result(timeout=30)
    finally:
        pool.shutdown()


def test_shutdown_with_cancel_does_not_wait_for_renders() -> None:
    before = _children()
    pool = ForkedPool(2, lambda: None)
    busy = [pool.submit(_pid, 60), pool.submit(_pid, 60)]
    waiting = pool.submit(_pid)
    deadline = time.monotonic() + 30
    while not all(f.running() for f in busy) and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    pool.shutdown(cancel_futures=True)
    assert time.monotonic() - started < 10
    with pytest.raises(CancelledError):
        waiting.result(timeout=0)
    assert _children() <= before


def test_a_parallel_build_leaves_no_process_and_matches_one_job(tmp_path: Path) -> None:
    before = _children()
    source = ROOT / "source" / "privacy-policy.yaml"
    one = build([source], BuildOptions(out=tmp_path / "one", jobs=1, formats=("html", "docx"),
                                       locales=("en", "de", "fr")))
    two = build([source], BuildOptions(out=tmp_path / "two", jobs=2, formats=("html", "docx"),
                                       locales=("en", "de", "fr")))
    assert _children() <= before
    assert len(one.outputs) == len(two.outputs) == 6
    for output in (tmp_path / "one").rglob("*.docx"):
        twin = tmp_path / "two" / output.relative_to(tmp_path / "one")
        assert twin.read_bytes() == output.read_bytes()
