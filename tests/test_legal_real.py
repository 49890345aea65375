"""Real published terms (CC0, CC BY, CC BY-SA), converted by script: the YAML is what the
script makes, the published text survives, and each builds with the document's own numbers,
read back by lxml, pdftotext and LibreOffice."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from lxml import html

from compiler.build import BuildOptions, build
from tests.helpers import FIXTURES, pdftotext, require_tools, squash

REAL = FIXTURES / "legal" / "real"
IDS = ("github-marketplace-developer-agreement", "basecamp-terms-of-service",
       "cloudup-terms-of-service")


def _converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("convert", REAL / "convert.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_committed_yaml_is_what_the_script_makes() -> None:
    convert = _converter()
    for origin in convert.ORIGINS:
        made = convert.Converter(origin).convert((REAL / origin.markdown).read_text("utf-8"))
        committed = yaml.safe_load((REAL / f"{origin.id}.yaml").read_text("utf-8"))
        assert made == committed, origin.id


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("real")
    build([REAL / f"{i}.yaml" for i in IDS], BuildOptions(out=target, locales=("en",)))
    return target / "en"


def _markdown_sentences(name: str) -> list[str]:
    """The published text, line by line, without Markdown syntax and link targets."""
    out = []
    for raw in (REAL / name).read_text("utf-8").split("\n---\n", 2)[-1].splitlines():
        line = re.sub(r"^\s*(#+|[*-]|\d+\.)\s+", "", raw.strip())
        lead = re.fullmatch(r"\*\*([^*]+?)\*\*[.:]\s+(.*)", line)
        if lead:  # a run-in head ("**Privacy**. See ...") may become a heading
            out.append(lead.group(1))
        text = lead.group(2) if lead else line
        text = re.sub(r"\]\([^)]*\)", "]", text)
        text = re.sub(r"[*\[\]]|<!--.*?-->", "", text)
        text = re.sub(r"^(\d+)\.\s+", r"\1. ", text)  # "## 1.\tDEFINITIONS"
        if text and not re.fullmatch(r"[=\-]+", text):
            out.append(text)
    return out


@pytest.mark.parametrize("ident", IDS)
def test_published_text_survives(out: Path, ident: str) -> None:
    page = html.fromstring((out / f"{ident}.html").read_bytes())
    (body,) = page.xpath("//div[@class='body']")
    hay = squash(body.text_content().replace("#", ""))
    missing = [s for s in _markdown_sentences(f"{ident}.md")
               if squash(s) not in hay and not s.startswith(("title:", "redirect_from",
                                                             "versions:", "fpt:", "/"))]
    if ident == "cloudup-terms-of-service":  # the setext title is the document's <h1>
        missing = [m for m in missing if m != "CLOUDUP TERMS OF SERVICE"]
    if ident == "basecamp-terms-of-service":  # the '# ' title is the document's <h1>
        missing = [m for m in missing if m != "Terms of Service"]
    assert missing == []


def test_github_clauses_in_pdf_and_docx(out: Path, tmp_path: Path) -> None:
    lines = [" ".join(x.split()) for x in
             pdftotext(out / "github-marketplace-developer-agreement.pdf").splitlines()]
    assert "3. RESTRICTIONS AND RESPONSIBILITIES" in lines
    assert any(x.startswith("3.3 Developer will not engage in any activity") for x in lines)
    assert any(x.startswith("(iii) Diverts End Users") for x in lines)
    assert "Addendum 1: Data Protection Addendum" in lines  # unnumbered annex
    assert any(x.startswith("Notwithstanding any of the requirements set forth in Section 2 "
                            "(Purpose and License Grant)") for x in lines)
    require_tools("soffice")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "txt:Text", "--outdir", str(tmp_path),
         str(out / "github-marketplace-developer-agreement.docx")],
        check=True, capture_output=True, timeout=180)
    text = [" ".join(x.split()) for x in (tmp_path / "github-marketplace-developer-agreement"
                                          ".txt").read_text("utf-8-sig").splitlines()]
    assert "19. PRE-RELEASE ACCESS" in text
    assert any(x.startswith("10.5 The obligations in Sections 2, 3, 4") for x in text)
    assert any(x.startswith("(iv) is subject to End User complaints") for x in text)
    assert "Addendum 1: Data Protection Addendum" in text


def test_basecamp_item_holding_a_nested_list(out: Path) -> None:
    page = html.fromstring((out / "basecamp-terms-of-service.html").read_bytes())
    item = page.xpath("//li[p and ul]")[0]
    assert item.xpath("./span[@class='marker']")[0].text == "4."
    assert len(item.xpath("./ul/li")) == 4
