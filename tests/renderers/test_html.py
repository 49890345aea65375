"""HTML output, read back with an HTML parser (lxml), not with our own code."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import lxml.html

from compiler.i18n.localize import localize
from compiler.readers.yaml import load_text
from compiler.renderers import RenderOptions
from compiler.renderers.html import render
from tests.helpers import missing_lines, seed_lines


def _page(build: Path, locale: str = "en", doc: str = "privacy-policy") -> lxml.html.HtmlElement:
    return lxml.html.fromstring((build / locale / f"{doc}.html").read_bytes())


def test_every_sentence_and_heading_order(en_build: Path) -> None:
    page = _page(en_build)
    text = page.text_content()
    assert missing_lines(text, seed_lines()) == []
    headings = [h.text_content().rstrip("#").strip() for h in page.xpath("//main//h2|//main//h3")]
    seed = seed_lines()
    expected = [h for h in headings if h in seed]
    positions = [seed.index(h) for h in expected]
    assert positions == sorted(positions), "headings out of the seed's order"
    assert len(expected) >= 14


def test_semantic_page(en_build: Path) -> None:
    page = _page(en_build)
    assert page.get("lang") == "en"
    assert len(page.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in page.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    ids = set(page.xpath("//@id"))
    for href in page.xpath("//a/@href"):
        if href.startswith("#"):
            assert href[1:] in ids, f"dangling anchor {href}"
    toc = page.xpath("//nav[contains(@class,'toc')]//a/@href")
    sections = page.xpath("//section/@id")
    assert toc == [f"#{s}" for s in sections]
    assert page.xpath("//a[@href='mailto:privacy@infinitydesk.com']")
    assert page.xpath("//a[@href='mailto:dpo@infinitydesk.com']")
    assert page.xpath("//a[starts-with(@href,'tel:+1555')]")
    assert page.xpath("//meta[@name='viewport']")
    assert "@media print" in page.xpath("//style")[0].text_content()


def test_no_external_requests(en_build: Path) -> None:
    page = _page(en_build)
    for attr in ("src", "srcset"):
        assert page.xpath(f"//@{attr}") == []
    assert page.xpath("//link[@rel='stylesheet']") == []
    assert "url(" not in page.xpath("//style")[0].text_content()


def test_table_fixture(table_build: Path) -> None:
    page = _page(table_build, doc="retention-schedule")
    assert [th.text_content() for th in page.xpath("//table/thead//th")] == [
        "Record", "Period", "Reason"]
    assert [td.text_content() for td in page.xpath("//table/tbody/tr[1]/td")] == [
        "Invoices", "10\u00a0years", "Tax law"]
    assert page.xpath("//table/caption")[0].text_content() == "Retention periods"
    # each numbered list restarts: two separate <ol>
    assert len(page.xpath("//section[@id='schedule']/ol")) == 2


SCRIPTY = """id: x
title: "<script>alert(1)</script>"
version: 1.0.0
updated: 2025-01-01
effective: 2025-01-01
source_locale: en
locales: [en]
organization: "O & <b>"
variables:
  evil: "<img src=x onerror=alert(1)>"
sections:
  - id: a
    title: '\\{\\{ 7\\*7 \\}\\} \\{% raw %\\}'
    blocks:
      - "</style><script>x</script> {evil} **bold**"
"""


def test_source_text_is_data_not_markup_or_template() -> None:
    doc = load_text(SCRIPTY, "x.yaml")
    ldoc, _ = localize(doc, "en", None)
    html = render(ldoc, RenderOptions()).decode()
    page = lxml.html.fromstring(html)
    assert page.xpath("//script") == []
    assert page.xpath("//img") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }} {% raw %}" in html
    assert page.xpath("//strong[text()='bold']")


HOOKED = """id: hooks
title: Hooks
version: 1.0.0
updated: 2025-01-01
effective: 2025-01-01
source_locale: en
locales: [en]
organization: Org
sections:
  - id: a
    title: A
    blocks:
      - paragraph: Plain words.
      - bullets:
          - term: Kept
            text: as written.
          - term: Marked
            blocks:
              - Its own paragraph.
"""


def test_hooks_let_a_caller_write_strings_blocks_and_items() -> None:
    """What the redline writer composes with: owned strings written by the caller, each
    block handed over after writing, list items marked whole (read back with lxml)."""
    from markupsafe import Markup

    from compiler.model import ItemList, ListItem
    from compiler.renderers.html import BodyWriter, Hooks, ItemMark

    ldoc, _ = localize(load_text(HOOKED, "hooks.yaml"), "en", None)
    paragraph, bullets = ldoc.sections[0].blocks
    assert isinstance(bullets, ItemList)

    def mark(item: ListItem) -> ItemMark | None:
        return ItemMark("ins", "added") if item.term and item.term.plain() == "Marked" else None

    writer = BodyWriter(ldoc, hooks=Hooks(
        owns=lambda rich: rich.plain() == "Plain words.",
        write=lambda rich: Markup("<mark>{}</mark>").format(rich.plain().upper()),
        block=lambda block, markup: Markup('<div class="seen">{}</div>').format(markup),
        item=mark))
    page = lxml.html.fromstring(str(writer.block(paragraph, 2) + writer.block(bullets, 2)))
    assert page.xpath("//div[@class='seen']/p/mark/text()") == ["PLAIN WORDS."]
    kept, marked = page.xpath("//li")
    assert kept.get("class") is None and kept.text_content() == "Kept: as written."
    assert marked.get("class") == "added"
    assert marked.xpath("./strong[@class='term']/ins/text()") == [": "]
    # the caller wraps blocks, so the term stays before the item's (wrapped) paragraph
    assert marked.xpath("./strong/following-sibling::div[@class='seen']/p/text()") == [
        "Its own paragraph."]
    plain = lxml.html.fromstring(str(BodyWriter(ldoc).block(bullets, 2)))
    assert plain.xpath("//li[2]/p/strong[@class='term']/text()") == ["Marked: "]  # in its <p>
    assert plain.xpath("//li[@class]") == []


NAMED = """id: named
title: Named
version: 1.0.0
updated: 2025-01-01
effective: 2025-01-01
source_locale: en
locales: [en]
organization: Acme Widgets Ltd.
names: [WhatsApp Business]
variables:
  company: Acme
  retention: {duration: 30 days}
sections:
  - id: a
    title: About {company}
    blocks:
      - paragraph: "{company} (Acme Widgets Ltd.) connects WhatsApp Business and keeps logs
          for {retention}; Acmes and WhatsApp-Businesses are other words. Mail [Acme](https://acme.example)."
"""


def test_names_and_variable_values_are_kept_from_hyphenation() -> None:
    """The organization, the source's names and every filled variable are each one
    <span class="nohyphen"> (print.css: hyphens: manual), found whole, not inside a word."""
    ldoc, _ = localize(load_text(NAMED, "x.yaml"), "de", None)
    page = lxml.html.fromstring(render(ldoc, RenderOptions()).decode())
    kept = [span.text_content() for span in page.xpath("//main//span[@class='nohyphen']")]
    assert kept == ["Acme", "Acme", "Acme Widgets Ltd.", "WhatsApp Business",
                    "30\u00a0Tage"], kept


def test_built_pages_keep_numbers_with_their_units_of_time(tmp_path: Path) -> None:
    """The reviewer's plain spaces in "unter 16 Jahren" (de, a variable's number), "24 horas"
    and "7 días" / "7 dias" (es, pt_BR translations) are no-break spaces in the built pages,
    and no number in any page's text stands before a unit of time with a breakable space."""
    from compiler.build import BuildOptions, build
    from compiler.i18n.typography import TIME_UNITS
    from tests.helpers import POLICY

    wanted = {"de": ["16\u00a0Jahren"], "es": ["24\u00a0horas", "7\u00a0días"],
              "pt_BR": ["24\u00a0horas", "7\u00a0dias"]}
    build([POLICY], BuildOptions(out=tmp_path, locales=tuple(wanted), formats=("html",)))
    for locale, phrases in wanted.items():
        text = _page(tmp_path, locale).xpath("string(//main)")
        for phrase in phrases:
            assert phrase in text, (locale, phrase)
        units = "|".join(TIME_UNITS[locale[:2]].split())
        assert not re.search(rf"\d (?:{units})\b", text, re.IGNORECASE), locale
