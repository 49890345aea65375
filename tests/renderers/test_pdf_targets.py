"""TOC page numbers cost one extra layout of the TOC page (pdf_targets), with the same PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
import weasyprint
from weasyprint.css.targets import TargetCollector
from weasyprint.layout import page as layout_page

from compiler.renderers import pdf, pdf_targets  # pdf installs the wrapper

PAGE = """<html><style>
body {{ font: 10pt sans-serif; }}
a::after {{ content: {after}; }}
h2 {{ break-before: page; }}
</style><body>
<p><a href="#a">First</a></p><p><a href="#b">Second</a></p><p><a href="#c">Third</a></p>
<h2 id="a">A</h2><h2 id="b">B</h2><p>more</p><h2 id="c">C</h2></body></html>"""
PAGE_NUMBER = '" " target-counter(attr(href), page)'


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The page numbers WeasyPrint lays out, in order."""
    made: list[int] = []
    original = layout_page.make_page

    def make_page(context, root_box, page_type, resume_at, page_number, page_state):  # type: ignore[no-untyped-def]
        made.append(page_number)
        return original(context, root_box, page_type, resume_at, page_number, page_state)

    monkeypatch.setattr(layout_page, "make_page", make_page)
    yield made


def _own(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint's own collector, unwrapped."""
    monkeypatch.setattr(TargetCollector, "collect_missing_counters",
                        TargetCollector.collect_missing_counters.__wrapped__)


def _first_page(data: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


@pytest.mark.parametrize("after", [PAGE_NUMBER, f"leader(dotted) {PAGE_NUMBER}",
                                   'target-counter(attr(href url), page)'])
def test_the_toc_page_is_laid_out_once_more_with_the_right_numbers(
        after: str, layouts: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    page = PAGE.format(after=after)
    ours = weasyprint.HTML(string=page).write_pdf()
    assert layouts == [1, 2, 3, 4, 1]
    text = _first_page(ours)
    assert all(f"{entry}" in text for entry in ("First", "Second", "Third"))
    assert [line.rstrip(".").split()[-1][-1] for line in text.splitlines()] == ["2", "3", "4"]
    layouts.clear()
    _own(monkeypatch)
    theirs = weasyprint.HTML(string=page).write_pdf()
    assert layouts == [1, 2, 3, 4, 1, 1]  # WeasyPrint 70's own: a wasted layout in between
    assert ours == theirs


def test_a_content_with_a_counter_of_its_own_is_left_to_weasyprint(
        layouts: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    page = PAGE.format(after=f'" " counter(page) {PAGE_NUMBER}')
    ours = weasyprint.HTML(string=page).write_pdf()
    made = list(layouts)
    layouts.clear()
    _own(monkeypatch)
    assert weasyprint.HTML(string=page).write_pdf() == ours
    assert layouts == made


def test_the_policy_pdf_is_the_same_as_with_weasyprints_own_collector(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.build import BuildOptions, load_translations, locales_dir_for, render_options
    from compiler.i18n.localize import localize
    from compiler.project.sources import Facts
    from compiler.readers import read_file as load
    from tests.helpers import POLICY

    doc = load(POLICY)
    locales = locales_dir_for(POLICY, BuildOptions())
    ldoc, _ = localize(doc, "de", load_translations(doc, "de", locales))
    options = render_options(Facts.of(doc), POLICY, "de", locales, BuildOptions())
    ours = pdf.render(ldoc, options)
    _own(monkeypatch)
    assert pdf.render(ldoc, options) == ours


def test_only_known_weasyprint_versions_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    _own(monkeypatch)
    own = TargetCollector.collect_missing_counters
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    assert pdf_targets.install() is False
    assert TargetCollector.collect_missing_counters is own
    monkeypatch.setattr(weasyprint, "__version__", "70.0")
    assert pdf_targets.install() is True
    wrapped = TargetCollector.collect_missing_counters
    assert getattr(wrapped, "policyc_targets", False) and wrapped.__wrapped__ is own
    assert pdf_targets.install() is True and TargetCollector.collect_missing_counters is wrapped
