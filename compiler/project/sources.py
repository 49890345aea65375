"""Finding and reading sources, with a content-keyed cache of validated facts.

The facts cache sits above the readers, which never import it. Kept apart from build so
that `policyc check` starts without the build machinery. Like a linter's cache, a source
whose bytes (and policyc's code) are unchanged since it last validated is not parsed
again: `check` reports it at once, and a no-op build plans its jobs from the cached facts.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from compiler import __version__
from compiler.errors import Category, CompilerError, Loc, display_path
from compiler.fs import read_cache_json, read_source, relative_inside, write_cache_json
from compiler.project.layout import SOURCE_DIR, cache_dir

if TYPE_CHECKING:
    from compiler.errors import Diagnostic, Diagnostics
    from compiler.model import Document, Variable


def discover(paths: Sequence[str | Path]) -> list[Path]:
    """The sources named, or every source/*.yaml when none is."""
    if paths:
        out: list[Path] = []
        for p in map(Path, paths):
            out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
        return out
    found = sorted(Path(SOURCE_DIR).glob("*.yaml"))
    if not found:
        from compiler.project.layout import find_config

        start = ("run `policyc init` to start a project here" if find_config(Path.cwd()) is None
                 else "write one, or turn an existing policy into one with `policyc import FILE`")
        raise CompilerError.at(Loc(f"{SOURCE_DIR}/"), "no sources found (expected "
                               f"{SOURCE_DIR}/*.yaml: {start})", Category.IO)
    return found


class Facts(NamedTuple):
    """What planning a build needs from a source; the whole Document only when rendering.

    A NamedTuple rather than a dataclass: `policyc check` must not pay for dataclasses.
    """

    path: str  # as shown in messages
    digest: str  # sha256 of the source's bytes
    id: str
    version: str
    source_locale: str
    locales: tuple[str, ...]
    page_size: str
    base_url: str | None
    reference_docx: str | None
    warnings: tuple[tuple[str, int, int, str], ...] = ()  # the loader's: path, line, col, text
    documents: tuple[tuple[str, int, int], ...] = ()  # {doc:id} links: id, line, column

    @classmethod
    def of(cls, doc: Document) -> Facts:
        m = doc.meta
        warnings = tuple((w.loc.path, w.loc.line, w.loc.column, w.message)
                         for w in doc.warnings)
        from compiler.project.documents import linked_documents

        return cls(doc.path, doc.digest, m.id, m.version, m.source_locale, tuple(m.locales),
                   m.page_size, m.base_url, m.reference_docx, warnings, linked_documents(doc))

    def diagnostics(self) -> list[Diagnostic]:
        """The loader's warnings (a text cut by a YAML comment...), cached with the facts."""
        from compiler.errors import Diagnostic, Severity

        return [Diagnostic(Loc(path, line, column), message, Severity.WARNING,
                           Category.SYNTAX) for path, line, column, message in self.warnings]


_CODE_ROOT = str(Path(__file__).resolve().parent.parent)  # compiler/


def _code_files() -> list[tuple[tuple[str, ...], os.DirEntry[str]]]:
    """policyc's modules: every *.py below compiler/ (not through linked folders, as
    Path.rglob), as (path parts relative to compiler/, entry), in Path order."""
    found: list[tuple[tuple[str, ...], os.DirEntry[str]]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, (*parts, entry.name))
                elif entry.name.endswith(".py"):
                    found.append(((*parts, entry.name), entry))

    walk(_CODE_ROOT, ())
    return sorted(found, key=lambda found: found[0])


@cache
def code_stamp() -> str:
    """What tells policyc's code files apart without reading them: each one's path, size,
    modification and change time and inode. Python itself picks the bytecode it runs by the
    source's mtime (seconds) and size; this adds nanoseconds, ctime (which no copy or
    checkout preserves) and the inode (an editor's save-by-rename), so any edit changes it."""
    stamps = []
    for parts, entry in _code_files():
        info = entry.stat()
        stamps.append(("/".join(parts), info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                       info.st_ino))
    return hashlib.sha256(repr((__version__, stamps)).encode()).hexdigest()


# code_stamp() -> code_digest(), learnt from the facts cache (it records both): an unchanged
# checkout is not read and hashed again by every process (~4 ms of a ~0.1 s no-op, #18)
_KNOWN_CODE: dict[str, str] = {}


def code_digest() -> str:
    """policyc's own code: a development checkout re-validates and rebuilds when it changes."""
    stamp = code_stamp()
    if stamp not in _KNOWN_CODE:
        _KNOWN_CODE[stamp] = _hash_code()
    return _KNOWN_CODE[stamp]


def _hash_code() -> str:
    h = hashlib.sha256(__version__.encode())
    for parts, entry in _code_files():
        with open(entry.path, "rb") as f:  # noqa: PTH123 (os-level walk, ~3x faster than rglob)
            h.update("/".join(parts).encode() + b"\0" + f.read())
    return h.hexdigest()


_MAX_CACHE_BYTES = 64 * 2**20  # facts of a source are a few hundred bytes


def _cache_file(source: Path) -> Path | None:
    cache = cache_dir(source)
    return cache / "sources.json" if cache is not None else None


def _read_cache(source: Path) -> dict[str, Any]:
    """The cache, if it is ours (fs.read_cache_json) and written by this code. Anything
    else is ignored (and the sources validated again)."""
    path = _cache_file(source)
    data = read_cache_json(path, _MAX_CACHE_BYTES) if path is not None else None
    if data is None or not isinstance(data.get("entries"), dict):
        return {}
    code = data.get("code")
    if isinstance(code, str) and data.get("code_stamp") == code_stamp():
        _KNOWN_CODE.setdefault(code_stamp(), code)  # the files are as when it was written
    return data if code == code_digest() else {}


def _canonical_problem(url: str) -> str | None:
    from compiler import links  # only when a source sets base_url (its patterns cost)

    return links.canonical_problem(url)


def _valid_entry(entry: Any, shown: str, digest: str) -> bool:
    """A cached entry is used only if it is exactly what validating the source would give:
    its own path and digest, and values the reader itself would accept. A planted entry can
    then neither pass an invalid source nor steer an output path."""
    import re

    from compiler.names import ID_PATTERN, LOCALE_PATTERN, VERSION_PATTERN

    fields = Facts._fields
    if isinstance(entry, dict):
        entry.setdefault("documents", [])  # entries written before {doc:id} links existed
    if not isinstance(entry, dict) or set(entry) != set(fields):
        return False
    text = ("path", "digest", "id", "version", "source_locale", "page_size")
    if not all(isinstance(entry[k], str) for k in text):
        return False
    locales, warnings = entry["locales"], entry["warnings"]
    base_url, reference = entry["base_url"], entry["reference_docx"]
    return (entry["path"] == shown and entry["digest"] == digest
            and re.fullmatch(ID_PATTERN, entry["id"]) is not None
            and re.fullmatch(VERSION_PATTERN, entry["version"]) is not None
            and isinstance(locales, list) and bool(locales)
            and all(isinstance(c, str) and re.fullmatch(LOCALE_PATTERN, c) for c in locales)
            and entry["source_locale"] in locales and entry["page_size"] in ("A4", "Letter")
            and (base_url is None or (isinstance(base_url, str)
                                      and _canonical_problem(base_url) is None))
            and (reference is None or (isinstance(reference, str)
                                       and relative_inside(reference)))
            and isinstance(warnings, list)
            and all(isinstance(w, list) and len(w) == 4 and isinstance(w[0], str)
                    and type(w[1]) is int and type(w[2]) is int and isinstance(w[3], str)
                    for w in warnings)
            and isinstance(entry["documents"], list)
            and all(isinstance(d, list) and len(d) == 3 and isinstance(d[0], str)
                    and re.fullmatch(ID_PATTERN, d[0]) is not None
                    and type(d[1]) is int and type(d[2]) is int for d in entry["documents"]))


def _write_cache(source: Path, entries: dict[str, Any]) -> None:
    """A read-only project still builds; it just validates every time."""
    target = _cache_file(source)
    if target is not None:
        write_cache_json(target, {"code": code_digest(), "code_stamp": code_stamp(),
                                  "entries": entries}, sort_keys=True)


def shared_digest(shared: tuple[Variable, ...]) -> str:
    """The project's shared variables, as part of what a source validated against."""
    return hashlib.sha256(repr(shared).encode()).hexdigest()[:16] if shared else ""


def read_facts(path: Path, shared: tuple[Variable, ...] = ()) -> tuple[Facts, Document | None]:
    """Facts of a source: from the cache when its bytes validated before (against the same
    shared variables), else by loading it.

    Returns the Document too when it had to be loaded; raises CompilerError when invalid.
    """
    data = read_source(path)
    digest = hashlib.sha256(data).hexdigest()
    cached = _read_cache(path)
    entries: dict[str, Any] = cached.get("entries", {})
    absolute = str(path.resolve())
    key = f"{absolute}:{digest}" + (f":{shared_digest(shared)}" if shared else "")
    entry = entries.get(key)
    if entry is not None and _valid_entry(entry, display_path(path), digest):
        if cached.get("code_stamp") != code_stamp():  # same code, files touched (checkout)
            _write_cache(path, entries)  # their new stamp: the next process reads no code
        entry["locales"] = tuple(entry["locales"])
        entry["warnings"] = tuple(tuple(w) for w in entry.get("warnings", ()))
        entry["documents"] = tuple(tuple(d) for d in entry["documents"])
        facts = Facts(**entry)
        _check_reference(path, facts.reference_docx, lambda: _read(data, path, shared))
        return facts, None
    doc = _read(data, path, shared)
    facts = Facts.of(doc)
    entries = {k: v for k, v in entries.items() if not k.startswith(f"{absolute}:")}
    entries[key] = facts._asdict()
    _write_cache(path, entries)
    _check_reference(path, facts.reference_docx, lambda: doc)
    return facts, doc


def read_document(path: Path, shared: tuple[Variable, ...] = ()) -> Document:
    """A source file as the project reads it: the reader's Document (bytes -> Document),
    then the files it names beside it checked (its reference_docx)."""
    doc = _read(read_source(path), path, shared)
    _check_reference(path, doc.meta.reference_docx, lambda: doc)
    return doc


def _read(data: bytes, path: Path, shared: tuple[Variable, ...]) -> Document:
    from compiler.readers import read_bytes

    return read_bytes(data, path, shared)


def _check_reference(path: Path, name: str | None, document: Callable[[], Document]) -> None:
    """The DOCX style reference a source names is a file beside it. The reader only sees
    bytes, so this is checked here, whether the facts came from the cache or not; the error
    points at the name in the source (read again for it when the facts were cached)."""
    if name is None or (path.parent / name).is_file():
        return
    where = document().meta.reference_docx_at or Loc(display_path(path))
    raise CompilerError.at(where, f"reference_docx: file '{name}' not found (expected a .docx "
                           "path relative to this source file)", Category.REFERENCE)


def check_ids(checked: list[tuple[Path, Facts]], diag: Diagnostics,
              shared: tuple[Variable, ...] = ()) -> None:
    """Two sources with one id are an error at each id line (project/documents.py). A
    source named alone is compared with the other sources of its project's source/ folder
    too: building it would overwrite theirs."""
    everyone = [*checked, *_siblings(checked, shared)]
    if len({facts.id for _, facts in everyone}) == len(everyone):
        return
    from compiler.project.documents import check_unique_ids

    mine = {facts.id for _, facts in checked}
    check_unique_ids([(p, f) for p, f in everyone if f.id in mine], diag,
                     lambda path: read_document(path, shared).meta.id_at)


def _siblings(checked: list[tuple[Path, Facts]],
              shared: tuple[Variable, ...]) -> list[tuple[Path, Facts]]:
    """The other sources of the source/ folders the checked sources are in (a broken one
    is left out: it is reported when it is built or checked)."""
    from compiler.project.layout import project_of

    named = {path.resolve() for path, _ in checked}
    folders = {path.resolve().parent for path, _ in checked if project_of(path) is not None}
    found: list[tuple[Path, Facts]] = []
    for folder in sorted(folders):
        for path in sorted(folder.glob("*.yaml")):
            if path.resolve() in named:
                continue
            try:
                found.append((path, read_facts(path, shared)[0]))
            except CompilerError:
                continue
    return found


def check_sources(paths: Sequence[str | Path], strict: bool = False,
                  warnings: list[Diagnostic] | None = None,
                  shared: tuple[Variable, ...] = ()) -> int:
    """Validate every source, report all errors at once; the number of sources checked.
    The loader's warnings are appended to warnings (with strict they are errors)."""
    from compiler.errors import Diagnostics

    diag = Diagnostics()
    found = discover(paths)
    checked: list[tuple[Path, Facts]] = []
    for path in found:
        try:
            facts, _ = read_facts(path, shared)
        except CompilerError as err:
            diag.extend(err.diagnostics)
            continue
        diag.extend(facts.diagnostics())
        checked.append((path, facts))
    check_ids(checked, diag, shared)
    if any(facts.documents for _, facts in checked):  # {doc:id} links name real documents
        from compiler.project.documents import Linked

        Linked(checked, lambda p: read_facts(p, shared)[0]).check(checked, diag)
    diag.raise_if_errors(strict=strict)
    if warnings is not None:
        warnings.extend(diag.warnings)
    return len(found)
