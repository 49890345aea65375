"""The brand ([theme] in policyc.toml, or _brand.yml) read back from HTML, PDF and DOCX."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from tests.helpers import FIXTURES, ROOT

PRIMARY, ACCENT = "#7A1F5C", "#0A7D6E"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
       b'<rect width="120" height="40" fill="#123456"/>'
       b'<image href="file:///etc/passwd" width="1" height="1"/></svg>')


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (0x7A, 0x1F, 0x5C)).save(out, format="PNG")
    return out.getvalue()


def _policyc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *args], cwd=cwd, text=True,
                          capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]})


def _project(tmp_path: Path, config: str, logo: tuple[str, bytes]) -> Path:
    shutil.copytree(FIXTURES / "project", tmp_path / "p")
    project = tmp_path / "p"
    (project / "brand").mkdir()
    (project / "brand" / logo[0]).write_bytes(logo[1])
    (project / "policyc.toml").write_text(config, encoding="utf-8")
    proc = _policyc(project, "build", "--locale", "en", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    return project / "dist" / "en"


@pytest.fixture(scope="module")
def png_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _project(tmp_path_factory.mktemp("png"), (
        "[theme]\n"
        'logo = "brand/logo.png"\n'
        f'primary = "{PRIMARY}"\n'
        f'accent = "{ACCENT}"\n'
        'footer = "Example GmbH · Registered in Berlin"\n'
        "[theme.fonts]\n"
        'latin = "Noto Serif"\n'), ("logo.png", _png()))


def test_html_logo_colours_favicon_footer(png_build: Path) -> None:
    page = lxml.html.parse(str(png_build / "retention-schedule.html"))
    (src,) = page.xpath("//header[@class='masthead']//img[@class='brand-logo']/@src")
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == _png()
    assert page.xpath("//link[@rel='icon']/@href") == [src]
    assert page.xpath("//img[@class='brand-logo']/@alt") == ["Example GmbH"]
    style = "".join(page.xpath("//style/text()"))
    assert f"--accent: {ACCENT}" in style and f"color: {PRIMARY}" in style
    assert '"Noto Serif"' in style
    assert page.xpath("//p[@class='brand-footer']/text()") == [
        "Example GmbH · Registered in Berlin"]


def test_pdf_logo_image_colour_font_footer(png_build: Path) -> None:
    import pypdf

    reader = pypdf.PdfReader(png_build / "retention-schedule.pdf")
    first = reader.pages[0]
    images = [x.get_object() for x in first["/Resources"]["/XObject"].values()
              if x.get_object()["/Subtype"] == "/Image"]
    assert [(i["/Width"], i["/Height"]) for i in images] == [(64, 32)]
    fonts = subprocess.run(["pdffonts", str(png_build / "retention-schedule.pdf")],
                           capture_output=True, text=True, check=True).stdout
    serif = [line for line in fonts.splitlines() if "Noto-Serif" in line]
    assert serif and all(" yes " in line for line in serif)  # embedded (and subset)
    text = subprocess.run(["pdftotext", "-layout", str(png_build / "retention-schedule.pdf"),
                           "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("Example GmbH · Registered in Berlin") == len(reader.pages)
    # the primary colour fills the heading text: 0.478 0.122 0.361 rg in the content stream
    content = first.get_contents().get_data().decode("latin-1")
    assert "0.478431 0.121569 0.360784 rg" in content


def test_docx_logo_media_and_styles(png_build: Path) -> None:
    with zipfile.ZipFile(png_build / "retention-schedule.docx") as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert [z.read(n) for n in media] == [_png()]
        styles = z.read("word/styles.xml").decode()
        header = next(z.read(n).decode() for n in z.namelist()
                      if n.startswith("word/header"))
        footer = next(z.read(n).decode() for n in z.namelist()
                      if n.startswith("word/footer"))
    assert "<a:blip r:embed=" in header and 'descr="Example GmbH"' in header
    assert "Example GmbH · Registered in Berlin" in footer
    import docx

    document = docx.Document(str(png_build / "retention-schedule.docx"))
    assert str(document.styles["Heading 1"].font.color.rgb) == PRIMARY[1:]
    assert str(document.styles["Title"].font.color.rgb) == PRIMARY[1:]
    assert str(document.styles["Hyperlink"].font.color.rgb) == ACCENT[1:]
    assert document.styles["Normal"].font.name == "Noto Serif"
    assert f'w:val="{PRIMARY[1:]}"' in styles


def test_brand_yml_svg_logo_in_every_format(tmp_path: Path) -> None:
    """A Quarto/Shiny _brand.yml alone: palette names, logo by name, typography."""
    shutil.copytree(FIXTURES / "project", tmp_path / "p")
    project = tmp_path / "p"
    (project / "logos").mkdir()
    (project / "logos" / "wide.svg").write_bytes(SVG)
    (project / "_brand.yml").write_text(
        "meta:\n  name: Example\n"
        "logo:\n  images:\n    wide: logos/wide.svg\n  medium: wide\n"
        "color:\n  palette:\n    plum: '#7a1f5c'\n    teal: '#0a7d6e'\n"
        "  primary: plum\n  secondary: teal\n"
        "typography:\n  base:\n    family: Noto Serif\n", encoding="utf-8")
    proc = _policyc(project, "build", "--locale", "en", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    out = project / "dist" / "en"
    page = lxml.html.parse(str(out / "retention-schedule.html"))
    (src,) = page.xpath("//img[@class='brand-logo']/@src")
    assert base64.b64decode(src.split(",", 1)[1]) == SVG
    assert f"color: {PRIMARY}" in "".join(page.xpath("//style/text()"))
    import pypdf

    first = pypdf.PdfReader(out / "retention-schedule.pdf").pages[0]
    # WeasyPrint draws an SVG as vector paths in the page: the logo's fill colour is there
    assert "0.070588 0.203922 0.337255 rg" in first.get_contents().get_data().decode("latin-1")
    with zipfile.ZipFile(out / "retention-schedule.docx") as z:
        (media,) = [n for n in z.namelist() if n.startswith("word/media/")]
        png = Image.open(io.BytesIO(z.read(media)))
        assert png.format == "PNG" and png.size == (600, 200)  # rasterized, nothing fetched
        assert png.getpixel((10, 10))[:3] == (0x12, 0x34, 0x56)
        assert 'w:val="0A7D6E"' in z.read("word/styles.xml").decode()


def test_brand_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    shutil.copy(FIXTURES / "project" / "source" / "retention-schedule.yaml", tmp_path / "source")
    (tmp_path / "_brand.yml").write_text("color:\n  primary: not-a-colour\nlogo: logo.gif\n")
    proc = _policyc(tmp_path, "build")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[:2] == [
        "_brand.yml:2: error: primary: expected a colour such as #447099 or a palette name, "
        "found 'not-a-colour'",
        "_brand.yml:3: error: logo: expected an .svg or .png file, found 'logo.gif'"]
