"""{doc:id} links: the other document's title in a page's locale (build/pipeline.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.build.localizing import load_translations
from compiler.build.plan import BuildOptions, locales_dir_for

if TYPE_CHECKING:
    from compiler.model import Document, LocalizedDocument
    from compiler.project.documents import Linked


class Titles:
    """{doc:id} from a page in a locale: the other document's title there, and that locale."""

    def __init__(self, linked: Linked, document: Callable[[Path], Document],
                 options: BuildOptions) -> None:
        self.linked = linked
        self.document = document
        self.options = options
        self.localized: dict[tuple[str, str], LocalizedDocument] = {}
        self.titles: dict[tuple[str, str], str] = {}

    def __call__(self, doc_id: str, locale: str) -> tuple[str, str] | None:
        target = self.linked.target_locale(doc_id, locale)
        if target is None:
            return None
        if (doc_id, target) not in self.titles:
            if (doc_id, target) in self.localized:
                self.titles[(doc_id, target)] = self.localized[(doc_id, target)].title
            else:
                from compiler.i18n.localize import localize

                path = self.linked.by_id[doc_id][0]
                other = self.document(path)
                translations = load_translations(other, target,
                                                 locales_dir_for(path, self.options))
                self.titles[(doc_id, target)] = localize(other, target, translations)[0].title
        return self.titles[(doc_id, target)], target
