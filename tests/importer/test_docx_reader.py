"""The DOCX importer on Word features written as Word writes them: legal multi-level numbering
(1. / 1.1 / (a)), outline levels, tracked changes, comments, footnotes, drawings, breaks."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from compiler.importer.run import import_file
from compiler.model import ItemList, ListStyle
from compiler.readers import ReadOptions

W = nsdecls("w")
LEGAL = f"""<w:abstractNum {W} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%3)"/></w:lvl>
</w:abstractNum>"""


def _numbered(p: docx.text.paragraph.Paragraph, ilvl: int) -> None:
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>'))


def _legal_docx(path: Path) -> None:
    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(LEGAL))
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    d.add_paragraph("Master Services Agreement", style="Title")
    h = d.add_paragraph("Definitions", style="Heading 1")
    _numbered(h, 0)
    for text in ("Agreement means this document.", "Services means the services."):
        _numbered(d.add_paragraph(text), 1)
    for text in ("hosting; and", "support."):
        _numbered(d.add_paragraph(text), 2)
    h2 = d.add_paragraph("Term", style="Heading 1")
    _numbered(h2, 0)
    outline = d.add_paragraph("Renewal by outline level")
    outline._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W} w:val="1"/>'))
    p = d.add_paragraph("First line")
    p.add_run().add_break()
    p.add_run("second line, ").bold = True
    run = p.add_run("emphasised")
    run.italic = True
    body = p._p
    body.append(parse_xml(f'<w:ins {W} w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z">'
                          '<w:r><w:t xml:space="preserve"> inserted</w:t></w:r></w:ins>'))
    body.append(parse_xml(f'<w:del {W} w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z">'
                          '<w:r><w:delText>deleted</w:delText></w:r></w:del>'))
    body.append(parse_xml(f'<w:commentRangeStart {W} w:id="3"/>'))
    body.append(parse_xml(f'<w:r {W}><w:footnoteReference w:id="4"/></w:r>'))
    body.append(parse_xml(f'<w:r {W}><w:drawing/></w:r>'))
    body.append(parse_xml(f'<w:r {W}><w:t xml:space="preserve">.</w:t></w:r>'))
    d.core_properties.title = "Document1"
    d.save(str(path))


def test_legal_numbering_outline_levels_and_revisions(tmp_path: Path) -> None:
    path = tmp_path / "msa.docx"
    _legal_docx(path)
    result = import_file(path, ReadOptions())
    doc = result.document
    assert doc.meta.title.plain() == "Master Services Agreement"
    titles = [(s.level, s.title.plain()) for s in doc.walk_sections()]
    assert titles == [(1, "Definitions"), (1, "Term"), (2, "Renewal by outline level")]
    assert doc.meta.numbering == "decimal"  # Word's 1. / 2. are policyc's own numbering
    assert [s.number for s in doc.walk_sections()] == ["1", "2", ""]
    assert "numbered: false" in result.yaml_text
    lst = doc.sections[0].blocks[0]
    assert isinstance(lst, ItemList) and lst.ordered
    assert lst.style is ListStyle.CLAUSE  # Word's 1.1, 1.2 under clause 1
    assert lst.items[1].sublist is not None
    assert lst.items[1].sublist.style is ListStyle.LOWER_ALPHA  # (a), (b)
    assert [i.text.plain() for i in lst.items if i.text] == [
        "Agreement means this document.", "Services means the services."]
    sub = lst.items[1].sublist
    assert sub is not None and [i.text.plain() for i in sub.items if i.text] == [
        "hosting; and", "support."]
    para = doc.sections[1].sections[0].blocks[0]
    assert para.text.source == "First line **second line,** *emphasised* inserted."
    messages = [f"{f.kind}: {f.message}" for f in result.findings]
    assert "style: clause" in result.yaml_text
    for expected in ("items numbered '1.1'... became a clause list",
                     "numbered headings became 'numbering: decimal'", "tracked insertion",
                     "tracked deletion left out", "comment left out", "footnote 4 left out",
                     "image or drawing left out"):
        assert any(expected in m for m in messages), (expected, messages)
    assert result.yaml_text.count("# guessed:") >= 3
