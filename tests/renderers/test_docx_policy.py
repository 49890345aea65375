"""The real policy's DOCX, read back with python-docx: structure, links, fields, every sentence."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.shared import RGBColor

from compiler.readers import read_file as load
from tests.helpers import POLICY, QUOTES, ROOT, missing_lines, seed_lines


def _doc(en_build: Path) -> docx.document.Document:
    return docx.Document(str(en_build / "en" / "privacy-policy.docx"))


def test_every_sentence(en_build: Path) -> None:
    d = _doc(en_build)
    assert missing_lines("\n".join(p.text for p in d.paragraphs), seed_lines()) == []


def test_headings_in_order_with_heading_styles(en_build: Path) -> None:
    d = _doc(en_build)
    headings = [(p.style.name, p.text.translate(QUOTES)) for p in d.paragraphs
                if p.style is not None and p.style.name.startswith("Heading")]
    expected = [(f"Heading {s.level}", s.title.plain()) for s in load(POLICY).walk_sections()]
    assert [h for h in headings if h in expected] == expected


def test_links_and_page_field(en_build: Path) -> None:
    d = _doc(en_build)
    targets = {rel.target_ref for rel in d.part.rels.values() if rel.is_external}
    assert {"mailto:privacy@infinitydesk.com", "mailto:dpo@infinitydesk.com",
            "https://support.infinitydesk.com"} <= targets
    assert any(t.startswith("tel:+1555") for t in targets)
    footer = d.sections[0].footer._element
    instructions = "".join(t.text or "" for t in footer.iter(qn("w:instrText")))
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    assert d.core_properties.title == "Privacy Policy"
    assert d.core_properties.author == "InfinityDesk Inc."


def test_important_note_in_the_pdf_and_html_colours(en_build: Path) -> None:
    """print.css and web.css draw important notes amber (#b4540a on #fff6ec): so does Word."""
    d = _doc(en_build)
    [note] = [p for p in d.paragraphs if p.style is not None and p.style.name == "Note"
              and p.text.startswith("Important")]
    ppr = note._p.find(qn("w:pPr"))
    assert ppr.find(f"{qn('w:pBdr')}/{qn('w:left')}").get(qn("w:color")) == "B4540A"
    assert ppr.find(qn("w:shd")).get(qn("w:fill")) == "FFF6EC"
    label = note.runs[0]
    assert label.bold and label.font.color.rgb == RGBColor(0xB4, 0x54, 0x0A)
    css = (ROOT / "templates" / "css" / "print.css").read_text(encoding="utf-8")
    assert "#b4540a" in css and "#fff6ec" in css


def test_lead_in_keeps_with_next(en_build: Path) -> None:
    d = _doc(en_build)
    lead_ins = [p for p in d.paragraphs if p.style is not None and p.style.name == "Normal"
                and p.text.rstrip().endswith(":")]
    assert lead_ins
    assert all(p.paragraph_format.keep_with_next for p in lead_ins)


def test_table_columns_sized_from_content(table_build: Path) -> None:
    """No source widths: columns follow the content (a long text column is wider than a
    short one), a fixed layout that fills the text width."""
    d = docx.Document(str(table_build / "en" / "retention-schedule.docx"))
    table = d.tables[0]
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(set(grid)) > 1, grid  # not equal columns
    section = d.sections[0]
    text_width = (section.page_width - section.left_margin - section.right_margin) // 635
    assert abs(sum(grid) - text_width) <= len(grid)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    longest = [max(len(r[c]) for r in rows) for c in range(len(grid))]
    assert grid.index(max(grid)) == longest.index(max(longest))


def test_version_history_keeps_with_what_precedes(en_build: Path) -> None:
    d = _doc(en_build)
    paragraphs = d.paragraphs
    heading = next(i for i, p in enumerate(paragraphs) if p.text == "Version History"
                   and p.style is not None and p.style.name == "Heading 1")
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[heading - 3:heading])
