"""`policyc extract`: the translation templates of each source and of the layout's words."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli import options as opt
from compiler.cli.report import Report, reported


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@opt.locales_dir_option
@reported
def extract(report: Report, sources: tuple[Path, ...], locales_dir: Path | None) -> None:
    """Write locales/<id>.pot from each source, and locales/policyc.pot (the layout's words)."""
    from compiler.errors import display_path
    from compiler.i18n import workflow

    docs = opt.documents(sources, locales_dir)
    report.add(workflow.reserved(docs))
    if report.errors:
        return
    for target, template in workflow.write_templates(docs):
        click.echo(f"policyc: {display_path(target)}: {len(template.messages)} messages",
                   err=True)
