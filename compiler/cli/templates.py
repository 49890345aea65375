"""`policyc templates`: list where each template comes from; export the built-ins to customize."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.report import Report, reported


@click.group()
def templates() -> None:
    """The templates: a project's templates/ overrides policyc's built-ins file by file."""


@templates.command("list")
@reported
def list_templates(report: Report) -> None:
    """Each template name and the file used for it (the project's or the built-in)."""
    from compiler.cli.options import project
    from compiler.errors import display_path
    from compiler.renderers.templates import BUILTIN, Templates

    for name, path in Templates.for_project(project()[0].templates).names().items():
        where = "built-in" if path.is_relative_to(BUILTIN) else display_path(path)
        click.echo(f"{name:<32} {where}")


@templates.command("export")
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--only", "names", multiple=True,
              help="Export only this template or folder (repeatable), e.g. css/print.css or html/.")
@reported
def export(report: Report, folder: Path | None, names: tuple[str, ...]) -> None:
    """Copy the built-in templates into FOLDER (default: the project's templates/).

    Existing files are never overwritten. Keep only the files you change: any file there
    overrides the built-in one, so policyc's later fixes to it no longer reach you.
    """
    from compiler.cli.options import project, split
    from compiler.errors import Category, Diagnostic, Diagnostics, Loc, Severity, display_path
    from compiler.fs import write_atomic
    from compiler.renderers.templates import BUILTINS

    target = folder or project()[0].templates
    wanted = split(names)
    builtins = BUILTINS.names()
    diag = Diagnostics()
    for name in wanted:
        if not any(n == name or n.startswith(name.rstrip("/") + "/") for n in builtins):
            diag.error(Loc("--only"), f"no built-in template '{name}' (expected one of: "
                       f"{', '.join(builtins)})")
    diag.raise_if_errors()
    chosen = {n: p for n, p in builtins.items()
              if not wanted or any(n == w or n.startswith(w.rstrip("/") + "/") for w in wanted)}
    for name, source in chosen.items():
        dest = target / name
        if dest.exists():
            report.add([Diagnostic(Loc.file(dest), "exists already: kept as it is",
                                   Severity.WARNING, Category.IO)])
            continue
        write_atomic(dest, source.read_bytes())
        click.echo(f"policyc: exported {display_path(dest)}", err=True)
