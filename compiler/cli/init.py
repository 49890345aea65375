"""`policyc init`: scaffold a policy project (config, starter policy, catalogs, CI workflow)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler.cli.report import Report, reported

if TYPE_CHECKING:
    from compiler.project.init import Done


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False),
                default=Path())
@click.option("--id", "doc_id", help="Id of the starter policy (default: from --title, else "
              "privacy-policy).")
@click.option("--title", help="Title of the starter policy.")
@click.option("--organization", help="The publishing organization.")
@click.option("--source-locale", default="en", show_default=True,
              help="Language the policy is written in (the starter text is in it where "
              "policyc has one: ar, de, es, fr, ja, pt_BR; else English).")
@click.option("--locale", "locales", multiple=True,
              help="A locale to translate into (repeatable or comma-separated): its catalog is "
              "created.")
@reported
def init(report: Report, folder: Path, doc_id: str | None, title: str | None,
         organization: str | None, source_locale: str, locales: tuple[str, ...]) -> None:
    """Create a policy project in FOLDER (default: here); never overwrites a file.

    In an existing repository it creates what is missing, keeps every file that exists (an
    existing source gets its missing catalogs) and adds the lines policyc needs to an
    existing .gitignore."""
    from compiler import logs
    from compiler.cli import options as opt
    from compiler.errors import CompilerError
    from compiler.names import cldr_code
    from compiler.project.init import plan, write

    scaffold = plan(folder, doc_id, title, cldr_code(source_locale),
                    opt.split_locales(locales), organization)
    done: list[Done] = []
    try:
        write(scaffold, dt.date.today(), done)
    except CompilerError:  # say what it wrote before the error (the error follows)
        _say([d for d in done if d.action in ("created", "appended", "registered")])
        raise
    _say(done)
    if logs.level() < logs.ERROR:
        where = "" if folder == Path() else f"cd {folder} && "
        click.echo(f"policyc: next: {where}policyc build", err=True)


def _say(done: list[Done]) -> None:
    """One line per file: what init did with it (nothing with -q: only errors)."""
    from compiler import logs
    from compiler.errors import display_path

    for item in () if logs.level() >= logs.ERROR else done:
        shown = display_path(item.path)
        if item.action == "kept":
            why = item.detail or "exists already: policyc init never overwrites"
            click.echo(f"policyc: kept {shown} ({why})", err=True)
        elif item.action == "registered":
            click.echo(f"policyc: registered '{item.detail}' in {shown}", err=True)
        elif item.action == "appended":
            click.echo(f"policyc: added to {shown}: {item.detail}", err=True)
        else:
            note = f" ({item.detail})" if item.detail else ""
            click.echo(f"policyc: {item.action} {shown}{note}", err=True)
