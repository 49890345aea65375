"""`build --docx-annex`: the annex merged into a contract with docxcompose, read back with
python-docx and through a LibreOffice conversion."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import docx
import pypdf
import pytest
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from compiler.build import BuildOptions, build
from tests.helpers import POLICY, ROOT, pdftotext, require_tools, squash

LABEL = "Annex B"
CONTRACT_HEADINGS = ["Definitions", "Services", "Fees", "Data Protection"]
CONTRACT_HEADER = "MASTER SERVICES AGREEMENT \u2013 Confidential"
TERMS = ROOT / "source" / "terms-of-service.yaml"
MERGE = """import sys
import docx
from docxcompose.composer import Composer
composer = Composer(docx.Document(sys.argv[1]))
composer.append(docx.Document(sys.argv[2]))
composer.save(sys.argv[3])
"""


def _build_annex(out: Path, source: Path, label: str) -> Path:
    build([source], BuildOptions(out=out, locales=("en",), formats=("docx",), docx_annex=label))
    return out / "en" / f"{source.stem}.annex.docx"


@pytest.fixture(scope="module")
def annex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_annex(tmp_path_factory.mktemp("annex"), POLICY, LABEL)


def _contract(path: Path) -> None:
    """A contract with its own look: serif Normal, dark red headings, numbered clauses."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Liberation Serif", Pt(12)
    heading = document.styles["Heading 1"]
    heading.font.color.rgb, heading.font.size = RGBColor(0x80, 0, 0), Pt(15)
    section = document.sections[0]  # US Letter, 1.25" margins, a header of its own
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1.25))
    section.header.paragraphs[0].text = CONTRACT_HEADER
    document.add_paragraph("MASTER SERVICES AGREEMENT", style="Title")
    for title in CONTRACT_HEADINGS:
        document.add_paragraph(title, style="Heading 1")
        document.add_paragraph(f"The parties agree on {title.lower()}.")
        document.add_paragraph("First obligation of the clause.", style="List Number")
        document.add_paragraph("Second obligation of the clause.", style="List Number")
    document.save(str(path))


def _page_setup(section: docx.section.Section) -> tuple[object, ...]:
    return (section.page_width, section.page_height, section.left_margin,
            section.right_margin, section.top_margin, section.bottom_margin,
            [p.text for p in section.header.paragraphs])


def _soffice_pdf(path: Path, tmp_path: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    return tmp_path / f"{path.stem}.pdf"


def _style_xml(document: docx.document.Document, name: str) -> bytes:
    from lxml import etree

    return etree.tostring(document.styles[name].element)


def test_annex_has_no_title_page_numbered_headings_and_own_styles(annex: Path) -> None:
    document = docx.Document(str(annex))
    first = document.paragraphs[0]
    assert first.text == f"{LABEL} \u2013 Privacy Policy"
    body = document.element.body
    assert not [t for t in body.iter(qn("w:instrText")) if "TOC" in (t.text or "")]
    headings = [p for p in document.paragraphs
                if p.style is not None and p.style.name.startswith("Policy Heading")]
    assert headings[0].text == "B.1\u2002Introduction"
    assert any(p.text.startswith("B.2.1\u2002") for p in headings)
    used = {p.style.name for p in document.paragraphs if p.style is not None}
    assert all(name.startswith("Policy ") for name in used), used
    for p in document.paragraphs:  # a heading is a heading to Word's navigation pane
        if p.style is not None and p.style.name == "Policy Heading 1":
            ppr = p.style.element.find(qn("w:pPr"))
            assert ppr is not None and ppr.find(qn("w:outlineLvl")) is not None
    # its own section: the last paragraph closes it with the annex's header and footer
    last = body.findall(qn("w:p"))[-1].find(qn("w:pPr"))
    sectpr = last.find(qn("w:sectPr")) if last is not None else None
    assert sectpr is not None
    assert sectpr.find(qn("w:headerReference")) is not None
    assert sectpr.find(qn("w:footerReference")) is not None
    assert document.sections[0].header.paragraphs[-1].text.startswith(
        f"{LABEL} \u2013 Privacy Policy")


def test_merged_into_a_contract_with_docxcompose(annex: Path, tmp_path: Path) -> None:
    """Merged after a section break of the contract's own (README), the contract keeps its
    styles, numbering, paragraphs and page setup; the annex brings its own section."""
    require_tools("soffice")
    contract_path = tmp_path / "contract.docx"
    _contract(contract_path)
    contract = docx.Document(str(contract_path))
    setup = _page_setup(contract.sections[0])
    before = {name: _style_xml(contract, name) for name in ("Normal", "Heading 1",
                                                            "List Number", "Title")}
    contract_paragraphs = [(p.text, p.style.name if p.style else None)
                           for p in contract.paragraphs]
    numbering_before = copy.deepcopy(contract.part.numbering_part.element)

    # the annex's section ends at its last paragraph: the contract's pages need a section
    # break of their own first, or they would fall into the annex's section (A4, 22 mm)
    contract.add_section(WD_SECTION.NEW_PAGE)
    prepared = tmp_path / "contract-with-break.docx"
    contract.save(str(prepared))
    merged_path = tmp_path / "merged.docx"
    # in a process of its own: importing docxcompose changes how python-docx writes every
    # later document in the process (a DOCX another test renders here would differ)
    subprocess.run([sys.executable, "-c", MERGE, str(prepared), str(annex), str(merged_path)],
                   check=True, capture_output=True, timeout=120)

    merged = docx.Document(str(merged_path))
    assert _page_setup(merged.sections[0]) == setup, "the contract's page setup changed"
    annex_setup = _page_setup(docx.Document(str(annex)).sections[0])
    assert _page_setup(merged.sections[1])[:6] == annex_setup[:6]
    # the contract's styles and paragraphs are as they were
    for name, xml in before.items():
        assert _style_xml(merged, name) == xml, f"style {name!r} changed"
    head = [(p.text, p.style.name if p.style else None)
            for p in merged.paragraphs[:len(contract_paragraphs)]]
    assert head == contract_paragraphs
    # the contract's own list definitions are untouched (the annex's are added beside)
    numbering = merged.part.numbering_part.element
    for num in numbering_before.findall(qn("w:num")):
        same = [n for n in numbering.findall(qn("w:num"))
                if n.get(qn("w:numId")) == num.get(qn("w:numId"))]
        assert same and same[0].find(qn("w:abstractNumId")).get(qn("w:val")) == \
            num.find(qn("w:abstractNumId")).get(qn("w:val"))
    # the annex arrives whole, with its own style names
    annex_paragraphs = merged.paragraphs[len(contract_paragraphs) + 1:]  # after the break
    assert annex_paragraphs[0].text == f"{LABEL} \u2013 Privacy Policy"
    assert annex_paragraphs[0].style is not None
    assert annex_paragraphs[0].style.name == "Policy Title"

    # LibreOffice lays out both: the contract's clauses and their numbers read as before
    def clauses(path: Path) -> list[str]:
        text = pdftotext(_soffice_pdf(path, tmp_path))
        return [line.strip() for line in text.splitlines()
                if line.strip() in CONTRACT_HEADINGS or "obligation of the clause" in line]

    alone = clauses(contract_path)
    assert len(alone) == 3 * len(CONTRACT_HEADINGS) and alone[1].startswith("1.")
    assert clauses(merged_path) == alone
    text = pdftotext(merged_path.with_suffix(".pdf"))
    flat = squash(text)
    for expected in ("AnnexB–PrivacyPolicy", "B.1Introduction", "B.2InformationWeCollect",
                     "B.2.1PersonalInformation", "WelcometoInfinityDesk"):
        assert expected in flat
    assert flat.index("DataProtection") < flat.index("AnnexB–PrivacyPolicy")
    # laid out: the contract's pages are Letter under its header, the annex's A4 (whose
    # header docxcompose drops by design: the contract's runs on, see README)
    pages = pypdf.PdfReader(merged_path.with_suffix(".pdf")).pages
    texts = [page.extract_text() for page in pages]
    first_annex = next(i for i, t in enumerate(texts) if f"{LABEL} \u2013 Privacy Policy" in t)
    for i, page in enumerate(pages):
        size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
        assert size == ((612, 792) if i < first_annex else (595, 842)), (i, size)
        assert CONTRACT_HEADER in texts[i], i
    assert texts[-1].strip(), "a blank page after the annex"


SCHEDULE = "Schedule 2"


@pytest.fixture(scope="module")
def numbered_annex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_annex(tmp_path_factory.mktemp("schedule"), TERMS, SCHEDULE)


def _level_texts(document: docx.document.Document) -> dict[str, str]:
    """numId -> the level text of its first level ("2.7.%1")."""
    root = document.part.numbering_part.element
    abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
    out = {}
    for num in root.findall(qn("w:num")):
        lvl = abstract[num.find(qn("w:abstractNumId")).get(qn("w:val"))].find(qn("w:lvl"))
        out[num.get(qn("w:numId"))] = lvl.find(qn("w:lvlText")).get(qn("w:val"))
    return out


def test_a_numbered_document_as_annex_numbers_clauses_and_references_as_its_headings(
        numbered_annex: Path, tmp_path: Path) -> None:
    """Terms of Service as "Schedule 2": under "2.2.1 Eligibility" the clauses read 2.2.1.1,
    2.2.1.2 (not 2.1.1, which collides with the annex's own 2.1), and "Section 7" reads
    "Section 2.7" as its heading does. Read with python-docx, then as LibreOffice lays it out."""
    require_tools("soffice")
    document = docx.Document(str(numbered_annex))
    level_texts = _level_texts(document)
    headings: list[str] = []
    heading = ""
    clause_lists = 0
    for p in document.paragraphs:
        name = p.style.name if p.style is not None else ""
        if name.startswith("Policy Heading"):
            number = re.match(r"([\dA-Z.]+)\u2002", p.text)
            heading = number.group(1) if number else ""
            if heading:
                headings.append(heading)
            continue
        num_pr = p._p.pPr.numPr if p._p.pPr is not None else None
        if num_pr is None or num_pr.numId is None or num_pr.ilvl.val != 0:
            continue
        text = level_texts[str(num_pr.numId.val)]
        if re.fullmatch(r"[\d.]+\.%1", text):  # a clause list: numbered from its section
            clause_lists += 1
            assert text == f"{heading}.%1", (p.text[:40], heading, text)
    assert {"2.1", "2.2.1", "2.7"} <= set(headings) and clause_lists >= 5
    body = "\n".join(p.text for p in document.paragraphs)
    cited = re.findall(r"Section ([\d.]*\d)", body)
    assert cited and all(number in headings for number in cited), cited

    text = pdftotext(_soffice_pdf(numbered_annex, tmp_path))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    at = lines.index("2.2.1 Eligibility")
    assert lines[at + 1].startswith("2.2.1.1"), lines[at:at + 3]
    at = next(i for i, line in enumerate(lines) if line.startswith("2.7 Limitation of liab"))
    assert lines[at + 1].startswith("2.7.1"), lines[at:at + 3]
    assert not re.search(r"(?<![\d.])2\.1\.1\b", text)  # the old collision with 2.1 Definitions
    laid_out = re.findall(r"Section ([\d.]*\d)", text)
    assert laid_out and all(number in headings for number in laid_out), laid_out


def test_imported_clause_numbers_are_not_doubled(tmp_path: Path) -> None:
    """qa6 N15: an import keeping its clause numbers in the titles ('1. Introduction': they
    do not follow policyc's numbering) gave 'B.2.1 1. Introduction' in the annex."""
    from compiler.importer.run import import_file
    from compiler.readers import ReadOptions
    from tests.helpers import FIXTURES

    imported = import_file(FIXTURES / "import" / "mozilla-cloud-services-tos.en.html",
                           ReadOptions())
    assert imported.document.meta.numbering == "none"
    source = tmp_path / "source" / f"{imported.document.meta.id}.yaml"
    source.parent.mkdir()
    source.write_text(imported.yaml_text, encoding="utf-8")
    path = _build_annex(tmp_path / "dist", source, LABEL)
    headings = [p.text for p in docx.Document(str(path)).paragraphs
                if p.style is not None and "Heading" in p.style.name]
    assert "1. Introduction" in headings and "12. Miscellaneous" in headings
    assert not [h for h in headings if re.match(r"B\.", h)], headings
    # a document without numbers in its titles still gets B.1, B.2 ... (unchanged)
    plain = [p.text for p in docx.Document(str(_build_annex(tmp_path / "p", POLICY, LABEL)))
             .paragraphs if p.style is not None and "Heading 1" in p.style.name]
    assert plain[0].startswith("B.1\u2002")
