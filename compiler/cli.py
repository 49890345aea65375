"""Command line: the only place that prints and picks exit codes."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from compiler import __version__
from compiler.errors import CompilerError, Diagnostic

F = TypeVar("F", bound=Callable[..., Any])


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        click.echo(str(d), err=True)


def reports_errors(func: F) -> F:
    """User mistakes print as located diagnostics and exit 1; bugs keep their traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CompilerError as err:
            _print_diagnostics(err.diagnostics)
            n = sum(1 for d in err.diagnostics if d.severity.value == "error")
            click.echo(f"policyc: {n} error{'s' if n != 1 else ''}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policyc")
@click.option("-v", "--verbose", is_flag=True, help="Log every step.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
def main(verbose: bool, quiet: bool) -> None:
    """Compile YAML policy documents into localized HTML, PDF and DOCX."""
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")


def _shard(value: str | None) -> tuple[int, int]:
    if not value:
        return (1, 1)
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise click.BadParameter(f"expected K/N with 1 <= K <= N, got {value!r}",
                                 param_hint="--shard")
    return (k, n)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, help="html,pdf,docx (default: all).")
@click.option("--locale", "locales", multiple=True, help="Locales to build (default: all listed).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True)
@click.option("--locales-dir", type=click.Path(path_type=Path), help="Default: locales/ beside source/.")
@click.option("--strict", is_flag=True, help="Untranslated or fuzzy strings are errors.")
@click.option("--page-size", type=click.Choice(["A4", "Letter"]), help="PDF page size.")
@click.option("--pdf-variant", default="pdf/a-3a", show_default=True,
              help="WeasyPrint PDF variant (pdf/a-3a, pdf/a-3u, pdf/a-2b, pdf/ua-1...) or 'none'.")
@click.option("--reference-docx", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Style reference document for DOCX output.")
@click.option("--base-url", help="Public URL of the published dist/ folder (canonical links).")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
              help="Parallel workers (default: number of CPUs).")
@click.option("--force", is_flag=True, help="Rebuild outputs whose inputs did not change.")
@click.option("--shard", help="K/N: build the K-th of N deterministic slices of the jobs.")
@click.option("--sign", is_flag=True, help="Sign every PDF (PAdES) with --p12; the passphrase "
              "comes from POLICYC_P12_PASSPHRASE or a prompt.")
@click.option("--p12", type=click.Path(path_type=Path), help="PKCS#12 certificate for --sign.")
@click.option("--allow-incomplete", is_flag=True,
              help="With --sign: also sign locales with fuzzy or untranslated messages.")
@click.option("--visible", is_flag=True, help="With --sign: a visible signature box.")
@click.option("--reason", help="With --sign: why the document is signed.")
@click.option("--location", help="With --sign: where it is signed.")
@click.option("--docx-protect", is_flag=True, help="Also write <id>.protected.docx: opens "
              "read-only recommended, editing restricted to comments (no password).")
@reports_errors
def build(sources: tuple[Path, ...], formats: tuple[str, ...], locales: tuple[str, ...],
          out: Path, locales_dir: Path | None, strict: bool, page_size: str | None,
          pdf_variant: str, reference_docx: Path | None, base_url: str | None,
          jobs: int | None, force: bool, shard: str | None, sign: bool, p12: Path | None,
          allow_incomplete: bool, visible: bool, reason: str | None,
          location: str | None, docx_protect: bool) -> None:
    """Build SOURCES (default: source/*.yaml) into OUT/<locale>/<id>.<ext>."""
    import os

    from compiler.build import BuildOptions
    from compiler.build import build as run_build
    from compiler.progress import Reporter
    from compiler.renderers import FORMATS

    fmts = _split(formats) or FORMATS
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown:
        raise click.BadParameter(f"unknown format {unknown[0]!r} (expected: {', '.join(FORMATS)})",
                                 param_hint="--format")
    variant = None if pdf_variant.lower() == "none" else pdf_variant.lower()
    if variant:
        from compiler.renderers.variants import check_variant

        check_variant(variant)
    signer = None
    if sign:
        if p12 is None:
            raise click.BadParameter("--sign needs --p12 FILE", param_hint="--p12")
        from compiler.commands.signing import passphrase
        from compiler.signing import SignerConfig, load_credentials

        signer = SignerConfig(load_credentials(p12, passphrase(p12)), reason=reason,
                              location=location, visible=visible,
                              timestamp_url=os.environ.get("POLICYC_TSA_URL") or None)
    options = BuildOptions(out=out, formats=fmts, locales=_split(locales), signer=signer,
                           allow_incomplete=allow_incomplete, docx_protect=docx_protect,
                           locales_dir=locales_dir, strict=strict, page_size=page_size,
                           pdf_variant=variant, reference_docx=reference_docx, base_url=base_url,
                           jobs=jobs or os.cpu_count() or 1, force=force, shard=_shard(shard))
    level = logging.getLogger().level
    with Reporter(quiet=level >= logging.ERROR, verbose=level <= logging.INFO) as reporter:
        result = run_build(list(sources), options, progress=reporter.advance)
        reporter.summary(result)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Warnings are errors.")
@reports_errors
def check(sources: tuple[Path, ...], strict: bool) -> None:
    """Validate SOURCES without building."""
    from compiler.sources import check_sources

    count = check_sources(list(sources), strict)
    click.echo(f"policyc: {count} source{'s' if count != 1 else ''} OK", err=True)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of stdout.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the source format."""
    from compiler.schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _documents(sources: tuple[Path, ...], locales_dir: Path | None) -> list[tuple[Any, Path]]:
    """Load each source with the locales folder it uses (locales/ beside source/)."""
    from compiler.errors import Diagnostics
    from compiler.loader import load
    from compiler.sources import discover

    diag = Diagnostics()
    out = []
    for path in discover(list(sources)):
        try:
            doc = load(path)
        except CompilerError as err:
            diag.extend(err.diagnostics)
            continue
        out.append((doc, locales_dir or path.resolve().parent.parent / "locales"))
    diag.raise_if_errors()
    return out


_locales_dir_option = click.option(
    "--locales-dir", type=click.Path(path_type=Path), help="Default: locales/ beside source/.")


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@_locales_dir_option
@reports_errors
def extract(sources: tuple[Path, ...], locales_dir: Path | None) -> None:
    """Write locales/<id>.pot from each source and the templates."""
    from compiler.errors import display_path
    from compiler.i18n.catalogs import pot_path
    from compiler.i18n.extract import template_catalog, write_catalog

    for doc, ldir in _documents(sources, locales_dir):
        target = pot_path(ldir, doc.meta.id)
        catalog = template_catalog(doc)
        write_catalog(catalog, target, template=True)
        click.echo(f"policyc: {display_path(target)}: {len(catalog)} messages", err=True)


@main.group()
def locale() -> None:
    """Translation catalogs: init, update, status."""


@locale.command("init")
@click.argument("code")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@_locales_dir_option
@reports_errors
def locale_init(code: str, sources: tuple[Path, ...], locales_dir: Path | None) -> None:
    """Start the catalog of locale CODE for each source."""
    from babel import localedata

    from compiler.errors import display_path
    from compiler.i18n.catalogs import init_catalog, po_path
    from compiler.i18n.extract import template_catalog, write_catalog

    if not localedata.exists(code):
        raise click.BadParameter(f"unknown locale {code!r} (expected a CLDR code such as de, pt_BR)")
    for doc, ldir in _documents(sources, locales_dir):
        target = po_path(ldir, code, doc.meta.id)
        write_catalog(init_catalog(template_catalog(doc), code, target), target)
        click.echo(f"policyc: created {display_path(target)}", err=True)


@locale.command("update")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@_locales_dir_option
@reports_errors
def locale_update(sources: tuple[Path, ...], locales_dir: Path | None) -> None:
    """Re-extract the template and merge it into every catalog (edited: fuzzy; removed: obsolete)."""
    from compiler.errors import display_path
    from compiler.i18n.catalogs import po_path, pot_path, status, update_catalog
    from compiler.i18n.extract import template_catalog, write_catalog

    for doc, ldir in _documents(sources, locales_dir):
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
@_locales_dir_option
@click.option("--min-complete", type=click.FloatRange(0, 100), default=None,
              help="Fail when a locale is less complete than this percentage.")
@reports_errors
def locale_status(sources: tuple[Path, ...], locales_dir: Path | None,
                  min_complete: float | None) -> None:
    """Print translated/fuzzy/untranslated/obsolete counts per document and locale."""
    from compiler.i18n.catalogs import po_path, status

    failing: list[str] = []
    for doc, ldir in _documents(sources, locales_dir):
        click.echo(f"{doc.meta.id} {doc.meta.version}")
        click.echo(f"  {'locale':<8} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} "
                   f"{'obsolete':>8} {'complete':>9}")
        for code in doc.meta.locales:
            if code == doc.meta.source_locale:
                continue
            po = po_path(ldir, code, doc.meta.id)
            if not po.exists():
                click.echo(f"  {code:<8} {'(no catalog)':>48}")
                failing.append(f"{doc.meta.id}/{code}: no catalog")
                continue
            st = status(po, code)
            click.echo(f"  {code:<8} {st.translated:>10} {st.fuzzy:>6} {st.untranslated:>9} "
                       f"{st.obsolete:>8} {st.percent:>8.1f}%")
            if min_complete is not None and st.percent < min_complete:
                failing.append(f"{doc.meta.id}/{code}: {st.percent:.1f}% < {min_complete:g}%")
    if min_complete is not None and failing:
        for f in failing:
            click.echo(f"policyc: below --min-complete: {f}", err=True)
        sys.exit(1)


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--locale", "locales", multiple=True, help="Locales to build (default: all listed).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--format", "formats", multiple=True, help="Formats to rebuild (default: html).")
@reports_errors
def serve(sources: tuple[Path, ...], locales: tuple[str, ...], out: Path, port: int,
          formats: tuple[str, ...]) -> None:
    """Preview OUT on localhost; rebuild and reload when a source, catalog or template is saved."""
    from compiler.build import BuildOptions, discover, locales_dir_for
    from compiler.build import build as run_build
    from compiler.renderers import TEMPLATES
    from compiler.serve import serve as run_server

    paths = discover(list(sources))
    options = BuildOptions(out=out, formats=_split(formats) or ("html",),
                           locales=_split(locales), jobs=1)

    def rebuild() -> None:
        try:
            result = run_build(list(paths), options)
            _print_diagnostics(result.warnings)
            click.echo(f"policyc: rebuilt {result.built} outputs in {result.seconds:.1f}s",
                       err=True)
        except CompilerError as err:
            _print_diagnostics(err.diagnostics)

    rebuild()
    watch = [*paths, TEMPLATES, *{locales_dir_for(p, options) for p in paths}]
    run_server(out, watch, rebuild, port=port,
               ready=lambda url: click.echo(f"policyc: serving {out}/ at {url} (Ctrl-C stops)",
                                            err=True))


@main.group("manifest")
def manifest_group() -> None:
    """Build manifests: merge the manifests of sharded builds."""


@manifest_group.command("merge")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Where to write the merged manifest.")
@reports_errors
def manifest_merge(manifests: tuple[Path, ...], output: Path) -> None:
    """Join MANIFESTS (from --shard builds) into one."""
    from compiler.build import write_atomic
    from compiler.manifest import merge

    write_atomic(output, merge(list(manifests)))
    click.echo(f"policyc: merged {len(manifests)} manifests into {output}", err=True)


def _register() -> None:
    """Commands defined in their own modules, registered here explicitly."""
    from compiler.commands.diff import diff
    from compiler.commands.signing import sign, verify

    main.add_command(sign)
    main.add_command(verify)
    main.add_command(diff)


_register()

if __name__ == "__main__":
    main()
