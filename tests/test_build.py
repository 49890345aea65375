"""Builds: atomic writes, reproducible bytes, incremental skips, parallel and sharded runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.build import BuildOptions, build
from compiler.errors import CompilerError
from compiler.renderers.templates import TEMPLATES, Templates
from tests.helpers import FIXTURES

PROJECT = FIXTURES / "project"
FORMATS = ("html", "pdf", "docx")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(PROJECT, dest)
    return dest


def _source(project: Path) -> Path:
    return project / "source" / "retention-schedule.yaml"


def _digests(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {o["path"]: o["sha256"] for o in manifest["outputs"]}


def test_failed_build_keeps_earlier_outputs_intact(project: Path) -> None:
    out = project / "dist"
    build([_source(project)], BuildOptions(out=out, formats=("html",)))
    before = (out / "en" / "retention-schedule.html").read_bytes()
    src = _source(project)
    src.write_text(src.read_text().replace("title: Scope", "titel: Scope"))
    with pytest.raises(CompilerError, match="unknown key 'titel'"):
        build([src], BuildOptions(out=out, formats=("html",)))
    assert (out / "en" / "retention-schedule.html").read_bytes() == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_renderer_crash_leaves_no_partial_file(project: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    from compiler import build as build_module

    out = project / "dist"
    build([_source(project)], BuildOptions(out=out, formats=("html",), locales=("en",)))
    before = (out / "en" / "retention-schedule.html").read_bytes()

    def explode(fmt: str, ldoc: object, ropts: object) -> bytes:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(build_module, "_render", explode)
    with pytest.raises(RuntimeError):
        build([_source(project)], BuildOptions(out=out, formats=("html",), locales=("en",),
                                               force=True))
    assert (out / "en" / "retention-schedule.html").read_bytes() == before


def _cli_build(project: Path, out: Path, env: dict[str, str], *extra: str) -> None:
    subprocess.run([sys.executable, "-m", "compiler.cli", "-q", "build", "--out", str(out),
                    *extra], cwd=project, env={**os.environ, **env}, check=True)


def test_reproducible_across_directories_time_zones_and_languages(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(PROJECT, a)
    shutil.copytree(PROJECT, b)
    _cli_build(a, a / "dist", {"TZ": "UTC", "LANG": "C.UTF-8"})
    _cli_build(b, b / "out", {"TZ": "Asia/Tokyo", "LANG": "de_DE.UTF-8",
                              "SOURCE_DATE_EPOCH": "1700000000"}, "--jobs", "2")
    da, db = _digests(a / "dist"), _digests(b / "out")
    assert set(da) == {f"{loc}/retention-schedule.{f}" for loc in ("en", "de") for f in FORMATS}
    assert da == db
    for rel in da:
        assert (a / "dist" / rel).read_bytes() == (b / "out" / rel).read_bytes(), rel


def test_incremental_rebuilds_only_what_changed(project: Path) -> None:
    out = project / "dist"
    first = build([_source(project)], BuildOptions(out=out))
    assert first.built == 6 and first.skipped == 0
    again = build([_source(project)], BuildOptions(out=out))
    assert again.built == 0 and again.skipped == 6
    assert _digests(out) == {o.path.relative_to(out).as_posix(): o.sha256 for o in again.outputs}
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    po.write_text(po.read_text().replace('msgstr "Grund"', 'msgstr "Begründung"'))
    edited = build([_source(project)], BuildOptions(out=out))
    assert sorted(o.locale for o in edited.outputs if o.built) == ["de", "de", "de"]
    assert "Begründung" in (out / "de" / "retention-schedule.html").read_text()
    templates = project / "templates" / "css"
    templates.mkdir(parents=True)
    shutil.copy(TEMPLATES / "css" / "print.css", templates)
    own = Templates.for_project(project / "templates")
    build([_source(project)], BuildOptions(out=out, templates=own))
    css = templates / "print.css"
    css.write_text(css.read_text() + "\n/* edited */\n")
    styled = build([_source(project)], BuildOptions(out=out, templates=own))
    assert sorted(o.format for o in styled.outputs if o.built) == ["pdf", "pdf"]
    forced = build([_source(project)], BuildOptions(out=out, force=True))
    assert forced.built == 6


def test_parallel_output_identical_and_shards_merge(project: Path) -> None:
    serial, parallel = project / "serial", project / "parallel"
    build([_source(project)], BuildOptions(out=serial, jobs=1))
    build([_source(project)], BuildOptions(out=parallel, jobs=2))
    assert _digests(serial) == _digests(parallel)
    shards = []
    for k in (1, 2, 3):
        out = project / f"shard{k}"
        build([_source(project)], BuildOptions(out=out, shard=(k, 3)))
        shards.append(out / "manifest.json")
        assert len(_digests(out)) == 2
    from compiler.manifest import merge

    merged = json.loads(merge(shards))
    assert {o["path"]: o["sha256"] for o in merged["outputs"]} == _digests(serial)


def test_manifest_lists_outputs_inputs_completeness(project: Path) -> None:
    out = project / "dist"
    build([_source(project)], BuildOptions(out=out, formats=("html",)))
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(o for o in manifest["outputs"] if o["locale"] == "de")
    assert entry == {"path": "de/retention-schedule.html", "format": "html", "locale": "de",
                     "document": "retention-schedule", "version": "2.0.1",
                     "size": (out / "de" / "retention-schedule.html").stat().st_size,
                     "sha256": entry["sha256"]}
    assert len(manifest["inputs"]["sources"]) == 1
    assert any(k.endswith("de/LC_MESSAGES/retention-schedule.po")
               for k in manifest["inputs"]["catalogs"])
    assert "css/print.css" in manifest["inputs"]["templates"]
    assert manifest["completeness"]["retention-schedule"]["de"]["percent"] == 100.0
    assert manifest["policyc"]


def test_docx_protect_writes_a_read_only_copy(project: Path) -> None:
    import zipfile

    from lxml import etree

    out = project / "dist"
    result = build([_source(project)], BuildOptions(out=out, formats=("docx",), locales=("en",),
                                                    docx_protect=True))
    assert sorted(o.path.name for o in result.outputs) == [
        "retention-schedule.docx", "retention-schedule.protected.docx"]
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def settings(name: str) -> etree._Element:
        with zipfile.ZipFile(out / "en" / name) as z:
            return etree.fromstring(z.read("word/settings.xml"))

    protected = settings("retention-schedule.protected.docx")
    assert protected.find(f"{w}writeProtection").get(f"{w}recommended") == "1"
    dp = protected.find(f"{w}documentProtection")
    assert dp.get(f"{w}edit") == "comments" and dp.get(f"{w}enforcement") == "1"
    assert settings("retention-schedule.docx").find(f"{w}documentProtection") is None
