"""dist/index.html: the organization's name, and a layout that works on a phone."""

from __future__ import annotations

from pathlib import Path

from lxml import html


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
