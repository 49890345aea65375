"""The command line: start-up stays light, and the committed catalogs stay current."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

HEAVY = ("weasyprint", "docx", "pyhanko", "jinja2")


@pytest.mark.parametrize("args", [["--help"], ["check"], ["locale", "status"]])
def test_startup_imports_no_renderer(args: list[str]) -> None:
    code = ("import sys, runpy; sys.argv = ['policyc', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('compiler.cli', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    loaded = set(out.split())
    assert not [m for m in HEAVY if m in loaded]


def test_committed_template_and_catalogs_are_current(tmp_path: Path) -> None:
    """extract -> update on the shipped policy changes no committed byte."""
    project = tmp_path / "p"
    (project / "source").mkdir(parents=True)
    shutil.copy(ROOT / "source" / "privacy-policy.yaml", project / "source")
    shutil.copytree(ROOT / "locales", project / "locales")
    subprocess.run([sys.executable, "-m", "compiler.cli", "locale", "update"], cwd=project,
                   check=True, capture_output=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    for po in sorted((ROOT / "locales").rglob("*.po*")):
        rel = po.relative_to(ROOT / "locales")
        assert (project / "locales" / rel).read_bytes() == po.read_bytes(), rel


def test_canonical_link_with_base_url(tmp_path: Path) -> None:
    import lxml.html

    from compiler.build import BuildOptions, build

    build([ROOT / "source" / "privacy-policy.yaml"],
          BuildOptions(out=tmp_path, formats=("html",), locales=("de",),
                       base_url="https://example.com/legal"))
    page = lxml.html.fromstring((tmp_path / "de" / "privacy-policy.html").read_bytes())
    assert page.xpath("//link[@rel='canonical']/@href") == [
        "https://example.com/legal/de/privacy-policy.html"]


def test_check_fast_path_reports_errors_and_skips_click(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "fixtures" / "invalid" / "unknown-key.yaml"
    proc = subprocess.run([sys.executable, "-m", "compiler", "check", str(bad)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "unknown-key.yaml:16:13: error: sections[0].blocks[0].bullets[0]: unknown key" \
        in proc.stderr
    code = ("import sys, runpy; sys.argv = ['policyc', 'check']\n"
            "runpy.run_module('compiler', run_name='__main__')\n"
            "print('click' in sys.modules, 'yaml' in sys.modules)")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == ["False", "False"]  # second run: validated before, nothing parsed
