"""A project's print.css that WeasyPrint cannot fully use: located warnings, counted (qa6 D11)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from compiler.renderers import pdf_css
from compiler.renderers.pdf import SandboxedFetcher
from compiler.renderers.templates import BUILTIN
from tests.helpers import FIXTURES

BROKEN = "h1 { colr: red; }\nh3 { color: rd }\nh2 { color: \n"


def _project(tmp_path: Path, css: str, name: str = "print.css") -> Path:
    """The fixture project with its own templates/css/NAME: the built-in one + css."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    sheet = root / "templates" / "css" / name
    sheet.parent.mkdir(parents=True)
    builtin = (BUILTIN / "css" / name).read_text(encoding="utf-8")
    sheet.write_text(builtin + css, encoding="utf-8")
    (root / "policyc.toml").write_text('[theme]\nprimary = "#FF0000"\n', encoding="utf-8")
    return root


def test_the_builtin_print_css_gives_no_warning() -> None:
    text = (BUILTIN / "css" / "print.css").read_text(encoding="utf-8")
    assert pdf_css.check(BUILTIN / "css" / "print.css", text, (BUILTIN,),
                         SandboxedFetcher) == ()


def test_the_builtin_redline_sheets_give_no_warning() -> None:
    """policyc's own redline rules (in the print page's second <style>) give WeasyPrint
    nothing to complain about: a redline PDF's only CSS messages are the project's sheet's."""
    for name in ("redline.css", "redline-print.css"):
        path = BUILTIN / "css" / name
        assert pdf_css.check(path, path.read_text(encoding="utf-8"), (BUILTIN,),
                             SandboxedFetcher) == (), name


def test_each_complaint_at_its_line_and_column(tmp_path: Path) -> None:
    sheet = tmp_path / "print.css"
    found = [str(d) for d in pdf_css.check(sheet, BROKEN, (tmp_path,), SandboxedFetcher)]
    shown = str(sheet)
    assert found == [
        f"{shown}:1:6: warning: ignored `colr: red`: unknown property (WeasyPrint)",
        f"{shown}:2:6: warning: ignored `color: rd`: invalid value (WeasyPrint)",
        f"{shown}:3:4: warning: this block is never closed: the rest of the file is read "
        "inside it (add its '}')",
        f"{shown}:3:6: warning: ignored `color:`: no value (WeasyPrint)",
    ]
    assert pdf_css.check(sheet, "a { color: rgb(1, 2 }\n", (tmp_path,),
                         SandboxedFetcher)[-1].loc.line == 1
    assert pdf_css.check(sheet, "a { color: red }\n/* { */\n", (tmp_path,),
                         SandboxedFetcher) == ()


def _build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", "build", "--format", "pdf",
                           "--force", *args], cwd=root, capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize("jobs", ["1", "2"])  # in the build's process, in forked workers
def test_build_warns_at_the_line_once_and_keeps_the_brand(tmp_path: Path, jobs: str) -> None:
    root = _project(tmp_path, BROKEN)
    line = len((BUILTIN / "css" / "print.css").read_text(encoding="utf-8").splitlines()) + 1
    done = _build(root, "--jobs", jobs)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr  # no raw WeasyPrint line
    located = [x for x in done.stderr.splitlines() if x.startswith("templates/css/print.css:")]
    assert located == [
        f"templates/css/print.css:{line}:6: warning: ignored `colr: red`: unknown property "
        "(WeasyPrint)",
        f"templates/css/print.css:{line + 1}:6: warning: ignored `color: rd`: invalid value "
        "(WeasyPrint)",
        f"templates/css/print.css:{line + 2}:4: warning: this block is never closed: the rest "
        "of the file is read inside it (add its '}')",
        f"templates/css/print.css:{line + 2}:6: warning: ignored `color:`: no value "
        "(WeasyPrint)"], done.stderr  # once, though two PDFs (en, de) read the file
    summary = done.stderr.splitlines()[-1]
    others = len([x for x in done.stderr.splitlines() if ": warning: " in x]) - 4
    assert f", {4 + others} warnings," in summary
    # the brand's colour (policyc.toml) still reaches the title: red fill before its text
    for pdf in (root / "dist").glob("*/*.pdf"):
        content = PdfReader(pdf).pages[0].get_contents()
        assert content is not None and b"1 0 0 rg" in content.get_data(), pdf
    quiet = _build(root, "-q", "--jobs", jobs)  # -q: still counted and shown (warnings)
    assert quiet.returncode == 0 and len([x for x in quiet.stderr.splitlines()
                if x.startswith("templates/css/print.css:")]) == 4


def test_a_fixed_sheet_gives_no_warning(tmp_path: Path) -> None:
    root = _project(tmp_path, BROKEN)
    assert _build(root).returncode == 0
    sheet = root / "templates" / "css" / "print.css"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(BROKEN, "h1 { color: red }\n"),
                     encoding="utf-8")
    again = _build(root)
    assert again.returncode == 0 and "print.css" not in again.stderr, again.stderr


def test_strict_fails_and_an_up_to_date_build_says_it_again(tmp_path: Path) -> None:
    """review7 F1: --strict fails on a project print.css warning, before writing anything;
    F2: the warning is said on every build while the sheet stays broken, its PDFs up to
    date or not (a second build renders nothing and still names the line)."""
    root = _project(tmp_path, "h1 { colr: red; }\n")
    line = len((BUILTIN / "css" / "print.css").read_text(encoding="utf-8").splitlines()) + 1
    where = f"templates/css/print.css:{line}:6: "
    strict = _build(root, "--strict")
    assert strict.returncode == 1, strict.stderr
    assert f"{where}error: ignored `colr: red`: unknown property" in strict.stderr
    assert not list((root / "dist").glob("*/*.pdf"))
    first = _build(root)
    assert first.returncode == 0 and f"{where}warning: " in first.stderr, first.stderr
    built = {p: p.stat().st_mtime_ns for p in (root / "dist").glob("*/*.pdf")}
    again = subprocess.run([sys.executable, "-m", "compiler", "build", "--format", "pdf"],
                           cwd=root, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert " 0 built," in again.stderr.splitlines()[-1], again.stderr
    assert f"{where}warning: ignored `colr: red`" in again.stderr, again.stderr
    assert {p: p.stat().st_mtime_ns for p in built} == built  # nothing rendered again
    strict = subprocess.run([sys.executable, "-m", "compiler", "build", "--format", "pdf",
                             "--strict"], cwd=root, capture_output=True, text=True,
                            check=False)
    assert strict.returncode == 1 and f"{where}error: " in strict.stderr, strict.stderr


def test_an_invalid_selector_at_its_rule(tmp_path: Path) -> None:
    """review7 F16: WeasyPrint 70 quotes a selector it cannot use without a reason; each is
    located at its own rule (not at an earlier rule sharing its first word), in @media too."""
    sheet = tmp_path / "print.css"
    text = ("h2 { color: #123456 }\n\n\nh2 >> p { color: red }\n"
            "h2 > :bogus-thing { color: red }\n@media print {\n  h3::nope { color: red }\n}\n")
    found = [str(d) for d in pdf_css.check(sheet, text, (tmp_path,), SandboxedFetcher)]
    rule = "warning: ignored the rule: invalid or unsupported selector"
    assert found == [f"{sheet}:4:1: {rule} 'h2 >> p' (WeasyPrint)",
                     f"{sheet}:5:1: {rule} 'h2 > :bogus-thing' (WeasyPrint)",
                     f"{sheet}:7:3: {rule} 'h3::nope' (WeasyPrint)"], found


def test_a_project_print_template_keeps_its_own_css_warnings(tmp_path: Path) -> None:
    """review7 F11: while a PDF is laid out only the complaints the print.css check reported
    are kept off the log (as often as it heard them); the project's print template's own
    <style> (here the same `colr: red`, and an invalid margin) still gives its raw lines."""
    root = _project(tmp_path, "h1 { colr: red; }\n")
    page = (BUILTIN / "pdf" / "print.html.j2").read_text(encoding="utf-8")
    assert "{{ running_css }}\n" in page
    own = root / "templates" / "pdf" / "print.html.j2"
    own.parent.mkdir(parents=True)
    own.write_text(page.replace("{{ running_css }}\n", "{{ running_css }}\n"
                                "h2 { colr: red; margin: banana }\n"), encoding="utf-8")
    done = _build(root, "--jobs", "1", "--locale", "en")
    assert done.returncode == 0, done.stderr
    raw = [x for x in done.stderr.splitlines() if x.startswith("WARNING: Ignored")]
    assert [x.split(" at ")[0] for x in raw] == ["WARNING: Ignored `colr: red`",
                                                 "WARNING: Ignored `margin: banana `"], raw
    located = [x for x in done.stderr.splitlines() if x.startswith("templates/css/print.css:")]
    assert len(located) == 1 and "colr: red" in located[0], done.stderr


def test_an_up_to_date_build_says_the_warning_without_importing_weasyprint(
        tmp_path: Path) -> None:
    """The sheet's verdict is kept in the cache folder (build/sheets.py): checking it
    imports WeasyPrint, which made an up-to-date build of such a project 0.39 s instead of
    0.16 s. A damaged cache is checked again; an edited sheet gets its own verdict."""
    import json

    from compiler.build import sheets

    root = _project(tmp_path, "h1 { colr: red; }\n")
    assert _build(root).returncode == 0

    def again() -> tuple[str, bool]:
        run = subprocess.run([sys.executable, "-X", "importtime", "-m", "compiler", "build",
                              "--format", "pdf"], cwd=root, capture_output=True, text=True,
                             check=False)
        assert run.returncode == 0, run.stderr
        imported = any(line.split("|")[-1].strip() == "weasyprint"
                       for line in run.stderr.splitlines() if line.startswith("import time:"))
        return run.stderr, imported

    said, imported = again()
    assert "warning: ignored `colr: red`" in said and " 0 built," in said and not imported
    from compiler.project.layout import cache_dir

    folder = cache_dir(root / "source" / "retention-schedule.yaml")
    assert folder is not None
    kept = folder / sheets.FILE
    data = json.loads(kept.read_text(encoding="utf-8"))
    kept.write_text(json.dumps({key: [["x", "not a line"]] for key in data}), encoding="utf-8")
    said, imported = again()  # a damaged entry: checked again, said again
    assert "warning: ignored `colr: red`" in said and imported
    sheet = root / "templates" / "css" / "print.css"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("colr", "color"),
                     encoding="utf-8")
    said, _ = again()
    assert "ignored `colr" not in said and "warning: templates" not in said


def test_redline_pdf_has_the_projects_look_and_its_located_warnings(tmp_path: Path) -> None:
    """`policyc diff` lays its PDFs out with the project's print.css and brand, as the policy's
    own (README: "in the policy's own look"), and says what WeasyPrint cannot use in that sheet
    as a build does: located, once for both locales, no raw WeasyPrint line; --strict fails
    before any redline is written."""
    root = _project(tmp_path, BROKEN)
    source = root / "source" / "retention-schedule.yaml"
    text = source.read_text(encoding="utf-8")
    (root / "old.yaml").write_text(text.replace("version: 2.0.1", "version: 2.0.0"),
                                   encoding="utf-8")
    line = len((BUILTIN / "css" / "print.css").read_text(encoding="utf-8").splitlines()) + 1

    def diff(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "compiler", "diff", "old.yaml",
                               "source/retention-schedule.yaml", "--format", "pdf", *args],
                              cwd=root, capture_output=True, text=True, check=False)

    strict = diff("--strict")
    assert strict.returncode == 1, strict.stderr
    assert f"templates/css/print.css:{line}:6: error: ignored `colr: red`" in strict.stderr
    assert not (root / "dist").exists()
    done = diff()
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr  # no raw WeasyPrint line
    located = [x for x in done.stderr.splitlines() if x.startswith("templates/css/print.css:")]
    assert [x.split(": warning: ")[0] for x in located] == [
        f"templates/css/print.css:{line}:6", f"templates/css/print.css:{line + 1}:6",
        f"templates/css/print.css:{line + 2}:4", f"templates/css/print.css:{line + 2}:6"
    ], done.stderr  # once, though two redline PDFs (en, de) read the file
    pdfs = sorted((root / "dist" / "redline").glob("*/*.redline.pdf"))
    assert [p.parent.name for p in pdfs] == ["de", "en"]
    for pdf in pdfs:  # the brand's colour (policyc.toml) reaches the title
        content = PdfReader(pdf).pages[0].get_contents()
        assert content is not None and b"1 0 0 rg" in content.get_data(), pdf
