"""Redlines: the structural comparison, the three formats, Word tracked changes checked by
LibreOffice, git revisions, the summaries, and the version history they rest on."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from lxml import etree

from compiler.build import BuildOptions, build
from compiler.cli import main
from compiler.errors import CompilerError
from compiler.redline.compare import Redline, Status
from compiler.redline.make import compare_revisions, redline_options, render
from compiler.redline.revisions import read_revision
from compiler.redline.summary import as_data, plain
from tests.helpers import FIXTURES, pdftotext, squash

CASES = FIXTURES / "redline"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def source(case: str, side: str) -> Path:
    return CASES / case / side / "source" / "notice.yaml"


def redline(case: str, locale: str = "en") -> Redline:
    found, _ = compare_revisions(read_revision(str(source(case, "old"))),
                                 read_revision(str(source(case, "new"))), (locale,))
    return found[0]


def run(args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


# --- the comparison -----------------------------------------------------------------------


def test_words_inserted_and_deleted_after_substitution() -> None:
    text = plain(redline("edits"))
    assert "how Example collects[- and uses-][+, uses and shares+] your personal data" in text
    assert "account data for [-90-][+60+]\u00a0days after" in text  # {retention}: 90 -> 60 days
    assert "[-We review this notice every year.-]" in text  # a paragraph removed
    assert "[+Backups+]\n[+Kept for thirty days+]" in text  # a list item added
    assert "Deletion\n[-Write to us-][+Use the form in your account+]" in text  # row by its head
    assert "[+Portability+]\n[+Write to us+]" in text
    assert "[+1.1.0+]\n[+March 1, 2025+]\n[+Shorter retention of account data.+]" in text


def test_japanese_compares_characters() -> None:
    text = plain(redline("edits", "ja"))
    assert "収集[-し-][+、+]利用[+、共有+]する" in text
    assert "[-お問い合わせ-][+アカウントのフォームを使用して+]ください" in text


def test_sections_matched_by_id_moved_added_removed_retitled() -> None:
    r = redline("sections")
    status = [(s.id, s.status) for s in r.walk()]
    assert status == [
        ("intro", Status.KEPT), ("contact", Status.MOVED_AWAY), ("collection", Status.KEPT),
        ("cookies", Status.MOVED_AWAY), ("cookies", Status.MOVED), ("sharing", Status.KEPT),
        ("legacy", Status.REMOVED), ("children", Status.ADDED), ("contact", Status.MOVED)]
    moved = next(s for s in r.walk() if s.id == "contact" and s.status is Status.MOVED)
    assert not moved.edited and not moved.title_revision.changed  # moved, not deleted and inserted
    assert [s.id for s in r.changed()] == ["cookies", "sharing", "legacy", "children", "contact"]
    sharing = next(s for s in r.walk() if s.id == "sharing")
    assert sharing.retitled and "Sharing[+ and Disclosure+]" in plain(r)


def test_summary_and_json_for_the_notification() -> None:
    old, new = str(source("sections", "old")), str(source("sections", "new"))
    code, out, _ = run(["diff", old, new, "--summary"])
    assert code == 0, out
    assert out.splitlines()[1:] == [
        "Changed sections:",
        "  - Cookies: moved",
        "  - Sharing and Disclosure (was \u201cSharing\u201d): retitled",
        "  - Legacy Services: removed",
        "  - Children: added",
        "  - Contact: moved"]
    code, out, _ = run(["diff", str(source("edits", "old")), str(source("edits", "new")),
                        "--json", "--locale", "de"])
    assert code == 0, out
    data = json.loads(out)
    assert (data["old"]["version"], data["new"]["version"], data["locale"]) == (
        "1.0.0", "1.1.0", "de")
    assert data["history"] == {"material": True, "date": "2025-03-01",
                               "summary": "Kürzere Aufbewahrung von Kontodaten."}
    intro = data["sections"][0]
    assert intro["title"] == "Einleitung" and intro["status"] == ["changed"]
    assert (intro["inserted_words"], intro["deleted_words"]) == (3, 2 + 6)  # and a sentence
    assert data == as_data(redline("edits", "de"))


# --- HTML and PDF ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edits redline in English, German and Japanese, every format, through the CLI."""
    out = tmp_path_factory.mktemp("redline")
    code, _, err = run(["diff", str(source("edits", "old")), str(source("edits", "new")),
                        "--out", str(out)])
    assert code == 0, err
    return out


def test_html_marks_insertions_and_deletions(written: Path) -> None:
    page = lxml.html.fromstring((written / "en" / "notice.redline.html").read_bytes())
    dels = [squash(e.text_content()) for e in page.iter("del")]
    ins = [squash(e.text_content()) for e in page.iter("ins")]
    assert squash(" and uses") in dels and squash(", uses and shares") in ins
    assert "90" in dels and "60" in ins
    assert page.get_element_by_id("rl-title").text_content() == (
        "Changes from Version 1.0.0 to Version 1.1.0")
    css = page.find(".//style").text
    assert 'ins::before { content: "[Inserted] "' in css.replace("\\5b ", "[").replace(
        "\\5d ", "]")  # screen readers hear where changes start
    hrefs = [a.get("href") for a in page.iter("a")]
    assert "notice.redline.pdf" in hrefs and "../de/notice.redline.html" in hrefs


def test_german_redline_shows_german_on_both_sides(written: Path) -> None:
    page = lxml.html.fromstring((written / "de" / "notice.redline.html").read_bytes())
    dels = [e.text_content() for e in page.iter("del")]
    ins = [e.text_content() for e in page.iter("ins")]
    assert " und verwendet" in dels and ", verwendet und weitergibt" in ins
    assert "Wir überprüfen diesen Hinweis jedes Jahr." in dels
    assert "Sicherungskopien" in ins and "Kürzere Aufbewahrung von Kontodaten." in ins
    text = page.text_content()
    assert "Änderungen von Version 1.0.0 zu Version 1.1.0" in text
    assert "collects" not in text and "Backups" not in text  # no English on either side
    assert page.get("lang") == "de"


def test_html_valid_and_accessible(written: Path, tmp_path: Path) -> None:
    """The Nu checker and axe-core (headless Chromium), as for the policy's own pages."""
    from tests.helpers import BROWSER, VNU, require_tools

    require_tools("vnu", "java", "node", "chromium")
    sections = tmp_path / "sections"
    assert run(["diff", str(source("sections", "old")), str(source("sections", "new")),
                "--format", "html", "--out", str(sections)])[0] == 0
    pages = [str(p) for p in (*sorted(written.glob("*/*.html")), sections / "en" /
                              "notice.redline.html")]
    proc = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                           *pages], capture_output=True, text=True, check=True)
    messages = json.loads(proc.stderr or proc.stdout)["messages"]
    assert [m["message"] for m in messages if m["type"] == "error"] == []
    proc = subprocess.run(["node", str(BROWSER / "check.js"), *pages], capture_output=True,
                          text=True, check=True, cwd=BROWSER, timeout=300)
    for page, result in json.loads(proc.stdout).items():
        assert (result["violations"], result["errors"]) == ([], []), page
        assert result["overflow"]["360"] <= 0, page


def test_pdf_prints_the_redline(written: Path) -> None:
    text = squash(pdftotext(written / "en" / "notice.redline.pdf"))
    for words in ("Changes from Version 1.0.0 to Version 1.1.0", "collects and uses",
                  ", uses and shares", "We review this notice every year.", "Version History"):
        assert squash(words) in text, words


# --- DOCX: Word tracked changes, accepted and rejected by LibreOffice ----------------------


def _revisions(docx_path: Path) -> list[etree._Element]:
    with zipfile.ZipFile(docx_path) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    return [el for el in root.iter() if el.tag in {f"{W}ins", f"{W}del", f"{W}moveFrom",
                                                   f"{W}moveTo"}]


def test_docx_revisions_name_organization_and_date(written: Path) -> None:
    marks = _revisions(written / "de" / "notice.redline.docx")
    assert len(marks) > 10
    assert {(m.get(f"{W}author"), m.get(f"{W}date")) for m in marks} == {
        ("Example Ltd.", "2025-03-01T00:00:00Z")}
    ids = [m.get(f"{W}id") for m in marks]
    assert len(set(ids)) == len(ids)
    deleted = [t.text for m in marks if m.tag == f"{W}del" for t in m.iter(f"{W}delText")]
    assert " und verwendet" in deleted


MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub Resolve(jobs As String)
  Dim items() As String
  Dim args(0) As New com.sun.star.beans.PropertyValue
  Dim out(1) As New com.sun.star.beans.PropertyValue
  Dim doc As Object
  items = Split(jobs, &quot;|&quot;)
  args(0).Name = &quot;Hidden&quot;
  args(0).Value = True
  out(0).Name = &quot;FilterName&quot;
  out(0).Value = &quot;Text (encoded)&quot;
  out(1).Name = &quot;FilterOptions&quot;
  out(1).Value = &quot;UTF8,LF&quot;
  dispatcher = createUnoService(&quot;com.sun.star.frame.DispatchHelper&quot;)
  For i = 0 To UBound(items) Step 3
    doc = StarDesktop.loadComponentFromURL(ConvertToURL(items(i)), &quot;_blank&quot;, 0, args())
    dispatcher.executeDispatch(doc.CurrentController.Frame, &quot;.uno:&quot; &amp; items(i + 1) _
      &amp; &quot;AllTrackedChanges&quot;, &quot;&quot;, 0, Array())
    doc.storeToURL(ConvertToURL(items(i + 2)), out())
    doc.close(True)
  Next i
End Sub
</script:module>
"""


def libreoffice_text(jobs: list[tuple[Path, str]], work: Path) -> list[list[str]]:
    """Each DOCX opened in LibreOffice, its tracked changes all accepted or all rejected
    (.uno:AcceptAllTrackedChanges / RejectAllTrackedChanges, run by a Basic macro in a
    fresh profile), saved as text; the text's non-empty lines. (A paragraph that cannot
    go, the one before a table or at the end, stays empty: layout, not text.)"""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: make test installs libreoffice-writer-nogui")
    profile = work / "profile"
    env = f"-env:UserInstallation={profile.as_uri()}"
    subprocess.run([soffice, env, "--headless", "--terminate_after_init"], check=True,
                   capture_output=True, timeout=120)
    (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(MACRO, "utf-8")
    spec, outputs = [], []
    for n, (docx_path, action) in enumerate(jobs):
        copy = work / f"{n}.docx"  # one file per job: LibreOffice locks what it has open
        shutil.copyfile(docx_path, copy)
        outputs.append(work / f"{n}.txt")
        spec += [str(copy), action, str(outputs[-1])]
    subprocess.run([soffice, env, "--headless",
                    f'macro:///Standard.Module1.Resolve("{"|".join(spec)}")'],
                   check=True, capture_output=True, timeout=300)
    return [[line for line in out.read_text("utf-8-sig").splitlines() if line.strip()]
            for out in outputs]


def _plain_docx(case: str, side: str, locale: str, target: Path) -> Path:
    from compiler.i18n.localize import localize
    from compiler.renderers import RenderOptions
    from compiler.renderers.docx import render as render_docx

    revision = read_revision(str(source(case, side)))
    ldoc, _ = localize(revision.document, locale, revision.translations(locale)[0])
    target.write_bytes(render_docx(ldoc, RenderOptions()))
    return target


@pytest.mark.parametrize(("case", "locale"), [("edits", "de"), ("sections", "en")])
def test_docx_accepted_is_new_and_rejected_is_old(tmp_path: Path, case: str,
                                                  locale: str) -> None:
    r = redline(case, locale)
    tracked = tmp_path / "redline.docx"
    tracked.write_bytes(render(r, "docx", redline_options(r, [r], ("docx",))))
    old = _plain_docx(case, "old", locale, tmp_path / "old.docx")
    new = _plain_docx(case, "new", locale, tmp_path / "new.docx")
    accepted, rejected, new_text, old_text = libreoffice_text(
        [(tracked, "Accept"), (tracked, "Reject"), (new, "Accept"), (old, "Accept")], tmp_path)
    assert accepted == new_text
    assert rejected == old_text
    assert accepted != rejected


# --- git revisions --------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.com",
                    *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the old notice and its catalogs tagged v1.0.0, the new one at HEAD."""
    root = tmp_path / "repo"
    shutil.copytree(CASES / "edits" / "old", root)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "1.0.0")
    _git(root, "tag", "v1.0.0")
    shutil.copytree(CASES / "edits" / "new", root, dirs_exist_ok=True)
    _git(root, "commit", "-q", "-am", "1.1.0")
    shutil.rmtree(root / "locales")  # the working tree's catalogs must not be read for git:
    return root


def test_git_revisions_with_their_catalogs(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run(["diff", "git:v1.0.0:source/notice.yaml", "git:HEAD",
                        "--locale", "de", "--format", "html", "--out", str(out)], cwd=repo)
    assert code == 0, err
    page = lxml.html.fromstring((out / "de" / "notice.redline.html").read_bytes())
    assert " und verwendet" in [e.text_content() for e in page.iter("del")]
    assert ", verwendet und weitergibt" in [e.text_content() for e in page.iter("ins")]
    code, _, err = run(["diff", "git:v0.9:source/notice.yaml", "source/notice.yaml",
                        "--summary"], cwd=repo)
    assert code == 1
    assert "git:v0.9:source/notice.yaml: error: unknown git revision 'v0.9'" in err


def test_old_copy_beside_source_reads_the_projects_catalogs(tmp_path: Path) -> None:
    """README's `policyc diff old.yaml source/...` with old.yaml in the project root: it has
    no catalogs of its own, so the project's are read (never ../locales above the project),
    with the translations `locale update` kept for the old text (#| previous, #~ obsolete),
    and the command says so."""
    project = tmp_path / "proj"
    shutil.copytree(CASES / "edits" / "old", project)
    (project / "policyc.toml").write_text("", encoding="utf-8")
    shutil.copy(source("edits", "old"), project / "old.yaml")
    shutil.copy(source("edits", "new"), project / "source" / "notice.yaml")
    code, _, err = run(["locale", "update"], cwd=project)  # the edit: changed msgids go fuzzy
    assert code == 0, err
    po = (project / "locales" / "de" / "LC_MESSAGES" / "notice.po").read_text(encoding="utf-8")
    assert "#~ msgid \"We review this notice every year.\"" in po
    decoy = tmp_path / "locales" / "de" / "LC_MESSAGES"  # the project's parent: never read
    decoy.mkdir(parents=True)
    (decoy / "notice.po").write_text("not a catalog\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run(["diff", "old.yaml", "source/notice.yaml", "--locale", "de",
                        "--format", "html", "--out", str(out)], cwd=project)
    assert code == 0, err
    assert "old.yaml is not in a project's source/ folder" in err
    assert "git:REV:PATH" in err and str(tmp_path / "locales") not in err
    page = lxml.html.fromstring((out / "de" / "notice.redline.html").read_bytes())
    dels = [e.text_content() for e in page.iter("del")]
    # the old German text (the new one is untranslated since the edit: shown in English)
    assert "Dieser Hinweis erklärt, wie Example Ihre personenbezogenen Daten erhebt und " \
        "verwendet." in dels, dels
    assert "Wir überprüfen diesen Hinweis jedes Jahr." in dels
    assert "Einleitung" not in dels and "Introduction" not in page.text_content()
    assert "We review" not in page.text_content()
    # a copy outside the project too: the catalogs of the project the command runs in
    shutil.copy(project / "old.yaml", tmp_path / "elsewhere.yaml")
    done = subprocess.run([sys.executable, "-m", "compiler.cli", "-q", "diff",
                           str(tmp_path / "elsewhere.yaml"), "source/notice.yaml", "--locale",
                           "de", "--summary"], cwd=project, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Einleitung" in done.stdout and "Introduction" not in done.stdout
    assert "policyc:" not in done.stderr  # -q: no notes
    code, _, err = run(["diff", "old.yaml", "source/notice.yaml", "--locale", "de", "--format",
                        "html", "--out", str(out)], cwd=project)
    assert "policyc: wrote 1 redline" in err


def test_git_revision_without_the_file(repo: Path) -> None:
    with pytest.raises(CompilerError, match=re.escape("revision 'v1.0.0' has no file 'source/x.yaml'")):
        read_revision("git:v1.0.0:source/x.yaml", cwd=repo)


# --- the version history and the link to the redline ---------------------------------------


def test_history_in_every_format(written: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build([source("edits", "new")], BuildOptions(out=out, locales=("de",)))
    html = lxml.html.fromstring((out / "de" / "notice.html").read_bytes())
    history = html.get_element_by_id("version-history")
    rows = [[squash(c.text_content()) for c in tr] for tr in history.iter("tr")]
    assert rows == [["Version", "Datum", "Zusammenfassung", "WesentlicheÄnderung"],
                    ["1.0.0", "15.Januar2025", "ErsteveröffentlichteFassung.", "Nein"],
                    ["1.1.0", "1.März2025", "KürzereAufbewahrungvonKontodaten.", "Ja"]]
    pdf = squash(pdftotext(out / "de" / "notice.pdf"))
    assert "Versionsverlauf" in pdf and squash("1.1.0 1. März 2025 Kürzere Aufbewahrung") in pdf
    import docx

    table = docx.Document(str(out / "de" / "notice.docx")).tables[-1]
    assert [c.text for c in table.rows[2].cells] == [
        "1.1.0", "1. März 2025", "Kürzere Aufbewahrung von Kontodaten.", "Ja"]
    assert html.find_class("redline-link") == []  # no redline beside this build yet

    shutil.copytree(written, out / "redline")
    build([source("edits", "new")], BuildOptions(out=out, locales=("de",), formats=("html",)))
    link = lxml.html.fromstring((out / "de" / "notice.html").read_bytes()).find_class(
        "redline-link")[0].find("a")
    assert link.get("href") == "../redline/de/notice.redline.html"
    assert link.text_content() == "Aktualisiert am 1. März 2025: Änderungen ansehen"
    assert (out / "de" / link.get("href")).is_file()


def test_history_summaries_are_translatable(tmp_path: Path) -> None:
    from compiler.i18n.extract import document_messages

    messages = {(m.context, m.msgid): m for m in document_messages(
        read_revision(str(source("edits", "new"))).document)}
    entry = messages[("changes", "Shorter retention of account data.")]
    assert entry.comments == ("Version history: what changed in version 1.1.0.",)


def test_redline_refuses_two_different_documents(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(re.sub(r"^id: notice", "id: other", source("edits", "new").read_text(),
                            flags=re.M))
    code, _, err = run(["diff", str(source("edits", "old")), str(other), "--summary"])
    assert code == 1 and "comparing two different documents ('notice'" in err


def test_revisions_are_kept_beside_the_model_by_identity() -> None:
    """A merged string is an ordinary Rich; its Revision is found by identity only, so an
    equal string the comparison did not place has none."""
    import dataclasses

    from compiler.model import Rich

    r = redline("edits")
    found = list(r.revisions.within(tuple((s.title, s.blocks) for s in r.walk())))
    assert found and all(type(rev.rich) is Rich for rev in found)
    assert all(r.revisions.of(rev.rich) is rev for rev in found)
    assert r.revisions.of(dataclasses.replace(found[0].rich)) is None
    assert r.revisions.of(None) is None


def test_a_sigterm_a_render_swallowed_writes_no_redline(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint's SVG drawing swallows the Terminated a SIGTERM raises (review8 R8-12): the
    redline laid out then is cut short, and must not be written; the command ends 143."""
    from compiler import termination
    from compiler.redline import make

    rendered = make.render

    def swallowed(*args: object, **kwargs: object) -> bytes:
        data = rendered(*args, **kwargs)  # type: ignore[arg-type]
        termination._command.asked = True  # the signal came, and the render went on
        return data

    monkeypatch.setattr(make, "render", swallowed)
    try:
        code, _, err = run(["diff", str(source("edits", "old")), str(source("edits", "new")),
                            "--out", str(tmp_path), "--locale", "en", "--format", "html"])
    finally:
        termination.forget()
    assert code == 143, err
    assert "terminated" in err
    assert not list(tmp_path.rglob("*.redline.*"))
