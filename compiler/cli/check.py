"""`policyc check`: validate sources without building (see also the fast path in __main__)."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.report import Report, plural, reported
from compiler.errors import Diagnostic


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Warnings are errors.")
@reported
def check(report: Report, sources: tuple[Path, ...], strict: bool) -> None:
    """Validate SOURCES without building."""
    from compiler.cli.options import default_sources, project
    from compiler.project.sources import check_sources

    warnings: list[Diagnostic] = []
    count = check_sources(default_sources(sources), strict, warnings, project()[1].variables)
    report.add(warnings)
    click.echo(f"policyc: {plural(count, 'source')} OK", err=True)
