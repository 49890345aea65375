"""Many documents: [variables] shared by all, {doc:id} links between them in every format."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest
from babel.messages.pofile import read_po, write_po

from tests.helpers import ROOT

CONFIG = """\
[build]
base-url = "https://legal.example.com/policies"

[variables]
company = "Northwind"
legal_email = { email = "legal@northwind.example", comment = "Mailbox of the legal team" }
"""

PRIVACY = """\
id: privacy-policy
title: Privacy Policy
version: 1.0.0
updated: 2025-01-15
effective: 2025-01-15
source_locale: en
locales: [en, de]
organization: Northwind Ltd
sections:
  - id: intro
    title: Introduction
    blocks:
      - paragraph: "{company} uses cookies as {doc:cookie-policy} explains. Ask {legal_email}."
"""

COOKIES = """\
id: cookie-policy
title: Cookie Policy
version: 1.0.0
updated: 2025-01-15
effective: 2025-01-15
source_locale: en
locales: [en, de]
organization: Northwind Ltd
variables:
  company: Northwind Cookies
sections:
  - id: intro
    title: Introduction
    blocks:
      - paragraph: "{company} sets cookies; see also {doc:privacy-policy}."
"""

GERMAN = {"Privacy Policy": "Datenschutzerklärung", "Cookie Policy": "Cookie-Richtlinie",
          "Introduction": "Einleitung",
          "{company} uses cookies as {doc:cookie-policy} explains. Ask {legal_email}.":
              "{company} verwendet Cookies, wie {doc:cookie-policy} erklärt. Fragen an "
              "{legal_email}.",
          "{company} sets cookies; see also {doc:privacy-policy}.":
              "{company} setzt Cookies; siehe auch {doc:privacy-policy}."}


def _policyc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *args], cwd=cwd, text=True,
                          capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]})


def _translate(po: Path, words: dict[str, str]) -> None:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="de")
    for message in catalog:
        if message.id in words:
            message.string = words[message.id]
    with po.open("wb") as fh:
        write_po(fh, catalog)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("legal")
    (root / "source").mkdir()
    (root / "policyc.toml").write_text(CONFIG, encoding="utf-8")
    (root / "source" / "privacy-policy.yaml").write_text(PRIVACY, encoding="utf-8")
    (root / "source" / "cookie-policy.yaml").write_text(COOKIES, encoding="utf-8")
    assert _policyc(root, "check").returncode == 0
    proc = _policyc(root, "locale", "init", "de")
    assert proc.returncode == 0, proc.stderr
    for po in (root / "locales" / "de" / "LC_MESSAGES").glob("*.po"):
        _translate(po, GERMAN)
    proc = _policyc(root, "build", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    return root


def test_shared_variables_and_override(project: Path) -> None:
    privacy = lxml.html.parse(str(project / "dist" / "en" / "privacy-policy.html"))
    text = " ".join(p.text_content() for p in privacy.xpath("//div[@class='body']//p"))
    assert "Northwind uses cookies" in text
    assert privacy.xpath("//a[@href='mailto:legal@northwind.example']/text()") == [
        "legal@northwind.example"]
    cookies = lxml.html.parse(str(project / "dist" / "de" / "cookie-policy.html"))
    assert "Northwind Cookies setzt Cookies" in " ".join(p.text_content() for p in cookies.xpath("//p"))


@pytest.mark.parametrize(("locale", "title"), [("en", "Cookie Policy"),
                                              ("de", "Cookie-Richtlinie")])
def test_html_links_relative_with_localized_title(project: Path, locale: str,
                                                  title: str) -> None:
    page = lxml.html.parse(str(project / "dist" / locale / "privacy-policy.html"))
    assert page.xpath("//a[@href='cookie-policy.html']/text()") == [title]


def test_pdf_and_docx_links_absolute_with_base_url(project: Path) -> None:
    import pypdf

    reader = pypdf.PdfReader(project / "dist" / "de" / "cookie-policy.pdf")
    uris = [a.get_object()["/A"].get("/URI") for page in reader.pages
            for a in page.get("/Annots", []) if a.get_object().get("/A")]
    assert "https://legal.example.com/policies/de/privacy-policy.pdf" in uris
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Datenschutzerklärung" in text
    with zipfile.ZipFile(project / "dist" / "de" / "cookie-policy.docx") as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
        body = z.read("word/document.xml").decode()
    assert 'Target="https://legal.example.com/policies/de/privacy-policy.docx"' in rels
    assert "Datenschutzerklärung" in body


def test_index_lists_every_document_in_every_locale(project: Path) -> None:
    index = lxml.html.parse(str(project / "dist" / "index.html"))
    hrefs = set(index.xpath("//a/@href"))
    assert {f"{locale}/{doc}.{ext}" for locale in ("en", "de")
            for doc in ("privacy-policy", "cookie-policy")
            for ext in ("html", "pdf", "docx")} <= hrefs


def test_other_documents_title_change_rebuilds_the_links(project: Path) -> None:
    po = project / "locales" / "de" / "LC_MESSAGES" / "cookie-policy.po"
    _translate(po, {"Cookie Policy": "Cookie-Hinweise"})
    proc = _policyc(project, "build", "--jobs", "1", "--format", "html", "-v")
    assert proc.returncode == 0, proc.stderr
    page = lxml.html.parse(str(project / "dist" / "de" / "privacy-policy.html"))
    assert page.xpath("//a[@href='cookie-policy.html']/text()") == ["Cookie-Hinweise"]
    again = _policyc(project, "build", "--jobs", "1", "--format", "html")
    assert again.returncode == 0, again.stderr
    assert "0 built" in again.stderr


def test_unknown_document_id_is_located(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "policyc.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "source" / "privacy-policy.yaml").write_text(PRIVACY, encoding="utf-8")
    for command in ("check", "build"):
        proc = _policyc(tmp_path, command)
        assert proc.returncode == 1
        assert proc.stderr.splitlines()[0] == (
            "source/privacy-policy.yaml:13:20: error: document link '{doc:cookie-policy}' "
            "names no document of the project (known: privacy-policy)")


def test_diff_reads_the_shared_variables(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "policyc.toml").write_text(CONFIG, encoding="utf-8")
    old = tmp_path / "old.yaml"
    old.write_text(COOKIES.replace("see also {doc:privacy-policy}", "see our notice"))
    new = tmp_path / "source" / "cookie-policy.yaml"
    new.write_text(COOKIES.replace("see also {doc:privacy-policy}", "see our notice")
                   .replace("{company} sets", "{company} and {legal_email} set"))
    proc = _policyc(tmp_path, "diff", str(old), str(new), "--locale", "en", "--format", "html")
    assert proc.returncode == 0, proc.stderr  # {legal_email} comes from policyc.toml
    redline = (tmp_path / "dist" / "redline" / "en" / "cookie-policy.redline.html").read_text()
    assert "legal@northwind.example" in redline


def test_two_sources_with_one_id_are_refused_at_each_id_line(tmp_path: Path) -> None:
    """Outputs and catalogs are named by the id: a second source with it would overwrite the
    first's files (qa6 D0). check (its quick path and click's) and build refuse, located at
    both id lines, each naming the other, from the facts cache too; nothing is written."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "app-privacy.yaml").write_text(PRIVACY, encoding="utf-8")
    web = "# the website's policy\n\n" + PRIVACY.replace("Northwind Ltd", "Northwind Web")
    (tmp_path / "source" / "web-privacy.yaml").write_text(web, encoding="utf-8")
    (tmp_path / "source" / "cookie-policy.yaml").write_text(COOKIES, encoding="utf-8")
    (tmp_path / "policyc.toml").write_text(CONFIG, encoding="utf-8")
    expected = [
        "source/app-privacy.yaml:1:5: error: duplicate document id 'privacy-policy' (also in "
        "source/web-privacy.yaml:3:5;",
        "source/web-privacy.yaml:3:5: error: duplicate document id 'privacy-policy' (also in "
        "source/app-privacy.yaml:1:5;"]
    for args in (["check"], ["check"], ["check", "--strict", "source"],
                 ["build", "--format", "html"], ["build", "--format", "html", "--jobs", "1"]):
        proc = subprocess.run([sys.executable, "-m", "compiler", *args], cwd=tmp_path,
                              text=True, capture_output=True, check=False,
                              env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]})
        assert proc.returncode == 1, (args, proc.stderr)
        for line in expected:
            assert line in proc.stderr, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert "cookie-policy" not in proc.stderr
        assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").rglob("*.html"))
    alone = _policyc(tmp_path, "build", "--format", "html", "source/web-privacy.yaml")
    assert alone.returncode == 1 and expected[1] in alone.stderr, alone.stderr  # would overwrite
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").rglob("*.html"))
    (tmp_path / "source" / "web-privacy.yaml").write_text(
        web.replace("id: privacy-policy", "id: web-privacy-policy"), encoding="utf-8")
    assert _policyc(tmp_path, "build", "--format", "html").returncode == 0
    pages = {p.name: lxml.html.parse(str(p)).getroot().text_content()
             for p in (tmp_path / "dist" / "en").glob("*privacy*.html")}
    assert set(pages) == {"privacy-policy.html", "web-privacy-policy.html"}
    assert "Northwind Web" in pages["web-privacy-policy.html"]
    assert "Northwind Web" not in pages["privacy-policy.html"]
