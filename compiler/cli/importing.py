"""`policyc import`: an existing policy (Markdown, DOCX, HTML) or its translation into policyc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from compiler.cli.report import Report, reported


def _print_report(findings: Any, quiet: bool) -> None:
    from collections import Counter

    counts = Counter(f.kind for f in findings)
    if not quiet:
        for f in sorted(findings, key=lambda f: (f.loc, f.kind)):
            click.echo(str(f), err=True)
    click.echo(f"policyc: import report: {counts['mapped']} mapped, {counts['unmapped']} "
               f"unmapped, {counts['guessed']} guessed", err=True)


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "doc_id", help="Document id (default: from the title).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the source (default: source/<id>.yaml; '-' for stdout).")
@click.option("--from", "fmt", type=click.Choice(["markdown", "docx", "html"]),
              help="Input format (default: from the file name or its first bytes).")
@click.option("--locale", help="Language of FILE, e.g. en, de (default: as the file states, "
              "else en).")
@click.option("--variables", is_flag=True, help="Repeated e-mail addresses, URLs and the "
              "organization's name become variables.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--brief", is_flag=True, help="Only the report's counts, not each finding.")
@reported
def import_command(report: Report, file: Path, doc_id: str | None, output: Path | None, fmt: str | None,
                   locale: str | None, variables: bool, force: bool, brief: bool) -> None:
    """Turn FILE, an existing policy, into a policyc YAML source, and report what was mapped,
    left out or guessed (each with its place in FILE)."""
    from compiler.errors import Category, CompilerError, Loc, display_path
    from compiler.fs import write_atomic
    from compiler.importer.run import import_file
    from compiler.readers import ReadOptions

    options = ReadOptions(locale=locale.replace("-", "_") if locale else None, doc_id=doc_id)
    result = import_file(file, options, fmt=fmt, variables=variables)
    _print_report(result.findings, brief)
    if output is not None and str(output) == "-":
        click.echo(result.yaml_text, nl=False)
        return
    target = output or Path("source") / f"{result.document.meta.id}.yaml"
    if target.exists() and not force:
        raise CompilerError.at(Loc(display_path(target)), "file exists already (pass --force "
                               "to overwrite it, or -o to write elsewhere)", Category.IO)
    write_atomic(target, result.yaml_text.encode("utf-8"))
    click.echo(f"policyc: wrote {display_path(target)} ({len(result.document.sections)} "
               f"sections) from {display_path(file)}", err=True)
