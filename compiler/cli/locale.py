"""`policyc locale init|update|status`: the translation catalogs of each source."""

from __future__ import annotations

import re
from pathlib import Path

import click

from compiler.cli import options as opt
from compiler.cli.report import Report, reported
from compiler.readers.schema import LOCALE_PATTERN


@click.group()
def locale() -> None:
    """Translation catalogs: init, update, status."""


@locale.command("init")
@click.argument("code")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@opt.locales_dir_option
@reported
def locale_init(report: Report, code: str, sources: tuple[Path, ...],
                locales_dir: Path | None) -> None:
    """Start the catalog of locale CODE for each source."""
    from babel import localedata

    from compiler.errors import display_path
    from compiler.i18n.catalogs import init_catalog, po_path
    from compiler.i18n.extract import template_catalog, write_catalog

    if not re.fullmatch(LOCALE_PATTERN, code) or not localedata.exists(code):
        raise click.BadParameter(f"unknown locale {code!r} (expected a CLDR code such as de, pt_BR)")
    for doc, ldir in opt.documents(sources, locales_dir):
        target = po_path(ldir, code, doc.meta.id)
        write_catalog(init_catalog(template_catalog(doc), code, target), target)
        click.echo(f"policyc: created {display_path(target)}", err=True)


@locale.command("update")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@opt.locales_dir_option
@reported
def locale_update(report: Report, sources: tuple[Path, ...], locales_dir: Path | None) -> None:
    """Re-extract the template and merge it into every catalog (edited: fuzzy; removed: obsolete)."""
    from compiler.errors import display_path
    from compiler.i18n.catalogs import po_path, pot_path, status, update_catalog
    from compiler.i18n.extract import template_catalog, write_catalog

    for doc, ldir in opt.documents(sources, locales_dir):
        template = template_catalog(doc)
        write_catalog(template, pot_path(ldir, doc.meta.id), template=True)
        for code in doc.meta.locales:
            po = po_path(ldir, code, doc.meta.id)
            if code == doc.meta.source_locale or not po.exists():
                continue
            write_catalog(update_catalog(template, po, code), po)
            st = status(po, code)
            click.echo(f"policyc: updated {display_path(po)}: {st.translated} translated, "
                       f"{st.fuzzy} fuzzy, {st.untranslated} untranslated, "
                       f"{st.obsolete} obsolete", err=True)


@locale.command("status")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@opt.locales_dir_option
@click.option("--min-complete", type=click.FloatRange(0, 100), default=None,
              help="Fail when a locale is less complete than this percentage.")
@reported
def locale_status(report: Report, sources: tuple[Path, ...], locales_dir: Path | None,
                  min_complete: float | None) -> None:
    """Print translated/fuzzy/untranslated/obsolete counts per document and locale."""
    from compiler.i18n.catalogs import po_path, status

    for doc, ldir in opt.documents(sources, locales_dir):
        click.echo(f"{doc.meta.id} {doc.meta.version}")
        click.echo(f"  {'locale':<8} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} "
                   f"{'obsolete':>8} {'complete':>9}")
        for code in doc.meta.locales:
            if code == doc.meta.source_locale:
                continue
            po = po_path(ldir, code, doc.meta.id)
            if not po.exists():
                click.echo(f"  {code:<8} {'(no catalog)':>48}")
                if min_complete is not None:
                    report.fail(f"below --min-complete: {doc.meta.id}/{code}: no catalog")
                continue
            st = status(po, code)
            click.echo(f"  {code:<8} {st.translated:>10} {st.fuzzy:>6} {st.untranslated:>9} "
                       f"{st.obsolete:>8} {st.percent:>8.1f}%")
            if min_complete is not None and st.percent < min_complete:
                report.fail(f"below --min-complete: {doc.meta.id}/{code}: "
                            f"{st.percent:.1f}% < {min_complete:g}%")
