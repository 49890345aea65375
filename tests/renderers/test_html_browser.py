"""Every built page through the W3C Nu HTML Checker and axe-core in headless Chromium."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import lxml.html
import pytest

from compiler.build import BuildOptions, build
from tests.helpers import BROWSER, FIXTURES, POLICY, ROOT, VNU, require_tools


@pytest.fixture
def needs_tools() -> None:
    require_tools("vnu", "java", "node", "chromium")


@pytest.fixture(scope="module")
def html_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    build([POLICY, ROOT / "source" / "terms-of-service.yaml",
           FIXTURES / "legal" / "source" / "constructs.yaml"],
          BuildOptions(out=out, formats=("html",)))
    return out


def _pages(out: Path) -> list[Path]:
    return [*sorted(out.glob("*/*.html")), out / "index.html"]


@pytest.mark.usefixtures("needs_tools")
def test_vnu_zero_errors(html_build: Path) -> None:
    proc = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                           *map(str, _pages(html_build))], capture_output=True, text=True,
                          check=True)
    messages = json.loads(proc.stderr or proc.stdout)["messages"]
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m["type"] == "error"]
    assert errors == []


@pytest.mark.usefixtures("needs_tools")
def test_axe_no_external_requests_no_overflow(html_build: Path) -> None:
    proc = subprocess.run(["node", str(BROWSER / "check.js"), *map(str, _pages(html_build))],
                          capture_output=True, text=True, check=True, cwd=BROWSER, timeout=600)
    results = json.loads(proc.stdout)
    assert len(results) == len(_pages(html_build))
    for page, r in results.items():
        assert r["violations"] == [], page
        assert r["external"] == [], page
        assert r["errors"] == [], page
        assert r["overflow"]["360"] <= 0, f"{page} scrolls horizontally at 360 px"


def test_hreflang_complete_and_reciprocal(html_build: Path) -> None:
    pages = sorted(html_build.glob("*/privacy-policy.html"))
    assert len(pages) >= 7
    for page in pages:
        tree = lxml.html.fromstring(page.read_bytes())
        alternates = {link.get("hreflang"): link.get("href")
                      for link in tree.xpath("//link[@rel='alternate']")}
        assert "x-default" in alternates
        for other in pages:
            tag = lxml.html.fromstring(other.read_bytes()).get("lang")
            href = alternates[tag]
            assert (page.parent / href).resolve() == other.resolve()
        switcher = tree.xpath("//nav[contains(@class,'languages')]//a")
        names = {a.get("lang"): a.text_content() for a in switcher}
        assert names.get("de") == "Deutsch" and names.get("ja") == "日本語"
        assert names.get("ar") == "العربية" and names.get("fr") == "Français"


def test_index_lists_every_output(html_build: Path) -> None:
    tree = lxml.html.fromstring((html_build / "index.html").read_bytes())
    hrefs = set(tree.xpath("//a/@href"))
    for page in html_build.glob("*/*.html"):
        assert page.relative_to(html_build).as_posix() in hrefs
