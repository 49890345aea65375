"""The worker pool: renders planned jobs, in processes when there are several workers.

Kept apart from planning and state (as Black keeps its pool and cache apart): it takes
jobs with their localized documents and hands each result's bytes to `finish`, in the
calling process, which alone writes files and records state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from compiler.build.plan import BuildOptions, Job
from compiler.model import LocalizedDocument
from compiler.renderers import RenderOptions, get_renderer


def _warm_worker() -> None:
    """Import the heavy libraries once per worker process, not once per job."""
    import docx  # noqa: F401
    import weasyprint  # noqa: F401


def _render(fmt: str, ldoc: LocalizedDocument, ropts: RenderOptions) -> bytes:
    return get_renderer(fmt)(ldoc, ropts)


def run(work: Sequence[Job], localized: Mapping[tuple[str, str], LocalizedDocument],
        options: BuildOptions, finish: Callable[[Job, bytes], None]) -> None:
    """Render every job (PDFs first: the longest); `finish` gets each job's bytes in turn.

    A failure in any job propagates after the pool is shut down; outputs already finished
    stay written (each atomically), the failed one leaves nothing behind.
    """
    ordered = sorted(work, key=lambda j: (j.fmt != "pdf", j.facts.id, j.locale, j.fmt))
    if options.jobs > 1 and len(ordered) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(options.jobs, len(ordered)),
                                 initializer=_warm_worker) as pool:
            futures = {pool.submit(_render, j.fmt, localized[(j.facts.id, j.locale)],
                                   j.render_options(options)): j for j in ordered}
            for future in as_completed(futures):
                finish(futures[future], future.result())
    else:
        for job in ordered:
            finish(job, _render(job.fmt, localized[(job.facts.id, job.locale)],
                                job.render_options(options)))
