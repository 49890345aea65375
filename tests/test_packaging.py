"""The installed tool: a wheel in a fresh virtual environment builds a project anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE_DATA = ("compiler/templates/css/web.css", "compiler/templates/css/print.css",
                "compiler/templates/html/page.html.j2", "compiler/templates/html/index.html.j2",
                "compiler/templates/pdf/print.html.j2", "compiler/templates/docx/reference.docx",
                "compiler/i18n/ui_catalogs/de.po")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the package (setuptools writes build/ beside its input)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "compiler", src / "compiler",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out),
                    str(src)], check=True, capture_output=True)
    (found,) = out.glob("policyc-*.whl")
    return found


def test_wheel_ships_templates_and_catalogs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in PACKAGE_DATA if n not in names]
    assert not [n for n in names if n.startswith(("templates/", "source/", "locales/"))]


def test_installed_wheel_builds_a_project_outside_the_checkout(
        wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True)
    project = tmp_path / "legal"
    project.mkdir()
    env = {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path),
           "LANG": "C.UTF-8"}
    for args in (["init", "--id", "terms", "--title", "Terms of Service", "--locale", "de"],
                 ["build", "--jobs", "1"]):
        proc = subprocess.run([venv / "bin" / "policyc", *args], cwd=project, env=env,
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    for locale in ("en", "de"):
        for ext in ("html", "pdf", "docx"):
            assert (project / "dist" / locale / f"terms.{ext}").stat().st_size > 1000
    page = (project / "dist" / "de" / "terms.html").read_text(encoding="utf-8")
    assert "Terms of Service" in page and ">Inhalt<" in page
    # The installed package, not this checkout, answered.
    where = subprocess.run([venv / "bin" / "python", "-c",
                            "import compiler; print(compiler.__file__)"],
                           cwd=project, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(venv)
