"""Every shipped locale, built in all three formats and read back by independent tools."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest

from compiler.build import BuildOptions, build, load_translations, locales_dir_for
from compiler.i18n.localize import localize
from compiler.model import LocalizedDocument
from compiler.readers import read_file as load
from tests.helpers import POLICY, ROOT, pdftotext, squash

DOC = load(POLICY)
LOCALES = DOC.meta.locales
TRANSLATED = [loc for loc in LOCALES if loc != DOC.meta.source_locale]


def localized(locale: str) -> LocalizedDocument:
    tr = load_translations(DOC, locale, locales_dir_for(POLICY, BuildOptions()))
    ldoc, _ = localize(DOC, locale, tr)
    return ldoc


def catalog_texts(locale: str, *, headings: bool = False) -> list[str]:
    """What the committed catalog says each output must contain, read with Babel's own PO
    parser (not with policyc's localize()): every message of the document, in the locale's
    words (the template's for the source locale); with headings, each section's title
    (the first message of its context). Messages with placeholders or markup are left out:
    their rendered text is not the catalog's text."""
    from babel.messages.pofile import read_po

    path = (ROOT / "locales" / f"{DOC.meta.id}.pot" if locale == DOC.meta.source_locale
            else ROOT / "locales" / locale / "LC_MESSAGES" / f"{DOC.meta.id}.po")
    with path.open("rb") as fh:
        catalog = read_po(fh)
    out: list[str] = []
    contexts: set[str] = set()
    for m in catalog:
        if not m.id or m.context in ("ui", "keyword") or m.fuzzy:
            continue  # keywords are metadata, not text (tests/i18n/test_keywords.py)
        first = m.context not in contexts
        contexts.add(str(m.context))
        if headings and (m.context in ("document", "changes") or not first):
            continue
        text = str(m.id if locale == DOC.meta.source_locale else m.string)
        assert text, f"{path}: {m.id!r} untranslated"
        if not any(c in text for c in "{*[\\"):
            out.append(text)
    assert len(out) > (10 if headings else 100)
    return out


def missing(text: str, wanted: list[str]) -> list[str]:
    hay = squash(text)
    return [w for w in wanted if squash(w) not in hay]


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full")
    build([POLICY], BuildOptions(out=out, jobs=2))
    return out


def test_source_lists_seven_locales() -> None:
    assert set(LOCALES) == {"en", "de", "fr", "es", "pt_BR", "ja", "ar"}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_passes_msgfmt_and_is_complete(locale: str) -> None:
    po = ROOT / "locales" / locale / "LC_MESSAGES" / "privacy-policy.po"
    subprocess.run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(po)], check=True)
    c = localized(locale).completeness
    assert (c.fuzzy, c.untranslated) == (0, 0), c.missing


@pytest.mark.parametrize("locale", LOCALES)
def test_html_and_pdf_carry_every_string(full: Path, locale: str) -> None:
    wanted = catalog_texts(locale)
    html = lxml.html.fromstring((full / locale / "privacy-policy.html").read_bytes())
    assert html.get("lang") == locale.replace("_", "-")
    assert missing(html.text_content(), wanted) == []
    if locale != "ar":  # Arabic is checked below, in logical order
        assert missing(pdftotext(full / locale / "privacy-policy.pdf", raw=True), wanted) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_docx_carries_every_string_and_language(full: Path, locale: str) -> None:
    d = docx.Document(str(full / locale / "privacy-policy.docx"))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    body = "\n".join([p.text for p in d.paragraphs] + cells)  # the version history: a table
    assert missing(body, catalog_texts(locale)) == []
    assert d.core_properties.language == locale.replace("_", "-")
    styles = zipfile.ZipFile(full / locale / "privacy-policy.docx").read("word/styles.xml")
    assert f'w:val="{locale.replace("_", "-")}"'.encode() in styles


# The layout's headings and labels as each language cases them: English title case, German
# nouns capitalized, French/Spanish/Portuguese sentence case (history heading, last-updated
# label, materiality column header).
LABEL_CASES = {
    "en": ("Version History", "Last Updated", "Material Change"),
    "de": ("Versionsverlauf", "Zuletzt aktualisiert", "Wesentliche Änderung"),
    "fr": ("Historique des versions", "Dernière mise à jour", "Modification substantielle"),
    "es": ("Historial de versiones", "Última actualización", "Cambio sustancial"),
    "pt_BR": ("Histórico de versões", "Última atualização", "Alteração relevante"),
}


@pytest.mark.parametrize("locale", sorted(LABEL_CASES))
def test_labels_cased_per_language_in_every_format(full: Path, locale: str) -> None:
    history, updated, material = LABEL_CASES[locale]
    page = lxml.html.fromstring((full / locale / "privacy-policy.html").read_bytes())
    heading = page.get_element_by_id("version-history-title")
    assert heading.text_content().strip().rstrip("#") == history
    assert page.find_class("updated")[0].text_content().startswith(updated)
    assert material in [th.text_content() for th in page.iter("th")]

    pdf = pdftotext(full / locale / "privacy-policy.pdf")
    assert history in pdf.splitlines() and material in pdf
    assert updated.upper() in pdf  # the facts' labels are set in capitals (print.css)

    d = docx.Document(str(full / locale / "privacy-policy.docx"))
    texts = [p.text for p in d.paragraphs]
    assert history in texts
    assert any(t.startswith(updated) for t in texts)
    assert material in [c.text for t in d.tables for c in t.rows[0].cells]
    if locale != "en":
        wrong = [w for w in LABEL_CASES["en"] if w in pdf or w in "\n".join(texts)]
        assert wrong == []


def test_german_dates_in_all_formats(full: Path) -> None:
    date = "15. Januar 2025"
    assert date in (full / "de" / "privacy-policy.html").read_text()
    assert date in pdftotext(full / "de" / "privacy-policy.pdf")
    body = "\n".join(p.text for p in docx.Document(str(full / "de" / "privacy-policy.docx"))
                     .paragraphs)
    assert date in body
    assert "90\u00a0Tage" in (full / "de" / "privacy-policy.html").read_text()


def test_arabic_is_right_to_left_everywhere(full: Path) -> None:
    html = lxml.html.fromstring((full / "ar" / "privacy-policy.html").read_bytes())
    assert html.get("dir") == "rtl"
    xml = zipfile.ZipFile(full / "ar" / "privacy-policy.docx").read("word/document.xml")
    assert xml.count(b"<w:bidi/>") > 50 and b"<w:rtl/>" in xml
    # poppler extracts right-to-left text in logical order: the translated title and
    # headings read back as written in the catalog.
    text = pdftotext(full / "ar" / "privacy-policy.pdf")
    assert missing(text, catalog_texts("ar", headings=True)) == []


def test_japanese_pdf_embeds_cjk_font_and_extracts_exactly(full: Path) -> None:
    pdf = full / "ja" / "privacy-policy.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "Noto-Sans-CJK-JP" in fonts
    assert missing(pdftotext(pdf, raw=True), catalog_texts("ja")) == []


def test_every_font_embedded_in_every_locale(full: Path) -> None:
    for pdf in sorted(full.glob("*/privacy-policy.pdf")):
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
        for row in out.splitlines()[2:]:
            assert row.split()[-5] == "yes", (pdf, row)
            assert "Noto" in row, (pdf, row)  # no fallback font: every glyph from our fonts


@pytest.fixture(scope="module")
def libreoffice_pdfs(full: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every locale's DOCX converted by LibreOffice itself, in one headless run."""
    import shutil

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: make test installs libreoffice-writer-nogui")
    out = tmp_path_factory.mktemp("lo")
    profile = tmp_path_factory.mktemp("lo-profile")
    docs = []
    for locale in LOCALES:
        target = out / f"{locale}.docx"
        target.write_bytes((full / locale / "privacy-policy.docx").read_bytes())
        docs.append(str(target))
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), *docs],
                   check=True, capture_output=True, timeout=600)
    return out


@pytest.mark.parametrize("locale", LOCALES)
def test_libreoffice_renders_every_docx(libreoffice_pdfs: Path, locale: str) -> None:
    pdf = libreoffice_pdfs / f"{locale}.pdf"
    assert pdf.exists(), f"LibreOffice did not convert {locale}.docx"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert 3 <= pages <= 15
    wanted = catalog_texts(locale, headings=locale == "ar")
    text = pdftotext(pdf)
    if locale == "ar":
        # The DOCX asks for Arial, which Office has; where it is missing (Linux CI) LibreOffice
        # falls back to DejaVu Sans, whose lam-alef ligatures poppler reads back in visual
        # order ("اإلصدار"): compare without lam and alef.
        def strip(t: str) -> str:
            return re.sub("[\u0644\u0627\u0623\u0625\u0622]", "", t)

        text, wanted = strip(text), [strip(w) for w in wanted]
    assert missing(text, wanted) == []


def test_cldr_spelling_and_did_you_mean() -> None:
    """qa6 N6, N11: BCP 47 spelling read as CLDR's; a country code gets its language."""
    from compiler.names import cldr_code
    from compiler.readers.cldr import did_you_mean, suggestion

    assert [cldr_code(c) for c in ("pt-BR", "zh-hant-tw", "DE", "en_us", "../x", "es-419")] == [
        "pt_BR", "zh_Hant_TW", "de", "en_US", "../x", "es_419"]
    assert [suggestion(c) for c in ("jp", "cn", "en-GB", "en_UK", "xx")] == [
        "ja", "zh", "en_GB", "en_GB", None]
    assert did_you_mean("jp") == "; did you mean 'ja'?" and did_you_mean("xx") == ""
