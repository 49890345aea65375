"""A successful partial build lists no output beside inputs it was not made from (build/provenance.py).

manifest.json and index.html are read back by independent readers (json, lxml, python-docx);
the digests are those of the files on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

SOURCE = "source/retention-schedule.yaml"
CATALOG = "locales/de/LC_MESSAGES/retention-schedule.po"
LABELS = "locales/de/LC_MESSAGES/policyc.po"


def policyc(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "compiler", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listed(project: Path, merges: bool = True) -> dict[str, str]:
    """Each listed output with its title as lxml / python-docx read it, after checking that
    its bytes, the build's inputs (the files as they are now) and index.html's links agree."""
    import docx
    import lxml.html

    out = project / "dist"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"]["sources"] == {SOURCE: _sha(project / SOURCE)}
    found = {}
    for entry in manifest["outputs"]:
        path = out / entry["path"]
        assert _sha(path) == entry["sha256"], entry["path"]
        if path.suffix == ".html":
            found[entry["path"]] = lxml.html.parse(str(path)).findtext(".//h1").strip()
        else:
            found[entry["path"]] = docx.Document(str(path)).paragraphs[0].text.strip()
    index = lxml.html.parse(str(out / "index.html"))
    assert set(index.xpath("//a/@href")) == set(found)
    if merges:  # no listed page links an output the build made or recorded but not lists
        merged = policyc(["manifest", "merge", "dist/manifest.json", "-o", "../m.json"], project)
        assert merged.returncode == 0, merged.stderr
    return found


def _made_from(project: Path) -> None:
    """Each listed output names the inputs it was made from: the files as they are now."""
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    for entry in manifest["outputs"]:
        assert entry["inputs"]["sources"] == {SOURCE: _sha(project / SOURCE)}, entry["path"]
        catalogs = {po: _sha(project / po) for po in (CATALOG, LABELS)
                    if entry["locale"] == "de"}
        assert entry["inputs"]["catalogs"] == catalogs, entry["path"]


def _edit(project: Path, old: str, new: str) -> None:
    source = project / SOURCE
    source.write_text(source.read_text().replace(old, new))


def test_partial_build_after_an_edit_lists_only_what_the_edited_inputs_made(
        project: Path) -> None:
    args = ["build", "--format", "html,docx", "--jobs", "1"]
    assert policyc(args, project).returncode == 0
    assert set(_listed(project).values()) == {"Data Retention Schedule",
                                              "Aufbewahrungsplan für Daten"}
    _made_from(project)
    en = {"en/retention-schedule.html", "en/retention-schedule.docx"}
    de = {"de/retention-schedule.html", "de/retention-schedule.docx"}

    # first edit, English only: the German outputs (old source) are not listed, nor is the
    # English page, whose language switcher links the stale German page (review7 F15)
    _edit(project, "Data Retention Schedule", "Retention Rules")
    proc = policyc([*args, "--locale", "en"], project)
    assert proc.returncode == 0, proc.stderr
    assert _listed(project) == {"en/retention-schedule.docx": "Retention Rules"}
    _made_from(project)
    assert "not listed until built again" in proc.stderr
    assert "dist/de/retention-schedule.html" in proc.stderr
    assert ("dist/en/retention-schedule.html (it links de/retention-schedule.html, which is "
            "not listed)") in proc.stderr
    assert (project / "dist/de/retention-schedule.html").is_file()  # left on disk, unlisted
    # a later build that does not make them does not list them either
    assert policyc([*args, "--locale", "en"], project).returncode == 0
    assert set(_listed(project)) == {"en/retention-schedule.docx"}
    _made_from(project)

    # second edit, German only: the German DOCX listed with the new text (German falls back
    # to the English title: the catalog has no translation for it), English now stale, so
    # the German page (linking the English one) is not listed
    _edit(project, "Retention Rules", "Record Keeping")
    assert policyc([*args, "--locale", "de"], project).returncode == 0
    assert _listed(project) == {"de/retention-schedule.docx": "Record Keeping"}
    _made_from(project)
    # the pages alone: the English page offers the stale English DOCX, the German page
    # links the English page: neither is listed until the DOCX is made again
    proc = policyc(["build", "--format", "html", "--jobs", "1"], project)
    assert proc.returncode == 0, proc.stderr
    assert _listed(project) == {"de/retention-schedule.docx": "Record Keeping"}
    assert "(it links en/retention-schedule.docx, which is not listed)" in proc.stderr
    _made_from(project)
    assert policyc(args, project).returncode == 0
    assert _listed(project) == dict.fromkeys(en | de, "Record Keeping")
    _made_from(project)

    # a catalog edit, then English only: the German outputs (old catalog) are not listed;
    # the whole build lists them again
    po = project / CATALOG
    po.write_text(po.read_text().replace('msgstr "Aufbewahrungsplan für Daten"',
                                         'msgstr "Aufbewahrungsregeln"'))
    assert policyc([*args, "--locale", "en"], project).returncode == 0
    assert set(_listed(project)) == {"en/retention-schedule.docx"}
    _made_from(project)
    assert policyc(args, project).returncode == 0
    assert set(_listed(project)) == en | de
    _made_from(project)

    # the third edit, built whole: everything listed, nothing stale said
    _edit(project, "Record Keeping", "Keeping Records")
    proc = policyc(args, project)
    assert proc.returncode == 0 and "not listed" not in proc.stderr
    assert _listed(project) == dict.fromkeys(en | de, "Keeping Records")
    _made_from(project)


def test_template_edit_unlists_the_outputs_of_its_format_only(project: Path) -> None:
    """A project template the HTML reads, edited, then a DOCX-only build: the pages made
    with the old template are not listed; the DOCX files are."""
    # (English only, German never built: merge refuses the page's link to it, the build lists
    # it: a locale never built is no output of the folder it knows of)
    args = ["build", "--format", "html,docx", "--locale", "en", "--jobs", "1"]
    assert policyc(args, project).returncode == 0
    css = project / "templates" / "css" / "web.css"
    css.parent.mkdir(parents=True)
    css.write_text((ROOT / "compiler/templates/css/web.css").read_text() + "\nh1 { color: red }\n")
    assert policyc([*args[:2], "docx", *args[3:]], project).returncode == 0
    assert set(_listed(project, merges=False)) == {"en/retention-schedule.docx"}
    _made_from(project)
    assert policyc(args, project).returncode == 0
    assert set(_listed(project, merges=False)) == {"en/retention-schedule.docx", "en/retention-schedule.html"}
    _made_from(project)
