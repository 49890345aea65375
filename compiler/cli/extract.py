"""`policyc extract`: the translation template of each source."""

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
    """Write locales/<id>.pot from each source and the templates."""
    from compiler.errors import display_path
    from compiler.i18n.catalogs import pot_path
    from compiler.i18n.extract import template_catalog, write_catalog

    for doc, ldir in opt.documents(sources, locales_dir):
        target = pot_path(ldir, doc.meta.id)
        catalog = template_catalog(doc)
        write_catalog(catalog, target, template=True)
        click.echo(f"policyc: {display_path(target)}: {len(catalog)} messages", err=True)
