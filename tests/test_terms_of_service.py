"""The second shipped example, the terms of service: its catalogs are current and complete,
and a round trip extract -> translate -> build gives German clauses, cross-references and
lists that independent readers see (lxml, pdftotext, LibreOffice)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html

from compiler.build import BuildOptions, build, load_translations
from compiler.i18n.localize import localize
from compiler.readers import read_file
from tests.helpers import ROOT, pdftotext, require_tools

SOURCE = ROOT / "source" / "terms-of-service.yaml"
PO = ROOT / "locales" / "de" / "LC_MESSAGES" / "terms-of-service.po"


def test_german_catalog_is_complete_and_msgfmt_clean() -> None:
    subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(PO)], check=True)
    source = read_file(SOURCE)  # the layout's words come from policyc.po beside the catalog
    doc, diag = localize(source, "de", load_translations(source, "de", ROOT / "locales"))
    assert not diag.items, [str(d) for d in diag.items]
    assert (doc.completeness.fuzzy, doc.completeness.untranslated) == (0, 0)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project: extract and update leave the committed catalog as it is,
    then a strict build in both languages."""
    root = tmp_path_factory.mktemp("tos")
    (root / "source").mkdir()
    shutil.copy(SOURCE, root / "source")
    shutil.copytree(ROOT / "locales", root / "locales",
                    ignore=shutil.ignore_patterns("privacy-policy*"))
    before = (root / "locales" / "de" / "LC_MESSAGES" / "terms-of-service.po").read_bytes()
    policyc = [str(Path(shutil.which("policyc") or ROOT / ".venv" / "bin" / "policyc"))]
    for args in (["extract"], ["locale", "update"]):
        subprocess.run(policyc + args, cwd=root, check=True, capture_output=True)
    after = (root / "locales" / "de" / "LC_MESSAGES" / "terms-of-service.po").read_bytes()
    assert after == before, "extract -> update must change nothing in a current catalog"
    build([root / "source" / "terms-of-service.yaml"],
          BuildOptions(out=root / "dist", strict=True))
    return root / "dist"


def test_pot_carries_notes_for_refs_code_and_variables(project: Path) -> None:
    pot = (project.parent / "locales" / "terms-of-service.pot").read_text(encoding="utf-8")
    assert '#. {ref:liability}: cross-reference to the section "Limitation of' in pot
    assert "#. `idk_live_`: code; keep it verbatim, backticks included" in pot
    assert "#. A postal address; translate only the department name and the country." in pot


def test_german_html_cites_clauses_in_german(project: Path) -> None:
    page = html.fromstring((project / "de" / "terms-of-service.html").read_bytes())
    refs = {a.get("href"): " ".join(a.text_content().split())
            for a in page.xpath("//a[@class='xref']")}
    assert refs["#liability"] == "Ziffer 7"
    assert refs["#effect-of-termination"] == "Ziffer 6.4"
    assert refs["#term-and-termination"] == "Ziffer 6"
    headings = [" ".join(h.text_content().replace("#", "").split())
                for h in page.xpath("//main//section/h2")]
    assert headings[:3] == ["Vorbemerkung", "1. Begriffsbestimmungen", "2. Konten und Zugang"]
    assert [c.text for c in page.xpath("//code")] == ["idk_live_"]


def test_german_pdf_shows_numbers_markers_and_address(project: Path) -> None:
    lines = [" ".join(x.split()) for x in
             pdftotext(project / "de" / "terms-of-service.pdf").splitlines()]
    text = "\n".join(lines)
    for wanted in ("7. Haftungsbeschränkung", "6.4 Folgen der Beendigung",
                   "(a) eine Authenticator-App; oder", "(b) einen Hardware-Sicherheitsschlüssel;",
                   "z. Hd. Rechtsabteilung", "123 Tech Street"):
        assert wanted in lines, wanted
    assert "7.2 Die Gesamthaftung jeder Partei" in text
    assert "Bis zu 25 Agenten" in text and "Support per Telefon und Chat" in text


def test_english_pdf_cross_references(project: Path) -> None:
    text = " ".join(pdftotext(project / "en" / "terms-of-service.pdf").split())
    assert "Please read them carefully: Section 7 limits our liability, and Section 9" in text
    assert "see Section 6.4." in text


def test_libreoffice_reads_german_clause_numbers(project: Path, tmp_path: Path) -> None:
    require_tools("soffice")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "txt:Text", "--outdir", str(tmp_path),
         str(project / "de" / "terms-of-service.docx")],
        check=True, capture_output=True, timeout=180)
    lines = [" ".join(x.split()) for x in
             (tmp_path / "terms-of-service.txt").read_text(encoding="utf-8-sig").splitlines()]
    for wanted in ("7. Haftungsbeschränkung", "6.4 Folgen der Beendigung", "Vorbemerkung",
                   "(a) eine Authenticator-App; oder"):
        assert wanted in lines, wanted
    assert any(x.startswith("7.2 Die Gesamthaftung jeder Partei") for x in lines)
