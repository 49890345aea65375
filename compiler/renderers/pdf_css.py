"""A project's print.css read as WeasyPrint reads it: its complaints located in the file.

WeasyPrint logs what it cannot use in a stylesheet (a syntax error, an unknown property, an
invalid value or selector) as raw warnings, with positions counted from the start of the
print page's <style> element and without naming any file. Here the project's own
print.css is parsed alone, once per text and process (forked and warm workers keep it), and
each complaint becomes a warning at `templates/css/print.css:LINE:COL`, which travels back
to the build with the PDF (renderers.Rendered); while the PDF itself is laid out, the same
complaints are kept off the log. A block left open at the end of the file (tinycss2 closes
it silently, so the rules after it inside the file are read as nested in it) is one too.
The built-in print.css and the brand's generated CSS (validated colours, escaped font
names) give none: a test keeps it so.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.errors import Category, Diagnostic, Loc, Severity
from compiler.renderers import web_css
from compiler.renderers.templates import builtin_print_css

if TYPE_CHECKING:
    pass

_WEASYPRINT = logging.getLogger("weasyprint")
_AT = re.compile(r"^Ignored `(?P<what>.*)` at (?P<line>\d+):(?P<col>\d+), (?P<why>.*?)\.?$",
                 re.DOTALL)
_PARSE = re.compile(r"^Parse error at (?P<line>\d+):(?P<col>\d+): (?P<why>.*?)\.?$", re.DOTALL)
_RULE = re.compile(r"^Unknown empty rule (?P<what>.*) at (?P<line>\d+):(?P<col>\d+)$",
                   re.DOTALL)
# WeasyPrint 70 gives no reason after the selector (review7 F16), later ones do
_SELECTOR = re.compile(r"^Invalid or unsupported selector, (?P<what>'.*?'|\".*?\")"
                       r"(?:, (?P<why>.*))?$", re.DOTALL)


class _Capture(logging.Filter):
    """On WeasyPrint's logger: keeps its stylesheet messages (from weasyprint/css/) off the
    log while this thread checks a stylesheet (they are collected) or lays a PDF out (those
    the check reported already; others, from a project's print template, go out raw)."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        mode = getattr(self.local, "mode", None)
        if mode is None or "/weasyprint/css/" not in record.pathname.replace("\\", "/"):
            return True
        if isinstance(mode, list):
            mode.append(record.getMessage())
            return False
        # laying out: only what the check reported (at print.css:LINE:COL), as often as it
        # did; the print template's own <style> gives others, raw as before (review7 F11)
        key = _unplaced(record.getMessage())
        if mode[key] <= 0:
            return True
        mode[key] -= 1
        return False


_POSITION = re.compile(r" at \d+:\d+")
# what the check of a sheet's text heard, positions left out: each once per layout
_HEARD: dict[str, Counter[str]] = {}


def _unplaced(message: str) -> str:
    """A message without its positions (they count from the page's <style> in layout) and
    its spaces (a value at a sheet's end is quoted with what follows it there)."""
    return "".join(_POSITION.sub("", message).split())


_capture = _Capture()
_WEASYPRINT.addFilter(_capture)


@contextlib.contextmanager
def _mode(mode: list[str] | Counter[str]) -> Iterator[None]:
    before = getattr(_capture.local, "mode", None)
    _capture.local.mode = mode
    try:
        yield
    finally:
        _capture.local.mode = before


@contextlib.contextmanager
def laying_out(text: str) -> Iterator[None]:
    """The messages check found in the sheet `text` kept off the log while a PDF is laid
    out (check reported them, located)."""
    with _mode(Counter(_HEARD.get(text, {}))):
        yield


@lru_cache(maxsize=1)
def builtin() -> str:
    """The built-in print.css, which gives no warnings (tested)."""
    return builtin_print_css()


def check(path: Path, text: str, roots: tuple[Path, ...],
          fetcher: Callable[..., Any]) -> tuple[Diagnostic, ...]:
    """The warnings WeasyPrint gives about the stylesheet `text` (read from `path`), its
    URLs resolved and fetched as the page's are (fetcher(*roots): pdf.SandboxedFetcher)."""
    from compiler.errors import display_path

    return _check(display_path(path), text, roots, fetcher)


@lru_cache(maxsize=8)
def _check(shown: str, text: str, roots: tuple[Path, ...],
           fetcher: Callable[..., Any]) -> tuple[Diagnostic, ...]:
    import weasyprint

    found: list[str] = []
    level = _WEASYPRINT.level
    _WEASYPRINT.setLevel(logging.WARNING)  # also under -q: they are counted, not shown raw
    try:
        with _mode(found):
            weasyprint.CSS(string=text, base_url=str(roots[0]) + "/",
                           url_fetcher=fetcher(*roots))
    finally:
        _WEASYPRINT.setLevel(level)
    _HEARD[text] = Counter(_unplaced(message) for message in found)
    out = [_located(shown, text, message) for message in found]
    unclosed = web_css.unclosed(text)
    if unclosed is not None:
        out.append(Diagnostic(Loc(shown, *unclosed),
                              "this block is never closed: the rest of the file is read "
                              "inside it (add its '}')", Severity.WARNING, Category.SYNTAX))
    return tuple(sorted(set(out), key=lambda d: (d.loc, d.message)))


def _located(shown: str, text: str, message: str) -> Diagnostic:
    line = column = 0
    if m := _AT.match(message):
        words = " ".join(m["what"].split())
        text_of = f"ignored `{words}`: {m['why']}"
    elif m := _PARSE.match(message):
        text_of = f"CSS syntax error: {m['why']}"
    elif m := _RULE.match(message):
        text_of = f"ignored the empty rule {m['what']}"
    elif m := _SELECTOR.match(message):
        selector = " ".join(m["what"][1:-1].split())
        line, column = _find(text, selector)
        why = f" ({m['why']})" if m["why"] else ""
        text_of = f"ignored the rule: invalid or unsupported selector '{selector}'{why}"
    else:
        text_of = message
    if m is not None and "line" in m.groupdict():
        line, column = int(m["line"]), int(m["col"])
    return Diagnostic(Loc(shown, line, column), f"{text_of} (WeasyPrint)", Severity.WARNING,
                      Category.SYNTAX)


def _find(text: str, selector: str) -> tuple[int, int]:
    """Where the rule whose selector WeasyPrint quotes (its prelude serialized; spaces
    compared normalized) starts: the first such rule, in at-rules' blocks too (@media)."""
    import tinycss2

    def rules(nodes: list[Any]) -> Iterator[Any]:
        for node in nodes:
            if node.type == "qualified-rule":
                yield node
            elif node.type == "at-rule" and node.content is not None:
                yield from rules(tinycss2.parse_rule_list(node.content, skip_comments=True,
                                                          skip_whitespace=True))

    for rule in rules(tinycss2.parse_stylesheet(text, skip_comments=True,
                                                skip_whitespace=True)):
        if " ".join(tinycss2.serialize(rule.prelude).split()) == selector:
            return rule.source_line, rule.source_column
    return 0, 0
