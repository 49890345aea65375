"""`policyc serve`: preview on localhost, rebuilding and reloading on save."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.build.warm import SESSION_MINUTES
from compiler.cli import options as opt
from compiler.cli.report import Report, reported

if TYPE_CHECKING:
    from compiler.build.warm.session import Session


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--locale", "locales", multiple=True, envvar="POLICYC_LOCALES",
              help="Locales to build (default: all listed).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              envvar="POLICYC_OUT", help="The folder to build into and serve ([build] out of "
              "policyc.toml, else dist/ beside source/).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to serve on, on localhost only (0: any free port; the URL is "
                   "printed).")
@click.option("--format", "formats", multiple=True,
              help="Formats to rebuild (default: html, and pdf previews in the background).")
@click.option("--warm/--no-warm", default=True, show_default=True, envvar="POLICYC_SERVE_WARM",
              help="Render the PDF previews in the project's warm worker (as `policyc build "
              f"--keep-warm` does; it waits {SESSION_MINUTES:g} idle minutes), stopped when "
              "serve exits unless it was running before. POLICYC_SERVE_WARM=0 is --no-warm.")
@reported
def serve(report: Report, sources: tuple[Path, ...], locales: tuple[str, ...], out: Path,
          port: int, formats: tuple[str, ...], warm: bool) -> None:
    """Preview OUT on localhost; rebuild and reload when a source, catalog or template is saved.

    One warm process: libraries, templates and unchanged sources and catalogs stay loaded.
    After a save the HTML of the pages open in a browser is rebuilt first and they reload;
    the other locales and the PDF previews follow in the background, their PDFs rendered
    by the project's warm worker (--no-warm: in the background build's own process).
    """
    import dataclasses

    from compiler.build.pipeline import build as run_build
    from compiler.build.plan import BuildOptions
    from compiler.errors import CompilerError
    from compiler.project.layout import locales_dir
    from compiler.project.sources import discover, read_facts
    from compiler.renderers.templates import Templates
    from compiler.serve import serve as run_server

    paths = discover(opt.default_sources(sources))
    config = opt.project()[1]
    wanted = opt.formats(formats, default=("html", "pdf"))
    options = BuildOptions(out=out, formats=wanted, locales=opt.split_locales(locales), jobs=1,
                           templates=Templates.for_project(opt.project()[0].templates),
                           theme=config.theme, variables=config.variables)
    pages = dataclasses.replace(options, formats=tuple(f for f in wanted if f == "html")
                                or wanted)

    def run(build_options: BuildOptions) -> list[str]:
        """One build reporting on its own (and to open pages); a mistake waits for the next
        save."""
        each = Report()
        try:
            result = run_build(list(paths), build_options)
            each.add(result.warnings)
            each.print()
            if result.built:
                click.echo(f"policyc: rebuilt {result.built} outputs in {result.seconds:.1f}s",
                           err=True)
            return []
        except CompilerError as err:
            each.add(err.diagnostics)
            for failure in err.failures:
                each.fail(failure)
            each.print()
            return [str(d) for d in err.diagnostics]

    def listed() -> set[str]:
        """Locales every document lists (a page's locale is built first only if all have it)."""
        try:
            sets = [set(read_facts(p, config.variables)[0].locales) for p in paths]
        except CompilerError:
            return set()
        return set.intersection(*sets) if sets else set()

    def rebuild(viewed: Sequence[str]) -> list[str]:
        """The pages in view first: their locales' HTML."""
        codes = {part for page in viewed for part in page.strip("/").split("/")[:1]}
        now = sorted(codes & listed() - {""})
        if options.locales:
            now = [c for c in now if c in options.locales]
        return run(dataclasses.replace(pages, locales=tuple(now)) if now else pages)

    session = _warm_session(paths) if warm and "pdf" in wanted else None
    command = _child_command(out, wanted, paths, options.locales, warm=session is not None)

    def background(cancelled: Callable[[], bool]) -> list[str]:
        return _child_build(command, cancelled)

    first = run(pages)
    watch = [*paths, *options.templates.roots, *{locales_dir(p, options.locales_dir) for p in paths}]
    with _ended_by_signals():
        try:
            run_server(out, watch, rebuild, port=port, errors=first,
                       background=background if options != pages else None,
                       ready=lambda url: click.echo(f"policyc: serving {out}/ at {url} "
                                                    "(Ctrl-C stops)", err=True))
        finally:  # after the background build has ended (run_server's own cleanup)
            if session is not None:
                session.end()


def _child_command(out: Path, formats: Sequence[str], paths: Sequence[Path],
                   locales: Sequence[str], warm: bool) -> list[str]:
    """The background build: one process (its PDFs in the warm worker when `warm`)."""
    command = [sys.executable, "-m", "compiler", "build", "-q", "--jobs", "1",
               "--out", str(out), "--format", ",".join(formats), *map(str, paths)]
    for code in locales:
        command += ["--locale", code]
    if warm:  # an explicit value: the build's CI rule (no worker left behind) does not apply
        command += ["--keep-warm-minutes", f"{SESSION_MINUTES:g}"]
    return command


def _warm_session(paths: Sequence[Path]) -> Session | None:
    """The warm workers the background builds will use (one per project cache folder), as
    found now; None where there is no warm worker (not Linux, no usable cache folder)."""
    from compiler.build.warm import folder as wf
    from compiler.build.warm.session import Session
    from compiler.project.layout import cache_dir

    caches = [c for c in map(cache_dir, paths) if c is not None]
    return Session(caches) if wf.supported() and caches else None


@contextlib.contextmanager
def _ended_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP end serve as Ctrl-C does (its cleanup runs: the background build
    and the warm worker it started are stopped), then the process ends by that signal."""
    import signal

    got: list[int] = []

    def interrupt(signum: int, _frame: object) -> None:
        if not got:  # a second signal during the cleanup is ignored
            got.append(signum)
            raise KeyboardInterrupt

    numbers = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    old = {number: signal.signal(number, interrupt) for number in numbers}
    try:
        yield
    except KeyboardInterrupt:
        if not got:
            raise  # Ctrl-C: as before
    finally:
        for number, handler in old.items():
            signal.signal(number, handler)
    if got:
        sys.stderr.flush()
        signal.signal(got[0], signal.SIG_DFL)
        os.kill(os.getpid(), got[0])


def _child_build(command: list[str], cancelled: Callable[[], bool]) -> list[str]:
    """Everything else (other locales, PDF previews) in a child process, so a save never
    waits for a PDF being laid out: a newer save ends the child (its writes are atomic; the
    next build redoes what it did not record). Its errors, as printed."""
    import subprocess
    import tempfile
    import time

    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:  # a pipe could fill and block
        from compiler.build.warm.start import OWNER_ENV

        # a warm worker the build starts ends with this serve, however serve ends
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log,
                                 env={**os.environ, OWNER_ENV: str(os.getpid())})
        while child.poll() is None:
            if cancelled():
                child.terminate()
                child.wait()
                return []
            time.sleep(0.05)
        log.seek(0)
        errors = log.read().splitlines()
    if child.returncode == 0:
        return []
    for line in errors:
        click.echo(line, err=True)
    return [e for e in errors if ": error: " in e]
