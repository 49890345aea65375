"""Localizing for a build: the catalogs a document reads, parsed once while unchanged, and
localize_checked, which the build and the warm worker's recipes (warm/recipe.py) both use."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.errors import Category, Diagnostic, Diagnostics, Loc, display_path
from compiler.i18n.paths import UI_DOMAIN, po_path

if TYPE_CHECKING:
    from compiler.i18n.catalogs import Translations
    from compiler.i18n.localize import DocumentTitles
    from compiler.model import Document, LocalizedDocument

# Parsed inputs kept between builds of one process (the preview server's rebuilds), keyed
# by the file's identity and change time: an unchanged catalog or source is not parsed again.
PARSED: dict[tuple[str, str], tuple[tuple[int, int, int], object]] = {}


def parsed_once(kind: str, path: Path, make: Callable[[], Any], extra: object = None) -> Any:
    try:
        info = path.stat()
    except OSError:
        return make()
    stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
    key = (kind, f"{path.resolve()}\0{extra!r}")
    cached = PARSED.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    value = make()
    PARSED[key] = (stamp, value)
    return value


def catalog_paths(doc_id: str, source_locale: str, locale: str, locales_dir: Path
                  ) -> tuple[Path, ...]:
    """The catalogs localizing a document reads: its own, then the project's catalog of
    template words if there is one; none without its own. In the source locale only the
    project's template words, if it has them (labels policyc ships in no language, or
    customised)."""
    if locale == source_locale:
        ui_path = po_path(locales_dir, locale, UI_DOMAIN)
        return (ui_path,) if ui_path.exists() or ui_path.is_symlink() else ()
    path = po_path(locales_dir, locale, doc_id)
    if not (path.exists() or path.is_symlink()):
        return ()
    ui_path = po_path(locales_dir, locale, UI_DOMAIN)
    return (path, ui_path) if ui_path.exists() or ui_path.is_symlink() else (path,)


def load_translations(doc: Document, locale: str, locales_dir: Path,
                      read: Callable[[Path, str, Path], Translations] | None = None,
                      ) -> Translations | None:
    """The document's catalog, with the project's catalog of template words beside it.
    read(path, locale, locales_dir) parses one (default: once while the file is unchanged;
    the warm worker's keeps them by digest, see build/warm/recipe.py)."""
    paths = catalog_paths(doc.meta.id, doc.meta.source_locale, locale, locales_dir)
    if not paths:
        return None
    read = read or read_catalog
    if locale == doc.meta.source_locale:  # the layout's words only (localize.labels)
        return read(paths[0], locale, locales_dir)
    ui = read(paths[1], locale, locales_dir) if len(paths) > 1 else None
    return dataclasses.replace(read(paths[0], locale, locales_dir), ui=ui)


def read_catalog(path: Path, locale: str, locales_dir: Path) -> Translations:
    """A catalog's translations, parsed once while the file is unchanged."""
    from compiler.i18n.catalogs import catalog_root, read_translations  # not for a no-op

    root = catalog_root(locales_dir)
    read = lambda: read_translations(path, locale, root)  # noqa: E731
    translations: Translations = parsed_once("po", path, read, locale)
    return translations


@dataclass(frozen=True)
class Inputs:
    """What a localized document was made from: the sha256 of its source's bytes and of
    each catalog's, by path. A warm worker's head start (warm/recipe.py) is used only when
    it was made from the very inputs the build localized from (run.Runner): a file saved
    between the worker's read and the build's would otherwise give a PDF of the old text
    beside HTML, DOCX and state of the new."""

    source: str
    catalogs: frozenset[tuple[Path, str]]


def recording(digests: dict[Path, str]) -> Callable[[Path, str, Path], Translations]:
    """read_catalog, noting each catalog's digest (of the bytes parsed) in digests."""

    def read(path: Path, locale: str, locales_dir: Path) -> Translations:
        translations = read_catalog(path, locale, locales_dir)
        digests[path] = translations.digest
        return translations

    return read


def localize_checked(doc: Document, locale: str, locales_dir: Path, strict: bool,
                     documents: DocumentTitles | None = None,
                     read: Callable[[Path, str, Path], Translations] | None = None,
                     ) -> tuple[LocalizedDocument, list[Diagnostic]]:
    """Localize one locale; translation errors raise, warnings return (or raise if strict).
    documents answers {doc:id} links (see compiler.i18n.localize); read: see
    load_translations."""
    from compiler.i18n.localize import localize

    translations = load_translations(doc, locale, locales_dir, read)
    localized, diag = localize(doc, locale, translations, documents, list_gaps=strict)
    if translations is None and locale != doc.meta.source_locale:
        diag.warning(Loc(display_path(po_path(locales_dir, locale, doc.meta.id))),
                     f"no catalog for locale '{locale}': building it in "
                     f"{doc.meta.source_locale}", Category.TRANSLATION)
    if translations is None and locale == doc.meta.source_locale:
        _unlabelled(doc, locales_dir, diag)
    diag.raise_if_errors(strict=strict)
    return localized, diag.warnings


def _unlabelled(doc: Document, locales_dir: Path, diag: Diagnostics) -> None:
    """A source locale policyc ships no layout words for (it, nl) and the project gives none:
    its outputs say "Contents", "Page 1 of 2", "Version History" in English. Said at the
    source's source_locale line, with the file that gives them."""
    from compiler.i18n.catalogs import shipped_labels
    from compiler.i18n.formatting import babel_locale

    code = doc.meta.source_locale
    if shipped_labels(code):
        return
    ui = display_path(po_path(locales_dir, code, UI_DOMAIN))
    template = display_path(locales_dir / f"{UI_DOMAIN}.pot")
    diag.warning(doc.meta.source_locale_at or Loc(doc.path),
                 f"policyc ships no layout labels in {babel_locale(code).english_name} "
                 f"('{code}'): this document's {code} outputs show them in English (Contents, "
                 f"Page 1 of 2, Version History); add {ui} (a copy of {template} with each "
                 f"msgstr filled in) to give them", Category.TRANSLATION)
