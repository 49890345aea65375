"""`build --docx-annex`: the annex merged into a contract with docxcompose, read back with
python-docx and through a LibreOffice conversion."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from compiler.build import BuildOptions, build
from tests.helpers import POLICY, pdftotext, squash

LABEL = "Annex B"
CONTRACT_HEADINGS = ["Definitions", "Services", "Fees", "Data Protection"]


@pytest.fixture(scope="module")
def annex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("annex")
    build([POLICY], BuildOptions(out=out, locales=("en",), formats=("docx",),
                                 docx_annex=LABEL))
    return out / "en" / "privacy-policy.annex.docx"


def _contract(path: Path) -> None:
    """A contract with its own look: serif Normal, dark red headings, numbered clauses."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Liberation Serif", Pt(12)
    heading = document.styles["Heading 1"]
    heading.font.color.rgb, heading.font.size = RGBColor(0x80, 0, 0), Pt(15)
    document.add_paragraph("MASTER SERVICES AGREEMENT", style="Title")
    for title in CONTRACT_HEADINGS:
        document.add_paragraph(title, style="Heading 1")
        document.add_paragraph(f"The parties agree on {title.lower()}.")
        document.add_paragraph("First obligation of the clause.", style="List Number")
        document.add_paragraph("Second obligation of the clause.", style="List Number")
    document.save(str(path))


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


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_merged_into_a_contract_with_docxcompose(annex: Path, tmp_path: Path) -> None:
    from docxcompose.composer import Composer

    contract_path = tmp_path / "contract.docx"
    _contract(contract_path)
    contract = docx.Document(str(contract_path))
    before = {name: _style_xml(contract, name) for name in ("Normal", "Heading 1",
                                                            "List Number", "Title")}
    contract_paragraphs = [(p.text, p.style.name if p.style else None)
                           for p in contract.paragraphs]
    numbering_before = copy.deepcopy(contract.part.numbering_part.element)

    composer = Composer(contract)
    composer.append(docx.Document(str(annex)))
    merged_path = tmp_path / "merged.docx"
    composer.save(str(merged_path))

    merged = docx.Document(str(merged_path))
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
    annex_paragraphs = merged.paragraphs[len(contract_paragraphs):]
    assert annex_paragraphs[0].text == f"{LABEL} \u2013 Privacy Policy"
    assert annex_paragraphs[0].style is not None
    assert annex_paragraphs[0].style.name == "Policy Title"

    # LibreOffice lays out both: the contract's clauses and their numbers read as before
    def clauses(path: Path) -> list[str]:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                       check=True, capture_output=True, timeout=240)
        text = pdftotext(path.with_suffix(".pdf"))
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
