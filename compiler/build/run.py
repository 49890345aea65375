"""The worker pool: renders planned jobs, in processes when there are several workers.

Kept apart from planning and state (as Black keeps its pool and cache apart): it takes
jobs with their localized documents and hands each result's bytes to `finish`, in the
calling process, which alone writes files and records state.

Throughput (issue #18, measured by benchmarks/bench.py): the pool is started as soon as
the stale jobs are known, before the parent localizes, so the workers' import (one for
all of them: compiler/build/forked.py) overlaps the parent's work; each locale's jobs go
to the workers as soon as it is localized (Runner.add), so rendering overlaps
localization too; ready jobs go out longest
first (PDFs by text size and language), so no worker is left with a long PDF at the end
while the other idles.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from compiler import termination
from compiler.build.deadline import RenderTimedOut, overrun, time_limit
from compiler.build.plan import BuildOptions, Job
from compiler.renderers import get_renderer

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    from compiler.build.localizing import Inputs
    from compiler.errors import Diagnostic
    from compiler.model import Document, LocalizedDocument
    from compiler.renderers.options import RenderOptions

# Relative cost of one output by format (PDF layout dominates; measured on the shipped policy).
_FORMAT_COST = {"pdf": 20.0, "docx": 1.5, "html": 1.0}
# PDFs that take longer for the same text (CPU time measured on the shipped policy):
# Japanese and Arabic 1.2-1.25x the Latin-script ones (larger fonts to subset, shaping);
# German loads the largest hyphenation patterns (~0.1 s from the cache, 0.5 s without).
_LANGUAGE_COST = {"ja": 1.25, "zh": 1.25, "ko": 1.25, "ar": 1.2, "he": 1.2, "fa": 1.2,
                  "de": 1.15}


def _warm_worker(formats: frozenset[str]) -> None:
    """Import the libraries of `formats` while the parent localizes: once for a whole
    forked pool (in its first worker, before it forks the others; python-docx is left to
    the worker that renders the first DOCX there when there are PDFs), once per worker of
    a fork server's.

    No warm-up layout (it used to lay out a one-line page to set up fontconfig and Pango):
    it saved ~25 ms of the first PDF, but a long document laid out after it peaked ~130 MB
    higher (540 MB instead of ~410 MB for the 129-page benchmark document, issue #18).
    """
    if "docx" in formats:
        import docx  # noqa: F401
    if "pdf" in formats:
        from compiler.renderers import pdf  # noqa: F401  # WeasyPrint (renderers/libraries.py)


def _worker_start(formats: frozenset[str]) -> None:
    """A pool worker's imports, and the collector's thresholds for laying PDFs out
    (pdf.collect_less). Not for a --jobs 1 build's own process: holding every localized
    document of a corpus, it peaked 40-70 MB higher with them (10 documents x 7 locales:
    304 against 232 MB; with the 149-page one after them 368 against 327 MB)."""
    _warm_worker(formats)
    if "pdf" in formats:
        from compiler.renderers import pdf

        pdf.collect_less()


@contextlib.contextmanager
def _libraries_frozen(formats: frozenset[str]) -> Iterator[None]:
    """PDFs laid out in this process: its libraries (and everything made so far) are left
    out of the collector's passes while it renders, as a forked worker's are
    (compiler/build/forked.py); each pass over them freed nothing. A --jobs 1 build of the
    shipped policy: 4.93 s instead of 5.18 s, 0.23 s less CPU (issue #18, 5 interleaved
    runs). They go back to the collector afterwards, unless something was frozen before
    (the console script's start-up, frozen again at its exit): a long-lived caller
    (policyc serve, tests) frees what they leave behind later."""
    if "pdf" not in formats:
        yield
        return
    import gc

    thawed = gc.get_freeze_count() == 0  # not the console script's frozen start-up
    _warm_worker(formats)
    gc.freeze()
    try:
        yield
    finally:
        if thawed:
            gc.unfreeze()


@termination.may_swallow  # WeasyPrint's SVG drawing swallows even a SIGTERM's raise
def _render(fmt: str, ldoc: LocalizedDocument, ropts: RenderOptions,
            seconds: float = 0.0) -> bytes:
    """One output's bytes, in the process that renders it (a worker, or the build's own),
    stopped with RenderTimedOut past `seconds` (0: no limit; build/deadline.py)."""
    with time_limit(seconds):
        return get_renderer(fmt)(ldoc, ropts)


def workers_for(options: BuildOptions, work: Sequence[Job]) -> int:
    """How many worker processes render `work`; 0: this process renders it all.

    One per job up to --jobs; but a single PDF gets one worker, and this process renders
    the few HTML and DOCX beside it: they take milliseconds, and a second worker
    (importing WeasyPrint while the first does) would cost more than it saves (a catalog
    edit's rebuild: one locale's PDF, HTML and DOCX)."""
    if options.jobs < 2 or len(work) < 2:
        return 0
    pdfs = [j for j in work if j.fmt == "pdf"]
    rest = sum(cost(j, None) for j in work if j.fmt != "pdf")
    return 1 if len(pdfs) == 1 and rest < cost(pdfs[0], None) else min(options.jobs, len(work))


def start_pool(options: BuildOptions, work: Sequence[Job], cleanup: contextlib.ExitStack,
               warnings: list[Diagnostic] | None = None) -> tuple[Executor | None, int]:
    """A warm pool for `work` if it needs one, shut down when `cleanup` closes, and the
    number of workers it stands for (see workers_for).

    With --keep-warm (options.keep_warm minutes) the PDFs go to the project's warm worker
    (compiler/build/warm/), kept between builds: a catalog edit's PDF then starts at once.
    """
    workers = workers_for(options, work)
    if options.keep_warm > 0 and any(j.fmt == "pdf" for j in work):
        warm = _warm_executor(options, work, workers, warnings)
        if warm is not None:
            cleanup.callback(warm.shutdown, cancel_futures=True)
            return warm, max(workers, 1)
    if workers == 0:
        return None, 0
    pool = _process_pool(workers, frozenset(j.fmt for j in work if j.fmt not in _here(workers)))
    cleanup.callback(pool.shutdown, cancel_futures=True)
    return pool, workers


def _process_pool(workers: int, formats: frozenset[str], fork: bool = True) -> Executor:
    """Workers that start at once, importing the libraries of `formats`: forked from this
    process, one import shared by all (compiler/build/forked.py); fork=False: from a fork
    server, for a pool started while other threads run (a thread holding a lock at fork
    time leaves it locked in the child)."""
    if fork:
        from compiler.build.forked import ForkedPool

        # python-docx (~60 ms) is left to the worker that renders the first DOCX: beside
        # PDFs the shared import delays every worker's first PDF
        shared = formats - {"docx"} if "pdf" in formats else formats
        return ForkedPool(workers, lambda: _worker_start(shared))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, initializer=_worker_start,
                               initargs=(formats,),
                               mp_context=multiprocessing.get_context("forkserver"))


def _warm_executor(options: BuildOptions, work: Sequence[Job], workers: int,
                   warnings: list[Diagnostic] | None) -> Executor | None:
    """The warm worker (one of `workers`: the others an ordinary pool beside it)."""
    from compiler.build.warm.client import connect
    from compiler.build.warm.later import token as warm_token
    from compiler.project.layout import cache_dir, project_of

    cache = cache_dir(work[0].source)
    if cache is None:  # refused (a symlink, another user's): layout's warning says why
        _warn(warnings, "no usable cache folder for the warm worker; building without it")
        return None
    token = warm_token(options)
    formats = frozenset(j.fmt for j in work if j.fmt not in _here(max(workers, 1)))
    beside: list[Executor] = []

    def fork_beside() -> None:  # once the folder is usable, before the executor's thread
        if workers > 1:
            beside.append(_process_pool(workers - 1, formats))

    warm, why = connect(cache, options.keep_warm, token,
                        lambda: _process_pool(1, formats, fork=False), project_of(work[0].source),
                        fork_beside)
    if why:
        _warn(warnings, why)
    if warm is None or not beside:
        for pool in beside:  # not waiting for its import: start_pool forks the whole pool
            pool.shutdown(cancel_futures=True)
        return warm
    pool = beside[0]
    from compiler.build.warm.shared import Shared

    return Shared(warm, pool)


def head_start(pool: Executor | None, work: Sequence[Job], options: BuildOptions
               ) -> dict[Job, tuple[Future[bytes], Inputs]]:
    """The first PDF of `work` sent to the warm worker as a recipe, before this process
    localizes (compiler/build/warm/recipe.py), with the inputs it is made from; {} when
    there is no warm worker, or no PDF it could follow a recipe of. A signing build that
    refuses incomplete locales sends none (it may withdraw the PDF)."""
    if options.keep_warm <= 0 or pool is None:
        return {}
    from compiler.build.warm.client import LONG_UNITS, WarmExecutor
    from compiler.build.warm.recipe import recipe_for
    from compiler.build.warm.shared import Shared

    if not isinstance(pool, WarmExecutor | Shared) or (
            options.signer is not None and not options.allow_incomplete):
        return {}
    job = next((j for j in work if j.fmt == "pdf"), None)
    recipe = recipe_for(job, options, LONG_UNITS) if job is not None else None
    if job is None or recipe is None:
        return {}
    # without the language switcher's names: the worker adds them (Babel, the model)
    return {job: (pool.head_start(job.fmt, recipe, job.render_options(options, named=False),
                                  options.render_time_limit), recipe.inputs)}


def _warn(warnings: list[Diagnostic] | None, why: str) -> None:
    if warnings is not None:
        from compiler.errors import Category, Diagnostic, Loc, Severity

        warnings.append(Diagnostic(Loc("--keep-warm"), why, Severity.WARNING, Category.IO))


def _here(workers: int) -> frozenset[str]:
    """The formats this process renders itself beside a pool of `workers`."""
    return frozenset({"html", "docx"}) if workers == 1 else frozenset()


def cost(job: Job, doc: Document | None) -> float:
    """An estimate of a job's render time, for longest-first scheduling."""
    size = 1.0
    if doc is not None:
        size = max(1.0, sum(1 + len(s.blocks) for s in doc.walk_sections()) / 50)
    extra = _LANGUAGE_COST.get(job.locale.split("_")[0], 1.0) if job.fmt == "pdf" else 1.0
    return _FORMAT_COST.get(job.fmt, 1.0) * extra * size


class Runner:
    """Renders jobs as their locale becomes ready; `finish` gets each job's bytes in turn.

    The parent hands over each document x locale's jobs as soon as it is localized
    (`add`), so the workers render the first locales while the parent localizes the next;
    `close` renders the rest and returns when every job is finished. Ready jobs wait here,
    not in the pool, and go out longest first, only a few ahead of the workers: when the
    last locale is ready the short jobs are still here to fill in at the end.

    Without a pool, jobs are rendered in this process by `close`, longest first; so are
    the HTML and DOCX beside a pool of one worker (see workers_for). A job given a head
    start (`head`: its render already running, from a recipe) is waited for once its
    locale is added, if it was made from the inputs the locale was localized from, and
    submitted as any other if not (a file saved meanwhile) or if the head start failed;
    one whose locale never comes (its localization failed) is never finished.
    A failure in any job propagates (the caller's clean-up shuts the pool down); outputs
    already finished stay written (each atomically), the failed one leaves nothing behind.
    A render stopped at the time limit (options.render_time_limit) fails its own job only:
    its located error goes to `overran` (without it, it propagates too) and the others are
    rendered.
    """

    def __init__(self, options: BuildOptions, finish: Callable[[Job, bytes], None],
                 pool: Executor | None = None, workers: int = 0,
                 head: dict[Job, tuple[Future[bytes], Inputs]] | None = None,
                 idle: Callable[[], None] | None = None,
                 overran: list[Diagnostic] | None = None) -> None:
        self.options = options
        self.finish = finish
        self.overran = overran
        self.pool = pool
        self.workers = workers
        self.idle = idle  # run once a worker has nothing left to do (see _last_round)
        self.retired = False
        # jobs in the pool at once: one queued behind each worker; a pool that ranks what
        # waits in it (ForkedPool.submit_ranked) gets a few more, so a worker that is ready
        # before the parent has handed over more than the first locale still takes a PDF
        self.ranked = getattr(pool, "submit_ranked", None)
        self.ahead = workers + 1 if self.ranked is None else 2 * workers + 2
        self.here = _here(workers)  # formats rendered in this process beside the pool
        self.ready: list[tuple[float, str, str, str, str, int, Job, LocalizedDocument]] = []
        self.local: list[tuple[float, str, str, str, str, int, Job, LocalizedDocument]] = []
        self.running: dict[Future[bytes], Job] = {}
        self.added = itertools.count()  # ties never compare jobs
        self.head = dict(head or {})  # head starts whose locale is not added yet
        self.started: dict[Future[bytes], LocalizedDocument] = {}  # ... added: running

    def add(self, jobs: Iterable[Job], ldoc: LocalizedDocument,
            made_from: Inputs | None = None) -> None:
        """Jobs of one localized document (the same ldoc, made from `made_from`); rendering
        may start at once."""
        for job in jobs:
            future, inputs = self.head.pop(job, (None, None))
            if future is not None and inputs == made_from:
                self.running[future] = job
                self.started[future] = ldoc
                continue
            if future is not None:  # its render goes on, unused
                from compiler import logs

                logs.logger(__name__).info("%s: not using the warm worker's head start (a "
                                           "file changed after it read it)", job.target)
            self._push(self.local if self.pool is None or job.fmt in self.here
                       else self.ready, job, ldoc)
        if self.pool is not None:
            self._collect(block=False)
            self._submit()

    def _push(self, heap: list[tuple[float, str, str, str, str, int, Job, LocalizedDocument]],
              job: Job, ldoc: LocalizedDocument) -> None:
        heapq.heappush(heap, (-cost(job, ldoc.document), job.facts.id, job.locale, job.fmt,
                              str(job.target), next(self.added), job, ldoc))

    def close(self) -> None:
        """Render every job added and not yet finished."""
        with _libraries_frozen(frozenset(entry[-2].fmt for entry in self.local)):
            while self.local:  # while the workers render theirs
                *_, job, ldoc = heapq.heappop(self.local)
                try:
                    data = _render(job.fmt, ldoc, job.render_options(self.options),
                                   self.options.render_time_limit)
                except RenderTimedOut as err:
                    self._overran(job, err)
                    continue
                finally:  # a SIGTERM the render swallowed: nothing of it written
                    termination.check()
                self.finish(job, data)
        while self.ready or self.running:
            self._submit()
            if not self.ready:
                self._last_round(worker_free=len(self.running) < self.workers)
            self._collect(block=True)

    def _last_round(self, worker_free: bool) -> None:
        """Every job is out: this process, about to wait, does what the build's end needs
        (`idle`, once) meanwhile, on the core a worker that has nothing left leaves free, or
        its own beside a warm worker (a catalog edit's PDF: ~30 ms off its path); and once a
        worker has nothing left it may end now (its memory freed while the others render
        their last)."""
        # not while a head start is out: a failed one comes back as a job to submit
        if worker_free and not self.retired and not self.started:
            self.retired = True
            retire = getattr(self.pool, "retire_when_idle", None)
            if retire is not None:
                retire()
        if self.idle is not None:
            idle, self.idle = self.idle, None
            idle()

    def _submit(self) -> None:
        while self.pool is not None and self.ready and len(self.running) < self.ahead:
            rank, *_, job, ldoc = heapq.heappop(self.ready)
            ropts = job.render_options(self.options)
            seconds = self.options.render_time_limit
            future = (self.ranked(rank, _render, job.fmt, ldoc, ropts, seconds)
                      if self.ranked is not None
                      else self.pool.submit(_render, job.fmt, ldoc, ropts, seconds))
            self.running[future] = job

    def _collect(self, block: bool) -> None:
        if not self.running:
            return
        from concurrent.futures import FIRST_COMPLETED, wait  # not for a no-op build

        done, _ = wait(self.running, timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for future in [f for f in self.running if f in done]:  # in the order submitted
            termination.check()  # (the workers ignore SIGTERM: the parent's to handle)
            job = self.running.pop(future)
            ldoc = self.started.pop(future, None)
            error = future.exception()
            if isinstance(error, RenderTimedOut):
                self._overran(job, error)
                continue
            if ldoc is not None and error is not None:  # a failed head start
                self._push(self.ready, job, ldoc)
                continue
            self.finish(job, future.result())

    def _overran(self, job: Job, err: RenderTimedOut) -> None:
        if self.overran is None:
            raise err
        self.overran.append(overrun(job.source, f"{job.facts.id} {job.locale} {job.fmt}",
                                    err.seconds))
