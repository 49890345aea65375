"""A project's web.css with what no browser can parse: located warnings, counted, failing
--strict, kept in the cache folder (renderers/web_css.py, build/sheets.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lxml import html as lxml_html

from compiler.renderers import web_css
from compiler.renderers.templates import BUILTIN
from compiler.renderers.theme import Theme
from tests.renderers.test_pdf_css import _project

BROKEN = ("h1 { color red; font-size: 2em }\n"      # 1: no ':'
          "a::after { content: \"open\n"             # 2: a string left open
          "; color: blue }\n"
          "} .stray { margin: 0 }\n"                 # 4: a '}' that closes nothing
          "@media print { .x }\n"                    # 5: a selector without its block
          "main { width: calc(100% - ]); }\n"        # 6: a ']' that closes nothing
          "footer { padding: 0;\n")                  # 7: never closed


def test_the_builtin_web_css_and_the_brands_give_no_warning() -> None:
    theme = Theme(primary="#112233", accent="#445566", footer="Example",
                  fonts=(("latin", "Source Serif 4"), ("headings", 'Odd "Name"')))
    text = (BUILTIN / "css" / "web.css").read_text(encoding="utf-8") + theme.web_css()
    assert web_css.check(BUILTIN / "css" / "web.css", text) == ()


def test_modern_css_gives_no_warning(tmp_path: Path) -> None:
    """Nesting, layers, container queries, @property, custom properties holding blocks:
    valid CSS a browser reads (the check is about syntax, not what it knows)."""
    text = (":root { --brand: #123; --empty: ; --json: { \"a\": [1, 2] }; }\n"
            "@layer base, components;\n"
            ".card { color: var(--brand); &:hover { color: red; } & .t { font-weight: 700 } }\n"
            "@container side (min-width: 400px) { .card { display: grid } }\n"
            "@property --x { syntax: '<length>'; inherits: false; initial-value: 0px; }\n"
            "@supports selector(:has(a)) { :is(h1, h2)::marker { color: red } }\n"
            "@media (prefers-color-scheme: dark) { @media print { a { color: #fff } } }\n"
            "a[href^=\"http\"]::after { content: \"\\2197\"; }\n")
    assert web_css.check(tmp_path / "web.css", text) == ()


def test_each_syntax_error_where_it_starts(tmp_path: Path) -> None:
    sheet = tmp_path / "web.css"
    found = [str(d) for d in web_css.check(sheet, BROKEN)]
    shown = str(sheet)
    assert found == [
        f"{shown}:1:6: warning: CSS syntax error: expected 'property: value' (a declaration "
        "without its ':', or a nested rule without its { } block); browsers ignore it",
        f"{shown}:2:21: warning: CSS syntax error: a string left open at the end of its "
        "line; browsers ignore it",
        f"{shown}:4:1: warning: CSS syntax error: a '}}' that closes nothing; browsers ignore it",
        f"{shown}:5:16: warning: CSS syntax error: a selector without its {{ }} block; "
        "browsers ignore it",
        f"{shown}:6:27: warning: CSS syntax error: a ']' that closes nothing; browsers "
        "ignore it",
        f"{shown}:7:8: warning: this block is never closed: the rest of the file is read "
        "inside it (add its '}')",
    ]


def _build(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`policyc build --format html ARGS` in a fresh process, and the modules it imported."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "compiler", "build",
                          "--format", "html", *args], cwd=root, capture_output=True,
                         text=True, check=False)
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    return run, imported


def test_a_build_says_the_web_css_warnings_counted_and_kept(tmp_path: Path) -> None:
    """Located, counted in the summary, the pages built all the same; --strict fails
    before writing anything; an up-to-date build says them again from the cache folder
    (neither tinycss2 nor WeasyPrint imported); a damaged entry is checked again; a fixed
    sheet says nothing."""
    from compiler.build import sheets
    from compiler.project.layout import cache_dir

    root = _project(tmp_path, "\nh1 { color red }\n", "web.css")
    line = len((BUILTIN / "css" / "web.css").read_text(encoding="utf-8").splitlines()) + 2
    warning = (f"templates/css/web.css:{line}:6: warning: CSS syntax error: expected "
               "'property: value'")
    first, imported = _build(root)
    assert first.returncode == 0, first.stderr
    assert warning in first.stderr and "1 warning," in first.stderr
    assert "tinycss2" in imported
    page = lxml_html.parse(str(root / "dist" / "en" / "retention-schedule.html")).getroot()
    assert page.find(".//h1") is not None and page.find(".//style") is not None
    written = {p: p.stat().st_mtime_ns for p in (root / "dist").rglob("*")}
    strict, _ = _build(root, "--strict", "--force")
    assert strict.returncode == 1, strict.stderr
    assert warning.replace(" warning: ", " error: ") in strict.stderr, strict.stderr
    assert {p: p.stat().st_mtime_ns for p in (root / "dist").rglob("*")} == written
    again, imported = _build(root)
    assert again.returncode == 0, again.stderr
    assert warning in again.stderr and " 0 built," in again.stderr and "1 warning," in again.stderr
    assert "tinycss2" not in imported and "weasyprint" not in imported
    folder = cache_dir(root / "source" / "retention-schedule.yaml")
    assert folder is not None
    kept = folder / sheets.WEB_FILE
    data = json.loads(kept.read_text(encoding="utf-8"))
    kept.write_text(json.dumps({key: [["x", "not a line"]] for key in data}), encoding="utf-8")
    damaged, imported = _build(root)
    assert warning in damaged.stderr and "tinycss2" in imported
    sheet = root / "templates" / "css" / "web.css"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("color red", "color: red"),
                     encoding="utf-8")
    fixed, _ = _build(root)
    assert fixed.returncode == 0 and "web.css" not in fixed.stderr, fixed.stderr
