"""Untranslated English standing in inside an Arabic (right-to-left) document reads in order:
the HTML and PDF isolate it (dir="ltr"), the DOCX embeds its runs left-to-right."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from tests.helpers import require_tools, run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SENTENCES = ("A short summary shown under the title and in search results.",
             "This policy explains how Acme GmbH handles the matters it covers.",
             "Collect: only what we need.",
             "Questions? Write to legal@example.com.")


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh project (policyc init) whose Arabic catalog leaves the body untranslated."""
    root = tmp_path_factory.mktemp("rtl")
    code, out = run_cli(root, "init", "proj", "--title", "Privacy Policy",
                        "--organization", "Acme GmbH", "--locale", "ar")
    assert code == 0, out
    code, out = run_cli(root / "proj", "build", "--locale", "ar")
    assert code == 0 and "untranslated" in out, out
    return root / "proj" / "dist" / "ar"


def test_html_isolates_the_fallback_text_left_to_right(arabic: Path) -> None:
    page = lxml.html.fromstring((arabic / "privacy-policy.html").read_bytes())
    assert page.get("dir") == "rtl"
    english = page.xpath("//span[@lang='en']")
    assert english and all(e.get("dir") == "ltr" for e in english)
    texts = {" ".join(e.text_content().split()) for e in english}
    assert set(SENTENCES) <= texts | {"Privacy Policy"}
    # an item's untranslated term and text are one isolate: ": " between them reads in order
    item = page.xpath("//li[.//strong[@class='term']]")[0]
    assert [" ".join(e.text_content().split()) for e in item] == ["Collect: only what we need."]
    # the contents list and the title too
    assert page.xpath("//h1/span[@dir='ltr']")[0].text == "Privacy Policy"
    assert page.xpath("//nav//a/span[@lang='en' and @dir='ltr']")


def test_pdf_reads_the_fallback_text_in_order(arabic: Path) -> None:
    text = subprocess.run(["pdftotext", str(arabic / "privacy-policy.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    lines = {" ".join(line.split()).strip("\u2022 ") for line in text.splitlines()}
    assert set(SENTENCES) <= lines, sorted(lines)


def test_docx_embeds_the_fallback_runs_left_to_right(arabic: Path, tmp_path: Path) -> None:
    docx = arabic / "privacy-policy.docx"
    root = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    runs = [r for r in root.iter(f"{W}r")
            if r.find(f"{W}rPr/{W}lang") is not None
            and r.find(f"{W}rPr/{W}lang").get(f"{W}val") == "en"]
    assert runs
    assert all(r.find(f"{W}rPr/{W}rtl").get(f"{W}val") == "0" for r in runs)
    require_tools("soffice")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(tmp_path / "privacy-policy.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout
    lines = {" ".join(line.split()).strip("\u2022\u202a\u202c ") for line in text.splitlines()}
    assert set(SENTENCES) <= lines, sorted(lines)
