"""The forked worker pool (compiler/build/forked.py): one import shared by every worker,
results and errors carried back whole, a dead worker failing what it owed, no process
left behind."""

from __future__ import annotations

import io
import logging
import os
import threading
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
        try:
            with (task / "children").open() as f:
                pids.update(int(p) for p in f.read().split())
        except FileNotFoundError:  # a thread (an earlier test's pool reader) just ended
            continue
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
    ours = {pool._first_pid, *(w.pid for w in pool._workers)}
    assert not ours & _children()  # every worker ended (the first reaped here)


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


# review5's findings (each failed on 40f85a9)
class _TwoArgs(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a}/{b}")


def _fail_two_args() -> None:
    raise _TwoArgs(1, 2)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_error_that_does_not_unpickle_fails_its_task_and_the_pool_serves_on() -> None:
    pool = ForkedPool(1, lambda: None)
    try:
        with pytest.raises(Exception, match=r"_TwoArgs"):
            pool.submit(_fail_two_args).result(timeout=10)
        assert pool.submit(_pid).result(timeout=10) != os.getpid()
    finally:
        pool.shutdown(cancel_futures=True)


def test_shutdown_fails_what_waits_when_the_import_fails() -> None:
    def prepare() -> None:
        raise ImportError("no module named 'weasyprint'")

    done = threading.Event()

    def run() -> None:
        with ForkedPool(2, prepare) as pool:
            future = pool.submit(_pid)
        assert isinstance(future.exception(timeout=0), WorkerDied)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(15)


def test_cancel_does_not_wait_for_the_import() -> None:
    pool = ForkedPool(2, lambda: time.sleep(20))
    pool.submit(_pid)
    started = time.monotonic()
    pool.shutdown(cancel_futures=True)
    assert time.monotonic() - started < 5


def test_a_worker_logs_even_if_the_progress_bar_held_its_lock_at_fork() -> None:
    import sys

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    saved = sys.stderr
    progress = Progress(TextColumn("building"), BarColumn(), transient=True,
                        console=Console(file=io.StringIO(), force_terminal=True,
                                        force_interactive=True))
    progress.__enter__()
    handler = logging.StreamHandler(sys.stderr)  # as logs.ready() makes it under the bar
    logging.getLogger("review5").addHandler(handler)
    pool = None
    try:
        taken, release = threading.Event(), threading.Event()

        def hold() -> None:  # the refresh thread, caught mid-refresh
            with progress.live._lock:
                taken.set()
                release.wait(5)

        threading.Thread(target=hold, daemon=True).start()
        taken.wait(5)
        pool = ForkedPool(1, lambda: None)
        release.set()
        assert pool.submit(logging.getLogger("review5").warning, "x").result(timeout=10) is None
    finally:
        logging.getLogger("review5").removeHandler(handler)
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        progress.__exit__(None, None, None)
        sys.stderr = saved


def _fds() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


def test_a_pool_leaves_no_descriptor_behind() -> None:
    ForkedPool(1, lambda: None).shutdown()  # anything made once per process
    before = _fds()
    pool = ForkedPool(1, lambda: None)
    pool.submit(_pid).result(timeout=10)
    pool.shutdown()
    assert _fds() == before


def test_keep_warm_without_a_warm_worker_forks_one_pool(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.build import BuildOptions, build, forked
    from compiler.build.warm import client

    made = []
    real = forked.ForkedPool.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(forked.ForkedPool, "__init__", counting)
    def refused(*args: object) -> tuple[None, str]:  # as an unusable warm folder is
        return None, "no warm worker here"

    monkeypatch.setattr(client, "connect", refused)
    build([ROOT / "source" / "terms-of-service.yaml"],
          BuildOptions(out=tmp_path / "out", jobs=2, keep_warm=1, formats=("pdf",),
                       locales=("en", "de")))
    assert len(made) == 1


def test_a_killed_build_leaves_no_worker_holding_the_folder(tmp_path: Path) -> None:
    import fcntl
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    code = ("import sys; from pathlib import Path; from compiler.build import BuildOptions, build; "
            f"build([Path({str(ROOT / 'source' / 'terms-of-service.yaml')!r})], BuildOptions("
            f"out=Path({str(out)!r}), jobs=2, formats=('pdf',), locales=('en', 'de')))")
    child = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # its workers are rendering
        if Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split():
            break
        time.sleep(0.05)
    time.sleep(1.2)
    child.send_signal(signal.SIGKILL)
    child.wait()
    time.sleep(0.5)
    _, errors = child.communicate(timeout=30)
    # no worker of the killed build holds it ("a": a build done before the kill removed it)
    with (out / ".policyc.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert b"Traceback" not in errors  # the workers died with it, quietly


def _stamp(delay: float = 0.0) -> float:
    time.sleep(delay)
    return time.monotonic()


def test_a_freed_worker_takes_the_lowest_ranked_waiting_task() -> None:
    pool = ForkedPool(1, lambda: None)
    try:
        pool.submit_ranked(0, _stamp, 0.5)  # holds the worker while the others wait here
        later = [pool.submit_ranked(rank, _stamp) for rank in (3.0, -2.0, 1.0, -2.0)]
        done = [f.result(timeout=30) for f in later]
        assert sorted(range(4), key=lambda i: done[i]) == [1, 3, 2, 0]  # by rank, then as given
    finally:
        pool.shutdown()


def test_the_build_ranks_its_jobs_in_the_pool(project: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    """A worker ready after the parent handed over two locales takes a PDF of the second
    before the first locale's HTML and DOCX (they fill in at the end)."""
    ranks: list[tuple[float, str]] = []
    real = ForkedPool.submit_ranked

    def recorded(self: ForkedPool, rank: float, fn: object, *args: object) -> object:
        ranks.append((rank, str(args[0])))
        return real(self, rank, fn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ForkedPool, "submit_ranked", recorded)
    source = project / "source" / "retention-schedule.yaml"
    build([source], BuildOptions(out=project / "dist", jobs=2, formats=("html", "pdf", "docx")))
    assert {fmt for _, fmt in ranks} == {"html", "pdf", "docx"}
    by_format = {fmt: min(r for r, f in ranks if f == fmt) for fmt in ("html", "pdf", "docx")}
    assert by_format["pdf"] < by_format["docx"] < by_format["html"]  # longest first


def _gone_or_zombie(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return "\nState:\tZ" in status  # ended; its parent (the first worker) reaps it at its end


def test_retire_when_idle_ends_a_worker_with_nothing_left_while_another_renders() -> None:
    before = _children()
    pool = ForkedPool(2, lambda: None)
    try:
        # both workers up: each answers one of two overlapping tasks
        pids = {f.result(timeout=30) for f in [pool.submit(_pid, 0.3), pool.submit(_pid, 0.3)]}
        assert len(pids) == 2
        sibling = (pids - {pool._first_pid}).pop()
        last = pool.submit(_pid, 3)  # both idle: the first worker (listed first) takes it
        deadline = time.monotonic() + 30
        while not last.running() and time.monotonic() < deadline:
            time.sleep(0.01)
        pool.retire_when_idle()
        with pytest.raises(RuntimeError, match="shut down"):
            pool.submit(_pid)
        deadline = time.monotonic() + 10
        while not _gone_or_zombie(sibling) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not last.done()  # the idle sibling ended while the first renders on
        assert _gone_or_zombie(sibling)
        assert last.result(timeout=30) == pool._first_pid
    finally:
        pool.shutdown()
    assert _children() <= before


def test_retire_when_idle_still_runs_what_waits() -> None:
    pool = ForkedPool(1, lambda: None)
    try:
        waiting = [pool.submit(_pid, 0.05) for _ in range(4)]
        pool.retire_when_idle()
        assert len({f.result(timeout=30) for f in waiting}) == 1
    finally:
        pool.shutdown()


def _render_german_docx_slowly(fmt: str, ldoc: object, ropts: object,
                               seconds: float = 0) -> bytes:
    """One job that keeps its worker busy while the other has nothing left."""
    from compiler.renderers import get_renderer

    if fmt == "docx" and ldoc.language.code == "de":  # type: ignore[attr-defined]
        time.sleep(1.0)
    return get_renderer(fmt)(ldoc, ropts)  # type: ignore[arg-type]


def test_a_parallel_build_prepares_its_index_while_the_last_renders(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.build import pipeline

    calls: list[int] = []
    prepare = pipeline._prepare_listings
    monkeypatch.setattr(pipeline, "_prepare_listings",
                        lambda options: (calls.append(options.jobs), prepare(options)))
    from compiler.build import run

    monkeypatch.setattr(run, "_render", _render_german_docx_slowly)  # forked workers too
    source = ROOT / "source" / "privacy-policy.yaml"
    for jobs in (1, 2):
        build([source], BuildOptions(out=tmp_path / str(jobs), jobs=jobs,
                                     formats=("html", "docx"), locales=("en", "de", "fr")))
        assert (tmp_path / str(jobs) / "index.html").read_bytes().count(b".docx") == 3
    assert calls == [2]  # once, and only beside workers (one job renders it all here)
