"""dist/index.html: the organization's name, and a layout that works on a phone."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lxml import html

from tests.helpers import require_tools


def test_index_names_the_organization_and_labels_each_cell(en_build: Path) -> None:
    page = html.fromstring((en_build / "index.html").read_bytes())
    assert page.findtext(".//title") == "InfinityDesk Inc. · Policies"
    assert page.xpath("string(//p[@class='site-org'])") == "InfinityDesk Inc."
    for row in page.xpath("//tbody/tr"):
        cells = row.xpath("td")
        # on a phone each row is a card: every cell but the title says what it is
        assert [c.get("data-label") for c in cells[1:]] == [
            "Language", "Version", "Updated", "Translated", "Files"]
    style = page.findtext(".//style")
    assert "@media (max-width: 40rem)" in style and "attr(data-label)" in style


# the shipped policy's rows as its full build lists them (titles, dates, sizes), and a long title
ROWS = [("ar", "سياسة الخصوصية", "15 يناير 2025", "العربية", "rtl"),
        ("de", "Datenschutzerklärung", "15. Januar 2025", "Deutsch", "ltr"),
        ("en", "Privacy Policy", "January 15, 2025", "English", "ltr"),
        ("fr", "Politique de confidentialité", "15 janvier 2025", "Français", "ltr"),
        ("ja", "プライバシーポリシー", "2025年1月15日", "日本語", "ltr"),
        ("pt_BR", "Política de Privacidade", "15 de janeiro de 2025", "Português (Brasil)", "ltr")]


def _index(out: Path) -> Path:
    from compiler.build import BuildOptions
    from compiler.build.manifest import Output, PageInfo, index_html

    options = BuildOptions(out=out)
    outputs = [Output(out / locale / f"privacy-policy.{fmt}", fmt, locale, "privacy-policy",
                      "1.0.0", size, "0" * 64)
               for locale, *_ in ROWS
               for fmt, size in (("docx", 18_000), ("html", 35_000), ("pdf", 458_000))]
    pages = {("privacy-policy", locale): PageInfo(title, updated, language, direction, "Acme")
             for locale, title, updated, language, direction in ROWS}
    index = out / "index.html"
    index.write_bytes(index_html(out, options.templates, options.theme, outputs, {}, pages))
    return index


def test_index_titles_link_and_dates_keep_their_direction_inside_the_cell(tmp_path: Path) -> None:
    page = html.fromstring(_index(tmp_path).read_bytes())
    title = page.xpath("//tbody/tr[1]/td[@class='title']/a")[0]
    assert (title.get("href"), title.get("lang"), title.get("dir")) == (
        "ar/privacy-policy.html", "ar", "rtl")
    # the cell stays left to right: a phone's English "Updated: " label stays before the date
    updated = page.xpath("//tbody/tr[1]/td[@data-label='Updated']")[0]
    assert updated.get("dir") is None and updated.xpath("span/@dir") == ["rtl"]


def test_index_shows_every_column_without_scrolling(tmp_path: Path) -> None:
    """Chromium lays the index out: at desktop and tablet widths the table fits its box
    (the Files column is not behind a scrollbar), on a phone the rows are cards."""
    require_tools("chromium")
    index = _index(tmp_path)
    probe = ("<script>const w = document.querySelector('.table-wrap');"
             "document.body.dataset.overflow = w.scrollWidth - w.clientWidth;</script></body>")
    index.write_text(index.read_text().replace("</body>", probe))
    for width in (1400, 1024, 800, 390):
        dom = subprocess.run(
            ["/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             f"--window-size={width},800", "--dump-dom", index.as_uri()],
            check=True, capture_output=True, text=True, timeout=120).stdout
        overflow = html.fromstring(dom).xpath("//body/@data-overflow")
        assert overflow and int(overflow[0]) <= 0, (width, overflow)


def test_index_speaks_the_source_language_of_its_documents(tmp_path: Path) -> None:
    """A German company's policies, written in German and translated into English: the index's
    own words are German (html lang too); each row keeps its own language."""
    from tests.helpers import run_cli

    code, out = run_cli(tmp_path, "init", "proj", "--title", "Datenschutzerklärung",
                        "--organization", "Beispiel GmbH", "--source-locale", "de",
                        "--locale", "en")
    assert code == 0, out
    code, out = run_cli(tmp_path / "proj", "build", "--format", "html")
    assert code == 0, out
    page = html.fromstring((tmp_path / "proj" / "dist" / "index.html").read_bytes())
    assert (page.get("lang"), page.get("dir")) == ("de", "ltr")
    assert page.findtext(".//title") == "Beispiel GmbH · Richtlinien"
    assert page.findtext(".//h1") == "Richtlinien"
    assert page.xpath("//thead//th/text()") == [
        "Dokument", "Sprache", "Version", "Aktualisiert", "Übersetzt", "Dateien"]
    assert page.xpath("//div[@role='region']/@aria-label") == ["Veröffentlichte Dokumente"]
    rows = page.xpath("//tbody/tr")
    assert [r.xpath("td/@data-label") for r in rows] == [
        ["Sprache", "Version", "Aktualisiert", "Übersetzt", "Dateien"]] * 2
    assert [r.xpath("string(td[2])") for r in rows] == ["Deutsch", "English"]
    assert rows[1].xpath("td[@class='title']/a/@lang") == ["en"]


def test_index_language_is_the_most_common_source_locale() -> None:
    from compiler.i18n.site import index_locale

    assert index_locale([]) == "en"
    assert index_locale(["de", "en", "de"]) == "de"
    assert index_locale(["fr", "en"]) == "fr"  # a tie: the first listed
    assert index_locale(["de_AT"]) == "de"
    assert index_locale(["it", "it", "de"]) == "en"  # no words for Italian: English


def test_arabic_index_is_right_to_left(tmp_path: Path) -> None:
    from compiler.build import BuildOptions
    from compiler.build.manifest import Output, PageInfo, index_html

    options = BuildOptions(out=tmp_path)
    outputs = [Output(tmp_path / "ar" / "p.html", "html", "ar", "p", "1.0.0", 9_000, "0" * 64)]
    pages = {("p", "ar"): PageInfo("سياسة الخصوصية", "15 يناير 2025", "العربية", "rtl", "",
                                   source=True)}
    page = html.fromstring(index_html(tmp_path, options.templates, options.theme, outputs, {},
                                      pages))
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")
    assert page.xpath("//thead//th/text()")[:2] == ["المستند", "اللغة"]
    # a file's link and size read right to left as the rest of the card, its size in Arabic
    file = page.xpath("//span[@class='file']")[0]
    assert file.get("dir") is None
    assert file.xpath("string(small)") == "9\u00a0كيلوبايت"
    assert page.xpath("string(//td[@data-label='نسبة الترجمة'])") == "100%"


def test_index_numbers_speak_the_index_language(tmp_path: Path) -> None:
    """The Translated share and the file sizes are written as the index's language writes
    numbers (Babel: CLDR), not '97.5%' and '458 KB' in every language; a share short of whole
    never reads 100 (a translator takes that for done)."""
    from compiler.build import BuildOptions
    from compiler.build.manifest import Output, PageInfo, index_html

    options = BuildOptions(out=tmp_path)
    sizes = {"docx": 18_400, "html": 900, "pdf": 1_540_000}
    shares = {"de": 100.0, "en": 97.5, "fr": 99.7}
    outputs = [Output(tmp_path / locale / f"p.{fmt}", fmt, locale, "p", "1.0.0", size, "0" * 64)
               for locale in shares for fmt, size in sizes.items()]
    completeness = {"p": {locale: {"percent": share} for locale, share in shares.items()}}
    expected = {  # index language: (translated de, en, fr), (sizes of a row's docx, html, pdf)
        "de": (["100\u00a0%", "98\u00a0%", "99\u00a0%"],
               ["18\u00a0kB", "1\u00a0kB", "1,5\u00a0MB"]),
        "en": (["100%", "98%", "99%"], ["18\u00a0kB", "1\u00a0kB", "1.5\u00a0MB"]),
        "fr": (["100\u00a0%", "98\u00a0%", "99\u00a0%"],
               ["18\u202fko", "1\u202fko", "1,5\u202fMo"]),
    }
    for source, (translated, files) in expected.items():
        pages = {("p", locale): PageInfo("Policy", "2025", locale, "ltr", "", locale == source)
                 for locale in shares}
        page = html.fromstring(index_html(tmp_path, options.templates, options.theme, outputs,
                                          completeness, pages))
        assert page.get("lang") == source
        cells = page.xpath("//tbody/tr/td[5]")
        assert [c.text_content() for c in cells] == translated, source
        assert [s.text_content() for s in page.xpath("//tbody/tr[1]//span[@class='file']/small")
                ] == files, source
