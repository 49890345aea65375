"""A TOC line's dotted leader is one run of dots (pdf_leaders): same dots, same text."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from weasyprint.layout import inline, leader

from compiler.renderers import pdf, pdf_leaders  # noqa: F401  (pdf installs the wrapper)

PAGE = """<html lang="{lang}" dir="{dir}"><style>
body {{ font: 10pt "Noto Sans", "Noto Naskh Arabic", sans-serif; }}
a::after {{ content: leader({leader}) target-counter(attr(href), page); }}
h2 {{ break-before: page; }}
</style><body>
<p><a href="#a">First entry</a></p><p><a href="#b">{second}</a></p>
<h2 id="a">A</h2><h2 id="b">B</h2></body></html>"""


def _document(lang: str = "en", direction: str = "ltr", leader_css: str = "dotted",
              second: str = "A much longer second entry") -> weasyprint.Document:
    page = PAGE.format(lang=lang, dir=direction, leader=leader_css, second=second)
    return weasyprint.HTML(string=page).render()


def _leaders(document: weasyprint.Document) -> list[Any]:
    return [box for box in document.pages[0]._page_box.descendants() if box.is_leader]


def _dots(box: Any) -> list[float]:
    """The left edge of each drawn dot, leftmost first."""
    out = []
    for child in box.children:
        count = len(child.text)
        out += [child.position_x + i * child.width / count for i in range(count)]
    return sorted(out)


def _pdftotext(document: weasyprint.Document, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(document.write_pdf())
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize(("lang", "direction", "second"), [
    ("en", "ltr", "A much longer second entry"),
    ("ar", "rtl", "\u0645\u062f\u062e\u0644 \u062b\u0627\u0646 \u0623\u0637\u0648\u0644"),
])
def test_leader_dots_are_one_run_at_the_same_places_with_the_same_text(
        lang: str, direction: str, second: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    merged = _document(lang, direction, second=second)
    boxes = _leaders(merged)
    assert len(boxes) == 2
    # the run, then the leftmost dot apart (drawn last, as WeasyPrint draws its dots)
    assert all(len(b.children) == 2 and len(b.children[1].text) == 1 for b in boxes)
    monkeypatch.setattr(inline, "handle_leader", leader.handle_leader)  # WeasyPrint's own
    plain = _document(lang, direction, second=second)
    assert all(len(b.children) > 20 for b in _leaders(plain))
    for ours, theirs in zip(boxes, _leaders(plain), strict=True):
        assert _dots(ours) == pytest.approx(_dots(theirs), abs=1e-3)
    monkeypatch.undo()
    assert _pdftotext(merged, tmp_path, "merged.pdf") == _pdftotext(plain, tmp_path, "plain.pdf")


def test_a_leader_whose_run_would_not_measure_the_same_is_left_alone() -> None:
    """'AV' kerns in a run ('AVAV' is narrower than twice 'AV'): WeasyPrint's copies stay."""
    boxes = _leaders(_document(leader_css='"AV"'))
    assert boxes and all(len(b.children) > 5 for b in boxes)
    assert all(c.text == "AV" for b in boxes for c in b.children)


def test_only_known_weasyprint_versions_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inline, "handle_leader", leader.handle_leader)
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    assert pdf_leaders.install() is False
    assert inline.handle_leader is leader.handle_leader
    monkeypatch.setattr(weasyprint, "__version__", "70.0")
    assert pdf_leaders.install() is True
    assert getattr(inline.handle_leader, "policyc_leaders", False)
    wrapped = inline.handle_leader
    assert pdf_leaders.install() is True and inline.handle_leader is wrapped  # once
