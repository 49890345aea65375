"""The `policyc` command group; each command lives in its own module, registered here explicitly.

The registry names each command's module, imported when the command is asked for: a
`policyc build` loads click and the build command, not the others (issue #18: the
start-up is most of a no-op rebuild). `--help` and completion list every command, so they
import them all, and print exactly what a group of imported commands printed.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import click
from click.parser import _OptionParser

from compiler import __version__, logs
from compiler.cli.options import project_defaults
from compiler.cli.report import started

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
        logs.set_level(logs.INFO if param.name == "verbose" else logs.ERROR)


VERBOSITY = (
    click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_verbosity,
                 help="Log every step."),
    click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_verbosity,
                 help="Only errors."),
)


class _Parser(_OptionParser):
    """click's option parser, with the one change that `-q` costs no "did you mean".

    click matches every option-like argument as a long option first; when that fails it
    builds a NoSuchOption whose suggestions import difflib and compare the argument with
    every long option, then drops that error and matches the argument as short options
    (`-q`, `-qv`, `-j2`), unless it starts with a two-character prefix (`--`). This parser
    skips the suggestions in exactly the case where click drops them: the result, and every
    error message (an unknown `-x` is reported by the short-option match, `--quiet` and
    `--nosuch` go through click unchanged), stay click's.
    """

    def _match_long_opt(self, opt: str, explicit_value: str | None, state: Any) -> None:
        if opt not in self._long_opt and opt[:2] not in self._opt_prefixes:
            raise click.NoSuchOption(opt, ctx=self.ctx)  # dropped by click's _process_opts
        super()._match_long_opt(opt, explicit_value, state)


def _make_parser(command: click.Command, ctx: click.Context) -> _OptionParser:
    """click's Command.make_parser, with _Parser."""
    parser = _Parser(ctx)
    for param in command.get_params(ctx):
        param.add_to_parser(parser, ctx)
    return parser


def _add_verbosity(command: click.Command) -> None:
    command.make_parser = functools.partial(_make_parser, command)  # type: ignore[method-assign]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_verbosity(sub)
        return
    names = {opt for p in command.params for opt in getattr(p, "opts", ())}
    command.params.extend(o for o in VERBOSITY if not names & set(o.opts))


# command name -> the module defining it (as the function named like the command, but
# `import`, which is a keyword: import_command)
COMMANDS: dict[str, str] = {
    "build": "compiler.cli.build",
    "check": "compiler.cli.check",
    "diff": "compiler.cli.diff",
    "extract": "compiler.cli.extract",
    "import": "compiler.cli.importing",
    "init": "compiler.cli.init",
    "locale": "compiler.cli.locale",
    "manifest": "compiler.cli.manifest",
    "schema": "compiler.cli.schema",
    "serve": "compiler.cli.serve",
    "sign": "compiler.cli.sign",
    "templates": "compiler.cli.templates",
    "verify": "compiler.cli.verify",
    "warm": "compiler.cli.warm",
}


class Commands(click.Group):
    """A group whose commands are imported from COMMANDS when first asked for."""

    def make_parser(self, ctx: click.Context) -> _OptionParser:
        return _make_parser(self, ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(COMMANDS[cmd_name])
            command: click.Command = getattr(
                module, "import_command" if cmd_name == "import" else cmd_name)
            _add_verbosity(command)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str],
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in COMMANDS:  # a typo: click suggests from every command
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
    started()  # the collector back on (compiler/cli/report.started)
    level = logs.INFO if verbose else logs.ERROR if quiet else logs.WARNING
    # `build` applies it when it renders or signs (compiler/logs.py): a no-op logs nothing
    logs.configure(level, now=ctx.invoked_subcommand != "build")
    ctx.default_map = project_defaults(ctx.invoked_subcommand)


if __name__ == "__main__":
    main()
