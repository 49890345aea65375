"""`policyc schema`: the JSON Schema of the source format, for editors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from compiler.cli.report import Report, reported


@click.command()
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@reported
def schema(report: Report, out: Path | None) -> None:
    """Print the JSON Schema of the source format."""
    from compiler.errors import Category, CompilerError, Loc
    from compiler.fs import write_atomic
    from compiler.readers.schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if not out:
        click.echo(text, nl=False)
        return
    if not out.parent.is_dir():
        raise CompilerError.at(Loc.file(out), f"folder '{out.parent}' does not exist", Category.IO)
    try:
        write_atomic(out, text.encode())
    except OSError as err:
        raise CompilerError.at(Loc.file(out), f"cannot write: {err.strerror}",
                               Category.IO) from err
