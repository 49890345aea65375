"""Outputs a build no longer makes (a deleted source, a dropped locale or option) are
unpublished by a build covering them, and kept by a partial build that does not (qa6 D15)."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html

from tests.helpers import run_cli
from tests.test_build import _assert_manifest_matches_files

SOURCE = "source/retention-schedule.yaml"


def _listed(out: Path) -> set[str]:
    return {o["path"] for o in _assert_manifest_matches_files(out)["outputs"]}


def _index(out: Path) -> tuple[set[str], str]:
    page = lxml.html.fromstring((out / "index.html").read_bytes())
    return {str(h) for h in page.xpath("//a/@href")}, page.text_content()


def test_withdrawn_documents_locales_and_options_are_unpublished(project: Path) -> None:
    out = project / "dist"
    text = (project / SOURCE).read_text()
    (project / "source" / "records-faq.yaml").write_text(
        text.replace("id: retention-schedule", "id: records-faq")
        .replace("title: Data Retention Schedule", "title: Records FAQ")
        .replace("locales: [en, de]", "locales: [en]"))
    code, said = run_cli(project, "build", "--format", "html,docx", "--docx-annex", "Annex B")
    assert code == 0, said
    assert _listed(out) == {f"{loc}/{doc}.{ext}" for doc, loc in (
        ("retention-schedule", "en"), ("retention-schedule", "de"), ("records-faq", "en"))
        for ext in ("html", "docx", "annex.docx")}

    # the FAQ is withdrawn; a build of the German HTML alone does not cover its outputs
    (project / "source" / "records-faq.yaml").unlink()
    code, said = run_cli(project, "build", "--locale", "de", "--format", "html")
    assert code == 0 and "removed" not in said, said
    assert "en/records-faq.html" in _listed(out)

    # a whole build does: its files go, and the annexes no option asks for any more; a file
    # changed by hand since is left where it is, unlisted
    (out / "en" / "records-faq.docx").write_bytes(b"edited by hand")
    code, said = run_cli(project, "build", "--format", "html,docx")
    assert code == 0, said
    for gone in ("en/records-faq.html", "en/records-faq.annex.docx",
                 "en/retention-schedule.annex.docx", "de/retention-schedule.annex.docx"):
        assert f"policyc: removed dist/{gone} (no longer built)" in said
        assert not (out / gone).exists()
    assert "no longer listed dist/en/records-faq.docx" in said
    assert ", 5 removed, " in said
    (out / "en" / "records-faq.docx").unlink()  # the user's to delete
    expected = {f"{loc}/retention-schedule.{ext}" for loc in ("en", "de")
                for ext in ("html", "docx")}
    assert _listed(out) == expected
    links, words = _index(out)
    assert links == expected and "Records FAQ" not in words
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["completeness"]) == {"retention-schedule"}
    assert list(manifest["inputs"]["sources"]) == [SOURCE]

    # German is dropped from the source's locales: the next whole build unpublishes it, and
    # the folder it leaves empty; then a PDF-only build keeps the HTML and DOCX
    (project / SOURCE).write_text(text.replace("locales: [en, de]", "locales: [en]"))
    code, said = run_cli(project, "build", "--format", "html,docx")
    assert code == 0 and said.count("policyc: removed dist/de/") == 2, said
    assert not (out / "de").exists()
    assert _listed(out) == {"en/retention-schedule.html", "en/retention-schedule.docx"}
    assert set(json.loads((out / "manifest.json").read_text())["completeness"][
        "retention-schedule"]) == {"en"}
    code, said = run_cli(project, "build", "--format", "pdf")
    assert code == 0 and "removed" not in said, said
    assert _listed(out) == {f"en/retention-schedule.{ext}" for ext in ("html", "docx", "pdf")}
    assert _index(out)[0] == _listed(out)


def test_a_build_of_another_folder_unpublishes_nothing_of_the_project(project: Path) -> None:
    """review6 F1: `policyc build .` or `build drafts/` covers the sources found there, not
    the whole project; before, every output of source/ was deleted (exit 0)."""
    out = project / "dist"
    code, said = run_cli(project, "build", "--format", "html")
    assert code == 0, said
    before = _listed(out)
    (project / "drafts").mkdir()
    (project / "drafts" / "faq.yaml").write_text(
        (project / SOURCE).read_text().replace("id: retention-schedule", "id: faq-draft")
        .replace("locales: [en, de]", "locales: [en]"))
    (project / "old" / "source").mkdir(parents=True)  # a folder named source, elsewhere
    for named in (".", "drafts", "locales", "old/source"):
        code, said = run_cli(project, "build", "--format", "html", named)
        assert "removed" not in said, (named, said)
        assert before <= _listed(out), named
        assert all((out / rel).is_file() for rel in before)
    assert "en/faq-draft.html" in _listed(out)
    # the project's own source/ folder named is the whole project
    (project / "drafts" / "faq.yaml").unlink()
    code, said = run_cli(project, "build", "--format", "html", "source")
    assert code == 0 and "removed dist/en/faq-draft.html" in said, said
    assert _listed(out) == before


def test_a_state_file_naming_files_outside_dist_deletes_nothing(project: Path) -> None:
    """review6 F2: the state file is only data; a key with '..', an absolute path or a
    symlink on the way never leads a build to delete a file outside OUT."""
    import hashlib

    out = project / "dist"
    code, said = run_cli(project, "build", "--format", "html")
    assert code == 0, said
    victim = project / "victim.txt"
    victim.write_text("ref: refs/heads/main\n")
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "kept.txt").write_text("ref: refs/heads/main\n")
    (out / "link").symlink_to(outside, target_is_directory=True)
    state_file = out / ".policyc-state.json"
    state = json.loads(state_file.read_text())
    entry = next(iter(state["outputs"].values()))
    forged = {**entry, "size": victim.stat().st_size,
              "sha256": hashlib.sha256(victim.read_bytes()).hexdigest(), "document": "gone"}
    for key in ("../victim.txt", str(victim), "link/kept.txt"):
        state["outputs"][key] = forged
    state_file.write_text(json.dumps(state))
    code, said = run_cli(project, "build", "--format", "html")
    assert code == 0, said
    assert victim.is_file() and (outside / "kept.txt").is_file(), said
    assert "victim" not in said and "kept" not in said
