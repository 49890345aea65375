"""policyc.toml: found by walking up, checked with located errors, applied file < env < CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest

from compiler.errors import CompilerError
from compiler.project.config import json_schema, load
from compiler.project.layout import find_layout
from tests.helpers import FIXTURES, ROOT

SOURCE = FIXTURES / "project" / "source" / "retention-schedule.yaml"


def _project(tmp_path: Path, config: str, name: str = "policyc.toml") -> Path:
    (tmp_path / "source").mkdir()
    shutil.copy(SOURCE, tmp_path / "source")
    (tmp_path / name).write_text(config, encoding="utf-8")
    return tmp_path


def _policyc(cwd: Path, *args: str, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *args], cwd=cwd, text=True,
                          capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"],
                               **(env or {})})


def test_found_by_walking_up_and_in_pyproject(tmp_path: Path) -> None:
    _project(tmp_path, "[tool.other]\nx = 1\n\n[tool.policyc.build]\nformats = ['html']\n",
             name="pyproject.toml")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    layout = find_layout(deep)
    assert layout.root == tmp_path.resolve()
    assert layout.config == tmp_path.resolve() / "pyproject.toml"
    assert load(layout).build == {"formats": ["html"]}
    (tmp_path / "policyc.toml").write_text("[build]\njobs = 3\n")
    assert load(find_layout(deep)).build == {"jobs": 3}  # policyc.toml wins in one folder


def test_pyproject_without_our_table_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'policyc-notes'\n")
    assert find_layout(tmp_path).config != tmp_path.resolve() / "pyproject.toml"


# Every TOML spelling of a tool.policyc table, and files that only name policyc elsewhere.
HOLDING = [
    "[tool.policyc]\n", "[tool.policyc.build]\njobs = 2\n", "[ tool . policyc ]\n",
    '["tool"."policyc"]\n', "[[tool.policyc.x]]\ny = 1\n", "[tool]\npolicyc = {}\n",
    "[ 'tool' ]\npolicyc.build.jobs = 2\n", "[tool] # ours\n'policyc' = {}\n",
    "tool.policyc.build.jobs = 2\n", "tool = { policyc = {} }\n",
    'tool = { x = [\n  1,\n], policyc = {} }\n', '"\\u0074ool".policyc = {}\n',
    '[tool."\\u0070olicyc"]\n', "[tool.ruff]\nx = 1\n\r\n[tool]\r\npolicyc = {}\r\n",
]
NOT_HOLDING = [
    "[project]\nname = 'policyc'\n[project.scripts]\npolicyc = 'compiler.__main__:run'\n"
    "[tool.ruff]\nline-length = 110\n",
    "[project]\nname = 'policyc-notes'\n", "[tool.ruff]\n# not policyc's\n",
]


@pytest.mark.parametrize("text", HOLDING + NOT_HOLDING)
def test_pyproject_is_parsed_whenever_it_may_hold_our_table(text: str, tmp_path: Path) -> None:
    """find_config parses a pyproject.toml only when [tool.policyc] may be in it (tomllib's
    import and parse cost a no-op build ~3 ms, issue #18): never skipped when it is there."""
    import tomllib

    from compiler.project.layout import _may_hold_tool_table

    data = text.encode()
    holds = "policyc" in tomllib.loads(text).get("tool", {})
    assert holds == (text in HOLDING)
    if holds:
        assert _may_hold_tool_table(data)
    if text in NOT_HOLDING[:1]:  # this repository's: no parse
        assert not _may_hold_tool_table(data)
    (tmp_path / "pyproject.toml").write_bytes(data)
    found = find_layout(tmp_path).config == tmp_path.resolve() / "pyproject.toml"
    assert found == holds


def test_unknown_keys_and_wrong_types_are_located(tmp_path: Path) -> None:
    _project(tmp_path, (
        "[build]\n"                      # 1
        "formats = ['html']\n"           # 2
        "page-sise = 'A4'\n"             # 3
        "jobs = 'two'\n"                 # 4
        "\n"                             # 5
        "[theme]\n"                      # 6
        "primary = 'blue'\n"             # 7
        "logo = 'missing.svg'\n"         # 8
        "[theme.fonts]\n"                # 9
        "latn = 'Inter'\n"               # 10
        "[variables]\n"                  # 11
        "mail = { emial = 'x@y.z' }\n"   # 12
        "[colours]\n"))                  # 13
    with pytest.raises(CompilerError) as err:
        load(find_layout(tmp_path))
    found = sorted(str(d) for d in err.value.diagnostics)
    shown = str(tmp_path.resolve() / "policyc.toml")
    assert found == sorted([
        f"{shown}:3: error: build.page-sise: unknown key 'page-sise' (expected one of: out, "
        "formats, locales, locales-dir, page-size, pdf-variant, jobs, reference-docx, base-url, "
        "strict, docx-protect, render-time-limit); did you mean 'page-size'?",
        f"{shown}:4: error: build.jobs: expected an integer, found a string",
        f"{shown}:7: error: theme.primary: invalid value 'blue' (expected a colour such as "
        "#1F5F99)",
        f"{shown}:8: error: theme.logo: file '{tmp_path.resolve() / 'missing.svg'}' does not "
        "exist",
        f"{shown}:10: error: theme.fonts.latn: unknown key 'latn' (expected one of: latin, "
        "headings, arabic, hebrew, cjk); did you mean 'latin'?",
        f"{shown}:12:1: error: variables.mail: unknown key 'emial' (expected one of: text, "
        "email, url, phone, date, duration, number, comment); did you mean 'email'?",
        f"{shown}:12:1: error: variables.mail: expected exactly one type key (one of: text, "
        "email, url, phone, date, duration, number)",
        f"{shown}:13: error: colours: unknown key 'colours' (expected one of: build, theme, "
        "variables)",
    ])


def test_toml_syntax_error_is_located(tmp_path: Path) -> None:
    _project(tmp_path, "[build]\nformats = [html]\n")
    proc = _policyc(tmp_path, "build")
    assert proc.returncode == 1
    assert proc.stderr.startswith("policyc.toml:2:12: error: TOML syntax error: Invalid value\n")
    assert "Traceback" not in proc.stderr
    (tmp_path / "policyc.toml").write_text("[build]\nformats = ['html'\n")
    unclosed = _policyc(tmp_path, "build")
    assert unclosed.returncode == 1
    assert unclosed.stderr.startswith("policyc.toml:2: error: TOML syntax error: Unclosed array\n")


def test_precedence_file_then_environment_then_command_line(tmp_path: Path) -> None:
    _project(tmp_path, "[build]\nformats = ['html']\nlocales = ['en']\nout = 'site'\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    assert _policyc(sub, "build").returncode == 0  # below the root: paths from the file
    assert sorted(p.name for p in (tmp_path / "site" / "en").iterdir()) == [
        "retention-schedule.html"]
    env = {"POLICYC_FORMATS": "docx", "POLICYC_OUT": str(tmp_path / "env")}
    assert _policyc(tmp_path, "build", env=env).returncode == 0
    assert sorted(p.name for p in (tmp_path / "env" / "en").iterdir()) == [
        "retention-schedule.docx"]
    proc = _policyc(tmp_path, "build", "--format", "html", "--locale", "de", env=env)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "env" / "de").iterdir()) == [
        "retention-schedule.html"]
    assert not (tmp_path / "env" / "de" / "retention-schedule.docx").exists()


def test_json_schema_accepts_the_init_config_and_rejects_typos(tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    good = tomllib.loads("[build]\nformats = ['html', 'pdf']\npage-size = 'Letter'\n"
                         "[theme]\nprimary = '#112233'\n[theme.fonts]\nlatin = 'Inter'\n"
                         "[variables]\ncompany = 'Acme'\nmail = { email = 'a@b.cd' }\n")
    assert not list(validator.iter_errors(good))
    bad = tomllib.loads("[build]\npage-sise = 'A4'\n[theme]\nprimary = 'blue'\n")
    assert len(list(validator.iter_errors(bad))) == 2
