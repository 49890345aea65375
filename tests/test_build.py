"""Builds: atomic writes, reproducible bytes, incremental skips, parallel and sharded runs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from compiler.build import BuildOptions, build
from compiler.build import run as build_run
from compiler.errors import CompilerError
from compiler.renderers.templates import TEMPLATES, Templates
from tests.helpers import FIXTURES, pdftotext

PROJECT = FIXTURES / "project"
FORMATS = ("html", "pdf", "docx")


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


_RENDER = build_run._render


def _render_but_german_docx(fmt: str, ldoc: Any, ropts: Any, seconds: float = 0) -> bytes:
    """A renderer bug in one job (module level: the pool pickles it by name)."""
    if fmt == "docx" and ldoc.language.code == "de":
        raise RuntimeError("renderer bug")
    return _RENDER(fmt, ldoc, ropts, seconds)


@pytest.mark.parametrize("jobs", [1, 2])
def test_renderer_crash_leaves_earlier_output(project: Path, monkeypatch: pytest.MonkeyPatch,
                                              jobs: int) -> None:
    out = project / "dist"
    build([_source(project)], BuildOptions(out=out, formats=("html", "docx")))
    before = {p: p.read_bytes() for p in out.rglob("retention-schedule.*")}
    monkeypatch.setattr(build_run, "_render", _render_but_german_docx)  # workers fork with it
    with pytest.raises(RuntimeError, match="renderer bug"):
        build([_source(project)], BuildOptions(out=out, formats=("html", "docx"), force=True,
                                               jobs=jobs))
    assert {p: p.read_bytes() for p in out.rglob("retention-schedule.*")} == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_failure_in_the_middle_of_a_write_leaves_no_half_file(
        project: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """The disk fills up after half of de/...pdf is written: the old file stays whole."""
    import errno

    out = project / "dist"
    build([_source(project)], BuildOptions(out=out))
    victim = out / "de" / "retention-schedule.pdf"
    before = {p: p.read_bytes() for p in out.rglob("retention-schedule.*")}
    real_fdopen = os.fdopen
    halves: list[int] = []

    class HalfWriter:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            halves.append(len(data) // 2)
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        fh = real_fdopen(fd, *args, **kwargs)
        target = Path(f"/proc/self/fd/{fd}").readlink()
        if target.parent == victim.parent and target.name.startswith(f".{victim.name}."):
            return HalfWriter(fh)
        return fh

    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    po.write_text(po.read_text().replace('msgstr "Grund"', 'msgstr "Begründung"'))
    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(CompilerError, match=r"retention-schedule.pdf: error: cannot write: "
                       r"No space left on device \(the disk is full\)"):
        build([_source(project)], BuildOptions(out=out, jobs=jobs))
    monkeypatch.undo()
    assert halves and halves[0] > 1000  # the failure came after real bytes were written
    assert victim.read_bytes() == before[victim]  # other jobs may have finished meanwhile
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    again = build([_source(project)], BuildOptions(out=out, jobs=jobs))
    assert victim in [o.path for o in again.outputs if o.built]
    assert {o.locale for o in again.outputs if o.built} == {"de"}
    assert "Begründung" in pdftotext(victim)
    _assert_manifest_matches_files(out)
    assert build([_source(project)], BuildOptions(out=out)).built == 0


def _assert_manifest_matches_files(out: Path) -> dict[str, Any]:
    """Every file in OUT is in the manifest with its own size and SHA-256, and nothing else is."""
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {o["path"]: o for o in manifest["outputs"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.glob("*/*.*")}
    assert set(listed) == on_disk
    for rel, entry in listed.items():
        data = (out / rel).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    return manifest


def _index_links(out: Path) -> list[str]:
    import lxml.html

    page = lxml.html.fromstring((out / "index.html").read_bytes())
    return sorted(str(h) for h in page.xpath("//a/@href"))


def test_partial_build_keeps_manifest_and_index_whole(project: Path) -> None:
    out = project / "dist"
    build([_source(project)], BuildOptions(out=out))
    whole = _assert_manifest_matches_files(out)
    links = _index_links(out)
    assert len(whole["outputs"]) == 6 and len(links) >= 6
    for options in (BuildOptions(out=out, locales=("de",), force=True),
                    BuildOptions(out=out, formats=("pdf",), force=True),
                    BuildOptions(out=out, locales=("en",), formats=("html",))):
        build([_source(project)], options)
        now = _assert_manifest_matches_files(out)["outputs"]
        assert [o["path"] for o in now] == [o["path"] for o in whole["outputs"]]
        assert _index_links(out) == links
    assert _assert_manifest_matches_files(out)["completeness"] == whole["completeness"]


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
    _assert_manifest_matches_files(out)
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
    from compiler.build.manifest import merge

    merged = json.loads(merge(shards))
    assert {o["path"]: o["sha256"] for o in merged["outputs"]} == _digests(serial)


def test_merge_refuses_a_page_linking_an_output_no_shard_published(project: Path) -> None:
    """review6 F3 addendum: --shard puts de's page and the file it offers in two slices; the
    slice making the file fails, the other's page still offers it: the merge refuses (the
    merged dist/ would answer the link with a 404), and accepts once that slice is built."""
    import posixpath

    import lxml.html

    from compiler.build.manifest import merge

    options = BuildOptions(formats=("html", "docx"))  # slice 1: the DOCX files, 2: the pages
    shards = [project / "shard1", project / "shard2"]
    blocked = shards[0] / "de" / "retention-schedule.docx"
    blocked.mkdir(parents=True)  # a folder where the file goes: that write fails
    with pytest.raises(CompilerError, match=r"retention-schedule\.docx: error: cannot write"):
        build([_source(project)], replace(options, out=shards[0], shard=(1, 2)))
    build([_source(project)], replace(options, out=shards[1], shard=(2, 2)))
    manifests = [out / "manifest.json" for out in shards]
    with pytest.raises(CompilerError) as err:
        merge(manifests)
    assert str(err.value).splitlines()[0] == (  # (and en's, when its DOCX was not written)
        f"{shards[1] / 'de' / 'retention-schedule.html'}: error: links "
        "de/retention-schedule.docx, which no merged manifest lists (expected every output "
        "a page links to in one of them: did the build of the slice making it fail, or "
        "refuse it?)")
    blocked.rmdir()
    build([_source(project)], replace(options, out=shards[0], shard=(1, 2)))
    merged = json.loads(merge(manifests))
    listed = {o["path"] for o in merged["outputs"]}
    assert len(listed) == 4
    for page in [p for p in listed if p.endswith(".html")]:  # every link to an output is there
        shard = next(out for out in shards if (out / page).is_file())
        for href in lxml.html.parse(str(shard / page)).xpath("//a/@href"):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
            if target.endswith((".html", ".docx", ".pdf")) and target.count("/") == 1:
                assert target in listed, (page, href)


def test_manifest_lists_outputs_inputs_completeness(project: Path) -> None:
    out = project / "dist"
    build([_source(project)], BuildOptions(out=out, formats=("html",)))
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(o for o in manifest["outputs"] if o["locale"] == "de")
    data = (out / "de" / "retention-schedule.html").read_bytes()
    made_from = entry.pop("inputs")  # what this output was made from: the build's inputs
    assert entry == {"path": "de/retention-schedule.html", "format": "html", "locale": "de",
                     "document": "retention-schedule", "version": "2.0.1",
                     "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert made_from == {kind: manifest["inputs"][kind] for kind in ("sources", "catalogs")}
    _assert_manifest_matches_files(out)
    assert len(manifest["inputs"]["sources"]) == 1
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    assert [hashlib.sha256(po.read_bytes()).hexdigest()] == [
        v for k, v in manifest["inputs"]["catalogs"].items()
        if k.endswith("de/LC_MESSAGES/retention-schedule.po")]
    css = TEMPLATES / "css" / "print.css"
    assert manifest["inputs"]["templates"]["css/print.css"] == hashlib.sha256(
        css.read_bytes()).hexdigest()
    assert list(manifest["inputs"]["sources"].values()) == [
        hashlib.sha256(_source(project).read_bytes()).hexdigest()]
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


def _built(result: Any) -> list[tuple[str, str]]:
    return sorted((o.locale, o.format) for o in result.outputs if o.built)


ALL = [(loc, f) for loc in ("de", "en") for f in ("docx", "html", "pdf")]


def test_each_input_triggers_exactly_its_rebuilds(project: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Source, reference DOCX, options and policyc's code each join the job keys."""
    from compiler.build import plan

    out = project / "dist"
    src = _source(project)
    reference = project / "reference.docx"
    shutil.copy(TEMPLATES / "docx" / "reference.docx", reference)
    options = BuildOptions(out=out, reference_docx=reference)
    build([src], options)
    assert _built(build([src], options)) == []
    src.write_text(src.read_text().replace("version: 2.0.1", "version: 2.0.2"))
    assert _built(build([src], options)) == ALL  # the source: everything
    with zipfile.ZipFile(reference, "a") as z:
        z.writestr("customXml/note.xml", "<note/>")
    assert _built(build([src], options)) == [("de", "docx"), ("en", "docx")]
    assert _built(build([src], replace(options, pdf_variant="pdf/a-2b"))) == ALL
    assert _built(build([src], replace(options, pdf_variant="pdf/a-2b", locales=("de",),
                                       page_size="Letter"))) == ALL[:3]
    assert _built(build([src], replace(options, pdf_variant="pdf/a-2b"))) == ALL[:3]
    monkeypatch.setattr(plan, "code_digest", lambda: "another policyc")
    assert _built(build([src], replace(options, pdf_variant="pdf/a-2b"))) == ALL


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_syntax_error_in_a_project_template_is_located(project: Path, jobs: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A project's own template is the project's to get right: its syntax error is an error
    at its file and line, the same whichever process renders (review5 F7: it was an
    internal error, worded differently with workers), and nothing is written."""
    page = project / "templates" / "html" / "page.html.j2"
    page.parent.mkdir(parents=True)
    builtin = (TEMPLATES / "html" / "page.html.j2").read_text(encoding="utf-8")
    page.write_text(builtin + "{% if %}\n", encoding="utf-8")
    monkeypatch.chdir(project)
    out = project / "dist"
    with pytest.raises(CompilerError) as failed:
        build([_source(project)], BuildOptions(out=out, formats=("html",), jobs=jobs,
                                               templates=Templates.for_project(page.parents[1])))
    line = builtin.count("\n") + 1
    assert [str(d) for d in failed.value.diagnostics] == [
        f"templates/html/page.html.j2:{line}: error: in a template: Expected an expression, "
        "got 'end of statement block'"]
    assert not list(out.rglob("retention-schedule.html"))  # (the index lists what exists)


def test_a_template_error_at_the_command_line_is_not_a_bug(project: Path) -> None:
    page = project / "templates" / "html" / "page.html.j2"
    page.parent.mkdir(parents=True)
    page.write_text("{% extends 'builtin/html/page.html.j2' %}\n{% block x %}{{ }}{% endblock %}\n",
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "compiler", "build", "source", "--format", "html",
                           "--jobs", "2"], cwd=project, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 1, done.stderr
    assert "templates/html/page.html.j2:2: error: in a template: Expected an expression" in \
        done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
