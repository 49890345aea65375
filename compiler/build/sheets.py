"""A project's print.css and web.css verdicts kept between builds, so an up-to-date build
need not import WeasyPrint (or tinycss2) to say them again.

Every build with PDFs says the warnings of a project's own print.css (review7 F2), every
build with HTML pages those of its web.css (renderers/web_css.py: what no browser can
parse), and --strict fails on them (F1). Checking print.css imports WeasyPrint (~0.25 s):
an up-to-date build of such a project took 0.39 s instead of 0.16 s. The warnings are kept
in the cache folder (project/layout.cache_dir; `sheets.json`, `web-sheet.json`) under a key
of everything they depend on: the sheet's text and path, every template's digest (what
print.css's URLs reach), policyc's code and the installed library that checks it. A planted
or damaged file reads as missing, and an entry is used only in the shape the check gives
(at most what a cache of ours can hold).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.errors import Category, Diagnostic, Diagnostics, Loc, Severity

if TYPE_CHECKING:
    from compiler.build.plan import BuildOptions, Job

FILE = "sheets.json"
WEB_FILE = "web-sheet.json"
MAX_BYTES = 2**20


def sheet_warnings(options: BuildOptions, jobs: list[Job]) -> tuple[Diagnostic, ...]:
    """The warnings of a project's own print.css (with PDFs planned) and web.css (with
    HTML pages), on every build while they stand, their outputs up to date or not (review7
    F2); --strict fails on them before anything is written (F1)."""
    found = (*_print_warnings(options, jobs), *_web_warnings(options, jobs))
    said = Diagnostics()
    said.extend(list(found))
    said.raise_if_errors(strict=options.strict)
    return found


def _print_warnings(options: BuildOptions, jobs: list[Job]) -> tuple[Diagnostic, ...]:
    """What WeasyPrint cannot fully use in a project's print.css. A PDF render finds the
    same (not repeated)."""
    if not any(j.fmt == "pdf" for j in jobs):
        return ()
    from compiler.renderers.templates import project_print_css

    sheet = project_print_css(options.templates)
    if sheet is None:
        return ()  # (WeasyPrint is not imported)
    from compiler.project.layout import cache_dir

    def check() -> tuple[Diagnostic, ...]:
        from compiler.renderers.pdf import sheet_warnings as found

        return found(options.templates) or ()

    return kept(cache_dir(jobs[0].source), sheet, options.templates.digests(), check)


def _web_warnings(options: BuildOptions, jobs: list[Job]) -> tuple[Diagnostic, ...]:
    """What no browser can parse in a project's web.css (renderers/web_css.py)."""
    if not any(j.fmt == "html" for j in jobs):
        return ()
    from compiler.renderers.templates import project_web_css

    sheet = project_web_css(options.templates)
    if sheet is None:
        return ()
    from compiler.project.layout import cache_dir

    def check() -> tuple[Diagnostic, ...]:
        from compiler.renderers.web_css import check as found

        return found(*sheet)

    return kept(cache_dir(jobs[0].source), sheet, {}, check, WEB_FILE, "tinycss2")


def kept(cache: Path | None, sheet: tuple[Path, str], digests: dict[str, str],
         check: Callable[[], tuple[Diagnostic, ...]], name: str = FILE,
         library: str = "weasyprint") -> tuple[Diagnostic, ...]:
    """check()'s warnings, from the cache file `name` when they were found for these very
    inputs (and the installed `library` that checks them)."""
    from compiler.fs import read_cache_json, write_cache_json

    if cache is None:
        return check()
    key = _key(sheet, digests, library)
    data = read_cache_json(cache / name, MAX_BYTES) or {}
    found = _diagnostics(data.get(key))
    if found is not None:
        return found
    found = check()
    write_cache_json(cache / name, {key: [[d.loc.path, d.loc.line, d.loc.column, d.message,
                                           d.severity.value, d.category.value]
                                          for d in found]})
    return found


def _key(sheet: tuple[Path, str], digests: dict[str, str], checker: str) -> str:
    import importlib.util

    from compiler.project.sources import code_digest

    spec = importlib.util.find_spec(checker)  # its files, not its import (~0.25 s)
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    library = [str(origin), origin.stat().st_mtime_ns] if origin and origin.is_file() else []
    return hashlib.sha256(json.dumps(
        [str(sheet[0]), sheet[1], sorted(digests.items()), code_digest(), library],
        ensure_ascii=False).encode()).hexdigest()


def _diagnostics(entry: object) -> tuple[Diagnostic, ...] | None:
    """The kept warnings, or None unless entry has the shape kept() writes."""
    if not isinstance(entry, list):
        return None
    out = []
    severities = {s.value: s for s in Severity}
    categories = {c.value: c for c in Category}
    for item in entry:
        if not (isinstance(item, list) and len(item) == 6 and isinstance(item[0], str)
                and type(item[1]) is int and type(item[2]) is int and isinstance(item[3], str)
                and item[4] in severities and item[5] in categories):
            return None
        out.append(Diagnostic(Loc(item[0], item[1], item[2]), item[3], severities[item[4]],
                              categories[item[5]]))
    return tuple(out)
