"""Build progress: a rich progress bar on a terminal, plain log lines in CI, a summary table."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from compiler.summary import summary_line, unlisted_line

if TYPE_CHECKING:
    from compiler.build.pipeline import BuildResult


class Reporter:
    """Shows the job in hand; prints to stderr so stdout stays clean for pipes."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.tty = sys.stderr.isatty()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Reporter:
        return self

    def _start(self) -> None:
        """The bar, from the first output done: rich's import (~35 ms) then overlaps the
        renders still running elsewhere (a catalog edit's PDF in the warm worker) instead of
        delaying the build's start (issue #18)."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(TextColumn("[bold]building[/]"), BarColumn(),
                                  MofNCompleteColumn(), TextColumn("{task.description}"),
                                  console=Console(stderr=True), transient=True)
        self._progress.__enter__()
        self._task = self._progress.add_task("", total=None)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)
            self._progress = None

    def advance(self, job: str, done: int, total: int) -> None:
        if self._progress is None and self.tty and not self.quiet:
            self._start()
        if self._progress is not None:
            self._progress.update(self._task, description=job, completed=done, total=total)
        elif not self.quiet:
            print(f"policyc: [{done}/{total}] {job}", file=sys.stderr)

    def summary(self, result: BuildResult) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)
            self._progress = None
        for w in result.warnings:
            print(str(w), file=sys.stderr)
        if self.quiet:
            return
        for line in result.removed:
            print(f"policyc: {line}", file=sys.stderr)
        if result.unlisted:
            print(unlisted_line(result.unlisted), file=sys.stderr)
        rows: dict[tuple[str, str], list[int]] = {}
        for o in result.outputs:
            counts = rows.setdefault((o.document, o.locale), [0, 0])
            counts[0 if o.built else 1] += 1
        if self.tty:
            from rich.console import Console
            from rich.table import Table

            table = Table(title=None, box=None, show_edge=False)
            for col in ("document", "locale", "built", "skipped", "complete"):
                table.add_column(col, justify="right" if col != "document" else "left")
            for (doc, loc), (built, skipped) in sorted(rows.items()):
                pct = result.completeness.get(doc, {}).get(loc, {}).get("percent", 100.0)
                table.add_row(doc, loc, str(built), str(skipped), f"{pct:.1f}%")
            Console(stderr=True).print(table)
        print(summary_line(len(result.outputs), result.built, len(result.warnings),
                           len(result.removed), result.seconds), file=sys.stderr)
        if result.warm:
            print(f"policyc: {result.warm}", file=sys.stderr)
