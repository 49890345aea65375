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
from compiler.cli.warm import warm

LIBRARIES = ("weasyprint", "python-docx", "babel", "pyHanko", "jinja2", "click")


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """policyc's version and the libraries that shape its outputs (for bug reports)."""
    if not value or ctx.resilient_parsing:
        return
    import platform
    from importlib.metadata import PackageNotFoundError, version

    click.echo(f"policyc {__version__}")
    for name in LIBRARIES:
        try:
            click.echo(f"  {name} {version(name)}")
        except PackageNotFoundError:
            click.echo(f"  {name} (not installed)")
    click.echo(f"  Python {platform.python_version()}")
    ctx.exit()


def _verbosity(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """-q/-v after the subcommand too (`policyc build -q`), as before it."""
    if value and not ctx.resilient_parsing:
        logging.getLogger().setLevel(logging.INFO if param.name == "verbose" else logging.ERROR)


VERBOSITY = (
    click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_verbosity,
                 help="Log every step."),
    click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_verbosity,
                 help="Only errors."),
)


def _add_verbosity(command: click.Command) -> None:
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_verbosity(sub)
        return
    names = {opt for p in command.params for opt in getattr(p, "opts", ())}
    command.params.extend(o for o in VERBOSITY if not names & set(o.opts))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the versions of policyc and its libraries, then exit.")
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
                                       manifest, schema, serve, sign, templates, verify, warm)
for _command in COMMANDS:
    _add_verbosity(_command)
    main.add_command(_command)

if __name__ == "__main__":
    main()
