"""A project's templates/ overrides the built-ins one file at a time, in every format."""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.html
import pytest

from compiler.build import BuildOptions, build
from compiler.renderers.pdf import SandboxedFetcher
from compiler.renderers.templates import TEMPLATES, Templates

SOURCE = "retention-schedule.yaml"


def _build(project: Path, **kwargs: object) -> Path:
    out = project / "dist"
    build([project / "source" / SOURCE],
          BuildOptions(out=out, locales=("en",), templates=Templates.for_project(
              project / "templates"), **kwargs))  # type: ignore[arg-type]
    return out


def test_without_a_templates_folder_only_builtins_are_used(tmp_path: Path) -> None:
    assert Templates.for_project(tmp_path / "templates").roots == (TEMPLATES,)
    assert Templates.for_project(None).project is None


def test_one_css_file_overrides_its_builtin_only(project: Path) -> None:
    css = project / "templates" / "css"
    css.mkdir(parents=True)
    (css / "web.css").write_text("body { color: #123456; } /* project web */\n")
    out = _build(project, formats=("html",))
    page = (out / "en" / "retention-schedule.html").read_text(encoding="utf-8")
    style = "".join(lxml.html.fromstring(page).xpath("//style/text()"))
    assert "/* project web */" in style
    assert ".masthead" not in style  # the built-in web.css is replaced, not appended to
    # the page template itself still comes from policyc
    assert lxml.html.fromstring(page).xpath("//header[@class='masthead']")


def test_page_template_override_and_rebuild_keys(project: Path) -> None:
    html = project / "templates" / "html"
    html.mkdir(parents=True)
    page = html / "page.html.j2"
    page.write_text((TEMPLATES / "html" / "page.html.j2").read_text().replace(
        '<main id="main">', '<p class="project-banner">Internal draft</p>\n<main id="main">'))
    out = _build(project, formats=("html", "docx"))
    tree = lxml.html.parse(str(out / "en" / "retention-schedule.html"))
    assert tree.xpath("//p[@class='project-banner']/text()") == ["Internal draft"]
    again = build([project / "source" / SOURCE], BuildOptions(
        out=out, locales=("en",), formats=("html", "docx"),
        templates=Templates.for_project(project / "templates")))
    assert again.built == 0
    page.write_text(page.read_text().replace("Internal draft", "Final"))
    edited = build([project / "source" / SOURCE], BuildOptions(
        out=out, locales=("en",), formats=("html", "docx"),
        templates=Templates.for_project(project / "templates")))
    assert sorted(o.format for o in edited.outputs if o.built) == ["html"]


def test_reference_docx_override(project: Path) -> None:
    import docx
    from docx.shared import RGBColor

    (project / "templates" / "docx").mkdir(parents=True)
    reference = docx.Document(str(TEMPLATES / "docx" / "reference.docx"))
    reference.styles["Title"].font.color.rgb = RGBColor(0xAB, 0x12, 0xCD)
    reference.save(str(project / "templates" / "docx" / "reference.docx"))
    out = _build(project, formats=("docx",))
    with zipfile.ZipFile(out / "en" / "retention-schedule.docx") as z:
        styles = z.read("word/styles.xml").decode()
    assert 'w:val="AB12CD"' in styles


def test_fetcher_reads_project_then_builtin(tmp_path: Path) -> None:
    own = tmp_path / "templates"
    (own / "img").mkdir(parents=True)
    (own / "img" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    fetcher = SandboxedFetcher(own, TEMPLATES)
    assert fetcher.fetch((own / "img" / "logo.svg").as_uri()).read().startswith(b"<svg")
    # a name the project does not have comes from the built-ins, as templates do
    assert fetcher.fetch((own / "css" / "print.css").as_uri()).read().startswith(b"/*")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    (own / "link.txt").symlink_to(outside)
    with pytest.raises(ValueError, match="refuses"):
        fetcher.fetch((own / "link.txt").as_uri())


def test_project_template_extends_the_builtin(project: Path) -> None:
    html = project / "templates" / "html"
    html.mkdir(parents=True)
    (html / "page.html.j2").write_text(
        '{% extends "builtin/html/page.html.j2" %}\n'
        '{% block footer %}<footer class="legal-footer">{{ meta.organization }} legal</footer>'
        '{% endblock %}\n')
    out = _build(project, formats=("html",))
    tree = lxml.html.parse(str(out / "en" / "retention-schedule.html"))
    assert tree.xpath("//footer/@class") == ["legal-footer"]
    assert tree.xpath("//footer/text()") == ["Example GmbH legal"]
    assert tree.xpath("//h1/text()") == ["Data Retention Schedule"]  # the rest is built-in


def test_templates_export_copies_builtins_without_overwriting(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.helpers import ROOT

    def policyc(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "compiler.cli", *args], cwd=tmp_path,
                              capture_output=True, text=True, check=False,
                              env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]})

    (tmp_path / "templates" / "css").mkdir(parents=True)
    (tmp_path / "templates" / "css" / "print.css").write_text("/* mine */\n")
    proc = policyc("templates", "export", "--only", "css/")
    assert proc.returncode == 0, proc.stderr
    assert "templates/css/print.css: warning: exists already: kept as it is" in proc.stderr
    assert (tmp_path / "templates" / "css" / "print.css").read_text() == "/* mine */\n"
    assert (tmp_path / "templates" / "css" / "web.css").read_bytes() == \
        (TEMPLATES / "css" / "web.css").read_bytes()
    assert not (tmp_path / "templates" / "html").exists()
    listing = policyc("templates", "list")
    assert listing.returncode == 0, listing.stderr
    listed = listing.stdout.splitlines()
    assert "css/print.css                    templates/css/print.css" in listed
    assert "pdf/print.html.j2                built-in" in listed
    every = policyc("templates", "export", str(tmp_path / "all"))
    assert every.returncode == 0
    assert sorted(p.relative_to(tmp_path / "all").as_posix()
                  for p in (tmp_path / "all").rglob("*") if p.is_file()) == \
        sorted(Templates().names())
