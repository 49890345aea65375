"""dist/manifest.json (what was built from what, with hashes), its merge across shards, dist/index.html.

Both writers take a list of outputs (every file in the output folder, not only those one
build touched) and know nothing of how a build ran.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from compiler import __version__
from compiler.errors import Category, CompilerError, Diagnostic, Loc, Severity, display_path
from compiler.renderers.templates import Templates
from compiler.renderers.theme import Theme

Completeness = dict[str, dict[str, dict[str, float | int]]]  # document -> locale -> counts


@dataclass(frozen=True)
class Output:
    """One file of the output folder, as the manifest lists it."""

    path: Path
    format: str
    locale: str
    document: str
    version: str
    size: int
    sha256: str
    built: bool = True  # by this build (False: up to date, or built by an earlier one)
    # the source and catalogs it was made from, with their digests (build/provenance.py)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class PageInfo:
    """What the index shows of a document in a locale (from its localization)."""

    title: str
    updated: str
    language: str
    direction: str
    organization: str = ""
    source: bool = False  # the document's source locale


def manifest_bytes(out: Path, outputs: list[Output], inputs: dict[str, dict[str, str]],
                   completeness: Completeness) -> bytes:
    manifest = {
        "policyc": __version__,
        "outputs": [
            {"path": o.path.relative_to(out).as_posix(), "format": o.format, "locale": o.locale,
             "document": o.document, "version": o.version, "size": o.size, "sha256": o.sha256,
             "inputs": o.inputs}
            for o in sorted(outputs, key=lambda o: o.path.as_posix())
        ],
        "inputs": inputs,
        "completeness": completeness,
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CompilerError.at(Loc(display_path(path)), f"cannot read manifest: {err.strerror}",
                               Category.IO) from err
    except json.JSONDecodeError as err:
        raise CompilerError.at(Loc(display_path(path), err.lineno, err.colno),
                               f"invalid JSON: {err.msg}", Category.SYNTAX) from err
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), list):
        raise CompilerError.at(Loc(display_path(path)), "not a policyc manifest (no 'outputs')")
    for key in ("inputs", "completeness"):
        value = data.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise CompilerError.at(Loc(display_path(path)), f"not a policyc manifest ('{key}' "
                                   "must map names to objects)")
    return data


def _valid_entry(entry: Any) -> str | None:
    """What is wrong with one output entry of a manifest, or None."""
    if not isinstance(entry, dict):
        return "an output entry must be an object"
    rel, digest, size = entry.get("path"), entry.get("sha256"), entry.get("size")
    if not isinstance(rel, str) or not isinstance(digest, str) or type(size) is not int:
        return "an output entry needs 'path' (text), 'size' (a number) and 'sha256' (text)"
    if rel.startswith("/") or "\\" in rel or ".." in rel.split("/"):
        return f"output path {rel!r} must be relative to the manifest's folder, without '..'"
    return None


def merge(paths: list[Path]) -> bytes:
    """Join the manifests of sharded builds; the same output twice must agree byte for byte,
    and no page may link an output that no manifest lists (_unpublished_links)."""
    outputs: dict[str, dict[str, Any]] = {}
    pages: list[tuple[Path, str]] = []  # (a page beside its manifest, its path in the folder)
    merged: dict[str, Any] = {"policyc": __version__, "inputs": {}, "completeness": {}}
    for path in paths:
        data = read_manifest(path)
        for entry in data["outputs"]:
            problem = _valid_entry(entry)
            if problem is not None:
                raise CompilerError.at(Loc(display_path(path)), problem)
            seen = outputs.get(entry["path"])
            if seen and seen["sha256"] != entry["sha256"]:
                raise CompilerError.at(Loc(display_path(path)), f"{entry['path']}: sha256 differs "
                                       "from another shard's (were the shards built from the "
                                       "same inputs?)")
            outputs[entry["path"]] = entry
            if entry.get("format") == "html":
                pages.append((path.parent / entry["path"], entry["path"]))
        for kind, digests in data.get("inputs", {}).items():
            merged["inputs"].setdefault(kind, {}).update(digests)
        for doc, locales in data.get("completeness", {}).items():
            merged["completeness"].setdefault(doc, {}).update(locales)
    if problems := _unpublished_links(pages, set(outputs)):
        raise CompilerError(problems)
    merged["outputs"] = [outputs[k] for k in sorted(outputs)]
    return (json.dumps(merged, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _page_targets(page: Path, rel: str) -> list[str]:
    """The outputs (<locale>/<file>.html|pdf|docx, relative to the folder) a page at rel
    links to, read from the file (none when it is not one)."""
    if not page.is_file():
        return []
    targets = []
    for href in _hrefs(page.read_text(encoding="utf-8", errors="replace")):
        link = urlsplit(href)
        if link.scheme or link.netloc or not link.path:
            continue  # another site, or a place in the page
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(link.path)))
        if (len(PurePosixPath(target).parts) == 2 and not target.startswith("..")
                and PurePosixPath(target).suffix in (".html", ".pdf", ".docx")
                and target not in targets):
            targets.append(target)
    return targets


def unlisted_links(pages: dict[str, Path], listed: set[str],
                   of: set[str] | None = None) -> list[tuple[str, str]]:
    """The rule merge and build share: a listed page must not link an output that is not
    listed. Each (page, target) breaking it; pages maps a listed page's path in the folder
    to its file. of: only targets among these count (a build: the outputs of its folder it
    planned or recorded; a locale never built is no output it knows of)."""
    return [(rel, target) for rel, page in pages.items()
            for target in _page_targets(page, rel)
            if target not in listed and (of is None or target in of)]


def withheld(out: Path, listed: set[str], known: set[str]) -> dict[str, str]:
    """The pages of a build's listing that break unlisted_links, and those that then link
    them, until none does, each with why: they are not listed either (the build reports
    them unlisted, and lists them again once what they link is). A stale German page must
    not be offered by the English page's language switcher (review7 F15), nor a PDF whose
    write failed by its page (F14). Reads pages only when something known is unlisted."""
    gone: dict[str, str] = {}
    while known - (listed - set(gone)):
        pages = {rel: out / rel for rel in listed - set(gone) if rel.endswith(".html")}
        bad = unlisted_links(pages, listed - set(gone), known)
        if not bad:
            break
        for rel, target in bad:
            gone.setdefault(rel, f" (it links {target}, which is not listed)")
    return gone


def _unpublished_links(pages: list[tuple[Path, str]], listed: set[str]) -> list[Diagnostic]:
    """Each link of a merged page (read beside the manifest listing it) to an output
    that no manifest lists: the merged folder would answer it with a 404. --shard can put a
    page and its PDF in two slices: the page offers the PDF, and the slice making it failed,
    or refused to sign it (review6 F3). A page not beside its manifest is not read."""
    problems = []
    for page, rel in dict.fromkeys(pages):  # two shards may list one page
        for _, target in unlisted_links({rel: page}, listed):
            problems.append(Diagnostic(
                Loc(display_path(page)), f"links {target}, which no merged manifest "
                "lists (expected every output a page links to in one of them: did the "
                "build of the slice making it fail, or refuse it?)", Severity.ERROR,
                Category.REFERENCE))
    return problems


def index_html(out: Path, templates: Templates, theme: Theme, outputs: list[Output],
               completeness: Completeness, pages: dict[tuple[str, str], PageInfo]) -> bytes:
    """dist/index.html: every document x locale x format, with version, date, size, completeness.

    `pages` is keyed by (document, locale).
    """
    from markupsafe import Markup

    from compiler.i18n import site  # here: a no-op build imports this module, not the model
    from compiler.i18n.formatting import file_size, percent, tag_direction

    # the index's own language: its words, and the numbers of its sizes and percentages
    lang = site.index_locale(locale for (_, locale), info in sorted(pages.items()) if info.source)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for o in sorted(outputs, key=lambda o: (o.document, o.locale, o.format)):
        row = rows.get((o.document, o.locale))
        if row is None:
            info = pages.get((o.document, o.locale)) or PageInfo(o.document, "", o.locale, "ltr")
            share = completeness.get(o.document, {}).get(o.locale, {}).get("percent", 100.0)
            row = rows[(o.document, o.locale)] = {
                "document": o.document, "locale": o.locale, "version": o.version,
                "title": info.title, "updated": info.updated,
                "language": info.language, "direction": info.direction,
                "tag": o.locale.replace("_", "-"),
                "complete": share, "translated": percent(share, lang),  # the index's numbers
                "files": [], "page": None}
        href = o.path.relative_to(out).as_posix()
        row["files"].append({"format": o.format.upper(), "size": file_size(o.size, lang),
                             "href": href})
        if o.format == "html":  # the title links to the page
            row["page"] = href
    css = templates.read_text("css/web.css") + theme.web_css()
    organizations = sorted({info.organization for info in pages.values() if info.organization})
    template = templates.template("html/index.html.j2")
    return template.render(rows=list(rows.values()), css=Markup(css),
                           organization=" \u00b7 ".join(organizations),
                           words=site.INDEX_WORDS[lang], lang=lang.replace("_", "-"),
                           dir=tag_direction(lang),
                           generator=f"policyc {__version__}").encode()


def _hrefs(page: str) -> list[str]:
    """Every <a href> of a page (html.parser imported here: a no-op build reads no page)."""
    from html.parser import HTMLParser

    class Hrefs(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.hrefs: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "a":
                self.hrefs.extend(value for name, value in attrs if name == "href" and value)

    parser = Hrefs()
    parser.feed(page)
    return parser.hrefs
