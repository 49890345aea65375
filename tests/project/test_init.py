"""`policyc init`: a working project in one command, then edit -> build -> serve."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import lxml.html
import pytest
from babel.messages.pofile import read_po, write_po

from tests.helpers import ROOT, start_server, stop_server


def _policyc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *args], cwd=cwd, text=True,
                          capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]})


def test_init_edit_build_serve(tmp_path: Path) -> None:
    proc = _policyc(tmp_path, "init", "legal", "--title", "Cookie Policy", "--locale", "de",
                    "--organization", "Acme: Ltd")
    assert proc.returncode == 0, proc.stderr
    project = tmp_path / "legal"
    made = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert made == [".github/workflows/policies.yml", ".gitignore",
                    "locales/cookie-policy.pot", "locales/de/LC_MESSAGES/cookie-policy.po",
                    "locales/de/LC_MESSAGES/policyc.po", "locales/policyc.pot", "policyc.toml",
                    "source/cookie-policy.yaml", "source/policy.schema.json"]
    assert "/dist/" in (project / ".gitignore").read_text()
    workflow = (project / ".github" / "workflows" / "policies.yml").read_text()
    assert "policyc build" in workflow and "policyc verify --manifest" in workflow
    assert _policyc(project, "check", "--strict").returncode == 0

    # edit: the title in the source, one German translation in the catalog
    source = project / "source" / "cookie-policy.yaml"
    source.write_text(source.read_text().replace("title: \"Cookie Policy\"",
                                                 "title: \"Cookie Notice\""))
    assert _policyc(project, "locale", "update").returncode == 0
    po = project / "locales" / "de" / "LC_MESSAGES" / "cookie-policy.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="de")
    catalog.get("Cookie Notice", "document").string = "Cookie-Hinweis"
    with po.open("wb") as fh:
        write_po(fh, catalog)

    built = _policyc(project, "build", "--jobs", "1")
    assert built.returncode == 0, built.stderr
    for locale in ("en", "de"):
        for ext in ("html", "pdf", "docx"):
            assert (project / "dist" / locale / f"cookie-policy.{ext}").is_file()
    de = lxml.html.parse(str(project / "dist" / "de" / "cookie-policy.html"))
    assert de.xpath("//h1/text()") == ["Cookie-Hinweis"]
    assert de.xpath("//h2[@id='toc-title']/text()") == ["Inhalt"]  # label shipped translated
    assert de.xpath("//p[@class='org']//text()") == ["Acme: Ltd"]

    server, url = start_server(project)
    try:
        with urllib.request.urlopen(url + "de/cookie-policy.html", timeout=10) as response:
            assert "Cookie-Hinweis" in response.read().decode()
    finally:
        stop_server(server)


def test_init_refuses_to_overwrite_and_checks_arguments(tmp_path: Path) -> None:
    (tmp_path / "keep").mkdir()
    assert _policyc(tmp_path / "keep", "init").returncode == 0
    again = _policyc(tmp_path / "keep", "init")  # nothing left to create
    assert again.returncode == 1
    assert ".: error: nothing to create: every file of the project exists already (policyc " \
        "init never overwrites)" in again.stderr
    bad = _policyc(tmp_path, "init", "new", "--id", "Cookie_Policy", "--locale", "xx_YY")
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[:2] == [
        "--id: error: invalid document id 'Cookie_Policy' (expected lowercase words joined by "
        "'-', e.g. cookie-policy)",
        "--locale: error: unknown locale 'xx_YY' (expected a CLDR code such as de, pt_BR)"]


def test_init_in_an_existing_repository(tmp_path: Path) -> None:
    """A repository has a .gitignore, a workflow, its own config: init creates what is
    missing, keeps what exists (saying so), adds its lines to the .gitignore; the project
    builds. Run again with a new locale: its catalogs are made and it is registered."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "policies.yml").write_text("name: mine\n")
    (tmp_path / ".gitignore").write_bytes(b"node_modules/\r\ndist")  # no final newline
    (tmp_path / "policyc.toml").write_text("[build]\nformats = [\"html\"]\n")
    proc = _policyc(tmp_path, "init", "--organization", "Acme GmbH", "--locale", "de")
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr
    assert "policyc: kept policyc.toml (exists already: policyc init never overwrites)" in err
    assert "policyc: kept .github/workflows/policies.yml (exists already" in err
    assert "policyc: added to .gitignore: .policyc-cache/, *.mo" in err
    assert "policyc: created source/privacy-policy.yaml" in err
    assert (tmp_path / ".github" / "workflows" / "policies.yml").read_text() == "name: mine\n"
    assert (tmp_path / ".gitignore").read_bytes() == (
        b"node_modules/\r\ndist\r\n\r\n# policyc outputs and caches\r\n.policyc-cache/\r\n"
        b"*.mo\r\n")
    assert (tmp_path / "policyc.toml").read_text() == "[build]\nformats = [\"html\"]\n"
    built = _policyc(tmp_path, "build", "--jobs", "1")  # {company}: the source defines it
    assert built.returncode == 0, built.stderr
    page = lxml.html.parse(str(tmp_path / "dist" / "de" / "privacy-policy.html"))
    assert page.xpath("//p[@class='org']//text()") == ["Acme GmbH"]

    proc = _policyc(tmp_path, "init", "--locale", "de", "--locale", "fr")
    assert proc.returncode == 0, proc.stderr
    assert "policyc: created locales/fr/LC_MESSAGES/privacy-policy.po" in proc.stderr
    assert "policyc: kept locales/de/LC_MESSAGES/privacy-policy.po" in proc.stderr
    assert "policyc: registered 'fr' in source/privacy-policy.yaml" in proc.stderr
    assert "locales: [en, de, fr]" in (tmp_path / "source" / "privacy-policy.yaml").read_text()
    assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null",
                           str(tmp_path / "locales" / "fr" / "LC_MESSAGES" / "privacy-policy.po")],
                          check=False).returncode == 0
    built = _policyc(tmp_path, "build", "--jobs", "1", "--locale", "fr")
    assert built.returncode == 0, built.stderr


def test_init_that_fails_after_writing_says_what_it_wrote(tmp_path: Path) -> None:
    """review6 F9: an existing source that does not read fails init after it created the
    config and the workflow and appended to .gitignore: it says so, before the error; fixed,
    init again makes the rest."""
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    (tmp_path / "source").mkdir()
    source = tmp_path / "source" / "privacy-policy.yaml"
    source.write_text("id: [\n")
    proc = _policyc(tmp_path, "init", "--title", "Privacy Policy", "--locale", "de")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    said = [line for line in lines if line.startswith("policyc: ")]
    assert "policyc: created policyc.toml" in said
    assert any(line.startswith("policyc: created .github/workflows/policies.yml") for line in said)
    assert any(line.startswith("policyc: added to .gitignore: /dist/,") for line in said), said
    assert not any("kept" in line or "next:" in line for line in said)
    error = next(i for i, line in enumerate(lines) if "privacy-policy.yaml:2:1: error:" in line)
    assert lines.index("policyc: created policyc.toml") < error
    assert (tmp_path / "policyc.toml").is_file()
    assert (tmp_path / ".github" / "workflows" / "policies.yml").is_file()
    assert (tmp_path / ".gitignore").read_text().count("*.mo") == 1
    source.unlink()
    proc = _policyc(tmp_path, "init", "--title", "Privacy Policy", "--locale", "de")
    assert proc.returncode == 0, proc.stderr
    assert "policyc: kept policyc.toml (exists already" in proc.stderr
    assert "policyc: created locales/de/LC_MESSAGES/privacy-policy.po" in proc.stderr
    assert (tmp_path / ".gitignore").read_text().count("*.mo") == 1


def test_starter_workflow_installs_the_policyc_that_made_the_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """qa6 N17: never the bare name from PyPI (it may not be this project's): pip's record
    of where this policyc came from (PEP 610), pinned; a local checkout or wheel leaves the
    setting empty and the workflow stops with a message naming it."""
    import importlib.metadata

    import yaml

    from compiler.project import init

    proc = _policyc(tmp_path, "init", "p")  # this checkout: an editable install or a tree
    assert proc.returncode == 0, proc.stderr
    assert "policies.yml (set its POLICYC_PACKAGE: policyc" in proc.stderr
    text = (tmp_path / "p" / ".github" / "workflows" / "policies.yml").read_text()
    flow = yaml.safe_load(text)
    assert flow["env"] == {"POLICYC_PACKAGE": ""}
    steps = [step.get("run", "") for step in flow["jobs"]["build"]["steps"]]
    install = next(run for run in steps if "pip install" in run)
    assert 'pip install "$POLICYC_PACKAGE"' in install and "exit 1" in install
    assert "pip install policyc" not in text
    failed = subprocess.run(["bash", "-c", install], capture_output=True, text=True,
                            check=False, env={"PATH": os.environ["PATH"], "POLICYC_PACKAGE": ""})
    assert failed.returncode == 1 and "set POLICYC_PACKAGE" in failed.stdout

    class Dist:
        version = "0.1.0"

        def __init__(self, record: str | None) -> None:
            self.record = record

        def read_text(self, name: str) -> str | None:
            return self.record

    for record, expected in [
        (None, "policyc==0.1.0"),
        ('{"url": "https://git.example.com/policyc.git", "vcs_info": {"vcs": "git", '
         '"commit_id": "abc123"}}', "policyc @ git+https://git.example.com/policyc.git@abc123"),
        ('{"url": "https://files.example.com/policyc-0.1.0-py3-none-any.whl", "archive_info": '
         '{"hash": "sha256=ff"}}',
         "policyc @ https://files.example.com/policyc-0.1.0-py3-none-any.whl#sha256=ff"),
        ('{"url": "file:///tmp/w/policyc-0.1.0-py3-none-any.whl", "archive_info": {}}', ""),
        ('{"url": "file:///src/policyc", "dir_info": {"editable": true}}', ""),
    ]:
        monkeypatch.setattr(importlib.metadata, "distribution", lambda _, r=record: Dist(r))
        assert init.install_spec()[0] == expected
        if not expected:  # the workflow written into the user's repository names no local path
            assert init.install_spec()[1] == ("policyc 0.1.0 was installed from a local "
                                              "folder, which CI cannot reach")


def test_an_empty_folder_points_to_init(tmp_path: Path) -> None:
    """qa6 N16: no project here -> the error names `policyc init`; a project without
    sources -> how to make one."""
    for command in ("check", "build"):
        proc = _policyc(tmp_path, command)
        assert proc.returncode == 1
        assert proc.stderr.startswith("source/: error: no sources found (expected "
                                      "source/*.yaml: run `policyc init` to start a project "
                                      "here)"), proc.stderr
    (tmp_path / "policyc.toml").write_text("")
    proc = _policyc(tmp_path, "build")
    assert proc.returncode == 1 and "`policyc import FILE`" in proc.stderr


def test_init_follows_an_existing_configs_output_folder(tmp_path: Path) -> None:
    """A repository whose [tool.policyc] builds into public/legal: the .gitignore and the
    workflow name that folder, not dist/; the config stays pyproject.toml's table."""
    import yaml

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "site"\n\n'
                                             '[tool.policyc.build]\nout = "public/legal"\n')
    proc = _policyc(tmp_path, "init")
    assert proc.returncode == 0, proc.stderr
    assert "kept pyproject.toml (its [tool.policyc] table is the project's config)" in proc.stderr
    assert not (tmp_path / "policyc.toml").exists()
    assert "/public/legal/\n" in (tmp_path / ".gitignore").read_text()
    flow = yaml.safe_load((tmp_path / ".github" / "workflows" / "policies.yml").read_text())
    steps = flow["jobs"]["build"]["steps"]
    assert "policyc verify --manifest public/legal/manifest.json --allow-unsigned" in \
        [s.get("run") for s in steps]
    assert steps[-1]["with"]["path"] == "public/legal/"
    built = _policyc(tmp_path, "build", "--jobs", "1", "--format", "html")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "public" / "legal" / "manifest.json").is_file()


def test_init_quiet_says_nothing_but_errors(tmp_path: Path) -> None:
    """-q: only errors (init listed every file it created, and 'next:')."""
    proc = _policyc(tmp_path, "init", "p", "-q")
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == "", proc.stderr
    assert (tmp_path / "p" / "policyc.toml").is_file()
    proc = _policyc(tmp_path, "init", "p", "-q")  # nothing left to create: the error shows
    assert proc.returncode == 1 and "error: nothing to create" in proc.stderr, proc.stderr
