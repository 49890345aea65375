"""`policyc build` whose command line is only sources, --out, -q and --[no-]keep-warm[-minutes],
run before click is imported (click's import is ~19 ms of a ~80 ms no-op build, and of the
start of a --keep-warm rebuild before its PDF goes to the warm worker; issue #18).

The same build, through the same code: compiler/cli/settings.py makes the options (as
cli/build.py does from click's parsed values, with click's defaults) and runs the build
with the progress display; the Report decides the exit code. Any other option, one of the
POLICYC_* variables the build command reads, or a project config that sets anything but
`out` goes through click. tests/test_cli_quick.py checks that both paths
hand the pipeline equal options.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

_QUIET = ("-q", "--quiet")
_VALUED = ("--out", "--keep-warm-minutes")
# The variables click's `policyc build` reads (tests/test_cli_quick.py checks this list
# against the command's options): with one of them set, click's path applies it.
READ_BY_BUILD = frozenset({
    "POLICYC_BASE_URL", "POLICYC_DOCX_PROTECT", "POLICYC_FORMATS", "POLICYC_JOBS",
    "POLICYC_KEEP_WARM", "POLICYC_LOCALES", "POLICYC_LOCALES_DIR", "POLICYC_OUT",
    "POLICYC_PAGE_SIZE", "POLICYC_PDF_VARIANT", "POLICYC_REFERENCE_DOCX",
    "POLICYC_RENDER_TIME_LIMIT", "POLICYC_STRICT", "POLICYC_TSA_URL"})


class Line(NamedTuple):
    """A command line this module takes."""

    quiet: bool
    sources: list[str]
    out: str | None
    keep_warm: float  # idle minutes of the warm worker (0: none), as cli/build.py makes them
    later: bool  # they are the terminal's default (build/warm/later.py)


def parse(args: list[str]) -> Line | None:
    """The command line `[-q] build [SOURCE...] [--out DIR] [--[no-]keep-warm]
    [--keep-warm-minutes MINUTES]`, else None (click's to parse and report)."""
    quiet = False
    while args and args[0] in _QUIET:
        quiet, args = True, args[1:]
    if args[:1] != ["build"]:
        return None
    sources: list[str] = []
    values: dict[str, str] = {}
    flag: bool | None = None  # --keep-warm / --no-keep-warm (the last one given), or neither
    rest = args[1:]
    while rest:
        arg, rest = rest[0], rest[1:]
        name, _, value = arg.partition("=")
        if name in _VALUED and name not in values:
            if not value and arg == name and rest and not rest[0].startswith("-"):
                value, rest = rest[0], rest[1:]
            if not value:
                return None
            values[name] = value
        elif arg in ("--keep-warm", "--no-keep-warm"):
            flag = arg == "--keep-warm"
        elif arg.startswith("-") or not arg:
            return None  # another option (or "-", "--"): click's to parse
        else:
            sources.append(arg)
    if not READ_BY_BUILD.isdisjoint(os.environ):
        return None
    minutes = _minutes(values.get("--keep-warm-minutes"))
    if minutes is None:
        return None
    import sys

    from compiler.build.warm import DEFAULT_MINUTES, by_default

    if "--keep-warm-minutes" in values:
        return Line(quiet, sources, values.get("--out"), 0.0 if flag is False else minutes, False)
    if flag is None and by_default(os.environ, sys.stderr):
        return Line(quiet, sources, values.get("--out"), DEFAULT_MINUTES, True)
    return Line(quiet, sources, values.get("--out"), DEFAULT_MINUTES if flag else 0.0, False)


def _minutes(value: str | None) -> float | None:
    """--keep-warm-minutes as click's FloatRange(0, 1440) takes it (None: not so)."""
    if value is None:
        return 0.0
    try:
        minutes = float(value)
    except ValueError:
        return None
    return minutes if 0 <= minutes <= 1440 else None


def build(args: list[str]) -> bool:
    """Run the build if its command line is one this module takes (True), else False."""
    line = parse(args)
    if line is None:
        return False
    from compiler import logs
    from compiler.cli.report import Report, reported, started
    from compiler.cli.settings import project_defaults

    defaults = (project_defaults("build") or {}).get("build", {})
    if set(defaults) - {"out"}:
        return False  # the project's config sets options: click applies them
    started()
    logs.configure(logs.ERROR if line.quiet else logs.WARNING, now=False)

    @reported
    def run(report: Report) -> None:
        from compiler.cli.settings import build_options, run_build
        from compiler.renderers import FORMATS

        out = Path(line.out) if line.out is not None else Path(defaults.get("out", "dist"))
        run_build(tuple(Path(s) for s in line.sources),
                  build_options(out, FORMATS, (), warm=(line.keep_warm, line.later)),
                  memo_args=args)

    run()
    return True
