"""The `policyc` command group; each command lives in its own module, registered here explicitly."""

from __future__ import annotations

import logging

import click

from compiler import __version__
from compiler.cli.build import build
from compiler.cli.check import check
from compiler.cli.diff import diff
from compiler.cli.extract import extract
from compiler.cli.importing import import_command
from compiler.cli.init import init
from compiler.cli.locale import locale
from compiler.cli.manifest import manifest
from compiler.cli.options import project_defaults
from compiler.cli.schema import schema
from compiler.cli.serve import serve
from compiler.cli.sign import sign
from compiler.cli.templates import templates
from compiler.cli.verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policyc")
@click.option("-v", "--verbose", is_flag=True, help="Log every step.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool) -> None:
    """Compile YAML policy documents into localized HTML, PDF and DOCX.

    Settings come from the project's policyc.toml (or [tool.policyc] in pyproject.toml),
    then POLICYC_* environment variables, then the command line.
    """
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    ctx.default_map = project_defaults(ctx.invoked_subcommand)


COMMANDS: tuple[click.Command, ...] = (build, check, diff, extract, import_command, init, locale,
                                       manifest, schema, serve, sign, templates, verify)
for _command in COMMANDS:
    main.add_command(_command)

if __name__ == "__main__":
    main()
