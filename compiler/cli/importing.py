"""`policyc import`: an existing policy (Markdown, DOCX, HTML, text) or its translation into policyc."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from compiler.cli import options as opt
from compiler.cli.report import Report, plural, reported


def _quiet() -> bool:
    """-q: only errors (no report, no 'wrote' line)."""
    from compiler import logs

    return logs.level() >= logs.ERROR


def _print_report(findings: Any, brief: bool) -> None:
    from collections import Counter

    if _quiet():
        return
    counts = Counter(f.kind for f in findings)
    if not brief:
        for f in sorted(findings, key=lambda f: (f.loc, f.kind)):
            click.echo(str(f), err=True)
    click.echo(f"policyc: import report: {counts['mapped']} mapped, {counts['unmapped']} "
               f"unmapped, {counts['guessed']} guessed", err=True)


def _check_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from compiler.readers.schema import ID_PATTERN

    if value is not None and not re.fullmatch(ID_PATTERN, value):
        raise click.BadParameter(f"{value!r} is not a kebab-case id (e.g. privacy-policy)")
    return value


def _check_locale(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from babel import localedata

    code = value.replace("-", "_")
    if not localedata.exists(code):
        raise click.BadParameter(f"unknown locale {value!r} (expected e.g. en, de, pt_BR)")
    return code


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "doc_id", callback=_check_id,
              help="Document id (default: from the title).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the source (default: source/<id>.yaml; '-' for stdout).")
@click.option("--from", "fmt", type=click.Choice(["markdown", "docx", "html", "text"]),
              help="Input format (default: from the file name or its first bytes).")
@click.option("--locale", callback=_check_locale, help="Language of FILE, e.g. en, de "
              "(default: as the file states, else en).")
@click.option("--variables", is_flag=True, help="Repeated e-mail addresses, URLs and the "
              "organization's name become variables.")
@click.option("--verify", "check_fidelity", is_flag=True, help="Build the imported source to "
              "HTML in memory and report the share of FILE's sentences found in it, in order.")
@click.option("--translation", metavar="LOCALE", callback=_check_locale,
              help="FILE is a translation into LOCALE of --source: align it and write "
              "locales/LOCALE/LC_MESSAGES/<id>.po.")
@click.option("--source", "source", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --translation: the policyc source FILE translates.")
@opt.locales_dir_option
@click.option("--force", is_flag=True, help="Overwrite an existing output file or catalog.")
@click.option("--brief", is_flag=True, help="Only the report's counts, not each finding.")
@reported
def import_command(report: Report, file: Path, doc_id: str | None, output: Path | None,
                   fmt: str | None, locale: str | None, variables: bool, check_fidelity: bool,
                   translation: str | None, source: Path | None, locales_dir: Path | None,
                   force: bool, brief: bool) -> None:
    """Turn FILE, an existing policy (Markdown, DOCX, HTML or plain text), into a policyc YAML source, and
    report what was mapped, left out or guessed, each with its place in FILE.

    With --translation LOCALE --source SOURCE, FILE is a human translation of SOURCE: it is
    aligned to SOURCE's messages (heading to heading, block to block, cell to cell) and
    written as the LOCALE catalog; what cannot be matched is kept fuzzy with a note."""
    if translation or source:
        if not (translation and source):
            raise click.UsageError("--translation LOCALE and --source SOURCE go together")
        _translation(file, translation.replace("-", "_"), source, locales_dir, fmt, force, brief)
        return
    from compiler.errors import Category, CompilerError, Loc, display_path
    from compiler.fs import write_atomic
    from compiler.importer.run import import_file
    from compiler.readers import ReadOptions

    taken = project_ids(output, force)
    if doc_id in taken:
        raise CompilerError.at(Loc("--id"), f"id '{doc_id}' is already the id of "
                               f"{display_path(taken[doc_id])} (expected a new id: outputs and "
                               "catalogs are named by it)", Category.REFERENCE)
    options = ReadOptions(locale=locale.replace("-", "_") if locale else None, doc_id=doc_id,
                          taken_ids=frozenset(taken))
    result = import_file(file, options, fmt=fmt, variables=variables)
    _print_report(result.findings, brief)
    if check_fidelity:
        _verify(report, file, result)
    if output is not None and str(output) == "-":
        click.echo(result.yaml_text, nl=False)
        return
    from compiler.project.layout import find_layout

    target = output or find_layout().sources / f"{result.document.meta.id}.yaml"
    if target.exists() and not force:
        raise CompilerError.at(Loc(display_path(target)), "file exists already (pass --force "
                               "to overwrite it, or -o to write elsewhere)", Category.IO)
    write_atomic(target, result.yaml_text.encode("utf-8"))
    if not _quiet():
        click.echo(f"policyc: wrote {display_path(target)} "
                   f"({plural(len(result.document.sections), 'section')}) from "
                   f"{display_path(file)}", err=True)


def project_ids(output: Path | None, force: bool) -> dict[str, Path]:
    """The ids of the project's sources (each with its file) an imported source must not
    reuse. Not the file it replaces: -o's target, or with --force (and no -o)
    source/<id>.yaml, which import would then overwrite. A broken source is skipped (check
    and build report it)."""
    from compiler.cli.settings import project
    from compiler.errors import CompilerError
    from compiler.project.sources import read_facts

    layout, config = project()
    folder = layout.sources
    ids: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        if output is not None and str(output) != "-" and output.resolve() == path.resolve():
            continue
        try:
            facts, _ = read_facts(path, config.variables)
        except CompilerError:
            continue
        if output is None and force and path.name == f"{facts.id}.yaml":
            continue
        ids.setdefault(facts.id, path)
    return ids


def _verify(report: Report, file: Path, result: Any) -> None:
    from compiler.importer.run import read_file
    from compiler.importer.verify import verify

    fidelity = verify(file, result.format, read_file(file), result.document)
    for miss in () if _quiet() else fidelity.misses:
        click.echo(f"policyc: verify: {miss}", err=True)
    if not _quiet():
        click.echo(f"policyc: verify: {fidelity.found} of {fidelity.total} sentences of the "
                   f"input found in the built HTML ({fidelity.share:.1f} %)", err=True)
        if fidelity.lines_total:
            click.echo(f"policyc: verify: {fidelity.lines_found} of {fidelity.lines_total} "
                       "lines standing alone in the input (list items, headings) stand alone "
                       "in the built HTML", err=True)
    if fidelity.found < fidelity.total:
        report.fail(f"verify: {plural(fidelity.total - fidelity.found, 'sentence')} missing")
    if fidelity.lines_found < fidelity.lines_total:
        missing = fidelity.lines_total - fidelity.lines_found
        report.fail(f"verify: {plural(missing, 'line')} merged into other text")


def _translation(file: Path, locale: str, source: Path, locales_dir: Path | None,
                 fmt: str | None, force: bool, brief: bool) -> None:
    from compiler.errors import display_path
    from compiler.i18n.register import add_locale
    from compiler.importer.translation import import_translation
    from compiler.project.layout import locales_dir as default_locales

    result = import_translation(file, source, locale, locales_dir or default_locales(source),
                                fmt=fmt, force=force)
    # as `policyc locale init` does: the catalog is built once the source lists its locale
    registered = add_locale(source, locale)
    if _quiet():
        return
    _print_report(result.findings, brief)
    aligned, fuzzy, unaligned = result.alignment.counts
    if not brief:
        for pair in result.alignment.pairs:
            for note in pair.notes:
                click.echo(f"{pair.source.loc}: fuzzy: {note}", err=True)
        for rich in result.alignment.unaligned:
            click.echo(f"{rich.loc}: unaligned: no translation found for {rich.plain()[:60]!r}",
                       err=True)
    click.echo(f"policyc: wrote {display_path(result.path)}: {aligned} aligned, {fuzzy} fuzzy, "
               f"{unaligned} unaligned of {result.messages} messages", err=True)
    shown = display_path(source)
    if registered:
        click.echo(f"policyc: registered '{locale}' in {shown} (its locales:); next: "
                   f"policyc build --locale {locale}", err=True)
    else:
        click.echo(f"policyc: '{locale}' is already listed in {shown}", err=True)
