"""The PDF wrappers only on the WeasyPrint they were read against (pdf_weasyprint): another
version or a function of another shape leaves WeasyPrint as it is, and the PDF renders."""

from __future__ import annotations

import io
import tomllib

import pypdf
import pytest
import weasyprint
from packaging.requirements import Requirement
from weasyprint import layout
from weasyprint.css.targets import TargetCollector
from weasyprint.document import Page
from weasyprint.draw import text as draw
from weasyprint.layout import inline, leader
from weasyprint.pdf import tags
from weasyprint.text import line_break

from compiler.renderers import pdf, pdf_leaders, pdf_memory, pdf_targets, pdf_words
from compiler.renderers.pdf_weasyprint import READ, supported
from tests.helpers import ROOT

PAGE = """<html><style>
body { font: 10pt "Noto Sans", sans-serif; }
a::after { content: leader(dotted) " " target-counter(attr(href), page); }
h2 { break-before: page; }
</style><body><p><a href="#a">First</a></p><p><a href="#b">Second</a></p>
<h2 id="a">A</h2><h2 id="b">B</h2></body></html>"""


def test_the_pin_is_the_range_read() -> None:
    """pyproject.toml allows exactly the WeasyPrint majors the wrappers were read against."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [Requirement(d) for d in project["dependencies"]
            if Requirement(d).name == "weasyprint"]
    assert len(pins) == 1
    for major in range(60, 90):
        for version in (f"{major}.0", f"{major}.9"):
            assert (version in pins[0].specifier) == (major in READ), version
    assert supported()  # the installed one (the tests run on it)


def _unwrap(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint's own functions, as before pdf.py installed the wrappers."""
    monkeypatch.setattr(inline, "handle_leader", leader.handle_leader)
    monkeypatch.setattr(TargetCollector, "collect_missing_counters", _COLLECT)
    monkeypatch.setattr(layout, "make_all_pages", _PAGES)
    monkeypatch.setattr(Page, "paint", Page.paint.__wrapped__)
    monkeypatch.setattr(draw, "draw_first_line", _DRAW)
    monkeypatch.setattr(tags, "_build_box_tree", _TREE)


def _own() -> tuple[object, ...]:
    return (inline.handle_leader, TargetCollector.collect_missing_counters,
            layout.make_all_pages, Page.paint, draw.draw_first_line, tags._build_box_tree)


def _install() -> tuple[bool, bool, bool, bool]:
    """Every wrapper's install, as pdf.py does on import: which ones wrapped."""
    leaders, collector = pdf_leaders.install(), pdf_targets.install()
    pdf_memory.install()
    return leaders, collector, pdf_words.install(), pdf._tag_languages()


def _renders() -> None:
    """A TOC with leaders and page numbers, laid out by WeasyPrint alone: right numbers."""
    data = weasyprint.HTML(string=PAGE).write_pdf()
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert [line.rstrip(".").split()[-1] for line in text.splitlines()] == ["2", "3"]


@pytest.mark.parametrize("version", ["69.0", "68.1", "71.0", "66.0", "80.0", "dev"])
def test_another_weasyprint_is_left_unwrapped(version: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _unwrap(monkeypatch)
    own = _own()
    monkeypatch.setattr(weasyprint, "__version__", version)
    assert not supported()
    assert _install() == (False, False, False, False)
    assert _own() == own
    _renders()


# WeasyPrint's own functions (pdf.py has wrapped some of them on import)
_SPLIT = line_break.split_first_line
_COLLECT = TargetCollector.collect_missing_counters.__wrapped__
_PAGES = layout.make_all_pages.__wrapped__
_DRAW = draw.draw_first_line.__wrapped__
_TREE = tags._build_box_tree.__wrapped__


def _changed(context, line, containing_block, extra=None):  # type: ignore[no-untyped-def]
    return leader.handle_leader(context, line, containing_block)


def _split(text, style, context, max_width, justification_spacing,  # type: ignore[no-untyped-def]
           is_line_start=True, minimum=False, extra=None):
    return _SPLIT(text, style, context, max_width, justification_spacing,
                                       is_line_start, minimum)


def _collect(self, parent_box, css_token, parse_again_function,  # type: ignore[no-untyped-def]
             missing_counters, missing_target_counters, extra=None):
    return _COLLECT(self, parent_box, css_token, parse_again_function, missing_counters,
        missing_target_counters)


def _pages(context, root_box, html, pages, extra=None):  # type: ignore[no-untyped-def]
    return _PAGES(context, root_box, html, pages)


def _draw(stream, textbox, text_overflow, block_ellipsis, matrix,  # type: ignore[no-untyped-def]
          extra=None):
    return _DRAW(stream, textbox, text_overflow, block_ellipsis, matrix)


def _tree(box, parent, pdf, page_number, nums, annotations, tags,  # type: ignore[no-untyped-def]
          extra=None):
    return _TREE(box, parent, pdf, page_number, nums, annotations, tags)


@pytest.mark.parametrize("change", ["handle_leader", "split_first_line", "leader_index",
                                    "collect_missing_counters", "anchor_name_from_token",
                                    "make_all_pages", "draw_first_line", "_build_box_tree"])
def test_a_function_of_another_shape_is_left_unwrapped(
        change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.css import targets

    _unwrap(monkeypatch)
    with monkeypatch.context() as patch:
        if change == "handle_leader":
            patch.setattr(inline, "handle_leader", _changed)
        elif change == "split_first_line":
            patch.setattr(line_break, "split_first_line", _split)
        elif change == "leader_index":  # renamed: the import fails, no wrapper
            patch.delattr(leader, "leader_index")
        elif change == "collect_missing_counters":
            patch.setattr(TargetCollector, "collect_missing_counters", _collect)
        elif change == "anchor_name_from_token":  # (WeasyPrint's own code needs it back)
            patch.delattr(targets, "anchor_name_from_token")
        elif change == "draw_first_line":
            patch.setattr(draw, "draw_first_line", _draw)
        elif change == "_build_box_tree":
            patch.setattr(tags, "_build_box_tree", _tree)
        else:
            patch.setattr(layout, "make_all_pages", _pages)
        changed = _own()
        leaders, collector, words, languages = _install()
        # only the wrappers whose functions kept their shape are installed
        assert leaders is (change not in ("handle_leader", "split_first_line", "leader_index"))
        assert collector is (change not in ("collect_missing_counters",
                                            "anchor_name_from_token"))
        assert (inline.handle_leader is changed[0]) is not leaders
        assert (TargetCollector.collect_missing_counters is changed[1]) is not collector
        assert (layout.make_all_pages is changed[2]) is (change == "make_all_pages")
        assert words is (change != "draw_first_line")
        assert languages is (change != "_build_box_tree")
        assert (draw.draw_first_line is changed[4]) is not words
        assert (tags._build_box_tree is changed[5]) is not languages
        if change not in ("leader_index", "anchor_name_from_token"):
            _renders()  # with the changed function, unwrapped
    _renders()


def test_the_installed_weasyprint_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    _unwrap(monkeypatch)
    assert _install() == (True, True, True, True)
    assert getattr(draw.draw_first_line, "policyc_words", False)
    assert getattr(tags._build_box_tree, "policyc_lang", False)
    assert getattr(inline.handle_leader, "policyc_leaders", False)
    assert getattr(TargetCollector.collect_missing_counters, "policyc_targets", False)
    assert getattr(layout.make_all_pages, "policyc_memory", False)
    _renders()


def test_print_css_needs_what_the_pin_gives() -> None:
    """print.css's flow-relative values are laid out from WeasyPrint 69 only."""
    css = (ROOT / "compiler" / "templates" / "css" / "print.css").read_text(encoding="utf-8")
    assert "float: inline-start" in css and "margin-inline-start" in css
    assert READ.start >= 69
