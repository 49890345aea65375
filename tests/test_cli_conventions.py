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
