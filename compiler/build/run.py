"""The worker pool: renders planned jobs, in processes when there are several workers.

Kept apart from planning and state (as Black keeps its pool and cache apart): it takes
jobs with their localized documents and hands each result's bytes to `finish`, in the
calling process, which alone writes files and records state.

Throughput (issue #18, measured by benchmarks/bench.py): the pool is started as soon as
the stale jobs are known, before the parent localizes, so the workers' imports and font
set-up overlap the parent's work; jobs go out longest first (PDFs by text size, a language
whose hyphenation dictionary must load counting extra), so no worker is left with a long
PDF at the end while the other idles.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING

from compiler.build.plan import BuildOptions, Job
from compiler.model import LocalizedDocument
from compiler.renderers import RenderOptions, get_renderer

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Relative cost of one output by format (PDF layout dominates; measured on the shipped policy).
_FORMAT_COST = {"pdf": 20.0, "docx": 1.5, "html": 1.0}
# Languages whose print CSS hyphenates: their first PDF in a worker loads a dictionary.
_HYPHENATED = ("de", "fr", "es", "pt", "it", "nl", "en")


def _warm_worker() -> None:
    """Import the heavy libraries and set up fonts once per worker process, not once per job."""
    import docx  # noqa: F401
    import weasyprint

    # Fontconfig and Pango load their configuration on the first layout: pay it here,
    # while the parent is still localizing, not in the first job.
    weasyprint.HTML(string="<p>policyc</p>").render()


def _noop() -> None:
    """A task that makes the pool start a worker now (workers start on demand)."""


def _render(fmt: str, ldoc: LocalizedDocument, ropts: RenderOptions) -> bytes:
    return get_renderer(fmt)(ldoc, ropts)


def start_pool(options: BuildOptions, work: Sequence[Job],
               cleanup: contextlib.ExitStack) -> ProcessPoolExecutor | None:
    """A warm pool for `work` if it needs one, shut down when `cleanup` closes."""
    workers = min(options.jobs, len(work))
    if workers < 2:
        return None
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_warm_worker)
    cleanup.callback(pool.shutdown, cancel_futures=True)
    for _ in range(workers):
        pool.submit(_noop)
    return pool


def cost(job: Job, ldoc: LocalizedDocument | None) -> float:
    """An estimate of a job's render time, for longest-first scheduling."""
    size = 1.0
    if ldoc is not None:
        size = max(1.0, sum(1 + len(s.blocks) for s in ldoc.document.walk_sections()) / 50)
    extra = 1.2 if job.fmt == "pdf" and job.locale.split("_")[0] in _HYPHENATED else 1.0
    return _FORMAT_COST.get(job.fmt, 1.0) * extra * size


def order(work: Sequence[Job], localized: Mapping[tuple[str, str], LocalizedDocument]
          ) -> list[Job]:
    """Longest first; ties in a stable order (document, locale, format)."""
    return sorted(work, key=lambda j: (-cost(j, localized.get((j.facts.id, j.locale))),
                                       j.facts.id, j.locale, j.fmt))


def run(work: Sequence[Job], localized: Mapping[tuple[str, str], LocalizedDocument],
        options: BuildOptions, finish: Callable[[Job, bytes], None],
        pool: Executor | None = None) -> None:
    """Render every job, longest first; `finish` gets each job's bytes in turn.

    A failure in any job propagates (the caller's clean-up shuts the pool down); outputs
    already finished stay written (each atomically), the failed one leaves nothing behind.
    """
    ordered = order(work, localized)
    if pool is not None and len(ordered) > 1:
        from concurrent.futures import as_completed

        futures = {pool.submit(_render, j.fmt, localized[(j.facts.id, j.locale)],
                               j.render_options(options)): j for j in ordered}
        for future in as_completed(futures):
            finish(futures[future], future.result())
    else:
        for job in ordered:
            finish(job, _render(job.fmt, localized[(job.facts.id, job.locale)],
                                job.render_options(options)))
