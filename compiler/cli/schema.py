"""`policyc schema`: the JSON Schema of the source format, for editors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from compiler.cli.report import Report, reported


@click.command()
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@click.option("--config", "config", is_flag=True,
              help="The schema of the project config (policyc.toml) instead.")
@reported
def schema(report: Report, out: Path | None, config: bool) -> None:
    """Print the JSON Schema of the source format (or of policyc.toml)."""
    from compiler.errors import Category, CompilerError, Loc
    from compiler.fs import write_atomic

    if config:
        from compiler.project.config import json_schema
    else:
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
