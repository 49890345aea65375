"""The real policy's DOCX, read back with python-docx: structure, links, fields, every sentence."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn

from compiler.readers import read_file as load
from tests.helpers import POLICY, QUOTES, missing_lines, seed_lines


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
