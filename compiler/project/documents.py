"""The documents of a project as a set: which others each one links to with {doc:id}.

A source's links are facts (cached with it), so planning a build knows which outputs must
be rebuilt when another document's title or translation changes, and can report a link to
an id the project does not have before anything is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.errors import Category, Diagnostics, Loc

if TYPE_CHECKING:
    from compiler.model import Document, Inline
    from compiler.project.sources import Facts


def linked_documents(doc: Document) -> tuple[tuple[str, int, int], ...]:
    """(document id, line, column) of every {doc:id} in the document, in reading order."""
    from compiler import links  # not for a no-op build: its patterns cost
    from compiler.model.walk import rich_fields

    out: list[tuple[str, int, int]] = []
    for rich in rich_fields((doc.meta, doc.preamble, doc.sections)):
        for href in _hrefs(rich.inlines):
            if href.startswith(links.DOC_SCHEME):
                out.append((href[len(links.DOC_SCHEME):], rich.loc.line, rich.loc.column))
    return tuple(out)


def _hrefs(inlines: tuple[Inline, ...]) -> Iterator[str]:
    from compiler.model import Emphasis, Link, Strong

    for node in inlines:
        if isinstance(node, Link):
            yield node.href
            yield from _hrefs(node.children)
        elif isinstance(node, Strong | Emphasis):
            yield from _hrefs(node.children)


def check_unique_ids(checked: list[tuple[Path, Facts]], diag: Diagnostics,
                     where: Callable[[Path], Loc | None]) -> None:
    """Each document's id names its outputs (<out>/<locale>/<id>.<ext>) and its catalogs
    (locales/<locale>/LC_MESSAGES/<id>.po): two sources with one id would overwrite each
    other. An error at each one's id line, naming the others.

    where gives the location of a source's id (read again: cached facts carry no lines)."""
    by_id: dict[str, list[tuple[Path, Facts]]] = {}
    for path, facts in checked:
        by_id.setdefault(facts.id, []).append((path, facts))
    for doc_id, group in by_id.items():
        if len(group) < 2:
            continue
        located = [(where(path) or Loc(facts.path), facts) for path, facts in group]
        for loc, _facts in located:
            others = ", ".join(str(other) for other, _ in located if other is not loc)
            diag.error(loc, f"duplicate document id '{doc_id}' (also in {others}; expected "
                       "one id per source: outputs and catalogs are named by it)",
                       Category.REFERENCE)


class Linked:
    """The documents {doc:id} links may name in one build: the sources being built and the
    project's other sources (so building one document still links to its siblings)."""

    def __init__(self, built: list[tuple[Path, Facts]], read: Callable[[Path], Facts]) -> None:
        """read gives the facts of another source (the facts cache, with shared variables)."""
        self.by_id: dict[str, tuple[Path, Facts]] = {f.id: (p, f) for p, f in built}
        wanted = {d[0] for _, f in built for d in f.documents}
        if wanted - set(self.by_id):
            self._add_project_sources(built, read)

    def _add_project_sources(self, built: list[tuple[Path, Facts]],
                             read: Callable[[Path], Facts]) -> None:
        from compiler.errors import CompilerError

        folders = {p.resolve().parent for p, _ in built}
        for folder in sorted(folders):
            for path in sorted(folder.glob("*.yaml")):
                if any(path.resolve() == p.resolve() for p, _ in self.by_id.values()):
                    continue
                try:
                    facts = read(path)
                except CompilerError:
                    continue  # a broken sibling is reported when it is built or checked
                self.by_id.setdefault(facts.id, (path, facts))

    def check(self, built: list[tuple[Path, Facts]], diag: Diagnostics) -> None:
        known = ", ".join(sorted(self.by_id))
        for _, facts in built:
            for doc_id, line, column in facts.documents:
                if doc_id not in self.by_id:
                    diag.error(Loc(facts.path, line, column), f"document link '{{doc:{doc_id}}}' "
                               f"names no document of the project (known: {known})",
                               Category.REFERENCE)

    def target_locale(self, doc_id: str, locale: str) -> str | None:
        """The locale of the output a link from a locale points at: the same one when the
        other document is translated into it, else its source locale."""
        found = self.by_id.get(doc_id)
        if found is None:
            return None
        facts = found[1]
        return locale if locale in facts.locales else facts.source_locale

    def key(self, facts: Facts, locale: str,
            catalog_digest: Callable[[Path, Facts, str], str]) -> list[tuple[str, str, str]]:
        """What a document's outputs in a locale take from the documents it links to: their
        source and their catalog for the linked locale (their titles live there)."""
        out = []
        for doc_id in sorted({d[0] for d in facts.documents}):
            target = self.target_locale(doc_id, locale)
            if target is not None:
                path, other = self.by_id[doc_id]
                out.append((other.digest, target, catalog_digest(path, other, target)))
        return out
