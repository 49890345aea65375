"""PDF output, read back with pypdf and poppler, and the renderer's sandbox."""

from __future__ import annotations

import io
import logging
import subprocess
from pathlib import Path

import pypdf
import pytest

from compiler.i18n.localize import localize
from compiler.readers import read_file as load
from compiler.renderers import TEMPLATES
from compiler.renderers.pdf import SandboxedFetcher, css_string
from tests.helpers import POLICY, missing_lines, pdftotext, seed_lines


def _outline_titles(reader: pypdf.PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_every_sentence(en_build: Path) -> None:
    text = pdftotext(en_build / "en" / "privacy-policy.pdf")
    assert missing_lines(text, seed_lines()) == []


def test_outline_has_every_section(en_build: Path) -> None:
    reader = pypdf.PdfReader(en_build / "en" / "privacy-policy.pdf")
    doc, _ = localize(load(POLICY), "en", None)  # the version history ends the document
    assert _outline_titles(reader) == [s.title.plain() for s in doc.document.walk_sections()]


def test_metadata(en_build: Path) -> None:
    reader = pypdf.PdfReader(en_build / "en" / "privacy-policy.pdf")
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Privacy Policy"
    assert meta.author == "InfinityDesk Inc."
    assert meta.subject and "InfinityDesk" in meta.subject
    assert "GDPR" in (meta.get("/Keywords") or "")
    assert meta.creation_date is not None and meta.creation_date.year == 2025
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_fonts_embedded(en_build: Path) -> None:
    out = subprocess.run(["pdffonts", str(en_build / "en" / "privacy-policy.pdf")],
                         capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert row.split()[-5] == "yes", row  # the 'emb' column


def test_links(en_build: Path) -> None:
    reader = pypdf.PdfReader(en_build / "en" / "privacy-policy.pdf")
    uris, internal = set(), 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if action and action.get("/URI"):
                uris.add(action["/URI"])
            elif a.get("/Dest") or (action and action.get("/S") == "/GoTo"):
                internal += 1
    assert "mailto:privacy@infinitydesk.com" in uris
    assert "mailto:dpo@infinitydesk.com" in uris
    assert "https://support.infinitydesk.com" in uris
    assert any(u.startswith("tel:+1555") for u in uris)
    assert internal >= len(list(load(POLICY).walk_sections()))  # the table of contents


def test_page_numbers_in_footer(en_build: Path) -> None:
    reader = pypdf.PdfReader(en_build / "en" / "privacy-policy.pdf")
    n = len(reader.pages)
    assert 3 <= n <= 12
    assert f"Page 2 of {n}" in reader.pages[1].extract_text()


def test_fetcher_serves_templates_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fetcher = SandboxedFetcher(TEMPLATES)
    css = (TEMPLATES / "css" / "print.css").resolve()
    assert fetcher.fetch(css.as_uri()).read().startswith(b"/*")
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    with caplog.at_level(logging.WARNING):
        for url in (secret.as_uri(), "file:///etc/passwd", "http://example.com/x.css",
                    (TEMPLATES / ".." / "__init__.py").as_uri()):
            with pytest.raises(ValueError, match="refuses"):
                fetcher.fetch(url)
    assert "refused to fetch file:///etc/passwd" in caplog.text


def test_crafted_html_gets_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import weasyprint

    html = ('<html><head><style>@import url(http://127.0.0.1:9/x.css);</style></head><body>'
            '<img src="file:///etc/passwd"><p>x</p></body></html>')
    with caplog.at_level(logging.WARNING):
        pdf = weasyprint.HTML(string=html, base_url=str(TEMPLATES) + "/",
                              url_fetcher=SandboxedFetcher(TEMPLATES)).write_pdf()
    # Streams are compressed: the check reads them inflated (qpdf --qdf), and the text.
    (tmp_path / "x.pdf").write_bytes(pdf)
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(tmp_path / "x.pdf"),
                    str(tmp_path / "qdf.pdf")], capture_output=True, check=True)
    inflated = (tmp_path / "qdf.pdf").read_bytes()
    assert b"\nBT\n" in inflated  # the page's content stream is readable now
    assert b"root:x:0:0" not in inflated and b"/bin/bash" not in inflated
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert [page.extract_text().strip() for page in reader.pages] == ["x"]
    assert [len(page.images) for page in reader.pages] == [0]  # the <img> fetched nothing
    assert "refused to fetch file:///etc/passwd" in caplog.text
    assert "refused to fetch http://127.0.0.1:9/x.css" in caplog.text


def test_css_string_cannot_escape() -> None:
    s = css_string('a"; } body { display: none } </style>')
    assert s.startswith('"') and s.endswith('"')
    assert '"' not in s[1:-1] and "<" not in s and "}" not in s


def test_pdfa_3a_with_xmp_output_intent_and_attached_source(en_build: Path) -> None:
    pdf = en_build / "en" / "privacy-policy.pdf"
    reader = pypdf.PdfReader(pdf)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert "<rdf:li>en</rdf:li>" in xmp and "<xmpMM:VersionID>1.0.0<" in xmp
    assert "<xmp:CreateDate>2025-01-15" in xmp
    intents = root["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    attached = reader.attachments
    assert list(attached) == ["source/privacy-policy.yaml"]
    assert attached["source/privacy-policy.yaml"][0] == POLICY.read_bytes()
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)


def test_pdf_ua_variant(tmp_path: Path) -> None:
    from compiler.build import BuildOptions, build

    build([POLICY], BuildOptions(out=tmp_path, locales=("en",), formats=("pdf",),
                                 pdf_variant="pdf/ua-1"))
    reader = pypdf.PdfReader(tmp_path / "en" / "privacy-policy.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in xmp
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]


PREFLIGHT = ["preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging",
             "javax.activation", "jaxb-api"]


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_pdfbox_preflight_accepts_pdfa_1b(tmp_path: Path, locale: str) -> None:
    """The one PDF/A validator obtainable here checks part 1: our structure and XMP pass it.

    (veraPDF, which checks PDF/A-3, is in no registry this machine reaches.)
    """
    from compiler.build import BuildOptions, build

    build([POLICY], BuildOptions(out=tmp_path, locales=(locale,), formats=("pdf",),
                                 pdf_variant="pdf/a-1b"))
    classpath = ":".join(f"/usr/share/java/{jar}.jar" for jar in PREFLIGHT)
    proc = subprocess.run(["java", "-cp", classpath, "org.apache.pdfbox.preflight.Validator_A1b",
                           str(tmp_path / locale / "privacy-policy.pdf")],
                          capture_output=True, text=True, timeout=120, check=False)
    errors = [line.strip() for line in proc.stdout.splitlines()
              if line.strip()[:1].isdigit() and ":" in line]
    # xmpbox 2.0 cannot read namespaces declared on rdf:RDF (valid RDF, as WeasyPrint writes).
    real = [e for e in errors if not (e.startswith("7.3") and "Schema is not set" in e)]
    assert real == [], proc.stdout
    assert proc.returncode == 0 or errors, proc.stdout + proc.stderr


def test_letter_paper(tmp_path: Path) -> None:
    from compiler.build import BuildOptions, build

    build([POLICY], BuildOptions(out=tmp_path, locales=("en",), formats=("pdf",),
                                 page_size="Letter", pdf_variant=None))
    box = pypdf.PdfReader(tmp_path / "en" / "privacy-policy.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_no_heading_stranded_at_a_page_foot(en_build: Path) -> None:
    titles = {s.title.plain() for s in load(POLICY).walk_sections()}
    pdf = en_build / "en" / "privacy-policy.pdf"
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages")))
    for page in range(2, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout",
                               str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        lines = [line.strip() for line in text.splitlines()
                 if line.strip() and not line.strip().startswith("Page ")]
        assert lines[-1] not in titles, f"page {page} ends with heading {lines[-1]!r}"


def test_long_documents_free_their_layout_early_and_write_the_same_bytes(
        en_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory release of long documents (collect the layout's garbage, drop the drawn
    pages before serializing) changes no byte: here every document counts as long."""
    from compiler.build import BuildOptions, render_options
    from compiler.project.sources import Facts
    from compiler.renderers import pdf

    doc = load(POLICY)
    ldoc, _ = localize(doc, "en", None)
    ropts = render_options(Facts.of(doc), POLICY, "en", POLICY.parent.parent / "locales",
                           BuildOptions())
    released: list[int] = []
    release = pdf._release_layout_garbage
    monkeypatch.setattr(pdf, "_release_layout_garbage", lambda: released.append(1) or release())
    monkeypatch.setattr(pdf, "_LONG", 1)
    assert pdf.render(ldoc, ropts) == (en_build / "en" / "privacy-policy.pdf").read_bytes()
    assert released == [1, 1]  # after the layout, and after drawing


def test_a_shared_font_configuration_writes_the_same_bytes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """PDFs reuse the font configurations of their process (fonts loaded and measured once),
    also across threads (the warm worker renders each request in its connection's thread):
    the same bytes as with a fresh one, whatever was rendered before (here Japanese and
    Arabic fonts before German, each in a thread of its own). A page that declares fonts
    of its own gets a fresh one."""
    import contextlib
    import threading

    from compiler.build import BuildOptions, load_translations, locales_dir_for, render_options
    from compiler.project.sources import Facts
    from compiler.renderers import pdf

    doc = load(POLICY)

    def render(locale: str) -> bytes:
        ldoc, _ = localize(doc, locale, load_translations(doc, locale, locales_dir_for(
            POLICY, BuildOptions())))
        return pdf.render(ldoc, render_options(Facts.of(doc), POLICY, locale,
                                               locales_dir_for(POLICY, BuildOptions()),
                                               BuildOptions()))

    def in_thread(locale: str) -> bytes:
        out: list[bytes] = []
        thread = threading.Thread(target=lambda: out.append(render(locale)))
        thread.start()
        thread.join()
        return out[0]

    made: list[object] = []

    class Counted(pdf.FontConfiguration):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(pdf, "_idle_fonts", [])
    monkeypatch.setattr(pdf, "FontConfiguration", Counted)
    shared = [in_thread(code) for code in ("ja", "ar", "de")]
    assert len(made) == 1  # the second and third threads borrowed the first one's
    with pdf._font_config("<style>p {}</style>") as one, pdf._font_config("<p>") as other:
        assert one is made[0] and other is not one  # never two renders at once
    monkeypatch.setattr(pdf, "_font_config", lambda page: contextlib.nullcontext())
    assert [render(code) for code in ("ja", "ar", "de")] == shared
    monkeypatch.undo()
    for own in ("@font-face { font-family: X; src: url(x.ttf) }", "@import 'a.css';",
                '<link rel="stylesheet" href="a.css">'):
        with pdf._font_config(f"<style>{own}</style>") as config:
            assert config is None
