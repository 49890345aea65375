"""A long PDF's memory: what WeasyPrint has superseded or finished with goes at once.

Two small wraps of WeasyPrint (70, pdf_weasyprint.READ: installed only there and only
when the wrapped functions have the shape read; the bytes written are the same, checked by
a test):

- Pagination. WeasyPrint lays pages out again while page-based counters settle (the TOC's
  target-counter page numbers; pdf_targets makes that one extra layout of the TOC pages).
  A superseded page stays in the previous pass's list until the pass ends and then, in a
  reference cycle (its footnote area's `page`), until the garbage collector gets to it,
  which depends on what the process did before. The wrapper takes it out of that list as
  soon as its replacement is made and breaks the cycle, so it is freed there and then.
- Drawing. A page's content stream is a list of operators (bytes, numbers, and a pydyf
  dictionary for each marked text run: tens of thousands of objects for 150 pages) until
  pydyf joins them while writing. Once a page is painted, its operators are joined as
  pydyf joins them (the same bytes), except in a stream whose last line pdf_words may
  still mark (a word hyphenated across a page break): that one is joined after the next.

Peak of the 149-page benchmark document, `build --jobs 1` (issue #18): 499 -> 375 MB
before pdf_leaders (one box per leader dot, its TOC laid out three times); with
pdf_leaders and pdf_targets 304 -> 298 MB; with pdf_leaders alone, laid out after the
10-document corpus in the same worker (--jobs 2), 350 -> 341 MB. The same CPU time.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from compiler.renderers import pdf_words
from compiler.renderers.pdf_weasyprint import shaped, supported


def install() -> None:
    """Wrap WeasyPrint's pagination and page painting once (idempotent)."""
    if not supported():
        return
    _wrap_pagination()
    _wrap_painting()


def _shaped(function: Callable[..., Any], names: list[str]) -> bool:
    return not getattr(function, "policyc_memory", False) and shaped(function, names)


def _wrap_pagination() -> None:
    from weasyprint import layout

    original = layout.make_all_pages  # as layout_document calls it
    if not _shaped(original, ["context", "root_box", "html", "pages"]):
        return

    @functools.wraps(original)
    def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]) -> Iterator[Any]:
        # pages: the previous pass's; the original reads pages[i] only to yield it again
        # when page i is up to date, so a page it has made anew is never read there again.
        for i, page in enumerate(original(context, root_box, html, pages)):
            if i < len(pages) and pages[i] is not None and pages[i] is not page:
                drop_page(pages, i)
            yield page

    make_all_pages.policyc_memory = True  # type: ignore[attr-defined]
    layout.make_all_pages = make_all_pages


def drop_page(pages: list[Any], i: int) -> None:
    """Free the superseded page pages[i]: out of the list, its box tree's cycle broken."""
    old = pages[i]
    pages[i] = None
    for child in old.children:  # the footnote and note areas point back at their page
        if getattr(child, "page", None) is old:
            del child.page


def _wrap_painting() -> None:
    import pydyf
    from weasyprint.document import Page

    original = Page.paint
    to_bytes = getattr(pydyf, "_to_bytes", None)  # the conversion pydyf's Stream.data joins
    if to_bytes is None or not _shaped(original, ["self", "stream", "scale"]):
        return
    painted = threading.local()  # streams painted in this thread and not yet joined

    @functools.wraps(original)
    def paint(self: Any, stream: Any, scale: float = 1) -> None:
        original(self, stream, scale)
        waiting: list[weakref.ref[Any]] = painted.__dict__.setdefault("streams", [])
        waiting.append(weakref.ref(stream))
        kept = []
        for ref in waiting:
            target = ref()
            if target is None:
                continue
            if pdf_words.holds(target):
                kept.append(ref)
            elif isinstance(target.stream, list) and len(target.stream) > 1:
                target.stream[:] = [b"\n".join(to_bytes(item) for item in target.stream)]
        waiting[:] = kept

    paint.policyc_memory = True  # type: ignore[attr-defined]
    Page.paint = paint  # type: ignore[method-assign]
