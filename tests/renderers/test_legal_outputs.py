"""Legal structure in every format, read back by independent readers: lxml for HTML,
pdftotext and pypdf for PDF, python-docx, the raw OOXML and LibreOffice for DOCX."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from lxml import etree, html

from compiler.build import BuildOptions, build
from tests.helpers import FIXTURES, pdftotext, require_tools, squash
from tests.renderers.test_pdf import _outline_titles

SOURCE = FIXTURES / "legal" / "source" / "constructs.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("legal")
    build([SOURCE], BuildOptions(out=target, locales=("en",)))
    return target / "en"


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


# --- HTML ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(out: Path) -> html.HtmlElement:
    return html.fromstring((out / "constructs.html").read_bytes())


def test_html_headings_and_contents_carry_clause_numbers(page: html.HtmlElement) -> None:
    headings = [_text(h).rstrip("#").strip() for h in page.xpath("//main//section//h2|"
                                                                 "//main//section//h3")]
    assert headings[:4] == ["Background", "1. Definitions", "1.1 Fees", "2. Governing law"]
    toc = [_text(a) for a in page.xpath("//nav[@class='toc']//a")]
    assert toc[:4] == ["Background", "1. Definitions", "1.1 Fees", "2. Governing law"]


def test_html_preamble_has_no_heading(page: html.HtmlElement) -> None:
    (pre,) = page.xpath("//div[@class='preamble']")
    assert not pre.xpath(".//h2|.//h3") and "These terms apply" in _text(pre)


def test_html_list_markers_follow_the_legal_sequence(page: html.HtmlElement) -> None:
    fees = page.get_element_by_id("fees")
    outer = fees.xpath("./ol")[0]
    assert outer.get("type") == "1"
    items = outer.xpath("./li")
    assert [_text(li.xpath("./span[@class='marker']")[0]) for li in items] == ["1.", "2.", "3."]
    second = items[1]
    assert [_text(p) for p in second.xpath("./p")] == ["We may change the fees if:",
                                                        "We tell you first."]
    inner = second.xpath("./ol")[0]
    assert inner.get("type") == "a"
    assert [_text(m) for m in inner.xpath("./li/span[@class='marker']")] == ["(a)", "(b)"]
    assert [_text(m) for m in inner.xpath(".//ol/li/span[@class='marker']")] == ["(i)", "(ii)"]
    assert _text(items[2]) == "3. Right to Know. you may ask what you pay for."
    roman = fees.xpath("./ol")[1]
    assert (roman.get("type"), roman.get("start")) == ("I", "4")
    assert [_text(m) for m in roman.xpath("./li/span")] == ["(IV)", "(V)"]
    law = page.get_element_by_id("law")
    assert [_text(m) for m in law.xpath("./ol/li/span[@class='marker']")] == ["2.1", "2.2"]


def test_html_cross_references_link_to_sections(page: html.HtmlElement) -> None:
    refs = [(a.get("href"), _text(a)) for a in page.xpath("//a[@class='xref']")]
    assert ("#fees", "Section 1.1") in refs and ("#preamble", "Background") in refs
    for href, _ in refs:
        assert page.get_element_by_id(href[1:]) is not None


def test_html_definitions_address_code_and_table(page: html.HtmlElement) -> None:
    (dl,) = page.xpath("//dl[@class='definitions']")
    assert [_text(dt) for dt in dl.xpath(".//dt")] == ["Services", "Cookie"]
    codes = [c.text for c in page.xpath("//code")]
    assert "wordpress_logged_in_*" in codes and "sid" in codes
    (lines,) = page.xpath("//p[@class='lines']")
    assert len(lines.xpath("./br")) == 2
    (table,) = page.xpath("//table[@class='fixed']")
    assert [c.get("style") for c in table.xpath(".//col")] == ["width: 25.00%", "width: 75.00%"]
    cell = table.xpath(".//tbody//td")[1]
    assert len(cell.xpath("./br")) == 1
    assert "cookie_* names and 2 * 3 stay text" in _text(page.get_element_by_id("law"))


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_text_shows_numbers_and_markers(out: Path) -> None:
    lines = [" ".join(line.split()) for line in pdftotext(out / "constructs.pdf").splitlines()]
    for wanted in ("1. Definitions", "1.1 Fees", "2. Governing law", "(a) costs rise;",
                   "(b) the law requires it, namely", "(i) a new tax; or", "(ii) a new levy.",
                   "(IV) Fourth clause", "(V) Fifth clause",
                   "3. Right to Know. you may ask what you pay for.",
                   "2.1 This agreement is governed by Irish law.",
                   "2.2 The courts of Dublin decide disputes.",
                   "These terms apply from the day you accept them (see Section 1.1)."):
        assert wanted in lines, wanted
    text = squash(pdftotext(out / "constructs.pdf"))
    assert squash("wordpress_logged_in_*") in text


def test_pdf_bookmarks_carry_numbers_and_refs_are_internal_links(out: Path) -> None:
    reader = pypdf.PdfReader(out / "constructs.pdf")
    assert _outline_titles(reader)[:4] == ["Background", "1. Definitions", "1.1 Fees",
                                    "2. Governing law"]
    internal = []
    for pg in reader.pages:
        for annot in pg.get("/Annots", []):
            a = annot.get_object()
            if a.get("/Subtype") == "/Link" and "/Dest" in a:
                internal.append(a["/Dest"])
            elif a.get("/Subtype") == "/Link" and a.get("/A", {}).get("/S") == "/GoTo":
                internal.append(a["/A"]["/D"])
    assert len(internal) >= 10  # contents entries and the four cross-references


def test_pdf_is_tagged_with_lists(out: Path) -> None:
    reader = pypdf.PdfReader(out / "constructs.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    kinds: set[str] = set()
    stack = [root["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object() if hasattr(stack[-1], "get_object") else stack.pop()
        if isinstance(node, dict) or hasattr(node, "get"):
            if "/S" in node:
                kinds.add(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None:
                stack.extend(kids if isinstance(kids, list) else [kids])
    assert {"/L", "/LI", "/Table", "/Link"} <= kinds, kinds


# --- DOCX ---------------------------------------------------------------------------------


def _xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def test_docx_headings_numbered_by_a_multilevel_list_linked_to_heading_styles(out: Path) -> None:
    path = out / "constructs.docx"
    styles, numbering = _xml(path, "word/styles.xml"), _xml(path, "word/numbering.xml")
    heading1 = styles.find(f"{W}style[@{W}styleId='Heading1']")
    num_id = heading1.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
    num = numbering.find(f"{W}num[@{W}numId='{num_id}']")
    abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
    abstract = numbering.find(f"{W}abstractNum[@{W}abstractNumId='{abstract_id}']")
    levels = abstract.findall(f"{W}lvl")
    assert [lv.find(f"{W}pStyle").get(f"{W}val") for lv in levels[:3]] == [
        "Heading1", "Heading2", "Heading3"]
    assert [lv.find(f"{W}lvlText").get(f"{W}val") for lv in levels[:3]] == [
        "%1.", "%1.%2", "%1.%2.%3"]
    document = docx.Document(str(path))
    background = next(p for p in document.paragraphs
                      if p.text == "Background" and p.style.name == "Heading 1")
    assert background._p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") == "0"
    toc_heading = styles.find(f"{W}style[@{W}styleId='TOCHeading']")
    assert toc_heading.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") == "0"


def test_docx_lists_have_numbering_definitions_in_their_formats(out: Path) -> None:
    path = out / "constructs.docx"
    numbering = _xml(path, "word/numbering.xml")
    document = docx.Document(str(path))
    nums = {n.get(f"{W}numId"): n.find(f"{W}abstractNumId").get(f"{W}val")
            for n in numbering.findall(f"{W}num")}
    abstracts = {a.get(f"{W}abstractNumId"): a for a in numbering.findall(f"{W}abstractNum")}

    def level(p: docx.text.paragraph.Paragraph) -> tuple[str, str, str]:
        numpr = p._p.find(f"{W}pPr/{W}numPr")
        ilvl = numpr.find(f"{W}ilvl").get(f"{W}val")
        lvl = abstracts[nums[numpr.find(f"{W}numId").get(f"{W}val")]].find(
            f"{W}lvl[@{W}ilvl='{ilvl}']")
        return (lvl.find(f"{W}numFmt").get(f"{W}val"), lvl.find(f"{W}lvlText").get(f"{W}val"),
                lvl.find(f"{W}start").get(f"{W}val"))

    by_text = {p.text: p for p in document.paragraphs}
    assert level(by_text["You pay the fees in advance."]) == ("decimal", "%1.", "1")
    assert level(by_text["costs rise;"]) == ("lowerLetter", "(%2)", "1")
    assert level(by_text["a new tax; or"]) == ("lowerRoman", "(%3)", "1")
    assert level(by_text["Fourth clause"]) == ("upperRoman", "(%1)", "4")
    assert by_text["We tell you first."].style.name == "List Continue"
    assert level(by_text["The courts of Dublin decide disputes."]) == ("decimal", "2.%1", "1")
    assert "Right to Know. you may ask what you pay for." in by_text


def test_docx_refs_code_definitions_address_and_widths(out: Path) -> None:
    path = out / "constructs.docx"
    document = docx.Document(str(path))
    body = document.element.body
    links = {(h.get(qn("w:anchor")), "".join(t.text or "" for t in h.iter(qn("w:t"))))
             for h in body.iter(qn("w:hyperlink")) if h.get(qn("w:anchor"))}
    assert ("fees", "Section 1.1") in links and ("preamble", "Background") in links
    code_runs = [r for r in body.iter(qn("w:r"))
                 if r.find(f"{W}rPr/{W}rStyle") is not None
                 and r.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "Code"]
    assert {"".join(t.text or "" for t in r.iter(qn("w:t"))) for r in code_runs} >= {
        "wordpress_logged_in_*", "sid"}
    styles = {p.style.name: p.text for p in document.paragraphs}
    assert styles["Definition Term"] == "Cookie"
    assert styles["Address"] == "Acme Ltd\n1 Harbour Street\nDublin D02 X285"
    table = document.tables[0]
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(grid[1] / grid[0] - 3) < 0.01
    assert table.cell(1, 1).text == "Keeps you signed in.\nExpires after a day."


def test_libreoffice_reads_the_numbers(out: Path, tmp_path: Path) -> None:
    require_tools("soffice")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(out / "constructs.docx")],
        check=True, capture_output=True, timeout=180)
    lines = [" ".join(x.split()) for x in
             (tmp_path / "constructs.txt").read_text(encoding="utf-8-sig").splitlines()]
    body = lines[lines.index("These terms apply from the day you accept them (see Section "
                             "1.1)."):]
    for wanted in ("Background", "1. Definitions", "1.1 Fees", "2. Governing law",
                   "1. You pay the fees in advance.", "(a) costs rise;", "(ii) a new levy.",
                   "3. Right to Know. you may ask what you pay for.", "(IV) Fourth clause",
                   "(V) Fifth clause", "2.2 The courts of Dublin decide disputes."):
        assert wanted in body, wanted
    assert "Contents" in lines and "1. Contents" not in lines


def test_pdf_code_spans_are_monospace_and_unhyphenated(out: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(out / "constructs.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "DejaVu-Sans-Mono" in fonts
    page = (out / "constructs.html").read_text(encoding="utf-8")
    assert '<code translate="no">wordpress_logged_in_*</code>' in page
    text = pdftotext(out / "constructs.pdf")
    assert "wordpress_logged_in_*" in text.replace("\n", "")  # never split by a hyphen


def test_docx_code_style_is_monospace(out: Path) -> None:
    styles = _xml(out / "constructs.docx", "word/styles.xml")
    code = styles.find(f"{W}style[@{W}styleId='Code']")
    assert code.get(f"{W}type") == "character"
    assert code.find(f"{W}rPr/{W}rFonts").get(f"{W}ascii") == "Courier New"
    assert code.find(f"{W}rPr/{W}noProof") is not None  # no spelling marks, no hyphenation


# --- redline --------------------------------------------------------------------------------


def test_redline_of_a_renumbering_marks_only_the_new_clause(tmp_path: Path) -> None:
    """A clause inserted before others renumbers them: HTML and DOCX redlines mark the new
    clause only; the cross-reference that now reads "Section 2.1" is not a change."""
    from compiler.i18n.localize import localize
    from compiler.readers.yaml import load_text
    from compiler.redline.compare import compare_documents
    from compiler.redline.make import render
    from compiler.renderers import RenderOptions

    text = SOURCE.read_text(encoding="utf-8")
    inserted = text.replace("  - id: definitions\n", "  - id: scope\n    title: Scope\n"
                            "    blocks: [These terms cover the services.]\n"
                            "  - id: definitions\n", 1)
    old, _ = localize(load_text(text, "old.yaml"), "en", None)
    new, _ = localize(load_text(inserted, "new.yaml"), "en", None)
    redline = compare_documents(old, new)
    page = html.fromstring(render(redline, "html", RenderOptions()))
    law = page.get_element_by_id("law")
    assert "rl-changed" not in (law.get("class") or "") and not law.xpath(".//ins|.//del")
    assert [_text(a) for a in law.xpath(".//a[@class='xref']")] == ["Section 2.1",
                                                                     "Background"]
    assert "1. Scope" in _text(page.get_element_by_id("scope"))
    path = tmp_path / "redline.docx"
    path.write_bytes(render(redline, "docx", RenderOptions()))
    body = _xml(path, "word/document.xml")
    inserted_text = "".join(t.text or "" for ins in body.iter(f"{W}ins")
                            for t in ins.iter(f"{W}t"))
    assert inserted_text == "1. Scope" + "Scope" + "These terms cover the services."  # TOC, body
    assert not list(body.iter(f"{W}del"))
