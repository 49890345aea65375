"""The build's runner (compiler/build/run.py): a locale's jobs start as soon as it is
localized, and ready jobs go out longest first."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from compiler.build import BuildOptions, build, pipeline
from compiler.build import run as build_run
from compiler.build.plan import Job
from compiler.model import LocalizedDocument


def _recorded_build(project: Path, monkeypatch: pytest.MonkeyPatch, **options: Any
                    ) -> tuple[list[tuple[str, ...]], list[tuple[list[Job], LocalizedDocument]]]:
    """Build with the runner's and localization's calls recorded (renders faked)."""
    events: list[tuple[str, ...]] = []
    added: list[tuple[list[Job], LocalizedDocument]] = []
    localize_checked = pipeline.localize_checked
    add = build_run.Runner.add

    def localizing(doc: Any, locale: str, *args: Any, **kwargs: Any) -> Any:
        events.append(("localize", locale))
        return localize_checked(doc, locale, *args, **kwargs)

    def adding(self: build_run.Runner, jobs: Any, ldoc: LocalizedDocument, *rest: Any) -> None:
        jobs = list(jobs)
        events.append(("add", ldoc.language.code, *sorted(j.fmt for j in jobs)))
        added.append((jobs, ldoc))
        add(self, jobs, ldoc, *rest)

    monkeypatch.setattr(pipeline, "localize_checked", localizing)
    monkeypatch.setattr(build_run.Runner, "add", adding)
    monkeypatch.setattr(build_run, "_render", lambda fmt, ldoc, ropts, seconds=0: f"{fmt}".encode())
    build([project / "source" / "retention-schedule.yaml"],
          BuildOptions(out=project / "dist", **options))
    return events, added


def test_each_locale_is_handed_to_the_runner_before_the_next_is_localized(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events, _ = _recorded_build(project, monkeypatch, jobs=1)
    assert events == [("localize", "de"), ("add", "de", "docx", "html", "pdf"),
                      ("localize", "en"), ("add", "en", "docx", "html", "pdf")]


def test_jobs_start_before_the_last_locale_is_added_and_go_longest_first(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, added = _recorded_build(project, monkeypatch, jobs=1)
    (first_jobs, first), (second_jobs, second) = added
    started, release = threading.Event(), threading.Event()
    rendered: list[tuple[str, str]] = []
    finished: list[Job] = []

    def render(fmt: str, ldoc: LocalizedDocument, ropts: Any, seconds: float = 0) -> bytes:
        rendered.append((ldoc.language.code, fmt))
        started.set()
        assert release.wait(10)
        return b""

    monkeypatch.setattr(build_run, "_render", render)
    with ThreadPoolExecutor(max_workers=1) as pool:
        runner = build_run.Runner(BuildOptions(out=project / "dist"),
                                  lambda job, data: finished.append(job), pool, workers=2)
        runner.add(first_jobs, first)
        assert started.wait(10), "the first locale's PDF did not start before close()"
        runner.add(second_jobs, second)
        release.set()
        runner.close()
    assert sorted(map(id, finished)) == sorted(map(id, first_jobs + second_jobs))
    # the first locale's three jobs were in the pool (one queued behind each of two
    # workers) before the second locale came; its jobs then went out longest first
    # (they were planned docx, html, pdf)
    assert [j.fmt for j in second_jobs] == ["docx", "html", "pdf"]
    assert rendered == [("de", "pdf"), ("de", "docx"), ("de", "html"), ("en", "pdf"),
                        ("en", "docx"), ("en", "html")]


def test_beside_a_single_pdf_worker_html_and_docx_are_rendered_here(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A catalog edit rebuilds one locale: its PDF in a worker, HTML and DOCX in this process
    (a second worker would import WeasyPrint for milliseconds of work)."""
    _, added = _recorded_build(project, monkeypatch, jobs=1, locales=("de",))
    [(jobs, ldoc)] = added
    assert build_run.workers_for(BuildOptions(jobs=2), jobs) == 1
    assert build_run.workers_for(BuildOptions(jobs=2), [j for j in jobs if j.fmt != "pdf"]) == 2
    assert build_run.workers_for(BuildOptions(jobs=1), jobs) == 0
    where: dict[str, str] = {}

    def render(fmt: str, ldoc: LocalizedDocument, ropts: Any, seconds: float = 0) -> bytes:
        where[fmt] = threading.current_thread().name
        return b""

    monkeypatch.setattr(build_run, "_render", render)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="worker") as pool:
        runner = build_run.Runner(BuildOptions(out=project / "dist"), lambda *_: None, pool,
                                  workers=1)
        runner.add(jobs, ldoc)
        runner.close()
    here = threading.current_thread().name
    assert where == {"pdf": "worker_0", "html": here, "docx": here}


def test_pdfs_laid_out_here_leave_the_libraries_out_of_the_collector(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without workers this process lays the PDFs out with WeasyPrint and everything made
    so far frozen (the collector's passes over them free nothing), and unfreezes after."""
    import gc
    import sys

    _, added = _recorded_build(project, monkeypatch, jobs=1, locales=("de",))
    [(jobs, ldoc)] = added
    frozen: dict[str, tuple[int, bool]] = {}

    def render(fmt: str, ldoc: LocalizedDocument, ropts: Any, seconds: float = 0) -> bytes:
        frozen[fmt] = (gc.get_freeze_count(), "weasyprint" in sys.modules)
        return b""

    monkeypatch.setattr(build_run, "_render", render)
    before = gc.get_freeze_count()
    runner = build_run.Runner(BuildOptions(out=project / "dist"), lambda *_: None)
    runner.add(jobs, ldoc)
    runner.close()
    assert set(frozen) == {"pdf", "html", "docx"}
    assert all(count > before and imported for count, imported in frozen.values())
    assert gc.get_freeze_count() == before  # back to the collector

    frozen.clear()  # no PDF here: nothing frozen
    runner = build_run.Runner(BuildOptions(out=project / "dist"), lambda *_: None)
    runner.add([j for j in jobs if j.fmt != "pdf"], ldoc)
    runner.close()
    assert set(frozen) == {"html", "docx"} and all(c == before for c, _ in frozen.values())


def test_pool_workers_collect_the_youngest_generation_less_often() -> None:
    """A forked pool's workers lay PDFs out with pdf.GC_THRESHOLD; this process keeps its
    own thresholds (a --jobs 1 build holds a whole corpus: it peaked higher with them)."""
    import gc

    from compiler.renderers import pdf

    before = gc.get_threshold()
    pool = build_run._process_pool(2, frozenset({"pdf"}))
    try:
        seen = {pool.submit(gc.get_threshold).result(timeout=60) for _ in range(4)}
    finally:
        pool.shutdown()
    assert seen == {(pdf.GC_THRESHOLD, *before[1:])}
    assert gc.get_threshold() == before
