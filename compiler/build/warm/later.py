"""The default at a terminal: a worker kept warm for the next build, started after this one.

A build run at a terminal (cli: warm.by_default) uses the project's warm worker when one
of this very policyc answers, as `--keep-warm` does: a catalog edit's PDF then starts at
once. When none answers, the build renders with its ordinary forked workers (a worker
spawned now would import WeasyPrint anew beside them: 0.2-0.5 s slower), and once it is
done it starts one without waiting for it (start.start_later). The worker lays out a page
of each locale this build rendered while the user reads and edits (~0.4 s of imports,
~0.1 s a locale), and waits DEFAULT_MINUTES for the next build.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.build.plan import BuildOptions, Job

MAX_LOCALES = 12  # locales laid out at the start (each ~0.1 s of the worker's CPU)

# What the build summary says when it started one (once, not on every build)
STARTED = ("a render worker stays warm for {minutes:g} idle minutes so the next build "
           "starts its PDFs at once (`policyc warm stop` ends it; --no-keep-warm or "
           "POLICYC_KEEP_WARM=0 builds without one)")


class Later:
    """The worker a build starts once it is done (pipeline.build: after its output folder's
    lock is released, also when some locales failed: the user fixes them and builds again)."""

    def __init__(self) -> None:
        self.start: Callable[[], str | None] | None = None
        self.result: Any = None  # the build's BuildResult: its .warm gets the summary's line

    def choose(self, options: BuildOptions, work: Sequence[Job]) -> BuildOptions:
        """The options to build `work` with (see choose)."""
        if options.warm_later and options.keep_warm > 0 and any(j.fmt == "pdf" for j in work):
            options, self.start = choose(options, work)
        return options

    def __enter__(self) -> Later:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        from compiler.errors import CompilerError

        if self.start is not None and (kind is None or issubclass(kind, CompilerError)):
            said = self.start()
            if self.result is not None:
                self.result.warm = said


def choose(options: BuildOptions, work: Sequence[Job]
           ) -> tuple[BuildOptions, Callable[[], str | None] | None]:
    """The options this build runs with, and what starts a worker after it (None: nothing
    to start). work: the jobs to render; only called when PDFs are among them."""
    from compiler.build.warm.client import running
    from compiler.project.layout import cache_dir

    cache = cache_dir(work[0].source)
    if cache is None:
        return dataclasses.replace(options, keep_warm=0.0, warm_later=False), None
    if running(cache):
        return dataclasses.replace(options, warm_later=False), None
    plain = dataclasses.replace(options, keep_warm=0.0, warm_later=False)

    def start() -> str | None:
        """Start the worker; the summary's line about it, or None (the log says why not)."""
        from compiler import logs
        from compiler.build.warm.start import start_later

        root, warm_ups = _warm_ups(options, work)
        if root is None:
            return None
        why = start_later(cache, options.keep_warm, root, token(options), warm_ups)
        if why is not None:
            logs.logger(__name__).info("no warm worker started: %s", why)
            return None
        return STARTED.format(minutes=options.keep_warm)

    return plain, start


def token(options: BuildOptions) -> str:
    """The templates and brand a worker renders with (it reads them again when it changes)."""
    return hashlib.sha256(repr((options.templates.digests(), options.theme.key()))
                          .encode()).hexdigest()


def _warm_ups(options: BuildOptions, work: Sequence[Job]
              ) -> tuple[Path | None, list[tuple[object, object]]]:
    """The project the worker may read, and a recipe of one PDF per locale of `work` (the
    first document's), as the build planned them."""
    from compiler.build.warm.client import LONG_UNITS
    from compiler.build.warm.recipe import recipe_for
    from compiler.project.layout import project_of

    root = project_of(work[0].source)
    warm_ups: list[tuple[object, object]] = []
    seen: set[str] = set()
    for job in work:
        if job.fmt != "pdf" or job.locale in seen or len(seen) >= MAX_LOCALES:
            continue
        if root is None or project_of(job.source) != root:
            continue
        recipe = recipe_for(job, options, LONG_UNITS)
        if recipe is not None:
            seen.add(job.locale)
            warm_ups.append((recipe, job.render_options(options, named=False)))
    return root, warm_ups
