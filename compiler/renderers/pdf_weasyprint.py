"""Which WeasyPrint policyc's PDF wrappers were read against, and the check of a function's shape.

pdf_leaders, pdf_targets, pdf_memory, pdf_words and pdf's language tags wrap WeasyPrint
internals. They were read (and are tested) against the majors in READ, the range
pyproject.toml pins: WeasyPrint 70, the newest release. 69 is the first that lays
print.css's flow-relative values (`float: inline-start`, `margin-inline-start`) out, but
with a 69.0 wheel two same-bytes tests of test_pdf.py fail even with no wrapper installed (a
PDF rendered in a process that rendered others, or with the shared font configuration,
differs from a fresh one's: the warm worker's promise), and pdf_targets saves no layout
there; so 69 is not supported. On another WeasyPrint (installed against the pin) or a
function of another shape, a wrapper is not installed and WeasyPrint does what it does on
its own: the PDF still renders, only without that wrapper's saving (or its addition: whole
hyphenated words on copy, a /Lang on text in another language).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

READ = range(70, 71)  # keep equal to pyproject.toml's weasyprint>=70,<71 (a test checks)


def supported() -> bool:
    """The installed WeasyPrint is one whose internals the wrappers were read against."""
    import weasyprint

    major = str(weasyprint.__version__).split(".")[0]
    return major.isdigit() and int(major) in READ


def shaped(function: Callable[..., Any] | None, names: list[str]) -> bool:
    """function exists and takes exactly these parameters, in this order."""
    if not callable(function):
        return False
    try:
        return list(inspect.signature(function).parameters) == names
    except (TypeError, ValueError):  # no signature to read (a builtin)
        return False


def wrappable(module: object, name: str, flag: str, parameters: list[str]
              ) -> Callable[..., Any] | bool:
    """WeasyPrint's function `name` of a module or class, for a wrapper marked with `flag` to
    replace; True when it is wrapped already, False when this WeasyPrint was not read or the
    function is missing or of another shape (then WeasyPrint is left as it is)."""
    if not supported():
        return False
    found = getattr(module, name, None)
    if getattr(found, flag, False):
        return True
    return found if found is not None and shaped(found, parameters) else False
