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


def libreoffice_lines(docx: Path, tmp_path: Path) -> list[str]:
    """The lines of LibreOffice's PDF of docx (pdftotext: visual order), spaces collapsed,
    without the embedding marks it copies through."""
    require_tools("soffice")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(tmp_path / (docx.stem + ".pdf")), "-"],
                          check=True, capture_output=True, text=True).stdout
    return [" ".join(line.split()).strip("\u202a\u202b\u202c ") for line in text.splitlines()]


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
    lines = {line.strip("\u2022\u202a\u202c ") for line in libreoffice_lines(docx, tmp_path)}
    assert set(SENTENCES) <= lines, sorted(lines)


def test_docx_contents_and_header_embed_fallback_titles(tmp_path: Path) -> None:
    """The DOCX's contents entries and running header are written plain, not through the body's
    runs: an English title standing in keeps its '?' and '.' at its end there too (review6 F7)."""
    code, out = run_cli(tmp_path, "init", "proj", "--title", "Privacy Policy",
                        "--organization", "Acme GmbH", "--locale", "ar")
    assert code == 0, out
    source = tmp_path / "proj" / "source" / "privacy-policy.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace('title: "Privacy Policy"', 'title: "Privacy Policy (EU)."\n'
                                   "numbering: decimal")
                      .replace("title: Contact\n", "title: Questions?\n"), encoding="utf-8")
    code, out = run_cli(tmp_path / "proj", "build", "--locale", "ar", "--format", "docx")
    assert code == 0, out
    docx = tmp_path / "proj" / "dist" / "ar" / "privacy-policy.docx"
    package = zipfile.ZipFile(docx)
    body = etree.fromstring(package.read("word/document.xml"))
    toc = body.xpath("//w:p[w:pPr/w:pStyle[starts-with(@w:val, 'TOC') and @w:val != 'TOCHeading']]"
                     "//w:r[w:t]", namespaces={"w": W[1:-1]})
    english = {r.findtext(f"{W}t"): r for r in toc if r.find(f"{W}rPr/{W}lang") is not None}
    assert set(english) == {"\u202aIntroduction\u202c", "\u202aWhat We Do\u202c",
                            "\u202aQuestions?\u202c"}, [r.findtext(f"{W}t") for r in toc]
    assert all(r.find(f"{W}rPr/{W}rtl").get(f"{W}val") == "0" for r in english.values())
    # the numbers and the Arabic entry (the version history) stay right-to-left
    others = [r for r in toc if r not in english.values()]
    assert [r.findtext(f"{W}t") for r in others] == ["1. ", "2. ", "3. ", "سجل الإصدارات"]
    assert all(r.find(f"{W}rPr/{W}rtl").get(f"{W}val") is None for r in others)
    header = etree.fromstring(package.read("word/header1.xml"))
    runs = [(r.findtext(f"{W}t"), r.find(f"{W}rPr/{W}rtl").get(f"{W}val"))
            for r in header.iter(f"{W}r")]
    assert runs == [("\u202aPrivacy Policy (EU).\u202c", "0"), (" \u00b7 الإصدار 1.0.0", None)]
    lines = libreoffice_lines(docx, tmp_path)
    assert "Questions? .3" in lines, lines  # visual order: the number at the right
    assert lines[0].endswith("Privacy Policy (EU)."), lines[0]  # the running header
    assert not [line for line in lines if "?Questions" in line or ".Privacy" in line]


def test_ltr_page_keeps_each_fallback_in_its_own_span(tmp_path: Path) -> None:
    """In a page of the fallback's own direction (German, English standing in) nothing is
    isolated: an item's term and text keep their own lang spans and the separator between them
    stays German, outside both (review6 F7: D1 had moved it into one English span)."""
    code, out = run_cli(tmp_path, "init", "proj", "--title", "Privacy Policy",
                        "--organization", "Acme GmbH", "--locale", "de")
    assert code == 0, out
    code, out = run_cli(tmp_path / "proj", "build", "--locale", "de", "--format", "html")
    assert code == 0, out
    page = lxml.html.fromstring((tmp_path / "proj" / "dist" / "de" / "privacy-policy.html")
                                .read_bytes())
    assert page.get("dir") is None or page.get("dir") == "ltr"
    assert not page.xpath("//span[@lang and @dir]")
    item = page.xpath("//li[.//strong[@class='term']]")[0]
    assert etree.tostring(item, encoding="unicode", with_tail=False) == (
        '<li><strong class="term"><span lang="en">Collect</span>: </strong>'
        '<span lang="en">only what we need.</span></li>')


def test_pdf_running_header_and_html_footer_isolate_fallback_titles(tmp_path: Path) -> None:
    """The PDF's running header (the document's title and the chapter's, CSS strings) and the
    HTML footer's title are page chrome, not body runs: an English title standing in, in an
    Arabic page, keeps its '.' and '?' at its end there too, as in the DOCX header (review6 F7)."""
    code, out = run_cli(tmp_path, "init", "proj", "--title", "Privacy Policy",
                        "--organization", "Acme GmbH", "--locale", "ar")
    assert code == 0, out
    source = tmp_path / "proj" / "source" / "privacy-policy.yaml"
    filler = "".join(f"      - paragraph: Filler paragraph {i} that takes room on the page, so "
                     "that the next chapter starts on a later page.\n" for i in range(40))
    last_item = "            text: it safe and no longer than necessary.\n"
    text = source.read_text(encoding="utf-8")
    assert last_item in text
    source.write_text(text.replace('title: "Privacy Policy"', 'title: "Privacy Policy (EU)."\n'
                                   "numbering: decimal")
                      .replace("title: Contact\n", "title: Questions?\n")
                      .replace(last_item, last_item + filler), encoding="utf-8")
    code, out = run_cli(tmp_path / "proj", "build", "--locale", "ar", "--format", "html,pdf")
    assert code == 0, out
    dist = tmp_path / "proj" / "dist" / "ar"
    pages = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(dist / "privacy-policy.pdf"),
                             "-"], check=True, capture_output=True, text=True).stdout
             for n in (2, 3, 4)]
    headers = [[" ".join(line.split()).strip("\u202a\u202b\u202c ")
                for line in page.splitlines() if line.strip()][:2] for page in pages]
    # visual order (pdftotext): the title's full stop and the chapter's '?' at their ends
    assert all(h[0].endswith("Privacy Policy (EU).") for h in headers), headers
    assert [h[1] for h in headers] == ["Introduction .1", "What We Do .2", "Questions? .3"], headers
    page = lxml.html.fromstring((dist / "privacy-policy.html").read_bytes())
    footer = page.xpath("//footer[@class='site-footer']/p")[0]
    assert [(e.tag, e.get("lang"), e.get("dir"), e.text) for e in footer] == [
        ("bdi", None, "ltr", "Acme GmbH"), ("span", "en", "ltr", "Privacy Policy (EU)."),
        ("bdi", None, "ltr", "1.0.0")]
