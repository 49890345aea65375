"""`policyc init`: scaffold a policy project (config, starter policy, catalogs, CI workflow)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from compiler.cli.report import Report, reported


@click.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False),
                default=Path())
@click.option("--id", "doc_id", help="Id of the starter policy (default: from --title, else "
              "privacy-policy).")
@click.option("--title", help="Title of the starter policy.")
@click.option("--organization", help="The publishing organization.")
@click.option("--source-locale", default="en", show_default=True,
              help="Language the policy is written in (the starter text is English).")
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
    from compiler.cli import options as opt
    from compiler.errors import display_path
    from compiler.project.init import plan, write

    scaffold = plan(folder, doc_id, title, source_locale, opt.split(locales), organization)
    for done in write(scaffold, dt.date.today()):
        shown = display_path(done.path)
        if done.action == "kept":
            why = done.detail or "exists already: policyc init never overwrites"
            click.echo(f"policyc: kept {shown} ({why})", err=True)
        elif done.action == "registered":
            click.echo(f"policyc: registered '{done.detail}' in {shown}", err=True)
        elif done.action == "appended":
            click.echo(f"policyc: added to {shown}: {done.detail}", err=True)
        else:
            note = f" ({done.detail})" if done.detail else ""
            click.echo(f"policyc: {done.action} {shown}{note}", err=True)
    where = "" if folder == Path() else f"cd {folder} && "
    click.echo(f"policyc: next: {where}policyc build", err=True)
