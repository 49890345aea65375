"""`policyc serve`: preview on localhost, rebuilding and reloading on save."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli import options as opt
from compiler.cli.report import Report, reported


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--locale", "locales", multiple=True, envvar="POLICYC_LOCALES",
              help="Locales to build (default: all listed).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              envvar="POLICYC_OUT")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--format", "formats", multiple=True, help="Formats to rebuild (default: html).")
@reported
def serve(report: Report, sources: tuple[Path, ...], locales: tuple[str, ...], out: Path,
          port: int, formats: tuple[str, ...]) -> None:
    """Preview OUT on localhost; rebuild and reload when a source, catalog or template is saved."""
    from compiler.build.pipeline import build as run_build
    from compiler.build.plan import BuildOptions
    from compiler.project.layout import locales_dir
    from compiler.project.sources import discover
    from compiler.renderers.templates import Templates
    from compiler.serve import serve as run_server

    paths = discover(opt.default_sources(sources))
    options = BuildOptions(out=out, formats=opt.formats(formats, default=("html",)),
                           locales=opt.split(locales), jobs=1,
                           templates=Templates.for_project(opt.project()[0].templates),
                           theme=opt.project()[1].theme, variables=opt.project()[1].variables)

    def rebuild() -> list[str]:
        """Each rebuild reports on its own (and to open pages); a mistake waits for the next
        save."""
        from compiler.errors import CompilerError

        each = Report()
        try:
            result = run_build(list(paths), options)
            each.add(result.warnings)
            each.print()
            click.echo(f"policyc: rebuilt {result.built} outputs in {result.seconds:.1f}s",
                       err=True)
            return []
        except CompilerError as err:
            each.add(err.diagnostics)
            each.print()
            return [str(d) for d in err.diagnostics]

    first = rebuild()
    watch = [*paths, *options.templates.roots, *{locales_dir(p, options.locales_dir) for p in paths}]
    run_server(out, watch, rebuild, port=port, errors=first,
               ready=lambda url: click.echo(f"policyc: serving {out}/ at {url} (Ctrl-C stops)",
                                            err=True))
