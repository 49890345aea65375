"""DOCX output, read back with python-docx, zipfile/lxml and LibreOffice, not with our own code."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.text.paragraph import Paragraph
from lxml import etree

from compiler.errors import CompilerError
from compiler.renderers import TEMPLATES, RenderOptions
from compiler.renderers.docx import render
from compiler.renderers.ooxml import bookmark_names
from tests.helpers import ROOT, missing_lines, pdftotext, require_tools
from tests.renderers import docx_fixture
from tests.renderers.docx_fixture import EMAIL, PHONE, WEB

REFERENCE = TEMPLATES / "docx" / "reference.docx"
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"


@functools.cache
def _bytes(code: str = "en", page_size: str = "A4") -> bytes:
    return render(docx_fixture.localized(code), RenderOptions(page_size=page_size))


def _open(code: str = "en") -> WordDocument:
    return docx.Document(io.BytesIO(_bytes(code)))


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def _styled(document: WordDocument, name: str, *, prefix: bool = False) -> list[Paragraph]:
    """Paragraphs of a style, or of every style whose name starts so ("Heading")."""
    return [p for p in document.paragraphs if p.style is not None and (
        p.style.name == name or (prefix and (p.style.name or "").startswith(name)))]


def _heading_bookmarks(document: WordDocument) -> dict[str, str]:
    """Bookmark name -> heading text."""
    out = {}
    for p in _styled(document, "Heading", prefix=True):
        for start in p._p.findall(qn("w:bookmarkStart")):
            out[start.get(qn("w:name"))] = p.text
    return out


def _with_reference(tmp_path: Path, edit_styles: object = None,
                    edit_document: object = None) -> Path:
    """A copy of the shipped reference with styles.xml or the body changed."""
    target = tmp_path / "corporate.docx"
    with zipfile.ZipFile(REFERENCE) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/styles.xml" and callable(edit_styles):
                root = etree.fromstring(data)
                edit_styles(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            if item.filename == "word/document.xml" and callable(edit_document):
                root = etree.fromstring(data)
                edit_document(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            dst.writestr(item, data)
    return target


# --- structure ----------------------------------------------------------------------------


def test_headings_use_heading_styles_in_order_with_outline_levels() -> None:
    document = _open()
    found = [(p.style.name, p.text) for p in _styled(document, "Heading", prefix=True) if p.style]
    expected = [(f"Heading {s.level}", s.title.plain())
                for s in docx_fixture.localized().document.walk_sections()]
    assert found == expected
    for p in _styled(document, "Heading", prefix=True):
        assert p.style is not None
        level = p.style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        assert level is not None and int(level.get(qn("w:val"))) == int(p.style.name[-1]) - 1


def test_title_and_subtitles() -> None:
    document = _open()
    assert [p.text for p in _styled(document, "Title")] == ["Acme Cloud Privacy Policy"]
    assert [p.text for p in _styled(document, "Subtitle")] == [
        "Version 2.1.0", "Effective: April 1, 2024", "Last Updated: March 15, 2024"]


def test_external_links_are_hyperlinks_with_targets() -> None:
    document = _open()
    links = {(h.text, h.address) for p in document.paragraphs for h in p.hyperlinks
             if h.address}
    assert {(EMAIL, f"mailto:{EMAIL}"), ("+1 555 0100", PHONE), ("acme.example/privacy", WEB),
            ("Contact the privacy team", f"mailto:{EMAIL}")} <= links
    rels = [r for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert rels and all(r.is_external for r in rels)
    for p in document.paragraphs:
        for h in p.hyperlinks:
            if h.address:  # TOC entries link too, in the TOC styles' colours
                assert all(r.style is not None and r.style.name == "Hyperlink" for r in h.runs)


def test_internal_link_points_to_heading_bookmark() -> None:
    document = _open()
    bookmarks = _heading_bookmarks(document)
    assert bookmarks["contact_us"] == "Contact us"
    internal = [h for p in _styled(document, "Normal") for h in p.hyperlinks if h.fragment]
    assert [(h.text, h.fragment) for h in internal] == [("Contact us", "contact_us")]
    ids = [s.get(qn("w:id")) for s in document.element.body.iter(qn("w:bookmarkStart"))]
    assert len(ids) == len(set(ids)) == 7


def test_toc_field_prefilled_with_links_to_bookmarks() -> None:
    document = _open()
    body = document.element.body
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    assert ' TOC \\o "1-3" \\h \\z \\u \\n ' in instructions  # \\n: no page numbers
    kinds = [f.get(qn("w:fldCharType")) for f in body.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    [heading] = _styled(document, "TOC Heading")
    assert heading.text == "Contents"
    entries = [p for p in document.paragraphs
               if p.style is not None and p.style.name in ("toc 1", "toc 2", "toc 3")]
    titles = [s.title.plain() for s in docx_fixture.localized().document.walk_sections()
              if s.level <= 3]
    assert [p.text for p in entries] == titles
    bookmarks = _heading_bookmarks(document)
    for p in entries:
        [link] = p.hyperlinks
        assert bookmarks[link.fragment] == p.text
    # complete as written: Word has no field to refresh on open, so it asks nothing
    assert document.settings.element.find(qn("w:updateFields")) is None


def test_header_and_footer_fields() -> None:
    section = _open().sections[0]
    assert section.header.paragraphs[-1].text == "Acme Cloud Privacy Policy · Version 2.1.0"
    footer = section.footer.paragraphs[-1]
    assert footer.style is not None and footer.style.name == "Footer"
    instructions = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    kinds = [f.get(qn("w:fldCharType")) for f in footer._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2
    texts = [t.text for t in footer._p.iter(qn("w:t"))]
    assert texts == ["Page ", "1", " of ", "1"]


def test_japanese_footer_keeps_translated_order() -> None:
    footer = _open("ja").sections[0].footer.paragraphs[-1]
    instructions = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["NUMPAGES", "PAGE"]


def test_lists_terms_and_numbering() -> None:
    document = _open()
    bullets = _styled(document, "List Bullet", prefix=True)
    first = bullets[0].runs[0]
    assert first.text == "Account Information: " and first.bold
    assert [p.style.name for p in bullets if p.style] == ["List Bullet"] * 2 + ["List Bullet 2"] * 2
    numbering = document.part.numbering_part.element
    nums = {n.get(qn("w:numId")): n for n in numbering.findall(qn("w:num"))}
    numbered = _styled(document, "List Number", prefix=True)
    ids = [p._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}").get(qn("w:val"))
           for p in numbered]
    # three lists: "sign up" (3 items), "provide" (2) with its nested list (2)
    assert len(set(ids)) == 3 and ids[0] == ids[1] == ids[2] != ids[3]
    for num_id in set(ids):
        overrides = nums[num_id].findall(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        assert [o.get(qn("w:val")) for o in overrides] == ["1"]
        abstract_id = nums[num_id].find(qn("w:abstractNumId")).get(qn("w:val"))
        abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                        if a.get(qn("w:abstractNumId")) == abstract_id)
        assert abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}").get(qn("w:val")) == "decimal"
    bullet_style = bullets[0].style
    assert bullet_style is not None
    assert bullet_style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None


def test_japanese_term_uses_fullwidth_colon() -> None:
    first = _styled(_open("ja"), "List Bullet")[0].runs[0]
    assert first.text == "アカウント情報：" and first.bold


def test_notes_contact_cta_table() -> None:
    document = _open()
    notes = _styled(document, "Note")
    assert [(p.runs[0].text, p.runs[0].bold) for p in notes] == [
        ("Important: ", True),
        ("You can change your information at any time.", None),
        ("Warning: ", True),
    ]
    contact = _styled(document, "Contact")
    assert [p.text for p in contact] == [
        f"E-mail: {EMAIL}", "Phone: +1 555 0100", "Website: acme.example/privacy"]
    assert all(p.runs[0].bold for p in contact)
    assert [p.text for p in _styled(document, "Call To Action Title")] == [
        "Questions about your data?"]
    assert [p.text for p in _styled(document, "Call To Action")] == [
        "Our privacy team answers within two business days.", "Contact the privacy team"]
    [table] = document.tables
    assert table.style is not None and table.style.name == "Policy Table"
    assert [c.text for c in table.rows[0].cells] == ["Data", "Kept for"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [p.text for p in _styled(document, "Caption")] == ["Retention periods"]


# --- metadata --------------------------------------------------------------------------------


def test_core_properties() -> None:
    core = _open().core_properties
    assert core.title == "Acme Cloud Privacy Policy"
    assert core.author == core.last_modified_by == "Acme Cloud Ltd."
    assert core.subject == "How Acme Cloud collects, uses and protects personal data."
    assert core.keywords == "privacy, GDPR"
    assert core.language == "en"
    midnight = dt.datetime(2024, 3, 15, tzinfo=dt.UTC)
    assert core.created == core.modified == midnight
    assert core.revision == 1


def test_custom_properties_part() -> None:
    data = _bytes()
    props = {p.get("name"): p.find(f"{VT}lpwstr").text
             for p in _part(data, "docProps/custom.xml").iter(f"{CUSTOM}property")}
    assert props == {"Version": "2.1.0", "Effective": "2024-04-01", "Updated": "2024-03-15",
                     "Language": "en", "Company": "Acme Cloud Ltd.",
                     "DocumentId": "privacy-policy"}
    types = etree.tostring(_part(data, "[Content_Types].xml")).decode()
    assert 'PartName="/docProps/custom.xml"' in types
    rels = etree.tostring(_part(data, "_rels/.rels")).decode()
    assert 'Target="docProps/custom.xml"' in rels


def test_every_part_is_declared_and_well_formed() -> None:
    for code in ("en", "ar", "ja"):
        data = _bytes(code)
        types = _part(data, "[Content_Types].xml")
        ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
        overrides = {o.get("PartName") for o in types.iter(f"{ns}Override")}
        defaults = {d.get("Extension") for d in types.iter(f"{ns}Default")}
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if name != "[Content_Types].xml":
                    assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name
                etree.fromstring(z.read(name))  # raises on malformed XML


def test_byte_identical_across_renders() -> None:
    for code in ("en", "ar"):
        doc = docx_fixture.localized(code)
        first, second = render(doc, RenderOptions()), render(doc, RenderOptions())
        assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2024, 3, 15, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


# --- language and direction ---------------------------------------------------------------


def _defaults_rpr(document: WordDocument) -> etree._Element:
    rpr = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert rpr is not None
    return rpr


def test_arabic_is_right_to_left() -> None:
    document = _open("ar")
    body = document.element.body
    paragraphs = list(body.iter(qn("w:p")))
    assert paragraphs and all(p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None
                              for p in paragraphs)
    for r in body.iter(qn("w:r")):
        rtl = r.find(f"{qn('w:rPr')}/{qn('w:rtl')}")
        assert rtl is not None
        text = "".join(t.text or "" for t in r.iter(qn("w:t")))
        if rtl.get(qn("w:val")) == "0":  # a Latin island: e-mail, URL or phone number
            assert text.startswith("\u200e") and text.endswith("\u200e")
        if r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None:
            assert r.find(f"{qn('w:rPr')}/{qn('w:bCs')}") is not None
    assert body.find(f"{qn('w:sectPr')}/{qn('w:bidi')}") is not None
    assert all(t.find(qn("w:bidiVisual")) is not None for t in body.iter(qn("w:tblPr")))
    header = document.sections[0].header.paragraphs[-1]._p
    assert header.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None
    assert _defaults_rpr(document).find(qn("w:lang")).get(qn("w:bidi")) == "ar"
    note = next(s for s in document.styles if s.name == "Note").element
    assert note.find(f".//{qn('w:pBdr')}/{qn('w:right')}").get(qn("w:sz")) == "24"


def test_phone_number_stays_left_to_right_in_arabic() -> None:
    links = {h.address: h.text for p in _open("ar").paragraphs for h in p.hyperlinks}
    assert links[PHONE] == "\u200e+1 555 0100\u200e"


def test_japanese_language_and_font() -> None:
    document = _open("ja")
    rpr = _defaults_rpr(document)
    lang = rpr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "ja" and lang.get(qn("w:eastAsia")) == "ja"
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "Yu Gothic"  # Office has it
    assert document.core_properties.language == "ja"
    assert _open("en").element.body.find(f".//{qn('w:bidi')}") is None


# --- the reference document ------------------------------------------------------------------


def test_missing_style_names_it(tmp_path: Path) -> None:
    def drop_note(root: etree._Element) -> None:
        for style in root.findall(qn("w:style")):
            if style.get(qn("w:styleId")) == "Note":
                root.remove(style)

    reference = _with_reference(tmp_path, edit_styles=drop_note)
    with pytest.raises(CompilerError) as caught:
        render(docx_fixture.localized(), RenderOptions(reference_docx=reference))
    message = str(caught.value)
    assert "style 'Note' missing from reference document (expected styles: " in message
    assert "corporate.docx" in message
    assert len(caught.value.diagnostics) == 1


def test_unreadable_reference(tmp_path: Path) -> None:
    reference = tmp_path / "notes.docx"
    reference.write_text("not a zip", encoding="utf-8")
    with pytest.raises(CompilerError, match=r"notes\.docx: error: cannot read reference document"):
        render(docx_fixture.localized(), RenderOptions(reference_docx=reference))


def test_reference_content_dropped_layout_and_localized_ids_kept(tmp_path: Path) -> None:
    def add_text_and_margin(root: etree._Element) -> None:
        body = root.find(qn("w:body"))
        p = etree.SubElement(body, qn("w:p"))
        etree.SubElement(etree.SubElement(p, qn("w:r")), qn("w:t")).text = "TEMPLATE TEXT"
        body.insert(0, p)
        body.find(f"{qn('w:sectPr')}/{qn('w:pgMar')}").set(qn("w:left"), "1701")

    def german_ids(root: etree._Element) -> None:
        for style in root.findall(qn("w:style")):
            if style.get(qn("w:styleId")) == "Heading1":
                style.set(qn("w:styleId"), "berschrift1")

    reference = _with_reference(tmp_path, edit_styles=german_ids,
                                edit_document=add_text_and_margin)
    data = render(docx_fixture.localized(), RenderOptions(reference_docx=reference))
    document = docx.Document(io.BytesIO(data))
    assert all("TEMPLATE TEXT" not in p.text for p in document.paragraphs)
    assert document.sections[0].left_margin == Twips(1701)
    first = _styled(document, "Heading 1")[0]
    assert first._p.pPr.pStyle.get(qn("w:val")) == "berschrift1"


def test_page_size() -> None:
    assert docx.Document(io.BytesIO(_bytes("en", "Letter"))).sections[0].page_width == Twips(12240)
    assert _open().sections[0].page_width == Twips(11906)


def test_shipped_reference_is_reproducible() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_reference_docx", ROOT / "scripts" / "make_reference_docx.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build() == REFERENCE.read_bytes(), "run scripts/make_reference_docx.py"


def test_bookmark_names_follow_word_rules() -> None:
    long = "a" * 45
    names = bookmark_names(["contact-us", "2fa", long, long + "-x", "Contact_Us"])
    assert names["contact-us"] == "contact_us"
    assert names["2fa"] == "s_2fa"
    assert names[long] == "a" * 40 and names[long + "-x"] == "a" * 38 + "_2"
    assert names["Contact_Us"] == "Contact_Us_2"  # Word compares names case-insensitively
    assert all(len(n) <= 40 and n[0].isalpha() for n in names.values())


# --- an independent renderer ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["en", "ja"])
def test_libreoffice_converts_every_sentence(tmp_path: Path, code: str) -> None:
    require_tools("soffice")
    source = tmp_path / f"{code}.docx"
    source.write_bytes(_bytes(code))
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300)
    text = pdftotext(tmp_path / f"{code}.pdf")
    assert missing_lines(text, docx_fixture.sentences(code)) == []
    footer = "Page 1 of 2" if code == "en" else "2 ページ中 1 ページ"
    assert footer in text


def test_reference_uses_fonts_every_office_has() -> None:
    """Stock Word on Windows and macOS opens the DOCX without substituting a font."""
    office = {"Arial", "Courier New", "Yu Gothic", "Malgun Gothic", "Microsoft YaHei",
              "Microsoft JhengHei"}
    for code in ("en", "ja", "ar"):
        document = _open(code)
        used = {value for el in document.element.iter(qn("w:rFonts"))
                for key, value in el.attrib.items() if not key.endswith("Theme")}
        used |= {value for el in document.styles.element.iter(qn("w:rFonts"))
                 for key, value in el.attrib.items() if not key.endswith("Theme")}
        assert used and used <= office, (code, used - office)
