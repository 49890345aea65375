"""The TOC's page numbers cost one extra layout of the TOC pages, not two.

A TOC entry's `target-counter(attr(href), page)` cannot know its number when the TOC page
is first laid out; WeasyPrint lays the page out again once the target's page is known.
WeasyPrint 70 laid each TOC page out twice more, the first of them wasted, because of
how `compute_content_list` (weasyprint.formatting_structure.build) records what a
generated content waits for:

- it files the target's missing counters under the name of the *unresolved* anchor token
  (`attr(href)` names no anchor: the key is None), so laying out the target's page never
  tells the TOC entry its number (css/targets.cache_target_page_counters finds nothing);
- it rebinds its list of the box's *own* missing counters to that list, so the entry
  seems to show `counter(page)` of its own page: it is parsed again, and its page laid
  out again, whenever its page's counters change (once with the numbers still unknown,
  and again when counter(pages) becomes known), which is what finally brought the numbers.

This wraps `TargetCollector.collect_missing_counters` (WeasyPrint 70, guarded by
pdf_weasyprint):
for a `content` with one target-counter()/target-counters() and no counter() of its own,
caught with exactly that rebinding, the target's counters are filed under the anchor the
token names (resolved as `TargetCollector.lookup_target` resolves it) and the box's own
list is empty, as the CSS means. WeasyPrint's own mechanism then lays the TOC page out
again as soon as its targets' pages are known, once. Anything else is passed on as is.
"""

from __future__ import annotations

import functools
from typing import Any

_COLLECT = ["self", "parent_box", "css_token", "parse_again_function", "missing_counters",
            "missing_target_counters"]
_TARGETS = ("target-counter()", "target-counters()")
_OWN = ("counter()", "counters()")


def refile(parent_box: Any, css_token: str, missing_counters: list[str],
           missing_target_counters: dict[Any, list[str]]
           ) -> tuple[list[str], dict[Any, list[str]]] | None:
    """The missing counters as the CSS means them, or None where WeasyPrint's stand."""
    from weasyprint.css.targets import anchor_name_from_token
    from weasyprint.urls import get_url_tuple

    pending = missing_target_counters.get(None)
    if css_token != "content" or pending is None or missing_counters is not pending:
        return None  # not WeasyPrint 70's rebinding
    content = parent_box.style["content"]
    if not isinstance(content, (list, tuple)) or any(kind in _OWN for kind, _ in content):
        return None  # a counter() of its own: its own list was lost, keep WeasyPrint's
    targets = [value for kind, value in content if kind in _TARGETS]
    if len(targets) != 1 or len(missing_target_counters) != 1:
        return None
    token = targets[0][0]
    if token[0] == "attr()":
        name, kind, fallback = token[1]
        value = parent_box.element.get(name, fallback)
        if kind == "string":
            token = ("string", value)
        elif kind == "url" and isinstance(value, str):
            token = ("url", get_url_tuple(value, parent_box.style.base_url))
        else:
            return None
    anchor = anchor_name_from_token(token)
    if anchor is None:
        return None
    return [], {anchor: list(pending)}


def install() -> bool:
    """Wrap WeasyPrint's collector once (idempotent); whether it is wrapped. Only a
    WeasyPrint read (pdf_weasyprint.READ) whose functions have the shapes used here."""
    from compiler.renderers.pdf_weasyprint import shaped, wrappable

    try:
        from weasyprint.css.targets import TargetCollector, anchor_name_from_token
        from weasyprint.urls import get_url_tuple
    except ImportError:
        return False
    original: Any = wrappable(TargetCollector, "collect_missing_counters", "policyc_targets",
                              _COLLECT)
    if isinstance(original, bool):
        return original
    if not (shaped(anchor_name_from_token, ["anchor_token"])
            and shaped(get_url_tuple, ["url", "base_url"])
            and getattr(TargetCollector(), "collecting", None) is True):
        return False

    @functools.wraps(original)
    def collect_missing_counters(self, parent_box, css_token,  # type: ignore[no-untyped-def]
                                 parse_again_function, missing_counters,
                                 missing_target_counters):
        if self.collecting:
            fixed = refile(parent_box, css_token, missing_counters, missing_target_counters)
            if fixed is not None:
                missing_counters, missing_target_counters = fixed
        return original(self, parent_box, css_token, parse_again_function,
                        missing_counters, missing_target_counters)

    collect_missing_counters.policyc_targets = True  # type: ignore[attr-defined]
    TargetCollector.collect_missing_counters = collect_missing_counters  # type: ignore[method-assign]
    return True
