"""A build lists no output showing what a linked document no longer says, and no page linking
an output it does not list (build/provenance.py, build/manifest.py withheld: merge's rule).

manifest.json and index.html are read back with json and lxml, DOCX text with python-docx;
`policyc manifest merge` of the build's own manifest must accept it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_build_provenance import policyc

ARGS = ["build", "--jobs", "1"]
SOURCE = "source/retention-schedule.yaml"
LINKED_PO = "locales/de/LC_MESSAGES/cookie-policy.po"


@pytest.fixture
def project(project: Path) -> Path:
    """The fixture project (conftest's copy), plus cookie-policy (en, de) that
    retention-schedule links to."""
    dest = project
    source = dest / SOURCE
    text = source.read_text()
    (dest / "source/cookie-policy.yaml").write_text(
        text.replace("id: retention-schedule", "id: cookie-policy")
        .replace("title: Data Retention Schedule", "title: Cookie Rules Alpha"))
    po = dest / "locales/de/LC_MESSAGES/retention-schedule.po"
    (dest / LINKED_PO).write_text(
        po.read_text().replace('msgid "Data Retention Schedule"', 'msgid "Cookie Rules Alpha"')
        .replace('msgstr "Aufbewahrungsplan für Daten"', 'msgstr "Keks-Regeln Alpha"'))
    source.write_text(text.replace("This schedule says", "See {doc:cookie-policy}. This schedule says"))
    return dest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _listed(project: Path) -> set[str]:
    """The outputs manifest.json lists, after checking index.html links exactly those and
    merge accepts the manifest (no listed page links an output the build knows unlisted)."""
    import lxml.html

    out = project / "dist"
    listed = {e["path"] for e in json.loads((out / "manifest.json").read_text())["outputs"]}
    assert set(lxml.html.parse(str(out / "index.html")).xpath("//a/@href")) == listed
    merged = policyc(["manifest", "merge", "dist/manifest.json", "-o", "../m.json"], project)
    assert merged.returncode == 0, merged.stderr
    return listed


def _built(project: Path, *args: str) -> str:
    proc = policyc([*ARGS, *args], project)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_linked_title_edited_unlists_what_shows_the_old_one(project: Path) -> None:
    """review7 F3: the linked document's source, then its German catalog, edited; a partial
    build does not list the DOCX that still reads the old title; a build making them again
    lists them with the new one."""
    docx_en, docx_de = "en/retention-schedule.docx", "de/retention-schedule.docx"
    _built(project, "--format", "html,docx")
    assert {docx_en, docx_de} <= _listed(project)
    assert "See Cookie Rules Alpha." in _docx_text(project / "dist" / docx_en)
    assert "Keks-Regeln Alpha" in _docx_text(project / "dist" / docx_de)

    # first edit: the linked source's title (and the catalog's msgid with it)
    _edit(project / "source/cookie-policy.yaml", "Cookie Rules Alpha", "Cookie Rules Beta")
    _edit(project / LINKED_PO, 'msgid "Cookie Rules Alpha"', 'msgid "Cookie Rules Beta"')
    stderr = _built(project, "--format", "html")
    assert not {docx_en, docx_de} & _listed(project)
    assert "dist/en/retention-schedule.docx" in stderr
    assert "Cookie Rules Alpha" in _docx_text(project / "dist" / docx_en)  # on disk, unlisted
    _built(project, "--format", "docx")
    listed = _listed(project)
    assert {docx_en, docx_de, "en/retention-schedule.html"} <= listed
    assert "See Cookie Rules Beta." in _docx_text(project / "dist" / docx_en)
    manifest = json.loads((project / "dist/manifest.json").read_text())
    made_from = {e["path"]: e["inputs"] for e in manifest["outputs"]}
    assert "source/cookie-policy.yaml" in made_from[docx_en]["sources"]
    assert LINKED_PO in made_from[docx_de]["catalogs"]

    # second edit: the linked title's German translation only
    _edit(project / LINKED_PO, 'msgstr "Keks-Regeln Alpha"', 'msgstr "Keks-Regeln Gamma"')
    _built(project, "--format", "html", "--locale", "de")
    listed = _listed(project)
    assert docx_en in listed and docx_de not in listed  # English does not read that catalog
    assert "Keks-Regeln Alpha" in _docx_text(project / "dist" / docx_de)
    _built(project, "--format", "html,docx")
    assert {docx_en, docx_de} <= _listed(project)
    assert "Keks-Regeln Gamma" in _docx_text(project / "dist" / docx_de)

    # third edit, built whole: everything listed, nothing said unlisted
    _edit(project / "source/cookie-policy.yaml", "Cookie Rules Beta", "Cookie Rules Delta")
    assert "not listed" not in _built(project, "--format", "html,docx")
    assert len(_listed(project)) == 8
    assert "See Cookie Rules Delta." in _docx_text(project / "dist" / docx_en)


def test_page_whose_download_could_not_be_written_is_not_listed(project: Path) -> None:
    """review7 F14 (with a DOCX: the same rule as a PDF, cheaper to make): a folder where the
    file goes fails the build; the page offering it is not listed, nor the German page
    linking that page; merge accepts the manifest. Once writable, all are listed again."""
    (project / "source/cookie-policy.yaml").unlink()
    _edit(project / SOURCE, "See {doc:cookie-policy}. ", "")
    _built(project, "--format", "html,docx")
    assert len(_listed(project)) == 4
    _edit(project / SOURCE, "This schedule says", "This schedule, edited, says")
    target = project / "dist/en/retention-schedule.docx"
    target.unlink()
    target.mkdir()
    proc = policyc([*ARGS, "--format", "html,docx"], project)
    assert proc.returncode == 1 and "cannot write" in proc.stderr, proc.stderr
    assert _listed(project) == {"de/retention-schedule.docx"}
    page = (project / "dist/en/retention-schedule.html").read_text()
    assert 'href="retention-schedule.docx"' in page and "edited" in page  # built, not listed
    target.rmdir()
    _built(project, "--format", "html,docx")
    assert len(_listed(project)) == 4
    assert "edited" in _docx_text(target)
