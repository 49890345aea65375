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
