"""`policyc build` whose command line is only sources, --out and -q, run before click is
imported (click's import is ~19 ms of a ~80 ms no-op build, issue #18).

The same build, through the same code: compiler/cli/settings.py makes the options (as
cli/build.py does from click's parsed values, with click's defaults) and runs the build
with the progress display; the Report decides the exit code. Any other option, a
POLICYC_* variable (the build's options read several) or a project config that sets
anything but `out` goes through click. tests/test_cli_quick.py checks that both paths
hand the pipeline equal options.
"""

from __future__ import annotations

import os
from pathlib import Path

_QUIET = ("-q", "--quiet")
_HARMLESS_ENV = ("POLICYC_CACHE_DIR",)  # read by the build itself, not by click


def parse(args: list[str]) -> tuple[bool, list[str], str | None] | None:
    """(quiet, sources, --out) for `[-q] build [SOURCE...] [--out DIR]`, else None."""
    quiet = False
    while args and args[0] in _QUIET:
        quiet, args = True, args[1:]
    if args[:1] != ["build"]:
        return None
    sources: list[str] = []
    out: str | None = None
    rest = args[1:]
    while rest:
        arg, rest = rest[0], rest[1:]
        if arg == "--out" and rest and out is None and not rest[0].startswith("-"):
            out, rest = rest[0], rest[1:]
        elif arg.startswith("--out=") and out is None and len(arg) > len("--out="):
            out = arg[len("--out="):]
        elif arg.startswith("-") or not arg:
            return None  # another option (or "-", "--"): click's to parse
        else:
            sources.append(arg)
    if any(k.startswith("POLICYC_") and k not in _HARMLESS_ENV for k in os.environ):
        return None
    return quiet, sources, out


def build(args: list[str]) -> bool:
    """Run the build if its command line is one this module takes (True), else False."""
    parsed = parse(args)
    if parsed is None:
        return False
    quiet, sources, out = parsed
    from compiler import logs
    from compiler.cli.report import Report, reported, started
    from compiler.cli.settings import project_defaults

    defaults = (project_defaults("build") or {}).get("build", {})
    if set(defaults) - {"out"}:
        return False  # the project's config sets options: click applies them
    started()
    logs.configure(logs.ERROR if quiet else logs.WARNING, now=False)

    @reported
    def run(report: Report) -> None:
        from compiler.cli.settings import build_options, run_build
        from compiler.renderers import FORMATS

        target = Path(out) if out is not None else Path(defaults.get("out", "dist"))
        run_build(tuple(Path(s) for s in sources), build_options(target, FORMATS, ()))

    run()
    return True
