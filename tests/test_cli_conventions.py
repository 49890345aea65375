"""Command-line conventions: -q/-v after the subcommand, --version with the libraries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from tests.helpers import FIXTURES, ROOT


def _policyc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", *args], cwd=cwd, text=True,
                          capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]})


def test_version_lists_the_libraries() -> None:
    proc = _policyc(ROOT, "--version")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0].startswith("policyc ")
    for name in ("weasyprint", "python-docx", "babel", "pyHanko"):
        assert f"  {name} {version(name)}" in out


def test_quiet_and_verbose_after_the_subcommand(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "project", tmp_path / "p")
    project = tmp_path / "p"
    quiet = _policyc(project, "build", "--format", "html", "--locale", "en", "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    verbose = _policyc(project, "build", "--format", "html", "--locale", "en", "--force",
                       "--verbose")
    assert verbose.returncode == 0, verbose.stderr
    assert "INFO: wrote " in verbose.stderr
    assert _policyc(project, "locale", "status", "-q").returncode == 0


def test_completion_script() -> None:
    proc = subprocess.run([sys.executable, "-m", "compiler"], cwd=ROOT, text=True,
                          capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"],
                               "_POLICYC_COMPLETE": "bash_source"})
    assert proc.returncode == 0, proc.stderr
    assert "_policyc_completion" in proc.stdout


def test_every_option_says_what_it_does_and_defaults_read_relative(tmp_path: Path) -> None:
    """qa6 N18: `serve --help` showed --port without a word and --out's default as the
    absolute path of the project."""
    import click

    from compiler.cli import main

    ctx = click.Context(main)
    silent: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                found = command.get_command(ctx, name)
                assert found is not None
                walk(found, [*path, name])
            return
        silent.extend(f"{' '.join(path)} {p.opts[0]}" for p in command.params
                      if isinstance(p, click.Option) and not p.hidden and not p.help)

    walk(main, ["policyc"])
    assert not silent, silent
    shutil.copytree(FIXTURES / "project", tmp_path / "p")
    project = tmp_path / "p"
    (project / "policyc.toml").write_text("[build]\nformats = ['html']\n", encoding="utf-8")
    for command in ("serve", "build"):
        shown = _policyc(project / "source", command, "--help")
        assert shown.returncode == 0, shown.stderr
        assert str(tmp_path) not in shown.stdout, shown.stdout
        assert "[default: ../dist]" in " ".join(shown.stdout.split()), shown.stdout
