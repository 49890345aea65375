"""Console entry point (`policyc`, `python -m compiler`): part of the command line layer.

It exists so that `policyc check` on unchanged sources can answer before click is imported;
everything else is handed to compiler.cli.
"""

from __future__ import annotations

import gc
import sys

TYPE_CHECKING = False  # typing's import (~2.5 ms) before the up-to-date replay: after it
if TYPE_CHECKING:
    from compiler.model import Variable


def run() -> None:
    """The console script. The process ends without the interpreter's teardown
    (compiler.cli.report.leave): freeing every object one by one took 0.2-0.4 s after a
    build that laid PDFs out in this process, 40-90 ms after a catalog edit's (issue #18).
    Where leave falls back to the ordinary exit (another thread still running),
    gc.freeze() at least spares the collector's walk over every object the process made
    (~22M instructions, 5 % of a no-op build). Python does not promise to finalize objects
    still alive at exit, so nothing may depend on it: policyc closes its files in
    with-blocks and its workers through atexit (which runs before).
    """
    gc.disable()  # until the command starts: compiler.cli.report.started
    if "build" in sys.argv[1:]:  # (other commands do not import the answer)
        from compiler.uptodate.replay import answer

        answer(sys.argv[1:])  # an up-to-date build answered from its memo (ends the process)
    from compiler.cli.report import leave

    code: object = 0
    try:
        _run()
    except SystemExit as done:
        code = done.code
    finally:
        gc.freeze()
    leave(code)


def _run() -> None:
    """`policyc check [SOURCE...] [--strict]` answers before click loads.

    Validating an unchanged source is a cache lookup, so click's import would dominate.
    Every other command line, --help included, goes through click.
    """
    from pathlib import Path

    args = sys.argv[1:]
    if args[:1] == ["check"] and all(a == "--strict" or not a.startswith("-") for a in args[1:]):
        from compiler.cli.report import Report, plural, reported, started
        from compiler.errors import Diagnostic
        from compiler.project.sources import check_sources

        started()

        @reported
        def check(report: Report) -> None:
            from compiler.project.layout import find_layout

            layout = find_layout()
            named = [a for a in args[1:] if a != "--strict"]
            if not named and layout.root != Path.cwd().resolve():
                named = [str(layout.sources)]
            warnings: list[Diagnostic] = []
            shared: tuple[Variable, ...] = ()
            if layout.config:  # only a project config costs its import
                from compiler.project.config import load

                shared = load(layout).variables
            count = check_sources(named, "--strict" in args, warnings, shared)
            report.add(warnings)
            print(f"policyc: {plural(count, 'source')} OK", file=sys.stderr)

        check()
        return
    try:
        from compiler.cli.quick import build

        if build(args):  # `policyc [-q] build [SOURCE...] [--out DIR]`: no click
            return
        from compiler.cli import main

        main(prog_name="policyc")  # the same name (help, completion) however started
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as err:  # the guard outside any command: click itself, imports, config
        from compiler.cli.report import internal_error

        internal_error(err)


if __name__ == "__main__":
    run()
